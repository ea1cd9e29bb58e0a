/**
 * The "cold items" truth of docs/evaluation.md: how well a model places products that had no
 * sale before the cutoff. No collaborative model can score them; text (or any catalogue data
 * known at the cutoff) can.
 */
import { IdIndex } from "../data/id-index"
import type { PurchaseLine } from "../data/purchase-line"
import type { TestTruth } from "../data/split"
import { Rng } from "../random"
import { type TopNMetrics, evaluateTopN } from "./top-n"

export interface ColdItemSplit {
  cutoff: number
  end: number
  /** Cold items: products with a line in [cutoff, end) and none before cutoff; index = position. */
  items: IdIndex
  /** Customers with a line before the cutoff, sorted: user index = position. */
  users: IdIndex
  /** Per test user (a known customer who buys a cold item in the window): the cold items bought. */
  truth: TestTruth
  /** Each known customer's products bought before the cutoff, by product id (for content scores). */
  history: Map<string, string[]>
}

/**
 * Cold items at `cutoff` (ms) with the window [cutoff, end): the products first sold in the
 * window, and the known customers who buy them. Nothing after the cutoff is used to decide what
 * is cold except the window's own sales, which define the truth.
 */
export function coldItemSplit(lines: readonly PurchaseLine[], cutoff: number, end: number): ColdItemSplit {
  const soldBefore = new Set<string>()
  const history = new Map<string, Set<string>>()
  for (const l of lines) {
    if (!(l.time < cutoff)) continue
    soldBefore.add(l.productId)
    let h = history.get(l.customerId)
    if (!h) history.set(l.customerId, (h = new Set()))
    h.add(l.productId)
  }
  const window = lines.filter((l) => l.time >= cutoff && l.time < end)
  const items = IdIndex.fromIds(window.filter((l) => !soldBefore.has(l.productId)).map((l) => l.productId))
  const users = IdIndex.fromIds(Array.from(history.keys()))
  const bought = new Map<number, Set<number>>()
  for (const l of window) {
    const i = items.indexOf(l.productId)
    const u = users.indexOf(l.customerId)
    if (i < 0 || u < 0) continue
    let s = bought.get(u)
    if (!s) bought.set(u, (s = new Set()))
    s.add(i)
  }
  const testUsers = Array.from(bought.keys()).sort((a, b) => a - b)
  const indptr = [0]
  const truthItems: number[] = []
  for (const u of testUsers) {
    truthItems.push(...Array.from(bought.get(u) as Set<number>).sort((a, b) => a - b))
    indptr.push(truthItems.length)
  }
  return {
    cutoff,
    end,
    items,
    users,
    truth: { users: Int32Array.from(testUsers), indptr: Int32Array.from(indptr), items: Int32Array.from(truthItems) },
    history: new Map(Array.from(history, ([id, s]) => [id, Array.from(s).sort()])),
  }
}

/** Recall@20, NDCG@10, HR@10 and coverage@20 of `score` (a score per cold item for a user index). */
export function evaluateColdItems(score: (user: number) => Float64Array, split: ColdItemSplit): TopNMetrics {
  return evaluateTopN(score, split.truth, split.items.size)
}

/** Uniform random scores, seeded per call sequence: the floor any model must clear. */
export function randomColdScores(split: ColdItemSplit, seed = 0): (user: number) => Float64Array {
  const rng = new Rng(seed)
  return () => Float64Array.from({ length: split.items.size }, () => rng.next())
}

/**
 * "Newest first" by product code: descending id order (the shop numbers new stock upwards),
 * the same for every customer. Known at the cutoff, unlike first-sale dates after it.
 */
export function newestFirstColdScores(split: ColdItemSplit): (user: number) => Float64Array {
  const n = split.items.size
  // IdIndex sorts ids ascending, so the index itself orders codes; a higher code scores higher.
  const scores = Float64Array.from({ length: n }, (_, i) => i)
  return () => scores
}
