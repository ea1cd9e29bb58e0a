/**
 * Customer segmentation: k-means over a standardised feature matrix for each k in a range,
 * an automatic choice of k, business names from the centres in original units, and ids that
 * stay with "the same" segment from one run to the next.
 *
 * Choosing k. Mean silhouette is the usual criterion, but on RFM-like data it peaks at k = 2
 * (active vs lapsed: the data are one continuum, and two halves of a continuum are the most
 * "separated" split; docs/evaluation.md, dev data: 0.444 at k = 2, 0.355 at k = 4), and two
 * segments cannot carry the usual plays (reward, grow, win back, let go). The default
 * criterion "silhouette-floor" therefore:
 *   1. only considers k >= minSegments (default 4, the smallest number of distinct plays);
 *   2. among those, takes the largest k whose silhouette is within `tolerance` (default 0.05)
 *      of the best one: finer segments when the silhouette cannot tell them apart from
 *      coarser ones, never a clearly worse split. 0.05 because smaller differences are noise
 *      here: on the dev data, k-means solutions at k = 4 whose inertia differs by 0.02% have
 *      silhouettes 0.354 and 0.367, and a 4,000-row sample adds its own error; and every k
 *      from 3 to 8 sits in the same band of Kaufman and Rousseeuw's reading (0.26-0.50, weak
 *      structure). On the dev data this picks k = 5, which separates future buying better
 *      than k = 4 (buy-again rates 0.679 apart vs 0.625).
 * "silhouette" is the plain maximum over the whole range, for comparison.
 */
import type { FeatureTransform } from "../features/feature-transform"
import { inverseFeatureTransform } from "../features/feature-transform"
import { describeSegments, type SegmentProfile } from "./describe"
import { hungarian } from "./hungarian"
import { KMEANS_DEFAULTS, absoluteTolerance, bestRestart, checkMatrix, hamerlyLloyd, kmeansRestart, padWorkspaceFor, restartSeeds, type KMeansResult, type RestartResult } from "./kmeans"
import { type PoolOptions, runKMeansTasks } from "./kmeans-pool"
import type { KMeansTask } from "./kmeans-tasks"
import { silhouetteOfRows, silhouetteSample } from "./silhouette"

export type KCriterion = "silhouette-floor" | "silhouette"

/** A segment of an earlier run, as stored: enough to recognise it in a new run. */
export interface PreviousSegment {
  id: string
  name: string
  /** Its centre in original units (columns as the new run's transform names). */
  centre_original: number[]
}

export interface SegmentOptions {
  /**
   * The transform that produced `matrix` (its column names, and the way back to original
   * units). Required: names and descriptions are in original units.
   */
  transform: FeatureTransform
  /** Fixed number of segments; when set, kRange and the criterion are not used. */
  k?: number
  /** Inclusive range of k to search. Default [2, 8]. */
  kRange?: [number, number]
  /** Default "silhouette-floor" (see the module comment). */
  criterion?: KCriterion
  /** Smallest k "silhouette-floor" accepts (clipped into kRange). Default 4. */
  minSegments?: number
  /** Silhouette tolerance of "silhouette-floor", >= 0. Default 0.05. */
  tolerance?: number
  /** k-means restarts per k. Default 10. */
  nInit?: number
  /** Default 300. */
  maxIter?: number
  /** Relative tolerance (scikit-learn's tol). Default 1e-4. */
  tol?: number
  /** Seed of everything random (k-means++, silhouette sample). Default 0. */
  seed?: number
  /** Rows in the silhouette sample; all rows when n <= this. Default 4000. */
  silhouetteSample?: number
  /** Segments of the previous run, to keep their ids and names (see matchPrevious). */
  previous?: readonly PreviousSegment[]
  /**
   * The previous run's k: kept unless the criterion's choice wins by more than kMargin (see
   * chooseK), so a few customers coming or going do not flip k. Ignored when `k` is set.
   */
  previousK?: number
  /** Silhouette margin a new k needs over the previous one, >= 0; default 0.03. */
  kMargin?: number
  /**
   * Predicted probability of buying again in the next `horizonDays`, per row of the matrix
   * (e.g. the purchase model's): a fourth measure for naming, and a figure in descriptions.
   */
  buyProbability?: { values: ArrayLike<number>; horizonDays: number }
  /** ISO 4217 code for money in descriptions ("GBP" gives "spent £7,700 on average"); default none. */
  currency?: string
  /**
   * A matched segment keeps its previous id and name only when its centre moved less than
   * this, in standard deviations of the new run (Euclidean over the columns). Default 1.5.
   */
  maxMatchDistance?: number
  /** Progress: (steps done, total steps). */
  onProgress?: (done: number, total: number) => void
}

