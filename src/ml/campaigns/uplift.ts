/**
 * What a campaign earned against its control group: differences between two arms with 95%
 * intervals, the CUPED-adjusted revenue difference, and the smallest effect a campaign of a
 * given size can detect.
 *
 * - Conversion (a share of customers who bought): Newcombe's hybrid score interval for a
 *   difference of proportions (Newcombe 1998, method 10), built from each arm's Wilson
 *   interval. Unlike the Wald interval it keeps its coverage at conversion rates of 1% in arms
 *   of 100 customers, and it never leaves [-1, 1].
 * - Revenue per customer (skewed, mostly zeros): the difference of means with the unequal-
 *   variance (Welch) standard error and a normal quantile. Arms hold at least 100 customers
 *   here, where the normal quantile and the t quantile differ by under 1%.
 * - CUPED (Deng, Xu, Kohavi and Walker 2013): each customer's outcome less theta times their
 *   pre-period revenue's deviation from the pooled mean, theta = cov(X, Y) / var(X) pooled over
 *   both arms. Assignment is random, so the adjusted difference estimates the same uplift with
 *   variance (1 - rho^2) times the plain one.
 *
 * Coverage of these intervals on simulated campaigns is checked in
 * __tests__/uplift-coverage.unit.spec.ts (docs/campaigns.md has the figures).
 */

/** Two-sided 95% normal quantile. */
export const Z_95 = 1.959963984540054
/** Normal quantile of 0.8: the power term of the minimum detectable effect. */
export const Z_POWER_80 = 0.8416212335729143

export type Interval = {
  /** Treatment minus control. */
  estimate: number
  low: number
  high: number
  /** Standard error of the estimate (for Newcombe's interval, the Wald one, for reference). */
  se: number
  /** The interval excludes zero. */
  significant: boolean
}

/** Wilson score interval of a proportion k / n at 95% (n > 0). */
export function wilsonInterval(k: number, n: number): [number, number] {
  const p = k / n
  const z2 = Z_95 * Z_95
  const denominator = 1 + z2 / n
  const centre = (p + z2 / (2 * n)) / denominator
  const half = (Z_95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}

/**
 * Difference of two proportions (kT / nT - kC / nC) with Newcombe's hybrid score interval.
 * Both arms must be non-empty.
 */
export function proportionDifference(kT: number, nT: number, kC: number, nC: number): Interval {
  if (!(nT > 0 && nC > 0)) throw new RangeError("proportionDifference: both arms need customers")
  const pT = kT / nT
  const pC = kC / nC
  const [lT, uT] = wilsonInterval(kT, nT)
  const [lC, uC] = wilsonInterval(kC, nC)
  const estimate = pT - pC
  const low = estimate - Math.sqrt((pT - lT) ** 2 + (uC - pC) ** 2)
  const high = estimate + Math.sqrt((uT - pT) ** 2 + (pC - lC) ** 2)
  const se = Math.sqrt((pT * (1 - pT)) / nT + (pC * (1 - pC)) / nC)
  return { estimate, low, high, se, significant: low > 0 || high < 0 }
}

/** Mean and unbiased variance of one arm's outcomes. */
export type Moments = { n: number; mean: number; variance: number }

export function moments(values: ArrayLike<number>): Moments {
  const n = values.length
  if (n === 0) return { n: 0, mean: 0, variance: 0 }
  let sum = 0
  for (let i = 0; i < n; i++) sum += values[i]
  const mean = sum / n
  let squares = 0
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2
  return { n, mean, variance: n > 1 ? squares / (n - 1) : 0 }
}

/** Difference of two means with the unequal-variance standard error. */
export function meanDifference(t: Moments, c: Moments): Interval {
  if (!(t.n > 0 && c.n > 0)) throw new RangeError("meanDifference: both arms need customers")
  const estimate = t.mean - c.mean
  const se = Math.sqrt(t.variance / t.n + c.variance / c.n)
  const low = estimate - Z_95 * se
  const high = estimate + Z_95 * se
  return { estimate, low, high, se, significant: low > 0 || high < 0 }
}

export type CupedResult = Interval & {
  /** The adjustment's slope: cov(pre, outcome) / var(pre), pooled within arms. */
  theta: number
  /** 1 - (adjusted standard error / plain standard error)^2: the share of variance removed (can be slightly negative). */
  variance_reduction: number
}

/**
 * CUPED: the mean difference of `y - theta (x - mean x)`, with theta estimated on both arms
 * together (within-arm covariances, so a real effect on y does not leak into theta). Without
 * variation in the pre-period (every x equal), theta is 0 and the result is the plain one.
 */
export function cupedDifference(
  yT: ArrayLike<number>,
  xT: ArrayLike<number>,
  yC: ArrayLike<number>,
  xC: ArrayLike<number>
): CupedResult {
  if (yT.length !== xT.length || yC.length !== xC.length) throw new RangeError("cupedDifference: outcome and pre-period lengths differ")
  const plain = meanDifference(moments(yT), moments(yC))
  const [mxT, myT] = [moments(xT).mean, moments(yT).mean]
  const [mxC, myC] = [moments(xC).mean, moments(yC).mean]
  let covariance = 0
  let varianceX = 0
  for (let i = 0; i < yT.length; i++) {
    covariance += (xT[i] - mxT) * (yT[i] - myT)
    varianceX += (xT[i] - mxT) ** 2
  }
  for (let i = 0; i < yC.length; i++) {
    covariance += (xC[i] - mxC) * (yC[i] - myC)
    varianceX += (xC[i] - mxC) ** 2
  }
  const theta = varianceX > 0 ? covariance / varianceX : 0
  let sumX = 0
  for (let i = 0; i < xT.length; i++) sumX += xT[i]
  for (let i = 0; i < xC.length; i++) sumX += xC[i]
  const meanX = sumX / (xT.length + xC.length)
  const adjusted = (y: ArrayLike<number>, x: ArrayLike<number>) => {
    const out = new Float64Array(y.length)
    for (let i = 0; i < y.length; i++) out[i] = y[i] - theta * (x[i] - meanX)
    return out
  }
  const result = meanDifference(moments(adjusted(yT, xT)), moments(adjusted(yC, xC)))
  return { ...result, theta, variance_reduction: plain.se > 0 ? 1 - (result.se / plain.se) ** 2 : 0 }
}

/**
 * The smallest true difference a two-arm comparison detects with 80% power at a two-sided
 * alpha of 0.05, given the standard error it has: (z_0.975 + z_0.8) x se.
 */
export function minimumDetectableEffect(se: number): number {
  return (Z_95 + Z_POWER_80) * se
}

/** Standard error of a difference of proportions under no effect, at the pooled rate. */
export function pooledProportionSe(kT: number, nT: number, kC: number, nC: number): number {
  const p = (kT + kC) / (nT + nC)
  return Math.sqrt(p * (1 - p) * (1 / nT + 1 / nC))
}
