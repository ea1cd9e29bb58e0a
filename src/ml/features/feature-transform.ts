/**
 * log(1 + x) on chosen columns, then standardisation (x - mean) / std with the means and
 * deviations of the data it was fitted on. The fitted parameters are kept and serializable,
 * so customers scored later (a nightly run, one customer after an order) land in the same
 * space as the customers the segments were fitted on.
 */

export const FEATURE_TRANSFORM_FORMAT = 1

/** A column whose deviation is at most this share of its scale (max(1, |mean|)) counts as constant. */
export const CONSTANT_STD = 1e-12

export interface FeatureTransform {
  /** Column names, in matrix order. */
  readonly names: readonly string[]
  /** Per column: apply log(1 + x) before standardising (the column must be > -1). */
  readonly log1p: readonly boolean[]
  /** Per column, after the log: mean, and population standard deviation (ddof 0, as
   * scikit-learn's StandardScaler); a constant column (CONSTANT_STD) gets its value as mean
   * and std 1, so it maps to exactly 0. */
  readonly mean: Float64Array
  readonly std: Float64Array
}

/** JSON form: plain number arrays (readable in the database and the admin). */
export interface SerializedFeatureTransform {
  format: number
  names: string[]
  log1p: boolean[]
  mean: number[]
  std: number[]
}

/**
 * Fits the transform on `values` (row-major, names.length columns). `log1p` lists the
 * columns to log (default: none). Throws on an unknown column name or a logged value <= -1.
 */
export function fitFeatureTransform(values: Float64Array, names: readonly string[], options: { log1p?: readonly string[] } = {}): FeatureTransform {
  const d = names.length
  if (d === 0 || values.length % d !== 0) throw new RangeError(`fitFeatureTransform: ${values.length} values do not fill rows of ${d} columns`)
  const logSet = new Set(options.log1p ?? [])
  for (const name of logSet) if (!names.includes(name)) throw new RangeError(`fitFeatureTransform: no column "${name}" to log`)
  const log1p = names.map((n) => logSet.has(n))
  const logged = applyLog(values, log1p)
  const n = values.length / d
  const mean = new Float64Array(d)
  const std = new Float64Array(d)
  if (n > 0) {
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += logged[i * d + j]
    for (let j = 0; j < d; j++) mean[j] /= n
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const v = logged[i * d + j] - mean[j]
        std[j] += v * v
      }
    }
  }
  for (let j = 0; j < d; j++) {
    const sd = n > 0 ? Math.sqrt(std[j] / n) : 0
    // A constant column's deviation is rounding noise (7 in 1,000 rows: about 2e-14), which would
    // blow the noise up to +-1: below CONSTANT_STD of the column's scale it is constant, and
    // centring on its first value maps it to exactly 0.
    if (sd > CONSTANT_STD * Math.max(1, Math.abs(mean[j]))) std[j] = sd
    else {
      std[j] = 1
      if (n > 0) mean[j] = logged[j]
    }
  }
  return { names: names.slice(), log1p, mean, std }
}

function applyLog(values: Float64Array, log1p: readonly boolean[]): Float64Array {
  const d = log1p.length
  const out = new Float64Array(values.length)
  for (let q = 0; q < values.length; q++) {
    const v = values[q]
    if (log1p[q % d]) {
      if (!(v > -1)) throw new RangeError(`feature transform: cannot log1p ${v} in column ${q % d} of row ${Math.floor(q / d)}`)
      out[q] = Math.log1p(v)
    } else out[q] = v
  }
  return out
}

/** Transforms rows in original units (row-major, same columns) into the fitted space. */
export function applyFeatureTransform(t: FeatureTransform, values: Float64Array): Float64Array {
  const d = t.names.length
  if (values.length % d !== 0) throw new RangeError(`applyFeatureTransform: ${values.length} values do not fill rows of ${d} columns`)
  const out = applyLog(values, t.log1p)
  for (let q = 0; q < out.length; q++) {
    const j = q % d
    out[q] = (out[q] - t.mean[j]) / t.std[j]
  }
  return out
}

/** Maps rows of the fitted space back to original units (e.g. k-means centres). */
export function inverseFeatureTransform(t: FeatureTransform, rows: Float64Array): Float64Array {
  const d = t.names.length
  const out = new Float64Array(rows.length)
  for (let q = 0; q < rows.length; q++) {
    const j = q % d
    const v = rows[q] * t.std[j] + t.mean[j]
    out[q] = t.log1p[j] ? Math.expm1(v) : v
  }
  return out
}

export function serializeFeatureTransform(t: FeatureTransform): SerializedFeatureTransform {
  return { format: FEATURE_TRANSFORM_FORMAT, names: t.names.slice(), log1p: t.log1p.slice(), mean: Array.from(t.mean), std: Array.from(t.std) }
}

/** Inverse of serializeFeatureTransform; checks the format version and the shapes. */
export function deserializeFeatureTransform(s: SerializedFeatureTransform): FeatureTransform {
  if (s.format !== FEATURE_TRANSFORM_FORMAT) throw new RangeError(`feature transform: format ${s.format} is not ${FEATURE_TRANSFORM_FORMAT}`)
  const d = s.names.length
  if (s.log1p.length !== d || s.mean.length !== d || s.std.length !== d) throw new RangeError("feature transform: names, log1p, mean and std differ in length")
  if (s.std.some((v) => !(v > 0))) throw new RangeError("feature transform: every std must be > 0")
  return { names: s.names.slice(), log1p: s.log1p.slice(), mean: Float64Array.from(s.mean), std: Float64Array.from(s.std) }
}
