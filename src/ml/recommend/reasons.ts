import { type CsrMatrix, transpose } from "../data/csr"
import type { Interactions } from "../data/interactions"

/**
 * Why an item is recommended: a stable code with its numbers (item indices, not ids). Text is
 * rendered from it by whoever shows it (the store route, the CLI), in their language.
 */
export type Reason =
  | { code: "buy_again"; params: { orders: number; every_days: number | null } }
  | { code: "because_you_bought"; params: { item: number; co_buyers: number } }
  | { code: "trending"; params: { recent_buyers: number; window_days: number } }
  | { code: "popular"; params: { buyers: number } }

const DAY_MS = 86_400_000

/**
 * Explains recommendations from the data a model was fitted on, independently of the model:
 * - an item the user bought before: "buy_again", with their number of orders of it and, from
 *   two orders on, the mean days between them;
 * - otherwise the user's own item bought by most of the same customers: "because_you_bought"
 *   (co-buyers counted on the binary user x item matrix);
 * - otherwise (a new customer, or no overlap): "trending" when the item had buyers in the last
 *   `trendWindowDays` (default 30) before `asOf`, else "popular".
 */
export class ReasonExplainer {
  private readonly byItem: CsrMatrix
  private readonly recentBuyers: Int32Array
  private readonly buyers: Int32Array
  /** mark[v] === stamp: customer v bought the item being explained (a set without hashing). */
  private readonly mark: Int32Array
  private stamp = 0

  constructor(
    private readonly data: Interactions,
    readonly trendWindowDays = 30
  ) {
    this.byItem = transpose(data.strength)
    this.buyers = new Int32Array(data.nItems)
    for (let i = 0; i < data.nItems; i++) this.buyers[i] = this.byItem.indptr[i + 1] - this.byItem.indptr[i]
    this.recentBuyers = countRecentBuyers(data, trendWindowDays)
    this.mark = new Int32Array(data.nUsers)
  }

  explain(user: number | null, item: number): Reason {
    if (user !== null && user >= 0 && user < this.data.nUsers) {
      const own = this.ownHistory(user, item)
      if (own) return own
      const because = this.becauseYouBought(user, item)
      if (because) return because
    }
    const recent = this.recentBuyers[item]
    if (recent > 0) return { code: "trending", params: { recent_buyers: recent, window_days: this.trendWindowDays } }
    return { code: "popular", params: { buyers: this.buyers[item] } }
  }

  /** Distinct buyers of `item` in the data. */
  buyersOf(item: number): number {
    return this.buyers[item]
  }

  /** Distinct buyers of `item` in the last `trendWindowDays` before the data's asOf. */
  recentBuyersOf(item: number): number {
    return this.recentBuyers[item]
  }

  private ownHistory(user: number, item: number): Reason | null {
    const { user: eu, item: ei, time } = this.data.events
    // Events are sorted by user, then item, then time: binary-search the user's run.
    let lo = lowerBound(eu, user, 0, eu.length)
    const hi = lowerBound(eu, user + 1, lo, eu.length)
    lo = lowerBoundItem(ei, item, lo, hi)
    const times: number[] = []
    for (let k = lo; k < hi && ei[k] === item; k++) times.push(time[k])
    if (!times.length) return null
    const orders = times.length
    if (orders === 1) return { code: "buy_again", params: { orders, every_days: null } }
    return { code: "buy_again", params: { orders, every_days: Math.round((times[orders - 1] - times[0]) / (orders - 1) / DAY_MS) } }
  }

  private becauseYouBought(user: number, item: number): Reason | null {
    const s = this.data.strength
    const t = this.byItem
    // Buyers of `item` marked in a typed array, then counted among the buyers of each of the
    // user's items. A Set here took 43% of a training run's CPU at 1.9M lines (the inner loop
    // runs over every buyer of every own item, for each of a list's ~150 items).
    if (this.stamp === 0x7fffffff) {
      this.mark.fill(0)
      this.stamp = 0
    }
    const stamp = ++this.stamp
    const mark = this.mark
    for (let p = t.indptr[item]; p < t.indptr[item + 1]; p++) mark[t.indices[p]] = stamp
    let best = -1
    let bestCount = 0
    for (let p = s.indptr[user]; p < s.indptr[user + 1]; p++) {
      const own = s.indices[p]
      let count = 0
      for (let q = t.indptr[own]; q < t.indptr[own + 1]; q++) {
        const other = t.indices[q]
        if (other !== user && mark[other] === stamp) count++
      }
      // Ties go to the lower item index, so explanations are deterministic.
      if (count > bestCount) {
        bestCount = count
        best = own
      }
    }
    if (best < 0) return null
    return { code: "because_you_bought", params: { item: best, co_buyers: bestCount } }
  }
}

function countRecentBuyers(data: Interactions, windowDays: number): Int32Array {
  const from = data.asOf - windowDays * DAY_MS
  const out = new Int32Array(data.nItems)
  const { user, item, time } = data.events
  // Count each (user, item) once: events of a pair are adjacent (sorted by user, then item).
  for (let k = 0; k < item.length; k++) {
    if (time[k] < from || time[k] >= data.asOf) continue
    let counted = false
    for (let j = k - 1; j >= 0 && user[j] === user[k] && item[j] === item[k]; j--) {
      if (time[j] >= from && time[j] < data.asOf) {
        counted = true
        break
      }
    }
    if (!counted) out[item[k]]++
  }
  return out
}

function lowerBound(a: Int32Array, value: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (a[mid] < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

const lowerBoundItem = lowerBound