export interface Segment {
  id: string
  name: string
  description: string
  /** Customers in the segment. */
  size: number
  /** Index of this segment in `labels`. */
  label: number
  /** Centre in original units, columns as transform.names. */
  centre_original: number[]
  /** Percentiles the name was derived from (null without recency/invoices/spend columns). */
  profile: SegmentProfile | null
  /** Id of the previous run's segment it continues, or null for a new one. */
  previous_id: string | null
}

export interface KSearchRow {
  k: number
  inertia: number
  silhouette: number
  iterations: number
}

export interface SegmentationResult {
  k: number
  /** Row-major k x d centres in the standardised space of `matrix`. */
  centres: Float64Array
  /** Segment index (into `segments`) of each row. */
  labels: Int32Array
  inertia: number
  /** Mean silhouette of the chosen k (on the seeded sample when n > silhouetteSample). */
  silhouette: number
  segments: Segment[]
  /** Every k tried, in order (one row when k was fixed). */
  search: KSearchRow[]
  criterion: KCriterion | "fixed"
}

interface Plan {
  ks: number[]
  nInit: number
  maxIter: number
  absTol: number
  seeds: number[]
  sampleRows: Int32Array
  /** The previous run's centres in this run's space, to start one more Lloyd run at the previous k. */
  warm: { k: number; init: Float64Array } | null
}

/**
 * A warm start from the previous centres replaces the best random restart when its inertia is
 * within this share of it: solutions that equal in quality stay where they were, so a few
 * customers more or less do not swap one local optimum for another (and with it k and the keys).
 */
const WARM_TOLERANCE = 0.01

function pickWarm(best: KMeansResult, warm: RestartResult | null): KMeansResult {
  if (!warm || !(warm.inertia <= best.inertia * (1 + WARM_TOLERANCE))) return best
  return { k: best.k, d: best.d, ...warm, restart: -1, restartSeed: -1 }
}

function plan(matrix: Float64Array, d: number, options: SegmentOptions): Plan {
  if (options.transform.names.length !== d) throw new RangeError("segmentCustomers: transform columns differ from d")
  const n = matrix.length / d
  let ks: number[]
  if (options.k !== undefined) ks = [options.k]
  else {
    const [lo, hi] = options.kRange ?? [2, 8]
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi >= lo)) throw new RangeError(`segmentCustomers: bad kRange [${lo}, ${hi}]`)
    // More segments than distinct customers would leave some empty: cap k at that count.
    const distinct = distinctRows(matrix, d, hi)
    if (n === 0) throw new RangeError("segmentCustomers: no rows")
    ks = []
    for (let k = Math.min(lo, distinct); k <= Math.min(hi, distinct); k++) ks.push(k)
  }
  checkMatrix(matrix, d, ks[ks.length - 1])
  const nInit = options.nInit ?? KMEANS_DEFAULTS.nInit
  const seed = options.seed ?? KMEANS_DEFAULTS.seed
  const prev = options.previous
  const pk = options.k === undefined ? options.previousK : undefined
  const warm = prev && pk !== undefined && prev.length === pk && ks.includes(pk) ? { k: pk, init: applyTransformRows(options.transform, Float64Array.from(prev.flatMap((s) => s.centre_original))) } : null
  return {
    warm,
    ks,
    nInit,
    maxIter: options.maxIter ?? KMEANS_DEFAULTS.maxIter,
    absTol: absoluteTolerance(matrix, d, options.tol ?? KMEANS_DEFAULTS.tol),
    // One seed list for all k: restart r of every k starts from the same random stream.
    seeds: restartSeeds(seed, nInit),
    sampleRows: silhouetteSample(n, options.silhouetteSample ?? 4000, seed),
  }
}

/** Number of distinct rows of a row-major n x d matrix, counted up to `limit` (then returns limit). */
export function distinctRows(matrix: Float64Array, d: number, limit: number): number {
  const seen = new Set<string>()
  for (let r = 0; r * d < matrix.length; r++) {
    seen.add(Array.prototype.join.call(matrix.subarray(r * d, (r + 1) * d), ","))
    if (seen.size >= limit) return limit
  }
  return seen.size
}

/**
 * Picks k from the search rows (see the module comment). With `previous` (the last run's k and
 * a margin >= 0), the previous k stays unless it lost by more than the margin: under
 * "silhouette", unless the best silhouette beats its silhouette by more than the margin; under
 * "silhouette-floor", unless its silhouette fell more than tolerance + margin below the best
 * one (or it fell below minSegments). Sampling and restarts move silhouettes by about 0.01.
 */
