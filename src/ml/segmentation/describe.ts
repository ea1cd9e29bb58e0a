/**
 * Business names and descriptions of segments from their centres in original units. Names
 * come from deterministic rules on where a centre sits in the population (its percentile on
 * recency, orders, spend and, when known, the predicted buy probability) and among the other
 * segments, so the same data always give the same names and a name means the same thing in
 * every shop ("Champions" = the segment that ranks first on those measures, and is above the
 * store's median on each, whatever its currency or order sizes).
 */
import { hungarian } from "./hungarian"

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
  // A centre of identical rows comes back from log space with rounding error (1 order as
  // 1.0000000000000002): values within 1e-9 relative count as equal.
  const eps = 1e-9 * Math.max(1, Math.abs(value))
  for (let i = 0; i < n; i++) {
    const v = population[i * d + j]
    if (v < value - eps) below++
    else if (v <= value + eps) equal++
  }
  return (below + equal / 2) / n
}

export interface DescribedSegment {
  name: string
  description: string
  /** Null when the matrix has no recency/invoices/spend columns to judge by. */
  profile: SegmentProfile | null
}

/**
 * A name a segment can get: a prototype profile (percentiles in the store: recent, frequent,
 * spending) and the condition under which the name is true. The list is long enough that any
 * k <= 16 segments get distinct names without numbers.
 */
interface Archetype {
  name: string
  recent: number
  frequent: number
  spending: number
  /** When the name is true: `p` the segment's profile, `orders` its centre's orders. */
  fits: (p: SegmentProfile, orders: number) => boolean
}

/** A centre below 1.5 orders describes customers who bought once; at or above, repeat buyers. */
const ONCE = 1.5

const ARCHETYPES: Archetype[] = [
  { name: "Champions", recent: 0.85, frequent: 0.9, spending: 0.9, fits: (p, o) => o >= ONCE && p.recent >= 0.5 && p.frequent >= 0.5 && p.spending >= 0.5 },
  { name: "Loyal customers", recent: 0.65, frequent: 0.8, spending: 0.7, fits: (p, o) => o >= ONCE && p.frequent >= 0.55 && p.recent >= 0.4 },
  { name: "Big spenders", recent: 0.55, frequent: 0.45, spending: 0.85, fits: (p) => p.spending >= 0.6 && p.recent >= 0.35 },
  { name: "Promising", recent: 0.8, frequent: 0.5, spending: 0.5, fits: (p) => p.recent >= 0.55 },
  { name: "New customers", recent: 0.92, frequent: 0.2, spending: 0.3, fits: (p, o) => o < ONCE && p.recent >= 0.65 },
  { name: "Regulars", recent: 0.5, frequent: 0.7, spending: 0.55, fits: (p, o) => o >= ONCE && p.frequent >= 0.5 && p.recent >= 0.3 },
  { name: "Needs attention", recent: 0.5, frequent: 0.5, spending: 0.5, fits: (p) => p.recent >= 0.3 && p.recent <= 0.7 },
  { name: "Can't lose them", recent: 0.15, frequent: 0.85, spending: 0.85, fits: (p, o) => o >= ONCE && p.recent < 0.45 && p.frequent >= 0.6 },
  { name: "At risk", recent: 0.3, frequent: 0.6, spending: 0.6, fits: (p, o) => o >= ONCE && p.recent < 0.5 && (p.frequent >= 0.45 || p.spending >= 0.5) },
  { name: "About to sleep", recent: 0.4, frequent: 0.3, spending: 0.35, fits: (p) => p.recent < 0.55 && p.recent >= 0.2 },
  { name: "Hibernating", recent: 0.2, frequent: 0.3, spending: 0.3, fits: (p) => p.recent < 0.45 },
  { name: "Lost", recent: 0.05, frequent: 0.15, spending: 0.15, fits: (p) => p.recent < 0.3 && p.frequent < 0.6 },
  { name: "Recent one-time buyers", recent: 0.75, frequent: 0.2, spending: 0.3, fits: (p, o) => o < ONCE && p.recent >= 0.5 },
  { name: "Lapsed one-time buyers", recent: 0.25, frequent: 0.2, spending: 0.25, fits: (p, o) => o < ONCE && p.recent < 0.5 },
  { name: "Big one-time buyers", recent: 0.5, frequent: 0.2, spending: 0.75, fits: (p, o) => o < ONCE && p.spending >= 0.55 },
  { name: "Occasional buyers", recent: 0.5, frequent: 0.4, spending: 0.4, fits: () => true },
]

