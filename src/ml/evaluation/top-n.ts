import type { CsrMatrix } from "../data/csr"
import type { TemporalSplit, TestTruth } from "../data/split"
import { type ItemScores, topK } from "../recommend/top-k"

/** Scores of every item for one train user index; the evaluation only ranks them. */
export type ScoreFn = (user: number) => ItemScores

export interface TopNMetrics {
  /** Test users averaged over. */
  users: number
  /** Mean of hits in the top 20 / min(|truth|, 20). */
  recall20: number
  /** Mean NDCG@10, binary gains, ideal DCG over min(|truth|, 10) positions. */
  ndcg10: number
  /** Share of users with a hit in the top 10. */
  hr10: number
  /** Distinct items in all top-20 lists / number of items. */
  coverage20: number
}

export interface TopNOptions {
  /** Train matrix whose row u lists the items to remove from user u's candidates. */
  exclude?: CsrMatrix
  /** Per-user top lists, for dumps and cross-checks (item indices, best first). */
  onList?: (user: number, items: Int32Array) => void
  /**
   * Each test user's own recall@20 and NDCG@10, in the order of truth.users: what a paired
   * comparison of two models over the same users (a bootstrap) needs.
   */
  onUser?: (user: number, recall20: number, ndcg10: number) => void
}

const DISCOUNT = Array.from({ length: 10 }, (_, r) => 1 / Math.log2(r + 2))

/**
 * the evaluation protocol's (docs/evaluation.md) top-N metrics over `truth`, with `nItems` candidate items ranked by
 * `score` (descending, ties by ascending index). With `exclude`, each user's excluded items
 * are removed from the candidates before the top 20 is taken.
 */
export function evaluateTopN(score: ScoreFn, truth: TestTruth, nItems: number, options: TopNOptions = {}): TopNMetrics {
  const mask = new Uint8Array(nItems)
  const rank: RankFn = (u, n, ex) => {
    const scores = score(u)
    if (scores.length !== nItems) throw new RangeError(`score(${u}) returned ${scores.length} scores for ${nItems} items`)
    if (!ex) return topK(scores, n, null)
    for (const i of ex) mask[i] = 1
    const list = topK(scores, n, mask)
    for (const i of ex) mask[i] = 0
    return list
  }
  return evaluateRanked(rank, truth, nItems, options)
}

/** A user's best n items minus `exclude`, best first: `Recommender.recommend`. */
export type RankFn = (user: number, n: number, exclude?: Int32Array) => Int32Array

/**
 * evaluateTopN from each user's top 20 rather than a score per item: for a model whose
 * `recommend` ranks a subset of the items (the hybrid over a sparse item-kNN), the same metrics
 * as its scores give (recommend equals topK of scores, ties included) without scoring every item
 * for every test user.
 */
export function evaluateRanked(rank: RankFn, truth: TestTruth, nItems: number, options: TopNOptions = {}): TopNMetrics {
  const { exclude, onList, onUser } = options
  const inTruth = new Uint8Array(nItems)
  const seen = new Uint8Array(nItems)
  let recall = 0
  let ndcg = 0
  let hr = 0
  const n = truth.users.length
  for (let k = 0; k < n; k++) {
    const u = truth.users[k]
    const t = truth.items.subarray(truth.indptr[k], truth.indptr[k + 1])
    const list = rank(u, 20, exclude ? exclude.indices.subarray(exclude.indptr[u], exclude.indptr[u + 1]) : undefined)
    onList?.(u, list)
    for (const i of t) inTruth[i] = 1
    let hits = 0
    let dcg = 0
    let hit10 = false
    for (let r = 0; r < list.length; r++) {
      const i = list[r]
      seen[i] = 1
      if (inTruth[i]) {
        hits++
        if (r < 10) {
          dcg += DISCOUNT[r]
          hit10 = true
        }
      }
    }
    for (const i of t) inTruth[i] = 0
    let idcg = 0
    for (let r = 0; r < Math.min(t.length, 10); r++) idcg += DISCOUNT[r]
    const userRecall = hits / Math.min(t.length, 20)
    recall += userRecall
    ndcg += dcg / idcg
    onUser?.(u, userRecall, dcg / idcg)
    hr += hit10 ? 1 : 0
  }
  let covered = 0
  for (let i = 0; i < nItems; i++) covered += seen[i]
  return {
    users: n,
    recall20: n ? recall / n : Number.NaN,
    ndcg10: n ? ndcg / n : Number.NaN,
    hr10: n ? hr / n : Number.NaN,
    coverage20: nItems ? covered / nItems : Number.NaN,
  }
}

export interface SplitMetrics {
  /** Truth "all": the user's own past items may be recommended. */
  all: TopNMetrics
  /** Truth "new": items bought before the cutoff are removed from the candidates. */
  new: TopNMetrics
}

/** Both docs/evaluation.md evaluations of `score` on a temporal split. */
export function evaluateSplit(
  score: ScoreFn,
  split: TemporalSplit,
  options: Pick<TopNOptions, "onList" | "onUser"> & { onListNew?: TopNOptions["onList"]; onUserNew?: TopNOptions["onUser"] } = {}
): SplitMetrics {
  const nItems = split.items.size
  return {
    all: evaluateTopN(score, split.truthAll, nItems, { onList: options.onList, onUser: options.onUser }),
    new: evaluateTopN(score, split.truthNew, nItems, { exclude: split.train.strength, onList: options.onListNew, onUser: options.onUserNew }),
  }
}