export function chooseK(
  rows: readonly KSearchRow[],
  criterion: KCriterion = "silhouette-floor",
  minSegments = 4,
  tolerance = 0.05,
  previous?: { k: number; margin: number }
): number {
  if (rows.length === 0) throw new RangeError("chooseK: no rows")
  const prev = previous ? rows.find((r) => r.k === previous.k) : undefined
  if (criterion === "silhouette") {
    let best = rows[0]
    for (const r of rows) if (r.silhouette > best.silhouette) best = r
    if (prev && !(best.silhouette > prev.silhouette + (previous as { margin: number }).margin)) return prev.k
    return best.k
  }
  const maxK = rows[rows.length - 1].k
  const floorK = Math.min(minSegments, maxK)
  const eligible = rows.filter((r) => r.k >= floorK)
  const top = Math.max(...eligible.map((r) => r.silhouette))
  if (prev && prev.k >= floorK && prev.silhouette >= top - tolerance - (previous as { margin: number }).margin) return prev.k
  let k = eligible[0].k
  for (const r of eligible) if (r.silhouette >= top - tolerance) k = r.k
  return k
}

/**
 * Segments the customers of `matrix`, row-major n x d in the space of options.transform
 * (typically log1p then standardised recency, invoices, spend). Runs on the calling thread;
 * segmentCustomersInWorkers gives the same result off it. Deterministic for a seed.
 */
export function segmentCustomers(matrix: Float64Array, options: SegmentOptions): SegmentationResult {
  const d = options.transform.names.length
  const p = plan(matrix, d, options)
  const total = p.ks.length * (p.nInit + 1)
  let done = 0
  const fits: KMeansResult[] = []
  const sil: number[] = []
  const workspace = padWorkspaceFor(matrix, d, Math.max(...p.ks))
  for (const k of p.ks) {
    const results: RestartResult[] = []
    for (const s of p.seeds) {
      results.push(kmeansRestart(matrix, d, k, s, p.maxIter, p.absTol, { workspace }))
      options.onProgress?.(++done, total)
    }
    const best = bestRestart(results, p.seeds, k, d)
    const fit = p.warm && p.warm.k === k ? pickWarm(best, hamerlyLloyd(matrix, d, p.warm.init, p.maxIter, p.absTol, undefined, workspace ?? undefined)) : best
    fits.push(fit)
    sil.push(silhouetteOfRows(matrix, d, fit.labels, p.sampleRows, k))
    options.onProgress?.(++done, total)
  }
  return finish(matrix, d, p, fits, sil, options)
}

/**
 * segmentCustomers with every k-means restart and silhouette in a pool of worker threads
 * (options.workers, default the number of cores), the warm start from the previous centres
 * too. The calling thread only names segments, which is O(n x k). Same result as
 * segmentCustomers for the same options.
 */
export async function segmentCustomersInWorkers(matrix: Float64Array, options: SegmentOptions & PoolOptions): Promise<SegmentationResult> {
  const d = options.transform.names.length
  const p = plan(matrix, d, options)
  const tasks: KMeansTask[] = []
  for (const k of p.ks) for (const seed of p.seeds) tasks.push({ type: "restart", k, seed, maxIter: p.maxIter, absTol: p.absTol })
  if (p.warm) tasks.push({ type: "warm", init: p.warm.init, maxIter: p.maxIter, absTol: p.absTol })
  const total = tasks.length + p.ks.length
  const restarts = (await runKMeansTasks(matrix, d, tasks, { workers: options.workers, onProgress: (done) => options.onProgress?.(done, total) })) as RestartResult[]
  const warmResult = p.warm ? restarts[restarts.length - 1] : null
  const fits = p.ks.map((k, i) => {
    const best = bestRestart(restarts.slice(i * p.nInit, (i + 1) * p.nInit), p.seeds, k, d)
    return p.warm && p.warm.k === k ? pickWarm(best, warmResult) : best
  })
  const silTasks: KMeansTask[] = fits.map((f) => ({ type: "silhouette", k: f.k, labels: f.labels, rows: p.sampleRows }))
  const sil = (await runKMeansTasks(matrix, d, silTasks, {
    workers: options.workers,
    onProgress: (done) => options.onProgress?.(tasks.length + done, total),
  })) as number[]
  return finish(matrix, d, p, fits, sil, options)
}