/** Every name the rules can give, in preference order. */
export const SEGMENT_NAMES: readonly string[] = ARCHETYPES.map((a) => a.name)

export interface NamingOptions {
  /**
   * Mean predicted probability of buying in the next horizon, per segment, with the same for
   * every customer (per row of the population) to place it in the store; optional.
   */
  buyProbability?: { segments: ArrayLike<number>; population: ArrayLike<number>; horizonDays: number } | null
  /**
   * The previous run's name of each segment (null for a new segment): kept when it is still one
   * of SEGMENT_NAMES that holds for the segment (and, for Champions, still ranks first), so names
   * do not flip between runs for noise. Any other previous name (an admin's own) is kept as is,
   * unless it is a rule name with a number or qualifier added ("Champions 3").
   */
  previousNames?: readonly (string | null)[] | null
  /** ISO 4217 code for money in descriptions (e.g. "GBP" gives "£7,700"); default none (plain numbers). */
  currency?: string | null
}

/** Money rounded for reading: two significant digits from 100 up, whole units from 10, else cents. */
export function formatMoney(value: number, currency?: string | null): string {
  const a = Math.abs(value)
  const rounded = a >= 100 ? Number(value.toPrecision(2)) : a >= 10 ? Math.round(value) : Math.round(value * 100) / 100
  const digits = a >= 10 ? 0 : 2
  if (currency) {
    try {
      return new Intl.NumberFormat("en-GB", { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(rounded)
    } catch {
      // An unknown code: the number with the code after it.
      return `${rounded.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${currency}`
    }
  }
  return rounded.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

function formatCount(v: number): string {
  return v < 9.95 ? (Math.round(v * 10) / 10).toLocaleString("en-US") : Math.round(v).toLocaleString("en-US")
}

/**
 * Names and describes k segments. `centres` are row-major k x names.length in original units,
 * `population` the customers in original units (same columns), `sizes` the customers per
 * segment. Names come from where each centre stands in the store (percentiles of recency,
 * orders, spend and, when given, the predicted buy probability) and among the segments:
 * - "Champions" only for the segment with the best mean rank over those measures among the
 *   segments (recency ascending, the others descending; ties to the larger spend), and only
 *   when it is above the store's median on recency, orders and spend;
 * - every other segment gets the name from SEGMENT_NAMES whose condition holds and whose
 *   prototype profile is nearest (L1 over the percentiles; the buy probability's prototype is
 *   the mean of the recency and orders ones), all segments at once by a minimum-cost
 *   assignment, so names are unique and never numbered.
 * Descriptions carry the centre's numbers, rounded, with the currency when given.
 */
export function describeSegments(
  centres: Float64Array,
  names: readonly string[],
  population: Float64Array,
  sizes: ArrayLike<number>,
  options: NamingOptions = {}
): DescribedSegment[] {
  const d = names.length
  const k = centres.length / d
  const total = Array.from(sizes).reduce((a, b) => a + b, 0)
  const jR = names.indexOf(RECENCY)
  const jF = names.indexOf(INVOICES)
  const jM = names.indexOf(SPEND)
  const canName = jR >= 0 && jF >= 0 && jM >= 0
  const prob = options.buyProbability ?? null
  const at = (c: number, j: number) => centres[c * d + j]
  const profiles: (SegmentProfile | null)[] = []
  const probPercentile: number[] = []
  for (let c = 0; c < k; c++) {
    if (!canName) {
      profiles.push(null)
      continue
    }
    profiles.push({
      recent: 1 - percentileOf(population, d, jR, at(c, jR)),
      frequent: percentileOf(population, d, jF, at(c, jF)),
      spending: percentileOf(population, d, jM, at(c, jM)),
    })
    if (prob) probPercentile.push(percentileOf(Float64Array.from(prob.population), 1, 0, prob.segments[c]))
  }
  // Where each centre stands among the segments, on the same 0..1 scale (1 = best of them):
  // names read the mean of that and the store percentile, so the most lapsed segment of the
  // store is the one called lost even when the store has few recent customers.
  const standing = canName ? relativeStanding(profiles as SegmentProfile[]) : null
  const mixed = standing ? (profiles as SegmentProfile[]).map((p, c) => ({ recent: (p.recent + standing[c].recent) / 2, frequent: (p.frequent + standing[c].frequent) / 2, spending: (p.spending + standing[c].spending) / 2 })) : null
  const chosen = mixed ? assignNames(mixed, profiles as SegmentProfile[], centres, d, jR, jF, jM, prob ? probPercentile : null, prob?.segments ?? null, options.previousNames ?? null) : null
  const out: DescribedSegment[] = []
  for (let c = 0; c < k; c++) {
    const share = total > 0 ? (100 * sizes[c]) / total : 0
    const parts: string[] = []
    if (canName) {
      const orders = at(c, jF)
      const days = Math.max(0, Math.round(at(c, jR)))
      const money = (v: number) => formatMoney(v, options.currency)
      let text = `last ordered ${days === 0 ? "today" : `${days} day${days === 1 ? "" : "s"} ago`}, ${formatCount(orders)} order${Math.abs(orders - 1) < 0.05 ? "" : "s"}, spent ${money(at(c, jM))} on average (${money(at(c, jM) / Math.max(orders, 1e-9))} per order)`
      if (prob) text += `, ${Math.round(100 * prob.segments[c])}% likely to order in the next ${prob.horizonDays} days`
      parts.push(text)
    }
    for (let j = 0; j < d; j++) {
      if (j === jR || j === jF || j === jM) continue
      parts.push(`${names[j]} ${formatCount(at(c, j))}`)
    }
    const head = `${sizes[c].toLocaleString("en-US")} customer${sizes[c] === 1 ? "" : "s"} (${share.toFixed(1)}%)`
    out.push({
      name: chosen ? chosen[c] : options.previousNames?.[c] ?? `Segment ${String.fromCharCode(65 + (c % 26))}${c >= 26 ? Math.floor(c / 26) : ""}`,
      description: parts.length ? `${head}: ${parts.join("; ")}` : head,
      profile: profiles[c],
    })
  }
  return out
}

/** Each profile's position among the profiles per axis: (k - rank) / (k - 1), ties averaged; 0.5 for k = 1. */
function relativeStanding(profiles: SegmentProfile[]): SegmentProfile[] {
  const k = profiles.length
  const axis = (key: keyof SegmentProfile) =>
    profiles.map((p) => {
      if (k === 1) return 0.5
      let below = 0
      let equal = 0
      for (const q of profiles) {
        if (q === p) continue
        if (q[key] < p[key] - 1e-12) below++
        else if (Math.abs(q[key] - p[key]) <= 1e-12) equal++
      }
      return (below + equal / 2) / (k - 1)
    })
  const r = axis("recent")
  const f = axis("frequent")
  const m = axis("spending")
  return profiles.map((_, c) => ({ recent: r[c], frequent: f[c], spending: m[c] }))
}

/** Mean over the measures of each segment's rank among the segments (1 = best), ties averaged. */
export function meanRanks(measures: number[][], higherIsBetter: boolean[]): number[] {
  const k = measures[0]?.length ?? 0
  const out = new Array<number>(k).fill(0)
  measures.forEach((values, m) => {
    for (let c = 0; c < k; c++) {
      let better = 0
      let equal = 0
      for (let o = 0; o < k; o++) {
        if (o === c) continue
        const diff = higherIsBetter[m] ? values[o] - values[c] : values[c] - values[o]
        if (diff > 0) better++
        else if (diff === 0) equal++
      }
      out[c] += (1 + better + equal / 2) / measures.length
    }
  })
  return out
}

const INFEASIBLE = 1e6
const ONE_TIME_NAMES = new Set(["New customers", "Recent one-time buyers", "Lapsed one-time buyers", "Big one-time buyers"])
const ONE_TIME_PREFERENCE = 0.15
/** Cost off a kept name: enough to keep it through noise, not enough to keep a name that no longer fits. */
const STICKY = 0.2

/**
 * `profiles` (store percentile mixed with the standing among segments) place each segment
 * nearest a prototype; `store` (percentiles in the store alone) decides whether a name holds,
 * so a name keeps its meaning in every shop.
 */
function assignNames(
  profiles: SegmentProfile[],
  store: SegmentProfile[],
  centres: Float64Array,
  d: number,
  jR: number,
  jF: number,
  jM: number,
  probPercentile: number[] | null,
  prob: ArrayLike<number> | null,
  previous: readonly (string | null)[] | null
): string[] {
  const k = profiles.length
  const measures = [Array.from({ length: k }, (_, c) => centres[c * d + jR]), Array.from({ length: k }, (_, c) => centres[c * d + jF]), Array.from({ length: k }, (_, c) => centres[c * d + jM])]
  const higher = [false, true, true]
  if (prob) {
    measures.push(Array.from(prob))
    higher.push(true)
  }
  const ranks = meanRanks(measures, higher)
  let first = 0
  for (let c = 1; c < k; c++) {
    if (ranks[c] < ranks[first] || (ranks[c] === ranks[first] && centres[c * d + jM] > centres[first * d + jM])) first = c
  }
  // Admin-chosen names (not a rule name, nor a rule name with something added) stay as they are.
  const own = new Map<number, string>()
  previous?.forEach((name, c) => {
    if (name && !SEGMENT_NAMES.some((n) => name === n || name.startsWith(`${n} `) || name.startsWith(`${n},`))) own.set(c, name)
  })
  const free = ARCHETYPES.filter((a) => !Array.from(own.values()).includes(a.name))
  const rows = Array.from({ length: k }, (_, c) => c).filter((c) => !own.has(c))
  const cost = new Float64Array(rows.length * free.length)
  rows.forEach((c, r) => {
    const p = profiles[c]
    free.forEach((a, j) => {
      let v = Math.abs(p.recent - a.recent) + Math.abs(p.frequent - a.frequent) + Math.abs(p.spending - a.spending)
      if (probPercentile) v += Math.abs(probPercentile[c] - (a.recent + a.frequent) / 2)
      // The order of the list breaks ties, so equal profiles get the same names every run.
      v += j * 1e-6
      const orders = centres[c * d + jF]
      const ok = a.name === "Champions" ? c === first && a.fits(store[c], orders) : a.fits(store[c], orders)
      if (!ok) v += INFEASIBLE
      // The segment that ranks first is the champions whenever it is above the store's median
      // on every measure: another name for it would leave the title unused or misplaced.
      else if (a.name === "Champions") v -= 10
      else {
        if (previous?.[c] === a.name) v -= STICKY
        // For customers who bought once, a name that says so tells an admin more than "Promising".
        if (orders < ONCE && ONE_TIME_NAMES.has(a.name)) v -= ONE_TIME_PREFERENCE
      }
      cost[r * free.length + j] = v
    })
  })
  const assignment = hungarian(cost, rows.length, free.length)
  const out = new Array<string>(k)
  for (const [c, name] of own) out[c] = name
  const taken = new Set(own.values())
  const fallback: number[] = []
  rows.forEach((c, r) => {
    const j = assignment.rowToCol[r]
    // No true rule name left for this segment (or more than 16 segments): describe it instead.
    if (j < 0 || cost[r * free.length + j] >= INFEASIBLE / 2) fallback.push(c)
    else {
      out[c] = free[j].name
      taken.add(free[j].name)
    }
  })
  for (const c of fallback) out[c] = describedName(store[c], taken)
  return out
}

/** A plain description as a name ("Recent frequent high-spend buyers"), unique against `taken`. */
function describedName(p: SegmentProfile, taken: Set<string>): string {
  const recency = p.recent >= 0.6 ? "Recent" : p.recent < 0.4 ? "Lapsed" : "Mid-recency"
  const frequency = p.frequent >= 0.6 ? "frequent" : p.frequent < 0.4 ? "occasional" : "regular"
  const spend = p.spending >= 0.6 ? "high-spend" : p.spending < 0.4 ? "low-spend" : "mid-spend"
  for (const name of [`${recency} ${frequency} buyers`, `${recency} ${frequency} ${spend} buyers`, `${recency} ${spend} buyers`]) {
    if (!taken.has(name)) {
      taken.add(name)
      return name
    }
  }
  // Two segments alike on every axis at this resolution: the finer percentile tells them apart.
  const name = `${recency} ${frequency} ${spend} buyers (top ${Math.max(1, Math.round(100 * (1 - p.spending)))}% by spend)`
  taken.add(name)
  return name
}
