/**
 * k-means on a dense row-major Float64Array (n rows x d columns), with scikit-learn's
 * semantics so that inertia can be compared with `sklearn.cluster.KMeans` on the same matrix:
 * greedy k-means++ seeding (2 + floor(ln k) local trials), `nInit` restarts keeping the lowest
 * inertia, `maxIter` 300, and convergence when the labels stop changing or when the summed
 * squared centre shift falls to `tol` x (mean per-column variance of the data).
 *
 * Two cores compute the same iterations:
 * - `lloydReference`: the plain Lloyd loop, all n x k distances every iteration. Slow and
 *   obviously right; the tests hold the fast core to it.
 * - `hamerlyLloyd`: Hamerly's (2010) bounds. Each point keeps an upper bound on the distance
 *   to its own centre and a lower bound on the distance to every other centre; when the upper
 *   bound is below max(lower bound, half the distance from its centre to the nearest other
 *   centre) the label cannot change and the k distances are skipped. After the first few
 *   iterations most points skip. Centre sums are updated incrementally (only points that
 *   move change them).
 *
 * For d <= 8 (customer features) the passes over the rows of k-means++ and of the fast core
 * run in WebAssembly with two-lane SIMD (assembly/kmeans-kernels.ts, through kmeans-wasm.ts);
 * every distance there is bit for bit `sqDist`'s, so the tests hold them to the references
 * exactly. The worker pool in kmeans-pool.ts loads this module inside worker threads.
 */
import { Rng } from "../random"
import { PAD, PadWorkspace, fitsWorkspace } from "./kmeans-wasm"

export { PadWorkspace }

export interface KMeansOptions {
  /** Number of clusters, integer in [1, n]. */
  k: number
  /** Restarts from independent k-means++ seedings; the lowest inertia wins. Default 10. */
  nInit?: number
  /** Lloyd iterations per restart, >= 1. Default 300. */
  maxIter?: number
  /** Relative tolerance, >= 0: stop when the summed squared centre shift <= tol x mean column variance. Default 1e-4. */
  tol?: number
  /** Seed of the whole run; restart r uses the r-th uint32 drawn from Rng(seed). Default 0. */
  seed?: number
  /** k-means++ candidates per centre. Default 2 + floor(ln k), as scikit-learn. */
  localTrials?: number
  /** Called after each restart with (restarts done, nInit). */
  onProgress?: (done: number, total: number) => void
}

export interface KMeansResult {
  k: number
  d: number
  /** Row-major k x d centres (the means of their points). */
  centres: Float64Array
  /** Cluster of each row, in [0, k). */
  labels: Int32Array
  /** Sum of squared Euclidean distances from each row to its centre. */
  inertia: number
  /** Lloyd iterations of the winning restart (scikit-learn's n_iter_). */
  iterations: number
  /** Index in [0, nInit) of the winning restart, and its seed. */
  restart: number
  restartSeed: number
}

/** One restart's outcome; `kmeans` keeps the best of nInit of these. */
export interface RestartResult {
  centres: Float64Array
  labels: Int32Array
  inertia: number
  iterations: number
}

export const KMEANS_DEFAULTS = { nInit: 10, maxIter: 300, tol: 1e-4, seed: 0 } as const

/** Checks shape and k; returns n. */
export function checkMatrix(x: Float64Array, d: number, k: number): number {
  if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`k-means: d must be a positive integer, got ${d}`)
  if (x.length % d !== 0) throw new RangeError(`k-means: matrix length ${x.length} is not a multiple of d=${d}`)
  const n = x.length / d
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new RangeError(`k-means: k must be an integer in [1, n=${n}], got ${k}`)
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new RangeError(`k-means: value at row ${Math.floor(i / d)}, column ${i % d} is not finite`)
  }
  return n
}

/** scikit-learn's absolute tolerance: tol x mean over columns of the column variance (ddof 0). */
export function absoluteTolerance(x: Float64Array, d: number, tol: number): number {
  if (tol === 0) return 0
  const n = x.length / d
  const mean = new Float64Array(d)
  for (let i = 0, p = 0; i < n; i++) for (let j = 0; j < d; j++, p++) mean[j] += x[p]
  for (let j = 0; j < d; j++) mean[j] /= n
  let v = 0
  for (let i = 0, p = 0; i < n; i++) {
    for (let j = 0; j < d; j++, p++) {
      const t = x[p] - mean[j]
      v += t * t
    }
  }
  return (tol * v) / (n * d)
}

/** The restart seeds of a run: independent of how restarts are spread over workers. */
export function restartSeeds(seed: number, nInit: number): number[] {
  const rng = new Rng(seed)
  return Array.from({ length: nInit }, () => rng.nextUint32())
}

