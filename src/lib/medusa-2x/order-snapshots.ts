/**
 * The bulk reader of Medusa 2.x's order tables (read only), for the purchase-features module,
 * which never reads them itself: it takes the OrderSnapshot[] this returns. Tied to the 2.x
 * schema ("order", order_item, order_line_item, its tax lines and adjustments,
 * order_promotion, customer, product); a schema change of Medusa's Order module is handled here
 * and nowhere else. Tested against a booted app (integration-tests/http/order-snapshots.spec.ts).
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
import type { OrderLineSnapshot, OrderSnapshot, OrderSnapshotRead } from "../../modules/purchase-features/snapshot"
import { withoutJit, type Pg } from "./pg"

/**
 * Ids of Medusa orders after `afterId` in id order (drafts and orders of deleted customers
 * included: readOrderSnapshots leaves those out, so they are absent). A keyset page over the
 * order primary key.
 */
export async function pageOrderIds(pg: Pg, afterId: string, limit: number): Promise<string[]> {
  const { rows } = await pg.raw(`SELECT id FROM "order" WHERE id > ? ORDER BY id LIMIT ?`, [afterId, limit])
  return rows.map((r: { id: string }) => r.id)
}

/** Orders a rebuild will read: not deleted, not drafts, with a live customer. */
export async function countSourceOrders(pg: Pg): Promise<number> {
  const { rows } = await pg.raw(
    `SELECT COUNT(*)::int AS n FROM "order" o
     JOIN customer c ON c.id = o.customer_id AND c.deleted_at IS NULL
     WHERE o.deleted_at IS NULL AND NOT o.is_draft_order AND o.status <> 'draft'`
  )
  return rows[0].n
}

/**
 * Ids of the Medusa orders whose snapshot may differ from one read before `since`, in id order:
 * a row that readOrderSnapshots reads was written at or after `since` (Medusa's models set
 * `updated_at` on every write, a soft delete included): the order itself, its summary (every
 * order change writes one, even one that does not bump the version), its items, line items,
 * their tax lines and adjustments, its promotions; its customer, or a registered customer
 * sharing a guest order's email (guest merging); a product of its lines deleted. Not caught: a
 * product restored after its deletion, and any write that bypasses Medusa's models (raw SQL);
 * a full rebuild reads those. Every table is scanned once (none has an index on `updated_at`).
 */
export async function listOrderIdsChangedSince(pg: Pg, since: Date): Promise<string[]> {
  const { rows } = await pg.raw(
    `
    WITH since AS (SELECT ?::timestamptz AS at),
    changed_items AS (
      SELECT li.id AS item_id FROM order_line_item li, since WHERE li.updated_at >= since.at
      UNION SELECT t.item_id FROM order_line_item_tax_line t, since WHERE t.updated_at >= since.at
      UNION SELECT a.item_id FROM order_line_item_adjustment a, since WHERE a.updated_at >= since.at
      UNION SELECT li.id FROM product p JOIN order_line_item li ON li.product_id = p.id, since
        WHERE p.deleted_at >= since.at
    ),
    changed_customers AS (
      SELECT c.id FROM customer c, since WHERE c.updated_at >= since.at
      UNION SELECT g.id FROM customer c JOIN customer g ON g.email = c.email AND NOT g.has_account, since
        WHERE c.updated_at >= since.at AND c.has_account
    )
    SELECT o.id FROM "order" o, since WHERE o.updated_at >= since.at
    UNION SELECT s.order_id FROM order_summary s, since WHERE s.updated_at >= since.at
    UNION SELECT oi.order_id FROM order_item oi, since WHERE oi.updated_at >= since.at
    UNION SELECT oi.order_id FROM order_item oi JOIN changed_items ci ON ci.item_id = oi.item_id
    UNION SELECT op.order_id FROM order_promotion op, since WHERE op.updated_at >= since.at
    UNION SELECT o.id FROM "order" o JOIN changed_customers cc ON cc.id = o.customer_id
    ORDER BY 1
    `,
    [since.toISOString()]
  )
  return rows.map((r: { id: string }) => r.id)
}

/** The read's time as ISO 8601 text with microseconds (a JS Date would cut them to milliseconds). */
const READ_AT = `to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

type Row = Omit<OrderSnapshot, "lines" | "item_quantity"> & {
  read_at: string
  item_quantity: string | number
  lines: OrderLineSnapshot[]
}

/**
 * Snapshots of the orders among `orderIds` that exist, are not drafts and belong to a live
 * customer, in id order, and `readAt`: statement_timestamp() of the one statement that read
 * them (the database clock, so that reads by different processes compare). An id without a
 * snapshot is absent as of `readAt`.
 */
export async function readOrderSnapshots(
  pg: Pg,
  orderIds: string[],
  { mergeGuestOrders }: { mergeGuestOrders: boolean }
): Promise<OrderSnapshotRead & { readAt: string }> {
  if (!orderIds.length) {
    const { rows } = await pg.raw(`SELECT ${READ_AT} AS read_at`)
    return { orderIds, snapshots: [], readAt: rows[0].read_at }
  }

  const { rows }: { rows: Row[] } = await withoutJit(pg, (trx) => trx.raw(
    `
    -- The clock row is joined to the orders so that a read of only absent ids still says when it was.
    SELECT ${READ_AT} AS read_at, q.* FROM (SELECT 1) clock LEFT JOIN LATERAL (
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
                                          'quantity', l.quantity, 'amount', l.amount::text) ORDER BY l.id) AS lines
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
    ) q ON true
    ORDER BY q.id
    `,
    [JSON.stringify(orderIds), mergeGuestOrders]
  ))

  const readAt = rows[0].read_at as unknown as string
  const snapshots = rows
    .filter((row) => row.id != null)
    .map(({ read_at: _readAt, ...row }) => ({
      ...row,
      placed_at: new Date(row.placed_at),
      item_quantity: Number(row.item_quantity),
      lines: row.lines.map((line) => ({ ...line, quantity: Number(line.quantity) })),
    }))
  return { orderIds, snapshots, readAt }
}
