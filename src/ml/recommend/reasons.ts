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
  /** Per customer, bit k: they bought the k-th own item of the chunk being counted (0 between calls). */
  private readonly bits: Int32Array

  constructor(
    private readonly data: Interactions,
    readonly trendWindowDays = 30
  ) {
    this.byItem = transpose(data.strength)
    this.buyers = new Int32Array(data.nItems)
    for (let i = 0; i < data.nItems; i++) this.buyers[i] = this.byItem.indptr[i + 1] - this.byItem.indptr[i]
    this.recentBuyers = countRecentBuyers(data, trendWindowDays)
    this.bits = new Int32Array(data.nUsers)
  }

  explain(user: number | null, item: number): Reason {
    return this.explainAll(user, [item])[0]
  }

  /**
   * explain(user, i) for each of `items` (a list's), with the co-buyers of all of them counted
   * in one pass over the buyers of the user's own items, instead of one pass per item: with a
   * list of ~150 items that pass was most of a training run's CPU.
   */
  explainAll(user: number | null, items: ArrayLike<number>): Reason[] {
    const out: (Reason | null)[] = new Array(items.length).fill(null)
    if (user !== null && user >= 0 && user < this.data.nUsers) {
      const pending: number[] = []
      for (let x = 0; x < items.length; x++) {
        out[x] = this.ownHistory(user, items[x])
        if (!out[x]) pending.push(x)
      }
      if (pending.length) this.becauseYouBought(user, items, pending, out)
    }
    return out.map((r, x) => r ?? this.fallback(items[x]))
  }

  /** Distinct buyers of `item` in the data. */
  buyersOf(item: number): number {
    return this.buyers[item]
  }

  /** Distinct buyers of `item` in the last `trendWindowDays` before the data's asOf. */
  recentBuyersOf(item: number): number {
    return this.recentBuyers[item]
  }

  private fallback(item: number): Reason {
    const recent = this.recentBuyers[item]
    if (recent > 0) return { code: "trending", params: { recent_buyers: recent, window_days: this.trendWindowDays } }
    return { code: "popular", params: { buyers: this.buyers[item] } }
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

  /**
   * For items[x] of each x in `pending` (not the user's own): the own item that most of its
   * buyers also bought, ties to the lower item index. Own items go in chunks of 32: each marks
   * its bit on its buyers, then each pending item's buyers add up the bits they carry.
   * O(buyers of own items + buyers of the pending items x chunks) a list.
   */
  private becauseYouBought(user: number, items: ArrayLike<number>, pending: readonly number[], out: (Reason | null)[]): void {
    const s = this.data.strength
    const t = this.byItem
    const bits = this.bits
    const best = new Int32Array(pending.length).fill(-1)
    const bestCount = new Int32Array(pending.length)
    const counts = new Int32Array(32)
    for (let c0 = s.indptr[user]; c0 < s.indptr[user + 1]; c0 += 32) {
      const c1 = Math.min(s.indptr[user + 1], c0 + 32)
      for (let p = c0; p < c1; p++) {
        const own = s.indices[p]
        for (let q = t.indptr[own]; q < t.indptr[own + 1]; q++) if (t.indices[q] !== user) bits[t.indices[q]] |= 1 << (p - c0)
      }
      for (let x = 0; x < pending.length; x++) {
        const item = items[pending[x]]
        counts.fill(0)
        for (let q = t.indptr[item]; q < t.indptr[item + 1]; q++) {
          for (let m = bits[t.indices[q]]; m !== 0; m &= m - 1) counts[31 - Math.clz32(m & -m)]++
        }
        for (let k = 0; k < c1 - c0; k++) {
          if (counts[k] > bestCount[x]) {
            bestCount[x] = counts[k]
            best[x] = s.indices[c0 + k]
          }
        }
      }
      for (let p = c0; p < c1; p++) {
        const own = s.indices[p]
        for (let q = t.indptr[own]; q < t.indptr[own + 1]; q++) bits[t.indices[q]] = 0
      }
    }
    for (let x = 0; x < pending.length; x++) {
      if (best[x] >= 0) out[pending[x]] = { code: "because_you_bought", params: { item: best[x], co_buyers: bestCount[x] } }
    }
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