// Squared Euclidean distance between row p of x and row q of c (offsets in elements), summed
// in the order of the WebAssembly kernels (assembly/kmeans-kernels.ts), which hold a row as
// four two-lane vectors: per block of 8 coordinates (zero-padded), lane 0 gets
// (t0^2 + t4^2) + (t2^2 + t6^2) and lane 1 (t1^2 + t5^2) + (t3^2 + t7^2); the result is
// lane 0 + lane 1. Adding an exact 0 changes nothing, so for d <= 8 this is bit for bit the
// kernels' value, and every core (reference, generic, WebAssembly) sees the same distances.
export function sqDist(x: Float64Array, p: number, c: Float64Array, q: number, d: number): number {
  let s0 = 0
  let s1 = 0
  for (let j = 0; j < d; j += 8) {
    const r = d - j
    const t0 = x[p + j] - c[q + j]
    const t1 = r > 1 ? x[p + j + 1] - c[q + j + 1] : 0
    const t2 = r > 2 ? x[p + j + 2] - c[q + j + 2] : 0
    const t3 = r > 3 ? x[p + j + 3] - c[q + j + 3] : 0
    const t4 = r > 4 ? x[p + j + 4] - c[q + j + 4] : 0
    const t5 = r > 5 ? x[p + j + 5] - c[q + j + 5] : 0
    const t6 = r > 6 ? x[p + j + 6] - c[q + j + 6] : 0
    const t7 = r > 7 ? x[p + j + 7] - c[q + j + 7] : 0
    s0 += t0 * t0 + t4 * t4 + (t2 * t2 + t6 * t6)
    s1 += t1 * t1 + t5 * t5 + (t3 * t3 + t7 * t7)
  }
  return s0 + s1
}

/** Copies row `off` of src (d <= 8 values) into dst at dOff, zero-padded to 8 values. */
export function padRow(src: Float64Array, off: number, d: number, dst: Float64Array, dOff: number): void {
  for (let t = 0; t < PAD; t++) dst[dOff + t] = t < d ? src[off + t] : 0
}

/** Distance from row p of x (d <= 8 values) to the padded row q of c: bit for bit sqDist. */
export function sqDistPad(x: Float64Array, p: number, d: number, c: Float64Array, q: number): number {
  const t0 = x[p] - c[q]
  const t1 = (d > 1 ? x[p + 1] : 0) - c[q + 1]
  const t2 = (d > 2 ? x[p + 2] : 0) - c[q + 2]
  const t3 = (d > 3 ? x[p + 3] : 0) - c[q + 3]
  const t4 = (d > 4 ? x[p + 4] : 0) - c[q + 4]
  const t5 = (d > 5 ? x[p + 5] : 0) - c[q + 5]
  const t6 = (d > 6 ? x[p + 6] : 0) - c[q + 6]
  const t7 = (d > 7 ? x[p + 7] : 0) - c[q + 7]
  return t0 * t0 + t4 * t4 + (t2 * t2 + t6 * t6) + (t1 * t1 + t5 * t5 + (t3 * t3 + t7 * t7))
}

/** Draws a row with probability proportional to closest[i], given cum = running sums of closest. */
function drawRow(cum: Float64Array, pot: number, rng: Rng): number {
  const n = cum.length
  const r = rng.next() * pot
  // First index with cum >= r (numpy's searchsorted, side "left"), clipped to n - 1 as
  // scikit-learn does (rounding can leave r above the last sum).
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cum[mid] < r) lo = mid + 1
    else hi = mid
  }
  return lo < n ? lo : n - 1
}

/**
 * Greedy k-means++ (Arthur and Vassilvitskii 2007, as scikit-learn's `_kmeans_plusplus`):
 * the first centre is a uniform row; each next centre is the best, by resulting potential
 * (sum of squared distances to the nearest centre), of `localTrials` rows drawn with
 * probability proportional to their current squared distance.
 * Returns k x d centres (copies of rows).
 *
 * Speed: a candidate c cannot come closer to row x than x's nearest centre a when
 * |c - a| >= 2 |x - a| (triangle inequality), so that distance is skipped; later centres
 * are drawn far from the existing ones, so most are. The draws and the potentials are those
 * of kmeansPlusPlusReference up to rounding.
 */
export function kmeansPlusPlus(x: Float64Array, d: number, k: number, rng: Rng, localTrials = 2 + Math.floor(Math.log(k))): Float64Array {
  return kmeansPlusPlusSeeding(x, d, k, rng, localTrials).centres
}

/**
 * k-means++ seeding: the centres of kmeansPlusPlus and, when d <= 8, what its last pass
 * already knows: each row's nearest centre (lowest index on ties) and the squared distance to
 * it, bit for bit what Lloyd's first assignment would compute from these centres (the same
 * distance on the same values, and no distance skipped unless the triangle inequality rules it
 * out with a margin). hamerlyLloyd starts from them instead of doing that first assignment.
 * For d <= 8 the passes over the rows run in WebAssembly (`workspace`, or a new one); for d > 8,
 * or a matrix too big for WebAssembly memory, in TypeScript, and labels and dist are null.
 */
