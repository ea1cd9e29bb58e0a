import type { PurchaseLine } from "../../data/purchase-line"

export const DAY = 86_400_000
/** The cutoff every tiny fixture is measured from: 2011-06-01 00:00 UTC. */
export const T = Date.UTC(2011, 5, 1)

/** A purchase line `daysBefore` days (fractional allowed) before T; negative = after T. */
export function line(customerId: string, orderId: string, productId: string, amount: number, daysBefore: number): PurchaseLine {
  return { orderId, customerId, productId, quantity: 1, amount, time: T - daysBefore * DAY }
}
