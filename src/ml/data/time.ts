/**
 * Timestamps as written in order exports. A time with no zone ("2011-06-01 08:26:00") is read
 * as UTC: the evaluation compares times as written, and reading them in the machine's zone
 * would move the cutoff by the machine's offset (and by DST) from one machine to the next.
 */
const NAIVE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/
const ZONED = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i

/**
 * Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]" (or with "T") as UTC, and the same with a
 * "Z" or "+hh:mm" suffix at that offset. Returns ms since the epoch, or NaN when the text is
 * not such a timestamp or names an impossible date (2011-02-30).
 */
export function parseTimestamp(text: string): number {
  const s = text.trim()
  const m = NAIVE.exec(s)
  if (m) {
    const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => (m[i] === undefined ? 0 : Number(m[i])))
    const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
    const t = Date.UTC(y, mo - 1, d, h, mi, se, ms)
    const back = new Date(t)
    // Date.UTC rolls over out-of-range fields; a round trip rejects them instead.
    if (
      back.getUTCFullYear() !== y ||
      back.getUTCMonth() !== mo - 1 ||
      back.getUTCDate() !== d ||
      h > 23 ||
      mi > 59 ||
      se > 59
    ) {
      return Number.NaN
    }
    return t
  }
  if (ZONED.test(s)) {
    return Date.parse(s.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2"))
  }
  return Number.NaN
}

/** Like parseTimestamp, but throws a RangeError naming the text when it is not a timestamp. */
export function requireTimestamp(text: string, what = "timestamp"): number {
  const t = parseTimestamp(text)
  if (Number.isNaN(t)) throw new RangeError(`${what}: not a timestamp: "${text}"`)
  return t
}

/** Formats ms since the epoch as "YYYY-MM-DD HH:MM:SS" in UTC (the inverse of parseTimestamp). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ")
}

export const MS_PER_DAY = 86_400_000