export function kmeansPlusPlusSeeding(
  x: Float64Array,
  d: number,
  k: number,
  rng: Rng,
  localTrials = 2 + Math.floor(Math.log(k)),
  workspace?: PadWorkspace
): { centres: Float64Array; labels: Int32Array | null; dist: Float64Array | null } {
  const ws = workspace ?? padWorkspaceFor(x, d, k)
  if (ws) return kmeansPlusPlusPad(ws, x, d, k, rng, localTrials)
  return { centres: kmeansPlusPlusWide(x, d, k, rng, localTrials), labels: null, dist: null }
}

/** A WebAssembly workspace for x when d <= 8 and it fits; else null (the TypeScript path). */
export function padWorkspaceFor(x: Float64Array, d: number, k: number): PadWorkspace | null {
  return d <= PAD && fitsWorkspace(x.length / d, k) ? new PadWorkspace(x, d) : null
}

function kmeansPlusPlusWide(x: Float64Array, d: number, k: number, rng: Rng, localTrials: number): Float64Array {
  const n = x.length / d
  const centres = new Float64Array(k * d)
  const closest = new Float64Array(n) // squared distance to the nearest centre so far
  const radius = new Float64Array(n) // its square root
  const near = new Int32Array(n) // index of that centre
  const cum = new Float64Array(n)
  const first = rng.nextInt(n)
  centres.set(x.subarray(first * d, first * d + d), 0)
  let pot = 0
  for (let i = 0, p = 0; i < n; i++, p += d) {
    const v = sqDist(x, p, centres, 0, d)
    closest[i] = v
    radius[i] = Math.sqrt(v)
    pot += v
    cum[i] = pot
  }
  const T = Math.max(1, localTrials)
  const cand = new Int32Array(T)
  const candPot = new Float64Array(T)
  // halfGap[t * k + j] = |candidate t - centre j| / 2
  const halfGap = new Float64Array(T * k)
  for (let c = 1; c < k; c++) {
    for (let t = 0; t < T; t++) {
      cand[t] = drawRow(cum, pot, rng)
      for (let j = 0; j < c; j++) halfGap[t * k + j] = 0.5 * Math.sqrt(sqDist(x, cand[t] * d, centres, j * d, d))
    }
    candPot.fill(0)
    for (let i = 0, p = 0; i < n; i++, p += d) {
      const ci = closest[i]
      const ri = radius[i]
      const a = near[i]
      for (let t = 0; t < T; t++) {
        if (halfGap[t * k + a] >= ri) {
          candPot[t] += ci
          continue
        }
        const v = sqDist(x, p, x, cand[t] * d, d)
        candPot[t] += v < ci ? v : ci
      }
    }
    let best = 0
    for (let t = 1; t < T; t++) if (candPot[t] < candPot[best]) best = t
    const b = cand[best] * d
    centres.set(x.subarray(b, b + d), c * d)
    // Recomputing the winner's distances is cheaper than keeping T distance arrays of n.
    pot = 0
    for (let i = 0, p = 0; i < n; i++, p += d) {
      if (halfGap[best * k + near[i]] < radius[i]) {
        const v = sqDist(x, p, x, b, d)
        if (v < closest[i]) {
          closest[i] = v
          radius[i] = Math.sqrt(v)
          near[i] = c
        }
      }
      pot += closest[i]
      cum[i] = pot
    }
  }
  return centres
}

/**
 * kmeansPlusPlusWide for d <= 8 with the row passes in WebAssembly: the same draws, skips and
 * sums in the same order. Candidates are padded into the workspace and scored 4 per pass.
 */
function kmeansPlusPlusPad(ws: PadWorkspace, x: Float64Array, d: number, k: number, rng: Rng, localTrials: number): { centres: Float64Array; labels: Int32Array; dist: Float64Array } {
  const n = x.length / d
  const T = Math.max(1, localTrials)
  ws.ensure(k, T)
  const { ex, xP, closestP, labelsP: nearP, cumP } = ws
  const centres = new Float64Array(k * d)
  const first = rng.nextInt(n)
  centres.set(x.subarray(first * d, first * d + d), 0)
  padRow(x, first * d, d, ws.cc, 0)
  ws.labels.fill(0)
  let pot = ex.seedFirst(xP, n, ws.ccP, closestP, cumP)
  const cand = new Int32Array(T)
  const candPot = new Float64Array(T)
  // gap[t * k + j] = (|candidate t - centre j| / 2)^2: the skip tests compare squares.
  const gap = ws.gap
  const hg = ws.hg
  for (let c = 1; c < k; c++) {
    for (let t = 0; t < T; t++) {
      cand[t] = drawRow(ws.cum, pot, rng)
      padRow(x, cand[t] * d, d, ws.cc, t * PAD)
      for (let j = 0; j < c; j++) gap[t * k + j] = 0.25 * sqDist(x, cand[t] * d, centres, j * d, d)
    }
    for (let t0 = 0; t0 < T; t0 += 4) {
      const m = Math.min(4, T - t0)
      // Unused slots get an infinite gap: always skipped, their sums ignored.
      for (let t = 0; t < 4; t++) for (let j = 0; j < k; j++) hg[t * k + j] = t < m ? gap[(t0 + t) * k + j] : Infinity
      ex.seedCandidates4(xP, n, closestP, nearP, ws.ccP + t0 * PAD * 8, ws.hgP, k, ws.outP)
      for (let t = 0; t < m; t++) candPot[t0 + t] = ws.out[t]
    }
    let best = 0
    for (let t = 1; t < T; t++) if (candPot[t] < candPot[best]) best = t
    const b = cand[best] * d
    centres.set(x.subarray(b, b + d), c * d)
    pot = ex.seedUpdate(xP, n, closestP, nearP, cumP, ws.ccP + best * PAD * 8, ws.gapP + best * k * 8, c)
  }
  return { centres, labels: ws.labels.slice(), dist: ws.closest.slice() }
}

