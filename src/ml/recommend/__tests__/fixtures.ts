import { IdIndex } from "../../data/id-index"
import { type Interactions, interactionsFromLines } from "../../data/interactions"
import type { PurchaseLine } from "../../data/purchase-line"

const DAY = 86_400_000
export const AS_OF = Date.UTC(2011, 5, 1)

/** Interactions from (user, item, days before AS_OF) triples, one order per triple. */
export function interactions(nUsers: number, nItems: number, buys: [number, number, number?][]): Interactions {
  const lines: PurchaseLine[] = buys.map(([u, i, age = 1], k) => ({
    orderId: `o${k}`,
    customerId: `u${String(u).padStart(3, "0")}`,
    productId: `p${String(i).padStart(3, "0")}`,
    quantity: 1,
    amount: 1,
    time: AS_OF - age * DAY,
  }))
  const users = IdIndex.fromIds(Array.from({ length: nUsers }, (_, u) => `u${String(u).padStart(3, "0")}`))
  const items = IdIndex.fromIds(Array.from({ length: nItems }, (_, i) => `p${String(i).padStart(3, "0")}`))
  return interactionsFromLines(lines, users, items, AS_OF)
}

/**
 * Checkerboard: even users buy only even items, odd users only odd items, two of the three of
 * their parity each (user u misses item (u mod 6 + 4) mod 6 of its parity class, cyclically), so
 * the item-item structure is two disconnected blocks with a known "missing" item per user.
 */
export function checkerboard(): { data: Interactions; missing: number[] } {
  const buys: [number, number][] = []
  const missing: number[] = []
  for (let u = 0; u < 6; u++) {
    const parity = u % 2
    const own = [0, 2, 4].map((k) => k + parity)
    const miss = own[Math.floor(u / 2)]
    missing.push(miss)
    for (const i of own) if (i !== miss) buys.push([u, i])
  }
  return { data: interactions(6, 6, buys), missing }
}
