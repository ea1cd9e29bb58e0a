/**
 * Reads what an order counts for from Medusa's own order tables (read only), inside the
 * caller's transaction, so that the read happens under the same locks as the write.
 *
 * Spend of a line = (unit price x quantity - discounts), both without tax, scaled by the
 * share of units not returned (quantity - return_received_quantity) / quantity, rounded to
 * 4 decimals. An order's spend is the sum over its lines; shipping and tax never count.
 * Only the current order version counts (order_item and adjustments joined on version).
 */
import type { SqlEntityManager } from "@medusajs/framework/mikro-orm/knex"

export type OrderLineSnapshot = {
  /** Medusa order line item id. */
  id: string
  /** null when the line has no product or the product is (soft-)deleted. */
  product_id: string | null
  /** Units bought less units received back. */
  quantity: number
  /** Spend of the line in the order currency, as a decimal string. */
  amount: string
}

export type OrderSnapshot = {
  id: string
  /** The customer the order counts for (after merging guest orders, when enabled). */
  customer_id: string
  source_customer_id: string
  placed_at: Date
  currency_code: string
  status: string
  version: number
  amount: string
  item_quantity: number
  lines: OrderLineSnapshot[]
}

export type OrderSelection =
  | { orderIds: string[] }
  /** Keyset page: orders with id > afterId, in id order. */
  | { afterId: string; limit: number }

type Row = Omit<OrderSnapshot, "lines" | "item_quantity"> & {
  item_quantity: string | number
  lines: OrderLineSnapshot[]
}

/**
 * Orders that exist, are not drafts, and belong to a customer that is not deleted.
 * An id that is not returned no longer counts for anything.
 */
export async function readOrderSnapshots(
  em: SqlEntityManager,
  selection: OrderSelection,
  { mergeGuestOrders }: { mergeGuestOrders: boolean }
): Promise<OrderSnapshot[]> {
  const byIds = "orderIds" in selection
  const where = byIds
    ? `o.id IN (SELECT value FROM jsonb_array_elements_text(?::jsonb))`
    : `o.id > ?`
  const page = byIds ? "" : "ORDER BY o.id LIMIT ?"
  const params: unknown[] = byIds
    ? [JSON.stringify(selection.orderIds)]
    : [selection.afterId, selection.limit]

  const rows: Row[] = await em.execute(
    `
    WITH picked AS (
      SELECT o.id, o.customer_id, o.status::text AS status, o.currency_code, o.created_at,
             o.version, c.has_account, c.email
      FROM "order" o
      JOIN customer c ON c.id = o.customer_id AND c.deleted_at IS NULL
      WHERE ${where}
        AND o.deleted_at IS NULL AND NOT o.is_draft_order AND o.status <> 'draft'
      ${page}
    ),
    owner AS (
      SELECT p.*, COALESCE(reg.id, p.customer_id) AS effective_customer_id
      FROM picked p
      LEFT JOIN LATERAL (
        SELECT r.id FROM customer r
        WHERE ?::boolean AND NOT p.has_account AND p.email IS NOT NULL
          AND r.email = p.email AND r.has_account AND r.deleted_at IS NULL
        ORDER BY r.created_at, r.id
        LIMIT 1
      ) reg ON true
    ),
    items AS (
      SELECT oi.order_id, oi.version, li.id, li.is_tax_inclusive,
             COALESCE(oi.unit_price, li.unit_price) AS unit_price,
             oi.quantity, oi.return_received_quantity,
             CASE WHEN pr.id IS NOT NULL THEN li.product_id END AS product_id
      FROM owner p
      JOIN order_item oi ON oi.order_id = p.id AND oi.version = p.version AND oi.deleted_at IS NULL
      JOIN order_line_item li ON li.id = oi.item_id AND li.deleted_at IS NULL
      LEFT JOIN product pr ON pr.id = li.product_id AND pr.deleted_at IS NULL
    ),
    tax AS (
      SELECT t.item_id, SUM(t.rate) AS rate
      FROM order_line_item_tax_line t JOIN items i ON i.id = t.item_id
      WHERE t.deleted_at IS NULL
      GROUP BY t.item_id
    ),
    discount AS (
      SELECT a.item_id,
             SUM(CASE WHEN a.is_tax_inclusive THEN a.amount / (1 + COALESCE(tax.rate, 0) / 100)
                      ELSE a.amount END) AS amount
      FROM order_line_item_adjustment a
      JOIN items i ON i.id = a.item_id AND a.version = i.version
      LEFT JOIN tax ON tax.item_id = a.item_id
      WHERE a.deleted_at IS NULL
      GROUP BY a.item_id
    ),
    lines AS (
      SELECT i.order_id, i.id, i.product_id,
             i.quantity - i.return_received_quantity AS quantity,
             CASE WHEN i.quantity > 0 THEN ROUND(
               (CASE WHEN i.is_tax_inclusive THEN i.unit_price * i.quantity / (1 + COALESCE(tax.rate, 0) / 100)
                     ELSE i.unit_price * i.quantity END - COALESCE(discount.amount, 0))
               * (i.quantity - i.return_received_quantity) / i.quantity, 4)
             ELSE 0 END AS amount
      FROM items i
      LEFT JOIN tax ON tax.item_id = i.id
      LEFT JOIN discount ON discount.item_id = i.id
    )
    SELECT p.id, p.effective_customer_id AS customer_id, p.customer_id AS source_customer_id,
           p.created_at AS placed_at, LOWER(p.currency_code) AS currency_code, p.status, p.version,
           COALESCE(SUM(l.amount), 0)::text AS amount,
           COALESCE(SUM(l.quantity), 0) AS item_quantity,
           COALESCE(
             jsonb_agg(jsonb_build_object('id', l.id, 'product_id', l.product_id,
                                          'quantity', l.quantity, 'amount', l.amount::text))
               FILTER (WHERE l.id IS NOT NULL),
             '[]'::jsonb) AS lines
    FROM owner p
    LEFT JOIN lines l ON l.order_id = p.id
    GROUP BY p.id, p.effective_customer_id, p.customer_id, p.created_at, p.currency_code, p.status, p.version
    ORDER BY p.id
    `,
    [...params, mergeGuestOrders]
  )

  return rows.map((row) => ({
    ...row,
    placed_at: new Date(row.placed_at),
    item_quantity: Number(row.item_quantity),
    lines: row.lines.map((line) => ({ ...line, quantity: Number(line.quantity) })),
  }))
}