/** Plain greedy k-means++ (every distance computed): the slow reference of kmeansPlusPlus. */
export function kmeansPlusPlusReference(x: Float64Array, d: number, k: number, rng: Rng, localTrials = 2 + Math.floor(Math.log(k))): Float64Array {
  const n = x.length / d
  const centres = new Float64Array(k * d)
  const closest = new Float64Array(n)
  const cum = new Float64Array(n)
  const first = rng.nextInt(n)
  centres.set(x.subarray(first * d, first * d + d), 0)
  let pot = 0
  for (let i = 0; i < n; i++) {
    closest[i] = sqDist(x, i * d, centres, 0, d)
    pot += closest[i]
    cum[i] = pot
  }
  const T = Math.max(1, localTrials)
  for (let c = 1; c < k; c++) {
    const cand = Array.from({ length: T }, () => drawRow(cum, pot, rng))
    const pots = cand.map((r) => {
      let s = 0
      for (let i = 0; i < n; i++) s += Math.min(closest[i], sqDist(x, i * d, x, r * d, d))
      return s
    })
    let best = 0
    for (let t = 1; t < T; t++) if (pots[t] < pots[best]) best = t
    centres.set(x.subarray(cand[best] * d, cand[best] * d + d), c * d)
    pot = 0
    for (let i = 0; i < n; i++) {
      closest[i] = Math.min(closest[i], sqDist(x, i * d, x, cand[best] * d, d))
      pot += closest[i]
      cum[i] = pot
    }
  }
  return centres
}

/**
 * scikit-learn's empty-cluster rule: each empty cluster takes, as its centre, one of the rows
 * farthest from their current centre (largest first, ties by lower row), and that row's
 * contribution leaves its old cluster's sum. `dist[i]` is row i's squared distance to its
 * assigned centre. Mutates sums and counts; returns the rows used.
 */
function relocateEmpty(
  x: Float64Array,
  d: number,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
  stride = d
): number {
  const empty: number[] = []
  for (let j = 0; j < k; j++) if (counts[j] === 0) empty.push(j)
  if (empty.length === 0) return 0
  const n = labels.length
  // A partial selection of the largest distances; the number of empty clusters is small.
  const taken = new Uint8Array(n)
  for (const j of empty) {
    let far = -1
    for (let i = 0; i < n; i++) if (!taken[i] && (far < 0 || dist[i] > dist[far])) far = i
    taken[far] = 1
    const old = labels[far]
    for (let t = 0; t < d; t++) {
      sums[old * stride + t] -= x[far * d + t]
      sums[j * stride + t] = x[far * d + t]
    }
    counts[old] -= 1
    counts[j] = 1
  }
  return empty.length
}

/** New centres = sums / counts; a cluster with count 0 keeps its old centre. */
function centresFromSums(sums: Float64Array, counts: Float64Array, old: Float64Array, out: Float64Array, k: number, d: number): void {
  for (let j = 0; j < k; j++) {
    const c = counts[j]
    for (let t = 0; t < d; t++) out[j * d + t] = c > 0 ? sums[j * d + t] / c : old[j * d + t]
  }
}

function inertiaOf(x: Float64Array, d: number, centres: Float64Array, labels: Int32Array): number {
  let s = 0
  for (let i = 0, p = 0; i < labels.length; i++, p += d) s += sqDist(x, p, centres, labels[i] * d, d)
  return s
}

/**
 * Plain Lloyd from the given initial centres, step for step as scikit-learn's `_kmeans_single_lloyd`:
 * E-step (nearest centre, ties to the lower index) and M-step each iteration; stop when the
 * labels equal the previous iteration's, or when sum of squared centre shifts <= absTol; then
 * one more E-step (unless the labels had stopped changing) so labels match the final centres.
 * `absTol` is absolute (see absoluteTolerance).
 */
