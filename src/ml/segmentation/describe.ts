/**
 * Business names and descriptions of segments from their centres in original units. Names
 * come from deterministic rules on where a centre sits in the population (its percentile on
 * recency, orders and spend), so the same data always give the same names and a name means
 * the same thing in every shop ("Champions" = among the most recent, most frequent and
 * highest-spending customers of this shop, whatever its currency or order sizes).
 */

/** Columns the rules read (any other columns are ignored; missing ones disable the rules). */
const RECENCY = "recency"
const INVOICES = "invoices"
const SPEND = "spend"

export interface SegmentProfile {
  /** Percentile in [0, 1] of the centre among the customers: higher = more recent. */
  recent: number
  /** Higher = more orders. */
  frequent: number
  /** Higher = more total spend. */
  spending: number
}

/**
 * Percentile of `value` in column j of `population` (row-major, d columns): the share of rows
 * below it plus half the share equal to it (ties split, so the answer does not depend on row
 * order). O(n); no sort needed for a handful of centres.
 */
export function percentileOf(population: Float64Array, d: number, j: number, value: number): number {
  const n = population.length / d
  if (n === 0) return 0.5
  let below = 0
  let equal = 0
  for (let i = 0; i < n; i++) {
    const v = population[i * d + j]
    if (v < value) below++
    else if (v === value) equal++
  }
  return (below + equal / 2) / n
}

/**
 * The rules, first match wins (thresholds are percentiles of the population):
 * - Champions: recent >= 0.6, frequent >= 0.7, spending >= 0.7
 * - Loyal: frequent >= 0.6, recent >= 0.4
 * - Big spenders: spending >= 0.7 (with fewer orders: big baskets)
 * - New: recent >= 0.6, frequent < 0.4
 * - Promising: recent >= 0.5
 * - At risk: recent < 0.4, and frequent >= 0.5 or spending >= 0.5 (were good, went quiet)
 * - Lost: recent < 0.2
 * - Hibernating: recent < 0.4
 * - Needs attention: the rest (middling on everything)
 */
export function segmentName(p: SegmentProfile): string {
  if (p.recent >= 0.6 && p.frequent >= 0.7 && p.spending >= 0.7) return "Champions"
  if (p.frequent >= 0.6 && p.recent >= 0.4) return "Loyal"
  if (p.spending >= 0.7) return "Big spenders"
  if (p.recent >= 0.6 && p.frequent < 0.4) return "New"
  if (p.recent >= 0.5) return "Promising"
  if (p.recent < 0.4 && (p.frequent >= 0.5 || p.spending >= 0.5)) return "At risk"
  if (p.recent < 0.2) return "Lost"
  if (p.recent < 0.4) return "Hibernating"
  return "Needs attention"
}

export interface DescribedSegment {
  name: string
  description: string
  /** Null when the matrix has no recency/invoices/spend columns to judge by. */
  profile: SegmentProfile | null
}

function fmt(v: number): string {
  const a = Math.abs(v)
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2
  return v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

/**
 * Names and describes k segments. `centres` are row-major k x names.length in original units,
 * `population` the customers in original units (same columns), `sizes` the customers per
 * segment. Names are unique: when rules give two segments the same name, the one on the
 * column where they differ most gets a qualifier ("Loyal, higher spend"); beyond two, a number.
 */
export function describeSegments(centres: Float64Array, names: readonly string[], population: Float64Array, sizes: ArrayLike<number>): DescribedSegment[] {
  const d = names.length
  const k = centres.length / d
  const total = Array.from(sizes).reduce((a, b) => a + b, 0)
  const jR = names.indexOf(RECENCY)
  const jF = names.indexOf(INVOICES)
  const jM = names.indexOf(SPEND)
  const canName = jR >= 0 && jF >= 0 && jM >= 0
  const out: DescribedSegment[] = []
  for (let c = 0; c < k; c++) {
    const at = (j: number) => centres[c * d + j]
    const share = total > 0 ? (100 * sizes[c]) / total : 0
    const parts: string[] = [`${sizes[c]} customers (${share.toFixed(1)}%)`]
    let profile: SegmentProfile | null = null
    if (canName) {
      profile = {
        recent: 1 - percentileOf(population, d, jR, at(jR)),
        frequent: percentileOf(population, d, jF, at(jF)),
        spending: percentileOf(population, d, jM, at(jM)),
      }
      const orders = at(jF)
      parts.push(`typically bought ${fmt(orders)} time${Math.abs(orders - 1) < 0.05 ? "" : "s"}, last ${fmt(at(jR))} days ago, spent ${fmt(at(jM))} in total (${fmt(at(jM) / Math.max(orders, 1e-9))} per order)`)
    }
    for (let j = 0; j < d; j++) {
      if (j === jR || j === jF || j === jM) continue
      parts.push(`${names[j]} ${fmt(at(j))}`)
    }
    out.push({ name: profile ? segmentName(profile) : `Segment ${c + 1}`, description: parts.join("; "), profile })
  }
  makeUnique(out)
  return out
}

const AXES: { key: keyof SegmentProfile; higher: string; lower: string }[] = [
  { key: "recent", higher: "more recent", lower: "less recent" },
  { key: "frequent", higher: "more orders", lower: "fewer orders" },
  { key: "spending", higher: "higher spend", lower: "lower spend" },
]

function makeUnique(segs: DescribedSegment[]): void {
  const groups = new Map<string, number[]>()
  segs.forEach((s, i) => {
    const g = groups.get(s.name)
    if (g) g.push(i)
    else groups.set(s.name, [i])
  })
  for (const [name, idx] of groups) {
    if (idx.length < 2) continue
    const profiles = idx.map((i) => segs[i].profile)
    if (idx.length === 2 && profiles[0] && profiles[1]) {
      const [p0, p1] = profiles as SegmentProfile[]
      let axis = AXES[0]
      for (const a of AXES) if (Math.abs(p0[a.key] - p1[a.key]) > Math.abs(p0[axis.key] - p1[axis.key])) axis = a
      const first = p0[axis.key] >= p1[axis.key]
      segs[idx[0]].name = `${name}, ${first ? axis.higher : axis.lower}`
      segs[idx[1]].name = `${name}, ${first ? axis.lower : axis.higher}`
    } else {
      idx.forEach((i, r) => {
        segs[i].name = `${name} ${r + 1}`
      })
    }
  }
}
