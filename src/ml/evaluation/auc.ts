import { averageRanks } from "./ranks"

/**
 * ROC AUC of `scores` for binary `labels` (truthy = positive), computed as the Mann-Whitney U
 * statistic with average ranks for ties: a tied positive/negative pair counts 1/2, as in
 * scikit-learn's roc_auc_score. Range [0, 1]; 0.5 = no better than chance. Returns NaN when
 * there is no positive or no negative.
 */
export function rocAuc(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number {
  const n = labels.length
  if (scores.length !== n) throw new RangeError("rocAuc: labels and scores differ in length")
  const ranks = averageRanks(scores)
  let nPos = 0
  let rankSum = 0
  for (let i = 0; i < n; i++) {
    if (labels[i]) {
      nPos++
      rankSum += ranks[i]
    }
  }
  const nNeg = n - nPos
  if (nPos === 0 || nNeg === 0) return Number.NaN
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg)
}