export function lloydReference(x: Float64Array, d: number, init: Float64Array, maxIter: number, absTol: number): RestartResult {
  const n = x.length / d
  const k = init.length / d
  let centres = Float64Array.from(init)
  let next = new Float64Array(k * d)
  const labels = new Int32Array(n).fill(-1)
  const dist = new Float64Array(n)
  const sums = new Float64Array(k * d)
  const counts = new Float64Array(k)
  let strict = false
  let it = 0
  const assign = (): number => {
    let changed = 0
    for (let i = 0, p = 0; i < n; i++, p += d) {
      let best = 0
      let bd = Infinity
      for (let j = 0; j < k; j++) {
        const v = sqDist(x, p, centres, j * d, d)
        if (v < bd) {
          bd = v
          best = j
        }
      }
      if (labels[i] !== best) changed++
      labels[i] = best
      dist[i] = bd
    }
    return changed
  }
  for (it = 0; it < maxIter; it++) {
    const changed = assign()
    sums.fill(0)
    counts.fill(0)
    for (let i = 0, p = 0; i < n; i++, p += d) {
      const j = labels[i]
      counts[j]++
      for (let t = 0; t < d; t++) sums[j * d + t] += x[p + t]
    }
    const emptied = relocateEmpty(x, d, k, labels, dist, sums, counts) > 0
    centresFromSums(sums, counts, centres, next, k, d)
    let shift = 0
    for (let q = 0; q < k * d; q++) shift += (next[q] - centres[q]) ** 2
    ;[centres, next] = [next, centres]
    if (it > 0 && changed === 0 && !emptied) {
      strict = true
      break
    }
    if (shift <= absTol) break
  }
  if (!strict) assign()
  return { centres, labels, inertia: inertiaOf(x, d, centres, labels), iterations: Math.min(it + 1, maxIter) }
}

/**
 * Lloyd with Hamerly's bounds from the given initial centres: the same iterations, stopping
 * rule and result as lloydReference (up to floating-point rounding of the incrementally kept
 * centre sums), with most distance computations skipped.
 *
 * Memory traffic, not arithmetic, bounds an iteration at 1M rows, so the per-row state is
 * small and only written when a row is looked at:
 * - bounds are stored relative to per-centre running totals: S[a] = sum of centre a's shifts,
 *   M[a] = sum over iterations of the largest shift of any other centre. A row of cluster a
 *   stores U = u - S[a] and L = l + M[a] when its bounds are set; the current bounds are
 *   U + S[a] (upper, Hamerly's u += shift[a] each iteration) and L - M[a] (lower, l -= max
 *   other shift). Rows whose test passes are skipped without any write.
 * - U and L are Float32, rounded outwards (U up, L down) so they stay valid bounds, and the
 *   skip test keeps a small margin for the rounding of the running totals: a looser bound
 *   only means one more distance, never a different label.
 * For d <= 8 the passes run in WebAssembly (see hamerlyLloydPad), where each row also keeps a
 * hint, its second-nearest centre, and a lower bound on the distance to every centre other than
 * its nearest two (stored plus G, the running total of the largest shift). A row near the
 * boundary of two clusters, the rows that fail Hamerly's test over and over, is then settled by
 * two distances instead of k. `start` (labels and squared distances of the nearest centre, as
 * from kmeansPlusPlusSeeding) replaces the first assignment (start.dist is not needed: the
 * second assignment is a full one). `workspace`: the one the seeding used, if any.
 */
export function hamerlyLloyd(
  x: Float64Array,
  d: number,
  init: Float64Array,
  maxIter: number,
  absTol: number,
  start?: { labels: Int32Array; dist: Float64Array },
  workspace?: PadWorkspace
): RestartResult {
  const k = init.length / d
  const ws = workspace ?? padWorkspaceFor(x, d, k)
  if (ws) return hamerlyLloydPad(ws, x, d, init, maxIter, absTol, start)
  return hamerlyLloydWide(x, d, init, maxIter, absTol)
}

/** Per-iteration bookkeeping shared by both cores: new centres from the sums, their shifts,
 * the running totals S (own shift), M (largest other shift) and G (largest shift); returns the
 * summed squared shift. `s` is the row stride of centres and sums. */
function moveCentres(
  centres: Float64Array,
  next: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
  k: number,
  s: number,
  S: Float64Array,
  M: Float64Array | null,
  G: Float64Array
): number {
  centresFromSums(sums, counts, centres, next, k, s)
  let tot = 0
  let m1 = 0
  let m2 = 0
  let arg = -1
  for (let j = 0; j < k; j++) {
    const s2 = sqDist(next, j * s, centres, j * s, s)
    tot += s2
    const sh = Math.sqrt(s2)
    S[j] += sh
    if (sh > m1) {
      m2 = m1
      m1 = sh
      arg = j
    } else if (sh > m2) m2 = sh
  }
  if (M) for (let j = 0; j < k; j++) M[j] += j === arg ? m2 : m1
  G[0] += m1
  return tot
}

