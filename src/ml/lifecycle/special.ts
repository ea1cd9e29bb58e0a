/**
 * Special functions and a small bounded optimiser for the lifecycle models (BG/NBD,
 * Gamma-Gamma). Plain float64 arithmetic, no dependencies.
 */

// Lanczos approximation, g = 7, n = 9 (Numerical Recipes / Boost coefficients): relative error
// below 1e-15 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]

/** ln Gamma(x) for x > 0 (reflection below 0.5). */
export function lnGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lnGamma: x must be > 0, got ${x}`)
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x)
  const z = x - 1
  let s = LANCZOS[0]
  for (let i = 1; i < 9; i++) s += LANCZOS[i] / (z + i)
  const t = z + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s)
}

/** ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b), a, b > 0. */
export function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b)
}

/**
 * Gauss hypergeometric 2F1(a, b; c; z) by its power series, for 0 <= z < 1 and any c that is
 * not 0 or a negative integer (there the series divides by zero): terms are summed until they
 * fall below 1e-15 of the sum (at most `maxTerms`, default 100,000; the series converges like
 * z^k, so z near 1 needs many terms). A negative non-integer c is in the domain: BG/NBD's
 * conditional expectation asks for c = a + b - 1 < 0 when a fitted a + b < 1 (a customer
 * without repeat purchases). Throws outside the domain.
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 100_000): number {
  if (!(z >= 0 && z < 1)) throw new RangeError(`hyp2f1: z must be in [0, 1), got ${z}`)
  if (!Number.isFinite(c) || (c <= 0 && Number.isInteger(c))) throw new RangeError(`hyp2f1: c must not be 0 or a negative integer, got ${c}`)
  let term = 1
  let sum = 1
  for (let k = 0; k < maxTerms; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1))
    sum += term
    if (Math.abs(term) <= 1e-15 * Math.abs(sum)) return sum
  }
  return sum
}

export interface NelderMeadOptions {
  /** Lower and upper bound of each coordinate; a candidate is clipped into them. */
  lower: readonly number[]
  upper: readonly number[]
  /** Initial simplex edge per coordinate; default 0.5. */
  step?: number
  /** Stop when the simplex's function values span less than this; default 1e-10. */
  tol?: number
  /** Default 2,000 iterations. */
  maxIter?: number
}

/**
 * Minimises f from x0 by Nelder-Mead (standard coefficients 1, 2, 0.5, 0.5) inside a box:
 * every point evaluated is clipped to [lower, upper] first, so the optimiser can sit on a
 * bound but never cross it. Returns the best point and its value. Derivative-free, so it copes
 * with the flat ridges of the lifecycle likelihoods; for the 3 to 4 parameters used here it
 * converges in a few hundred evaluations.
 */
export function nelderMead(f: (x: Float64Array) => number, x0: readonly number[], options: NelderMeadOptions): { x: Float64Array; value: number; iterations: number } {
  const d = x0.length
  const { lower, upper } = options
  const step = options.step ?? 0.5
  const tol = options.tol ?? 1e-10
  const maxIter = options.maxIter ?? 2000
  const clip = (x: Float64Array) => {
    for (let j = 0; j < d; j++) x[j] = Math.min(upper[j], Math.max(lower[j], x[j]))
    return x
  }
  const evalAt = (x: Float64Array) => {
    const v = f(x)
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY
  }
  const pts: Float64Array[] = [clip(Float64Array.from(x0))]
  for (let j = 0; j < d; j++) {
    const p = Float64Array.from(x0)
    // Step inward when the start sits on the upper bound, so the simplex is not flat.
    p[j] = p[j] + step <= upper[j] ? p[j] + step : p[j] - step
    pts.push(clip(p))
  }
  const vals = pts.map(evalAt)
  const centroid = new Float64Array(d)
  const along = (from: Float64Array, to: Float64Array, t: number) => {
    const out = new Float64Array(d)
    for (let j = 0; j < d; j++) out[j] = from[j] + t * (to[j] - from[j])
    return clip(out)
  }
  let it = 0
  for (; it < maxIter; it++) {
    const order = vals.map((_, i) => i).sort((a, b) => vals[a] - vals[b])
    const sortedPts = order.map((i) => pts[i])
    const sortedVals = order.map((i) => vals[i])
    for (let i = 0; i <= d; i++) {
      pts[i] = sortedPts[i]
      vals[i] = sortedVals[i]
    }
    if (Math.abs(vals[d] - vals[0]) <= tol * (1 + Math.abs(vals[0]))) break
    centroid.fill(0)
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) centroid[j] += pts[i][j] / d
    const worst = pts[d]
    const xr = along(centroid, worst, -1)
    const fr = evalAt(xr)
    if (fr < vals[0]) {
      const xe = along(centroid, worst, -2)
      const fe = evalAt(xe)
      if (fe < fr) {
        pts[d] = xe
        vals[d] = fe
      } else {
        pts[d] = xr
        vals[d] = fr
      }
    } else if (fr < vals[d - 1]) {
      pts[d] = xr
      vals[d] = fr
    } else {
      const outside = fr < vals[d]
      const xc = outside ? along(centroid, worst, -0.5) : along(centroid, worst, 0.5)
      const fc = evalAt(xc)
      if (fc < (outside ? fr : vals[d])) {
        pts[d] = xc
        vals[d] = fc
      } else {
        for (let i = 1; i <= d; i++) {
          pts[i] = along(pts[0], pts[i], 0.5)
          vals[i] = evalAt(pts[i])
        }
      }
    }
  }
  let best = 0
  for (let i = 1; i <= d; i++) if (vals[i] < vals[best]) best = i
  return { x: pts[best], value: vals[best], iterations: it }
}
