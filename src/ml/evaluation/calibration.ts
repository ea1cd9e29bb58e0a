/**
 * Calibration of predicted probabilities: a shop reads "buys again: 0.62" as a chance, so
 * the chances must match the frequencies they predict, not only rank customers well.
 */

/**
 * Brier score: mean of (p - y)^2 over rows, y in {0, 1} (truthy = 1), p in [0, 1]. Range
 * [0, 1], lower is better; always predicting the base rate r scores r (1 - r).
 */
export function brierScore(labels: ArrayLike<number | boolean>, probabilities: ArrayLike<number>): number {
  const n = labels.length
  if (probabilities.length !== n) throw new RangeError("brierScore: labels and probabilities differ in length")
  if (n === 0) return Number.NaN
  let s = 0
  for (let i = 0; i < n; i++) s += (probabilities[i] - (labels[i] ? 1 : 0)) ** 2
  return s / n
}

/**
 * Expected calibration error over `bins` (default 10) equal-width bins of the predicted
 * probability: bin b holds p in [b / bins, (b + 1) / bins), the last bin also p = 1;
 * ECE = sum over non-empty bins of (rows in bin / rows) x |mean label - mean p|. Range [0, 1],
 * lower is better. Probabilities outside [0, 1] are clipped into the end bins.
 */
export function expectedCalibrationError(labels: ArrayLike<number | boolean>, probabilities: ArrayLike<number>, bins = 10): number {
  const n = labels.length
  if (probabilities.length !== n) throw new RangeError("expectedCalibrationError: labels and probabilities differ in length")
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`expectedCalibrationError: bins must be an integer >= 1, got ${bins}`)
  if (n === 0) return Number.NaN
  const count = new Float64Array(bins)
  const sumP = new Float64Array(bins)
  const sumY = new Float64Array(bins)
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))
    count[b]++
    sumP[b] += p
    sumY[b] += labels[i] ? 1 : 0
  }
  let ece = 0
  for (let b = 0; b < bins; b++) if (count[b] > 0) ece += Math.abs(sumY[b] - sumP[b]) / n
  return ece
}
