/**
 * Paired comparisons of two models over the same customers, with a bootstrap interval
 * (docs/evaluation.md, "Choosing defaults").
 *
 * The resampling unit is the customer, and one customer carries the same bootstrap weight in
 * every split of a replicate: rolling splits share most of their customers, so resampling each
 * split on its own would treat correlated splits as independent and give too narrow an
 * interval for their mean. The weights are Poisson(1) draws (the "Poisson bootstrap", an
 * approximation of the multinomial bootstrap that needs no fixed population), derived from a
 * hash of the customer id and the seed, so they do not depend on which split or in what order
 * a customer appears.
 */
import { Rng } from "../random"

/** A difference (a - b) with a two-sided bootstrap percentile interval. */
export interface Interval {
  /** The difference on the data as observed (every weight 1). */
  estimate: number
  /** Lower and upper percentile of the replicates' differences (2.5% and 97.5% for level 0.95). */
  low: number
  high: number
}

/** FNV-1a over the UTF-16 code units of `text`, mixed with `seed`; a 32-bit integer. */
function hashId(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h | 0
}

const E_MINUS_1 = Math.exp(-1)

/** Poisson(1) by Knuth's multiplication method: a handful of uniforms per draw. */
function poisson1(rng: Rng): number {
  let k = 0
  let p = rng.next()
  while (p >= E_MINUS_1) {
    k++
    p *= rng.next()
  }
  return k
}

/**
 * Bootstrap weights per customer id: `replicates` Poisson(1) integers, the same for an id in
 * every call (for a given seed). Weights are cached per id.
 */
export class CustomerResampler {
  private readonly cache = new Map<string, Uint8Array>()

  /**
   * @param replicates bootstrap replicates, >= 1; 1,000 gives percentiles stable to about
   *   +-0.1 of the interval's width.
   * @param seed any integer; default 0.
   */
  constructor(
    readonly replicates: number,
    readonly seed = 0
  ) {
    if (!(Number.isInteger(replicates) && replicates >= 1)) throw new RangeError(`CustomerResampler: replicates must be an integer >= 1, got ${replicates}`)
  }

  /** The id's weight in each replicate (length `replicates`, values 0..~10). */
  weights(id: string): Uint8Array {
    let w = this.cache.get(id)
    if (!w) {
      const rng = new Rng(hashId(id, this.seed))
      w = new Uint8Array(this.replicates)
      for (let b = 0; b < this.replicates; b++) w[b] = poisson1(rng)
      this.cache.set(id, w)
    }
    return w
  }

  /** Row-major ids.length x replicates weights (replicate b of id i at i x replicates + b). */
  weightMatrix(ids: readonly string[]): Uint8Array {
    const out = new Uint8Array(ids.length * this.replicates)
    ids.forEach((id, i) => out.set(this.weights(id), i * this.replicates))
    return out
  }
}

/** Per-customer values of two models on one split (same customers, same order). */
export interface PairedValues {
  /** Customer ids, one per value. */
  ids: readonly string[]
  a: ArrayLike<number>
  b: ArrayLike<number>
}

function percentile(sorted: Float64Array, q: number): number {
  // Linear interpolation between closest ranks (numpy's default), on ascending values.
  if (sorted.length === 0) return Number.NaN
  const pos = q * (sorted.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo])
}

function interval(estimate: number, replicates: Float64Array, level: number): Interval {
  const finite = Float64Array.from(replicates.filter((v) => Number.isFinite(v))).sort()
  const tail = (1 - level) / 2
  return { estimate, low: percentile(finite, tail), high: percentile(finite, 1 - tail) }
}

/**
 * Mean of (a - b) over each split's customers, and the mean of those split means, each with a
 * bootstrap interval: in replicate r a customer counts with its weight w (Poisson(1)), and a
 * split's difference is sum w (a - b) / sum w. For metrics that are means over customers
 * (recall@20, NDCG@10). `level` in (0, 1), default 0.95.
 */
export function meanDifferenceIntervals(
  splits: readonly PairedValues[],
  resampler: CustomerResampler,
  level = 0.95
): { splits: Interval[]; mean: Interval } {
  const reps = resampler.replicates
  const meanReps = new Float64Array(reps)
  let meanEstimate = 0
  const perSplit = splits.map((s) => {
    const n = s.ids.length
    if (s.a.length !== n || s.b.length !== n) throw new RangeError("meanDifferenceIntervals: ids, a and b differ in length")
    const num = new Float64Array(reps)
    const den = new Float64Array(reps)
    let total = 0
    for (let i = 0; i < n; i++) {
      const d = s.a[i] - s.b[i]
      total += d
      const w = resampler.weights(s.ids[i])
      for (let r = 0; r < reps; r++) {
        num[r] += w[r] * d
        den[r] += w[r]
      }
    }
    const estimate = n ? total / n : Number.NaN
    const values = new Float64Array(reps)
    for (let r = 0; r < reps; r++) values[r] = den[r] > 0 ? num[r] / den[r] : Number.NaN
    meanEstimate += estimate / splits.length
    for (let r = 0; r < reps; r++) meanReps[r] += values[r] / splits.length
    return interval(estimate, values, level)
  })
  return { splits: perSplit, mean: interval(meanEstimate, meanReps, level) }
}

/** One split of a comparison whose metric is not a mean over customers (AUC, Spearman). */
export interface PairedStatistic {
  ids: readonly string[]
  /**
   * (metric of a) - (metric of b) on the rows listed in `rows` (indices into ids, a row
   * repeated as often as its weight): each call gets one replicate's resample.
   */
  difference: (rows: Int32Array) => number
}

/**
 * Like meanDifferenceIntervals for any statistic of the rows: each replicate expands the
 * customers by their weights (a customer drawn twice appears twice) and recomputes the
 * difference. O(replicates x cost of the statistic).
 */
export function statisticDifferenceIntervals(
  splits: readonly PairedStatistic[],
  resampler: CustomerResampler,
  level = 0.95
): { splits: Interval[]; mean: Interval } {
  const reps = resampler.replicates
  const meanReps = new Float64Array(reps)
  let meanEstimate = 0
  const perSplit = splits.map((s) => {
    const n = s.ids.length
    const w = resampler.weightMatrix(s.ids)
    const estimate = s.difference(Int32Array.from({ length: n }, (_, i) => i))
    const values = new Float64Array(reps)
    const rows: number[] = []
    for (let r = 0; r < reps; r++) {
      rows.length = 0
      for (let i = 0; i < n; i++) for (let c = w[i * reps + r]; c > 0; c--) rows.push(i)
      values[r] = s.difference(Int32Array.from(rows))
      meanReps[r] += values[r] / splits.length
    }
    meanEstimate += estimate / splits.length
    return interval(estimate, values, level)
  })
  return { splits: perSplit, mean: interval(meanEstimate, meanReps, level) }
}