/** hamerlyLloyd for d <= 8: the row passes in the workspace's WebAssembly kernels. */
function hamerlyLloydPad(
  ws: PadWorkspace,
  x: Float64Array,
  d: number,
  init: Float64Array,
  maxIter: number,
  absTol: number,
  start?: { labels: Int32Array; dist: Float64Array }
): RestartResult {
  const n = x.length / d
  const k = init.length / d
  ws.ensure(k, 1)
  const { ex, xP, labelsP, upperP, lowerP, secondP, thirdP, sumsP, countsP, idxP } = ws
  const labels = ws.labels
  const { sums, counts, S, hs, sA } = ws
  let centres = ws.centresA
  let next = ws.centresB
  let cP = ws.centresAP
  let nP = ws.centresBP
  centres.fill(0)
  for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) centres[j * PAD + t] = init[j * d + t]
  S.fill(0, 0, k)
  const G = new Float64Array(1)
  const half = new Float64Array(k)
  let dist: Float64Array | null = null // only when a cluster empties (relocation needs it)

  const full = (): number => {
    S.fill(0, 0, k)
    G[0] = 0
    return ex.fullAssign(xP, n, cP, k, labelsP, upperP, lowerP, secondP, thirdP, sumsP, countsP)
  }
  const bounded = (): number => {
    computeHalf(centres, PAD, k, half)
    // One margin for the rounding of every running total and bound (relative 1e-12).
    let big = G[0]
    for (let a = 0; a < k; a++) big += S[a] + (half[a] < Infinity ? half[a] : 0)
    const eps = 1e-12 * (1 + big)
    for (let a = 0; a < k; a++) {
      hs[a] = half[a] - S[a] - eps
      sA[a] = S[a] + eps
    }
    return ex.boundedAssign(xP, n, cP, k, labelsP, upperP, lowerP, secondP, thirdP, G[0], eps, ws.hsP, ws.sAP, ws.SP, sumsP, countsP, idxP)
  }

  // The seeding's labels are the first assignment: only the sums are left to compute.
  if (start) {
    labels.set(start.labels)
    ex.sumsOfLabels(xP, n, labelsP, sumsP, countsP, k)
  } else labels.fill(-1)
  const iterations = runLloydSchedule(maxIter, absTol, counts, k, {
    firstAssigned: start ? n : null,
    full,
    bounded,
    relocate: () => {
      // Relocation needs every row's distance to its centre (the bounds restart afterwards).
      dist ??= new Float64Array(n)
      for (let i = 0, p = 0; i < n; i++, p += d) dist[i] = sqDistPad(x, p, d, centres, labels[i] * PAD)
      relocateEmpty(x, d, k, labels, dist, sums, counts, PAD)
    },
    move: () => {
      const tot = moveCentres(centres, next, sums, counts, k, PAD, S, null, G)
      ;[centres, next] = [next, centres]
      ;[cP, nP] = [nP, cP]
      return tot
    },
  })
  const out = new Float64Array(k * d)
  for (let j = 0; j < k; j++) for (let t = 0; t < d; t++) out[j * d + t] = centres[j * PAD + t]
  return { centres: out, labels: labels.slice(), inertia: ex.inertia(xP, n, cP, labelsP), iterations }
}

/** hamerlyLloyd in TypeScript, any d (Hamerly's two bounds, generic loops). */
function hamerlyLloydWide(x: Float64Array, d: number, init: Float64Array, maxIter: number, absTol: number): RestartResult {
  const n = x.length / d
  const k = init.length / d
  let centres = Float64Array.from(init)
  let next = new Float64Array(k * d)
  const labels = new Int32Array(n).fill(-1)
  const upper = new Float32Array(n) // U: upper bound minus S[label]
  const lower = new Float32Array(n) // L: lower bound plus M[label]
  const sums = new Float64Array(k * d)
  const counts = new Float64Array(k)
  const S = new Float64Array(k)
  const M = new Float64Array(k)
  const G = new Float64Array(1)
  const half = new Float64Array(k) // half the distance from centre j to its nearest other centre
  const hs = new Float64Array(k) // skip when U < hs[a] ...
  const sm = new Float64Array(k) // ... or U + sm[a] < L
  let dist: Float64Array | null = null

  const full = (): number => {
    S.fill(0)
    M.fill(0)
    G[0] = 0
    return fullAssignWide(x, d, n, centres, k, labels, upper, lower, sums, counts)
  }
  const bounded = (): number => {
    computeHalf(centres, d, k, half)
    for (let a = 0; a < k; a++) {
      // Margin for the rounding of S, M and half (relative 1e-12 of their size).
      const eps = 1e-12 * (1 + S[a] + M[a] + (half[a] < Infinity ? half[a] : 0))
      hs[a] = half[a] - S[a] - eps
      sm[a] = S[a] + M[a] + eps
    }
    return boundedAssignWide(x, d, n, centres, k, labels, upper, lower, hs, sm, S, M, sums, counts)
  }

  const iterations = runLloydSchedule(maxIter, absTol, counts, k, {
    firstAssigned: null,
    full,
    bounded,
    relocate: () => {
      dist ??= new Float64Array(n)
      for (let i = 0, p = 0; i < n; i++, p += d) dist[i] = sqDist(x, p, centres, labels[i] * d, d)
      relocateEmpty(x, d, k, labels, dist, sums, counts)
    },
    move: () => {
      const tot = moveCentres(centres, next, sums, counts, k, d, S, M, G)
      ;[centres, next] = [next, centres]
      return tot
    },
  })
  return { centres, labels, inertia: inertiaOf(x, d, centres, labels), iterations }
}

