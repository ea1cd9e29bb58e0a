/**
 * Numbers, money and dates as the admin's reader expects them: the locale of the page (the
 * dashboard's language, else the browser's) and the store currency the API gives beside each
 * amount. Every formatter accepts null and shows an en dash for a missing figure.
 */

const DASH = "–"

export function locale(): string {
  if (typeof document !== "undefined" && document.documentElement.lang) return document.documentElement.lang
  if (typeof navigator !== "undefined" && navigator.language) return navigator.language
  return "en-US"
}

const cache = new Map<string, Intl.NumberFormat>()
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale()}|${JSON.stringify(options)}`
  let f = cache.get(key)
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale(), options)
    } catch {
      // An unknown currency code: the number alone, with the code after it (see formatMoney).
      f = new Intl.NumberFormat(locale(), { maximumFractionDigits: options.maximumFractionDigits ?? 2 })
    }
    cache.set(key, f)
  }
  return f
}

const missing = (v: number | null | undefined): v is null | undefined => v === null || v === undefined || !Number.isFinite(v)

/** An amount in the store currency (major units, as Medusa stores them). */
export function formatMoney(value: number | null | undefined, currency: string | null | undefined, options: { compact?: boolean } = {}): string {
  if (missing(value)) return DASH
  if (!currency) return formatNumber(value, { maximumFractionDigits: 2 })
  const code = currency.toUpperCase()
  const digits = options.compact ? 1 : Math.abs(value) >= 1000 ? 0 : 2
  const f = numberFormat({
    style: "currency",
    currency: code,
    maximumFractionDigits: digits,
    minimumFractionDigits: options.compact || digits === 0 ? 0 : undefined,
    notation: options.compact ? "compact" : "standard",
  })
  const text = f.format(value)
  return f.resolvedOptions().style === "currency" ? text : `${text} ${code}`
}

export function formatNumber(value: number | null | undefined, options: Intl.NumberFormatOptions = { maximumFractionDigits: 1 }): string {
  if (missing(value)) return DASH
  return numberFormat(options).format(value)
}

export function formatInteger(value: number | null | undefined): string {
  return formatNumber(value, { maximumFractionDigits: 0 })
}

/** A share 0..1 as a percentage. */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (missing(value)) return DASH
  return numberFormat({ style: "percent", maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value)
}

/** A signed change, e.g. "+12" or "−3". */
export function formatSigned(value: number | null | undefined): string {
  if (missing(value)) return DASH
  return numberFormat({ maximumFractionDigits: 0, signDisplay: "exceptZero" }).format(value)
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return DASH
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return DASH
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(d)
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return DASH
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(d)
}

/** A duration in ms as "850 ms", "42 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (missing(ms)) return DASH
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`
  const h = Math.floor(m / 60)
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
}

export function formatDays(days: number | null | undefined): string {
  if (missing(days)) return DASH
  const n = formatNumber(days, { maximumFractionDigits: days < 10 ? 1 : 0 })
  return `${n} ${Math.round(days) === 1 ? "day" : "days"}`
}

/** A difference of two rates in percentage points, signed: "+1.2 pp". */
export function formatPoints(difference: number | null | undefined): string {
  if (missing(difference)) return DASH
  return `${numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(difference * 100)} pp`
}

/** A signed amount of money, e.g. an uplift: "+€1.20", "−€0.40". */
export function formatSignedMoney(value: number | null | undefined, currency: string | null | undefined): string {
  if (missing(value)) return DASH
  const text = formatMoney(Math.abs(value), currency)
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text
}
