/**
 * What the module is told about an order: its public input type. The module never reads
 * Medusa's tables; a caller reads the order (src/lib/medusa-2x/order-snapshots.ts for Medusa
 * 2.x, or any other source) and hands over these snapshots with the time of the read.
 */

export type OrderLineSnapshot = {
  /** Order line item id. */
  id: string
  /** null when the line has no product or the product is (soft-)deleted. */
  product_id: string | null
  /** Units bought less units received back. */
  quantity: number
  /** Spend of the line in the order currency, without tax, after discounts and returns, as a decimal string. */
  amount: string
}

export type OrderSnapshot = {
  id: string
  /** The customer the order counts for (after merging guest orders, when enabled). */
  customer_id: string
  /** The order's own customer. */
  source_customer_id: string
  placed_at: Date
  /** Lower-case ISO code. */
  currency_code: string
  status: string
  version: number
  /** Sum of the lines' amounts, as a decimal string. */
  amount: string
  item_quantity: number
  /** Ids of the promotions the order used, sorted. */
  promotion_ids: string[]
  /** Discount of the line adjustments without tax, as a decimal string. */
  discount_total: string
  lines: OrderLineSnapshot[]
}

/**
 * One read of orders: the snapshots of the ids that exist and count (an id of `orderIds`
 * without a snapshot is absent: it no longer counts for anything), and the source's clock at
 * the read, which orders the applies of reads that race each other.
 */
export type OrderSnapshotRead = {
  orderIds: string[]
  snapshots: OrderSnapshot[]
  /** An ISO 8601 time; as a string it keeps PostgreSQL's microseconds (a Date keeps milliseconds). */
  readAt: Date | string
}
