/**
 * Reads what an order counts for from Medusa's own order tables (read only), inside the
 * caller's transaction, so that the read happens under the same locks as the write.
 *
 * Spend of a line = (unit price x quantity - discounts), both without tax, scaled by the
 * share of units not returned (quantity - return_received_quantity) / quantity, rounded to
 * 4 decimals. An order's spend is the sum over its lines; shipping and tax never count.
 * Only the current order version counts (order_item and adjustments joined on version).
 *
 * Promotions of an order: those linked to it (`order_promotion`, made when a cart with the
 * promotion completes) and those of its line adjustments; its discount total is the sum of the
 * line adjustments without tax (what the promotions took off the lines, before any return).
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
  /** Ids of the promotions the order used, sorted. */
  promotion_ids: string[]
  /** Discount of the line adjustments without tax, as a decimal string. */
  discount_total: string
  lines: OrderLineSnapshot[]
}

type Row = Omit<OrderSnapshot, "lines" | "item_quantity"> & {
  item_quantity: string | number
  lines: OrderLineSnapshot[]
}

/**
 * Orders that exist, are not drafts, and belong to a customer that is not deleted.
 * An id that is not returned no longer counts for anything.
 */
/**
 * Ids of Medusa orders after `afterId` in id order (drafts and orders of deleted customers
 * included: the caller reads them with readOrderSnapshots, which leaves those out). A keyset
 * page over the order primary key.
 */
export async function pageOrderIds(em: SqlEntityManager, afterId: string, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await em.execute(`SELECT id FROM "order" WHERE id > ? ORDER BY id LIMIT ?`, [
    afterId,
    limit,
  ])
  return rows.map((r) => r.id)
}

export async function readOrderSnapshots(
  em: SqlEntityManager,
  orderIds: string[],
  { mergeGuestOrders }: { mergeGuestOrders: boolean }
): Promise<OrderSnapshot[]> {
  if (!orderIds.length) {
    return []
  }

  const rows: Row[] = await em.execute(
    `
    WITH picked AS (
      SELECT o.id, o.customer_id, o.status::text AS status, o.currency_code, o.created_at,
             o.version, c.has_account, c.email
      FROM "order" o
      JOIN customer c ON c.id = o.customer_id AND c.deleted_at IS NULL
      WHERE o.id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))
        AND o.deleted_at IS NULL AND NOT o.is_draft_order AND o.status <> 'draft'
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
    )
    -- Per order, then per line, through index lookups only: linear in lines whatever the
    -- planner's row estimates (a join over CTEs went quadratic on freshly loaded tables).
    SELECT p.id, p.effective_customer_id AS customer_id, p.customer_id AS source_customer_id,
           p.created_at AS placed_at, LOWER(p.currency_code) AS currency_code, p.status, p.version,
           COALESCE(agg.amount, 0)::text AS amount,
           COALESCE(agg.item_quantity, 0) AS item_quantity,
           COALESCE(agg.lines, '[]'::jsonb) AS lines,
           COALESCE(agg.discount_total, 0)::text AS discount_total,
           ARRAY(
             SELECT op.promotion_id FROM order_promotion op WHERE op.order_id = p.id AND op.deleted_at IS NULL
             UNION
             SELECT a.promotion_id FROM order_item oi
             JOIN order_line_item_adjustment a ON a.item_id = oi.item_id AND a.version = oi.version AND a.deleted_at IS NULL
             WHERE oi.order_id = p.id AND oi.version = p.version AND oi.deleted_at IS NULL AND a.promotion_id IS NOT NULL
             ORDER BY 1
           ) AS promotion_ids
    FROM owner p
    LEFT JOIN LATERAL (
      SELECT SUM(l.amount) AS amount, SUM(l.quantity) AS item_quantity, ROUND(SUM(l.discount), 4) AS discount_total,
             jsonb_agg(jsonb_build_object('id', l.id, 'product_id', l.product_id,
                                          'quantity', l.quantity, 'amount', l.amount::text)) AS lines
      FROM (
        SELECT li.id,
               CASE WHEN pr.id IS NOT NULL THEN li.product_id END AS product_id,
               oi.quantity - oi.return_received_quantity AS quantity,
               CASE WHEN oi.quantity > 0 THEN ROUND(
                 (COALESCE(oi.unit_price, li.unit_price) * oi.quantity
                    / CASE WHEN li.is_tax_inclusive THEN 1 + tax.rate / 100 ELSE 1 END
                  - discount.amount)
                 * (oi.quantity - oi.return_received_quantity) / oi.quantity, 4)
               ELSE 0 END AS amount,
               discount.amount AS discount
        FROM order_item oi
        JOIN order_line_item li ON li.id = oi.item_id AND li.deleted_at IS NULL
        LEFT JOIN product pr ON pr.id = li.product_id AND pr.deleted_at IS NULL
        CROSS JOIN LATERAL (
          SELECT COALESCE(SUM(t.rate), 0) AS rate
          FROM order_line_item_tax_line t WHERE t.item_id = li.id AND t.deleted_at IS NULL
        ) tax
        CROSS JOIN LATERAL (
          SELECT COALESCE(SUM(CASE WHEN a.is_tax_inclusive THEN a.amount / (1 + tax.rate / 100)
                                   ELSE a.amount END), 0) AS amount
          FROM order_line_item_adjustment a
          WHERE a.item_id = li.id AND a.version = oi.version AND a.deleted_at IS NULL
        ) discount
        WHERE oi.order_id = p.id AND oi.version = p.version AND oi.deleted_at IS NULL
      ) l
    ) agg ON true
    ORDER BY p.id
    `,
    [JSON.stringify(orderIds), mergeGuestOrders]
  )

  return rows.map((row) => ({
    ...row,
    placed_at: new Date(row.placed_at),
    item_quantity: Number(row.item_quantity),
    lines: row.lines.map((line) => ({ ...line, quantity: Number(line.quantity) })),
  }))
}