/** The passes of one bounded Lloyd run, each returning how many labels changed (or, for `move`, the summed squared shift). */
interface LloydSteps {
  /** Labels changed by an assignment made before the run (the seeding's), or null to assign first. */
  firstAssigned: number | null
  /** Assigns every row from scratch (resets the bounds). */
  full: () => number
  /** Assigns the rows whose bounds do not settle them. */
  bounded: () => number
  /** Refills emptied clusters (rare). */
  relocate: () => void
  /** Moves the centres to the means of their rows. */
  move: () => number
}

/**
 * The iteration schedule of both bounded Lloyd cores, as scikit-learn's Lloyd: assign, move,
 * stop when an assignment changed no label (strict convergence) or the centres moved at most
 * `absTol` in all; without strict convergence, one more assignment so the labels belong to the
 * final centres. The first two assignments are full (the first update moves the centres so far,
 * from data rows, that bounds would settle almost no row), and so is the one after a
 * relocation. `counts` (k cluster sizes) is read after each assignment to find empty clusters.
 * Returns the iterations as scikit-learn counts them.
 */
function runLloydSchedule(maxIter: number, absTol: number, counts: Float64Array, k: number, steps: LloydSteps): number {
  let strict = false
  let it = 0
  let needFull = true
  for (it = 0; it < maxIter; it++) {
    const changed = it === 0 && steps.firstAssigned !== null ? steps.firstAssigned : needFull || it === 1 ? steps.full() : steps.bounded()
    needFull = false
    let emptied = false
    for (let j = 0; j < k; j++) if (counts[j] === 0) emptied = true
    if (emptied) {
      steps.relocate()
      needFull = true
    }
    const tot = steps.move()
    if (it > 0 && changed === 0 && !emptied) {
      strict = true
      break
    }
    if (tot <= absTol) break
  }
  if (!strict) {
    if (needFull) steps.full()
    else steps.bounded()
  }
  return Math.min(it + 1, maxIter)
}

// Float32 storage of bounds, rounded outwards: fround's error is at most 2^-24 of the value,
// so moving the value by 2^-22 of itself (plus a tiny absolute step) first is enough.
const OUT = 2 ** -22
function upF32(v: number): number {
  return Math.fround(v + ((v < 0 ? -v : v) * OUT + 1e-30))
}
function downF32(v: number): number {
  if (v === Infinity) return v // no other centre (k = 1, or k = 2 for the third bound)
  return Math.fround(v - ((v < 0 ? -v : v) * OUT + 1e-30))
}

/** half[j] = half the distance from centre j to its nearest other centre (rows of stride s). */
function computeHalf(centres: Float64Array, s: number, k: number, half: Float64Array): void {
  for (let j = 0; j < k; j++) {
    let m = Infinity
    for (let j2 = 0; j2 < k; j2++) {
      if (j2 === j) continue
      const v = sqDist(centres, j * s, centres, j2 * s, s)
      if (v < m) m = v
    }
    half[j] = k > 1 ? 0.5 * Math.sqrt(m) : Infinity
  }
}

/** Full assignment, generic d: exact distances to every centre; rebuilds sums and bounds
 * (S = M = 0, so the stored bounds are the bounds). */
function fullAssignWide(
  x: Float64Array,
  d: number,
  n: number,
  centres: Float64Array,
  k: number,
  labels: Int32Array,
  upper: Float32Array,
  lower: Float32Array,
  sums: Float64Array,
  counts: Float64Array
): number {
  let changed = 0
  sums.fill(0)
  counts.fill(0)
  for (let i = 0, p = 0; i < n; i++, p += d) {
    let b1 = Infinity
    let b2 = Infinity
    let a = 0
    for (let j = 0; j < k; j++) {
      const v = sqDist(x, p, centres, j * d, d)
      if (v < b1) {
        b2 = b1
        b1 = v
        a = j
      } else if (v < b2) b2 = v
    }
    if (labels[i] !== a) changed++
    labels[i] = a
    upper[i] = upF32(Math.sqrt(b1))
    lower[i] = downF32(Math.sqrt(b2))
    counts[a]++
    for (let t = 0; t < d; t++) sums[a * d + t] += x[p + t]
  }
  return changed
}

