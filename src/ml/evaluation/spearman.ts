import { averageRanks } from "./ranks"

/**
 * Spearman rank correlation: Pearson correlation of the average ranks (ties share their mean
 * rank, as scipy.stats.spearmanr). Range [-1, 1]; NaN when either input is constant or has
 * fewer than 2 values.
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError("spearman: inputs differ in length")
  if (x.length < 2) return Number.NaN
  return pearson(averageRanks(x), averageRanks(y))
}

/** Pearson correlation; NaN when either input is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i]
    my += y[i]
  }
  mx /= n
  my /= n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx
    const dy = y[i] - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  if (sxx === 0 || syy === 0) return Number.NaN
  return sxy / Math.sqrt(sxx * syy)
}