function finish(matrix: Float64Array, d: number, p: Plan, fits: KMeansResult[], sil: number[], options: SegmentOptions): SegmentationResult {
  const search: KSearchRow[] = fits.map((f, i) => ({ k: f.k, inertia: f.inertia, silhouette: sil[i], iterations: f.iterations }))
  const criterion = options.k !== undefined ? "fixed" : options.criterion ?? "silhouette-floor"
  const previousK = options.previousK !== undefined ? { k: options.previousK, margin: options.kMargin ?? 0.03 } : undefined
  if (previousK && !(previousK.margin >= 0)) throw new RangeError(`segmentCustomers: kMargin must be >= 0, got ${previousK.margin}`)
  const k = criterion === "fixed" ? p.ks[0] : chooseK(search, criterion, options.minSegments ?? 4, options.tolerance ?? 0.05, previousK)
  const i = p.ks.indexOf(k)
  const fit = fits[i]
  const t = options.transform
  const sizes = new Array<number>(k).fill(0)
  for (let r = 0; r < fit.labels.length; r++) sizes[fit.labels[r]]++
  const centresOriginal = inverseFeatureTransform(t, fit.centres)
  const population = inverseFeatureTransform(t, matrix)
  const segments: Segment[] = Array.from({ length: k }, (_, c) => ({
    id: `seg-${c + 1}`,
    name: "",
    description: "",
    size: sizes[c],
    label: c,
    centre_original: Array.from(centresOriginal.subarray(c * d, (c + 1) * d)),
    profile: null,
    previous_id: null,
  }))
  const previousNames = options.previous && options.previous.length > 0 ? matchPrevious(segments, fit.centres, t, options.previous, options.maxMatchDistance ?? 1.5) : null
  const bp = options.buyProbability
  let buyProbability: NonNullable<Parameters<typeof describeSegments>[4]>["buyProbability"] = null
  if (bp) {
    if (bp.values.length !== fit.labels.length) throw new RangeError(`segmentCustomers: buyProbability has ${bp.values.length} values for ${fit.labels.length} rows`)
    const sum = new Float64Array(k)
    for (let r = 0; r < fit.labels.length; r++) sum[fit.labels[r]] += bp.values[r]
    buyProbability = { segments: Float64Array.from(sum, (v, c) => (sizes[c] ? v / sizes[c] : 0)), population: bp.values, horizonDays: bp.horizonDays }
  }
  const described = describeSegments(centresOriginal, t.names, population, sizes, { buyProbability, previousNames, currency: options.currency })
  described.forEach((s, c) => {
    segments[c].name = s.name
    segments[c].description = s.description
    segments[c].profile = s.profile
  })
  return { k, centres: fit.centres, labels: fit.labels, inertia: fit.inertia, silhouette: sil[i], segments, search, criterion }
}

/**
 * Carries ids over from a previous run: the previous centres (original units) are mapped into
 * this run's standardised space, and segments are paired by minimum total Euclidean distance
 * (Hungarian assignment). A pair closer than maxDistance keeps the previous id (and sets
 * previous_id); every other new segment gets a fresh id ("seg-N" with N above every id number
 * seen). Mutates `segments`' ids; returns, per segment, the previous name of its match (or
 * null), for describeSegments to keep while it still holds.
 */
export function matchPrevious(segments: Segment[], centres: Float64Array, transform: FeatureTransform, previous: readonly PreviousSegment[], maxDistance: number): (string | null)[] {
  const d = transform.names.length
  const k = segments.length
  const m = previous.length
  const prevFlat = new Float64Array(m * d)
  previous.forEach((s, j) => {
    if (s.centre_original.length !== d) throw new RangeError(`previous segment ${s.id}: centre has ${s.centre_original.length} columns, expected ${d}`)
    prevFlat.set(s.centre_original, j * d)
  })
  // Into this run's space: same log and this run's means and deviations.
  const prev = applyTransformRows(transform, prevFlat)
  const cost = new Float64Array(k * m)
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < m; j++) {
      let s = 0
      for (let t = 0; t < d; t++) s += (centres[c * d + t] - prev[j * d + t]) ** 2
      cost[c * m + j] = Math.sqrt(s)
    }
  }
  const a = hungarian(cost, k, m)
  const idNumber = (id: string) => {
    const mm = /(\d+)$/.exec(id)
    return mm ? Number(mm[1]) : 0
  }
  let nextId = Math.max(0, ...previous.map((s) => idNumber(s.id)))
  const names: (string | null)[] = segments.map(() => null)
  const fresh: Segment[] = []
  segments.forEach((s, c) => {
    const j = a.rowToCol[c]
    if (j >= 0 && cost[c * m + j] < maxDistance) {
      s.id = previous[j].id
      s.previous_id = previous[j].id
      names[c] = previous[j].name
    } else fresh.push(s)
  })
  for (const s of fresh) s.id = `seg-${++nextId}`
  return names
}

function applyTransformRows(t: FeatureTransform, rows: Float64Array): Float64Array {
  const d = t.names.length
  const out = new Float64Array(rows.length)
  for (let q = 0; q < rows.length; q++) {
    const j = q % d
    const v = t.log1p[j] ? Math.log1p(Math.max(rows[q], -1 + 1e-12)) : rows[q]
    out[q] = (v - t.mean[j]) / t.std[j]
  }
  return out
}
