/**
 * Mean silhouette (Rousseeuw 1987) with Euclidean distance, as scikit-learn's
 * `silhouette_score`: for row i, a = mean distance to the other rows of its cluster,
 * b = lowest mean distance to the rows of another cluster, s = (b - a) / max(a, b); a row
 * alone in its cluster scores 0. On large data the score is taken over a seeded random sample
 * of rows (scikit-learn's `sample_size`), because the exact score costs n^2 distances.
 */
import { Rng } from "../random"

/**
 * Mean silhouette over the rows `rows` of `x` (row-major, d columns), using only those rows
 * (the sample is the whole universe, as in scikit-learn). `labels[i]` is the cluster of x's row
 * i, in [0, k). Returns a value in [-1, 1]; 0 when fewer than 2 clusters occur in the sample.
 * Cost: rows.length^2 x d.
 */
export function silhouetteOfRows(x: Float64Array, d: number, labels: Int32Array, rows: Int32Array, k: number): number {
  const m = rows.length
  const lab = new Int32Array(m)
  const size = new Float64Array(k)
  for (let s = 0; s < m; s++) {
    lab[s] = labels[rows[s]]
    size[lab[s]]++
  }
  let present = 0
  for (let j = 0; j < k; j++) if (size[j] > 0) present++
  if (present < 2) return 0
  // sums[s * k + j] = sum of distances from sampled row s to the sampled rows of cluster j.
  const sums = new Float64Array(m * k)
  for (let s = 0; s < m; s++) {
    const p = rows[s] * d
    for (let t = s + 1; t < m; t++) {
      const q = rows[t] * d
      let v = 0
      for (let c = 0; c < d; c++) {
        const z = x[p + c] - x[q + c]
        v += z * z
      }
      const dist = Math.sqrt(v)
      sums[s * k + lab[t]] += dist
      sums[t * k + lab[s]] += dist
    }
  }
  let total = 0
  for (let s = 0; s < m; s++) {
    const own = lab[s]
    if (size[own] <= 1) continue
    const a = sums[s * k + own] / (size[own] - 1)
    let b = Infinity
    for (let j = 0; j < k; j++) {
      if (j === own || size[j] === 0) continue
      const v = sums[s * k + j] / size[j]
      if (v < b) b = v
    }
    const den = a > b ? a : b
    total += den > 0 ? (b - a) / den : 0
  }
  return total / m
}

/**
 * The rows a silhouette is computed on: all n rows when n <= sampleSize, otherwise
 * sampleSize distinct rows drawn uniformly with Rng(seed) (partial Fisher-Yates), sorted.
 */
export function silhouetteSample(n: number, sampleSize: number, seed: number): Int32Array {
  if (n <= sampleSize) return Int32Array.from({ length: n }, (_, i) => i)
  const rng = new Rng(seed)
  const idx = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = 0; i < sampleSize; i++) {
    const j = i + rng.nextInt(n - i)
    const t = idx[i]
    idx[i] = idx[j]
    idx[j] = t
  }
  return idx.slice(0, sampleSize).sort()
}

/**
 * Mean silhouette of a labelling of the n x d matrix x: exact when n <= sampleSize (default
 * 4000, about 8M distances), else on a seeded sample of sampleSize rows (default seed 0).
 */
export function silhouetteScore(x: Float64Array, d: number, labels: Int32Array, k: number, options: { sampleSize?: number; seed?: number } = {}): number {
  const n = x.length / d
  const rows = silhouetteSample(n, options.sampleSize ?? 4000, options.seed ?? 0)
  return silhouetteOfRows(x, d, labels, rows, k)
}