/** Bounded assignment, generic d (see hamerlyLloyd for hs, sm, S, M). */
function boundedAssignWide(
  x: Float64Array,
  d: number,
  n: number,
  centres: Float64Array,
  k: number,
  labels: Int32Array,
  upper: Float32Array,
  lower: Float32Array,
  hs: Float64Array,
  sm: Float64Array,
  S: Float64Array,
  M: Float64Array,
  sums: Float64Array,
  counts: Float64Array
): number {
  let changed = 0
  for (let i = 0, p = 0; i < n; i++, p += d) {
    const a = labels[i]
    const U = upper[i]
    const L = lower[i]
    // u < max(half, l), with u = U + S[a] and l = L - M[a]. Strict comparisons (and the
    // margin in hs, sm): on an exact tie the full scan decides, keeping the lower-index rule.
    if (U < hs[a] || U + sm[a] < L) continue
    const Ut = Math.sqrt(sqDist(x, p, centres, a * d, d)) - S[a]
    if (Ut < hs[a] || Ut + sm[a] < L) {
      upper[i] = upF32(Ut)
      continue
    }
    let b1 = Infinity
    let b2 = Infinity
    let best = 0
    for (let j = 0; j < k; j++) {
      const v = sqDist(x, p, centres, j * d, d)
      if (v < b1) {
        b2 = b1
        b1 = v
        best = j
      } else if (v < b2) b2 = v
    }
    upper[i] = upF32(Math.sqrt(b1) - S[best])
    lower[i] = downF32(Math.sqrt(b2) + M[best])
    if (best !== a) {
      changed++
      labels[i] = best
      counts[a]--
      counts[best]++
      for (let t = 0; t < d; t++) {
        const v = x[p + t]
        sums[a * d + t] -= v
        sums[best * d + t] += v
      }
    }
  }
  return changed
}

/** One restart: k-means++ from `restartSeed`, then Lloyd (the fast cores, starting from
 * k-means++'s last distance pass; or with `reference` the plain ones). `workspace`: a
 * WebAssembly workspace of x to reuse across restarts (d <= 8); without one, each call
 * that needs one makes its own. */
export function kmeansRestart(
  x: Float64Array,
  d: number,
  k: number,
  restartSeed: number,
  maxIter: number,
  absTol: number,
  options: { localTrials?: number; reference?: boolean; workspace?: PadWorkspace | null } = {}
): RestartResult {
  const rng = new Rng(restartSeed)
  if (options.reference) return lloydReference(x, d, kmeansPlusPlusReference(x, d, k, rng, options.localTrials), maxIter, absTol)
  const ws = options.workspace === undefined ? padWorkspaceFor(x, d, k) : options.workspace
  if (!ws) return hamerlyLloydWide(x, d, kmeansPlusPlusWide(x, d, k, rng, Math.max(1, options.localTrials ?? 2 + Math.floor(Math.log(k)))), maxIter, absTol)
  const seeding = kmeansPlusPlusPad(ws, x, d, k, rng, options.localTrials ?? 2 + Math.floor(Math.log(k)))
  return hamerlyLloydPad(ws, x, d, seeding.centres, maxIter, absTol, seeding)
}

/**
 * k-means with nInit restarts on the calling thread. `x` is row-major n x d (any finite
 * values, typically standardised features). Deterministic for a given seed. For large n use
 * runKMeansInWorkers (kmeans-pool.ts), which gives the same result off the main thread.
 */
export function kmeans(x: Float64Array, d: number, options: KMeansOptions & { reference?: boolean }): KMeansResult {
  const k = options.k
  checkMatrix(x, d, k)
  const nInit = options.nInit ?? KMEANS_DEFAULTS.nInit
  const maxIter = options.maxIter ?? KMEANS_DEFAULTS.maxIter
  if (!(Number.isInteger(nInit) && nInit >= 1)) throw new RangeError(`k-means: nInit must be a positive integer, got ${nInit}`)
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new RangeError(`k-means: maxIter must be a positive integer, got ${maxIter}`)
  const absTol = absoluteTolerance(x, d, options.tol ?? KMEANS_DEFAULTS.tol)
  const seeds = restartSeeds(options.seed ?? KMEANS_DEFAULTS.seed, nInit)
  const workspace = options.reference ? null : padWorkspaceFor(x, d, k)
  const results: RestartResult[] = []
  for (let r = 0; r < nInit; r++) {
    results.push(kmeansRestart(x, d, k, seeds[r], maxIter, absTol, { localTrials: options.localTrials, reference: options.reference, workspace }))
    options.onProgress?.(r + 1, nInit)
  }
  return bestRestart(results, seeds, k, d)
}

/** Picks the best of restart results: lowest inertia, the earlier restart on ties (so the
 * schedule of restarts over workers cannot change the answer). */
export function bestRestart(results: readonly RestartResult[], seeds: readonly number[], k: number, d: number): KMeansResult {
  let r = 0
  for (let i = 1; i < results.length; i++) if (results[i].inertia < results[r].inertia) r = i
  return { k, d, ...results[r], restart: r, restartSeed: seeds[r] }
}
