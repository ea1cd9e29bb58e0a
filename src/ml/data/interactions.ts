import { type CsrMatrix, csrFromTriples } from "./csr"
import type { IdIndex } from "./id-index"
import type { PurchaseLine } from "./purchase-line"

/**
 * One entry per distinct (user, item, order): the unit "interaction strength" counts, kept
 * with its time so that recency-aware models can weight purchases by age. Sorted by user,
 * then item, then time.
 */
export interface PurchaseEvents {
  readonly user: Int32Array
  readonly item: Int32Array
  /** Earliest line time of the item in that order, ms since the epoch. */
  readonly time: Float64Array
}

/** What every recommender is fitted on. */
export interface Interactions {
  readonly nUsers: number
  readonly nItems: number
  /** users x items; value = number of distinct orders in which the user bought the item. */
  readonly strength: CsrMatrix
  readonly events: PurchaseEvents
  /** The moment the data describes (ms; e.g. the split cutoff): ages are measured back from it. */
  readonly asOf: number
}

/**
 * Interactions of `lines` over the given user and item indices (lines whose customer or
 * product is not indexed are skipped). `asOf` is the reference time for recency, in ms.
 */
export function interactionsFromLines(
  lines: readonly PurchaseLine[],
  users: IdIndex,
  items: IdIndex,
  asOf: number
): Interactions {
  const u: number[] = []
  const it: number[] = []
  const ord: number[] = []
  const tm: number[] = []
  const orderIds = new Map<string, number>()
  for (const line of lines) {
    const ui = users.indexOf(line.customerId)
    const ii = items.indexOf(line.productId)
    if (ui < 0 || ii < 0) continue
    let o = orderIds.get(line.orderId)
    if (o === undefined) {
      o = orderIds.size
      orderIds.set(line.orderId, o)
    }
    u.push(ui)
    it.push(ii)
    ord.push(o)
    tm.push(line.time)
  }
  const idx = Array.from({ length: u.length }, (_, k) => k)
  idx.sort((a, b) => u[a] - u[b] || it[a] - it[b] || ord[a] - ord[b] || tm[a] - tm[b])
  // After the sort the first line of each (user, item, order) run carries its earliest time.
  const eu: number[] = []
  const ei: number[] = []
  const et: number[] = []
  for (let k = 0; k < idx.length; k++) {
    const a = idx[k]
    if (k > 0) {
      const b = idx[k - 1]
      if (u[a] === u[b] && it[a] === it[b] && ord[a] === ord[b]) continue
    }
    eu.push(u[a])
    ei.push(it[a])
    et.push(tm[a])
  }
  const eidx = Array.from({ length: eu.length }, (_, k) => k)
  eidx.sort((a, b) => eu[a] - eu[b] || ei[a] - ei[b] || et[a] - et[b])
  const events: PurchaseEvents = {
    user: Int32Array.from(eidx, (k) => eu[k]),
    item: Int32Array.from(eidx, (k) => ei[k]),
    time: Float64Array.from(eidx, (k) => et[k]),
  }
  const strength = csrFromTriples(users.size, items.size, events.user, events.item)
  return { nUsers: users.size, nItems: items.size, strength, events, asOf }
}
