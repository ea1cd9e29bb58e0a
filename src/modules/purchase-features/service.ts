import type { Context } from "@medusajs/framework/types"
import type { SqlEntityManager } from "@medusajs/framework/mikro-orm/knex"
import {
  InjectManager,
  InjectTransactionManager,
  MedusaContext,
  MedusaError,
  MedusaService,
} from "@medusajs/framework/utils"
import { parsePersonalizationOptions, type PersonalizationOptions } from "../../options"
import { CustomerFeatures, CustomerProduct, LedgerOrder, LedgerOrderLine, RebuildRun, Tombstone } from "./models"
import type { PurchaseLine } from "../../ml/data/purchase-line"
import { createHash } from "node:crypto"
import { executeBound } from "../../lib/execute-bound"
import type { OrderSnapshot, OrderSnapshotRead } from "./snapshot"

export type { OrderLineSnapshot, OrderSnapshot, OrderSnapshotRead } from "./snapshot"

/** First key of the two-key advisory locks this module takes ("pz" + kind). */
const LOCK_CLASS = { order: 0x707a_0001, customer: 0x707a_0002, global: 0x707a_0000 } as const
/**
 * Above this many orders a transaction takes the module-wide lock exclusively instead of one
 * lock per order and customer: advisory locks share the server's lock table
 * (max_locks_per_transaction x max_connections slots, 6,400 by default).
 */
const MAX_KEYED_ORDERS = 50

export type SyncResult = {
  /** Order snapshots written to the ledger. */
  synced: number
  /** Ledger orders removed because they no longer exist or no longer belong to a live customer. */
  removed: number
  /** Customers whose aggregates were recomputed. */
  customers: number
  /** Snapshots and absent ids left out because the ledger holds a newer read, or their order or customer was removed after the read. */
  stale: number
  /** Snapshots whose ledger row already holds the same content (same fingerprint): nothing written. */
  unchanged: number
}

/** What every apply needs besides the read: money features count orders in `currency` (default: the currencyCode option). */
export type ApplyOptions = { currency?: string }

export type CustomerFeaturesAsOf = {
  customer_id: string
  /** Whole days from the last order before as_of to as_of. */
  recency_days: number
  /** Whole days from the first order to as_of. */
  tenure_days: number
  order_count: number
  money_order_count: number
  total_spend: number
  average_order_value: number
  orders_30d: number
  orders_90d: number
  orders_365d: number
  spend_90d: number
  /** Mean days between consecutive orders; null with fewer than two orders. */
  mean_interval_days: number | null
  distinct_products: number
}

const json = (value: unknown) => JSON.stringify(value)

/**
 * Hash of everything a snapshot writes (and whether its status counts, which depends on an
 * option): equal fingerprints mean the ledger row, its lines and every aggregate they feed are
 * already what this snapshot would make them, so a warm rebuild skips the order entirely.
 */
export function snapshotFingerprint(s: OrderSnapshot, counted: boolean): string {
  const lines = [...s.lines].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((l) => [l.id, l.product_id, l.quantity, l.amount])
  return createHash("md5")
    .update(
      json([
        s.customer_id,
        s.source_customer_id,
        new Date(s.placed_at).toISOString(),
        s.currency_code,
        s.status,
        counted,
        s.version,
        s.amount,
        s.item_quantity,
        [...s.promotion_ids].sort(),
        s.discount_total,
        lines,
      ])
    )
    .digest("base64")
}
const unique = <T>(values: Iterable<T>) => [...new Set(values)]

/**
 * Writes the pair aggregates of `agg` (customer_id, product_id, order_count, quantity, first_at,
 * last_at) over their rows; an unchanged row is not rewritten. The body of a CTE.
 */
const UPSERT_CUSTOMER_PRODUCTS = `
  INSERT INTO personalization_customer_product AS cp0
    (id, customer_id, product_id, order_count, quantity, first_purchased_at, last_purchased_at)
  SELECT customer_id || ':' || product_id, customer_id, product_id, order_count, quantity, first_at, last_at
  FROM agg
  ON CONFLICT (id) DO UPDATE SET
    order_count = EXCLUDED.order_count, quantity = EXCLUDED.quantity,
    first_purchased_at = EXCLUDED.first_purchased_at,
    last_purchased_at = EXCLUDED.last_purchased_at, updated_at = now()
  WHERE (cp0.order_count, cp0.quantity, cp0.first_purchased_at, cp0.last_purchased_at)
    IS DISTINCT FROM (EXCLUDED.order_count, EXCLUDED.quantity, EXCLUDED.first_purchased_at, EXCLUDED.last_purchased_at)
  RETURNING id`

/** A customer's aggregates over counted ledger orders `o` (two placeholders: the store currency, twice). */
const CUSTOMER_ORDER_AGGREGATES = `
  MIN(o.placed_at) AS first_at, MAX(o.placed_at) AS last_at,
  COUNT(*)::int AS order_count,
  (COUNT(*) FILTER (WHERE o.currency_code = ?))::int AS money_order_count,
  COALESCE(SUM(o.amount) FILTER (WHERE o.currency_code = ?), 0) AS total_spend,
  COALESCE(SUM(o.item_quantity), 0)::int AS item_quantity`

/**
 * Two CTEs, `computed` and `upserted`, that write the customer aggregates of `agg` (customer_id,
 * the CUSTOMER_ORDER_AGGREGATES columns, distinct_products) over their rows; an unchanged row is
 * not rewritten. One placeholder: the store currency.
 */
const UPSERT_CUSTOMER_FEATURES = `
       computed AS (
         SELECT agg.*,
                CASE WHEN money_order_count > 0 THEN ROUND(total_spend / money_order_count, 4) ELSE 0 END AS aov
         FROM agg
       ),
       upserted AS (
         INSERT INTO personalization_customer_features AS f0
           (customer_id, first_order_at, last_order_at, order_count, money_order_count, total_spend,
            raw_total_spend, average_order_value, raw_average_order_value, currency_code,
            item_quantity, distinct_products)
         SELECT customer_id, first_at, last_at, order_count, money_order_count, total_spend,
                jsonb_build_object('value', total_spend::text, 'precision', 20), aov,
                jsonb_build_object('value', aov::text, 'precision', 20), ?, item_quantity, distinct_products
         FROM computed
         ON CONFLICT (customer_id) DO UPDATE SET
           first_order_at = EXCLUDED.first_order_at, last_order_at = EXCLUDED.last_order_at,
           order_count = EXCLUDED.order_count, money_order_count = EXCLUDED.money_order_count,
           total_spend = EXCLUDED.total_spend, raw_total_spend = EXCLUDED.raw_total_spend,
           average_order_value = EXCLUDED.average_order_value,
           raw_average_order_value = EXCLUDED.raw_average_order_value,
           currency_code = EXCLUDED.currency_code, item_quantity = EXCLUDED.item_quantity,
           distinct_products = EXCLUDED.distinct_products, updated_at = now()
         -- An unchanged row is not rewritten (no dead tuple, updated_at keeps its meaning).
         WHERE (f0.first_order_at, f0.last_order_at, f0.order_count, f0.money_order_count, f0.total_spend,
                f0.average_order_value, f0.currency_code, f0.item_quantity, f0.distinct_products)
           IS DISTINCT FROM
               (EXCLUDED.first_order_at, EXCLUDED.last_order_at, EXCLUDED.order_count, EXCLUDED.money_order_count,
                EXCLUDED.total_spend, EXCLUDED.average_order_value, EXCLUDED.currency_code,
                EXCLUDED.item_quantity, EXCLUDED.distinct_products)
         RETURNING customer_id
       )`

class PurchaseFeaturesService extends MedusaService({
  LedgerOrder,
  LedgerOrderLine,
  CustomerFeatures,
  CustomerProduct,
  RebuildRun,
  Tombstone,
}) {
  protected readonly options_: PersonalizationOptions

  constructor(container: Record<string, unknown>, options: unknown) {
    // eslint-disable-next-line prefer-rest-params
    super(...arguments)
    this.options_ = parsePersonalizationOptions(options)
  }

  get options(): PersonalizationOptions {
    return this.options_
  }

  /**
   * Brings the ledger and every aggregate in line with one read of orders: each snapshot
   * replaces its order's ledger row, each id of `read.orderIds` without a snapshot is removed,
   * then the interaction rows and customer aggregates they touch are recomputed. The read
   * happened before this transaction, so its order is guarded by `read.readAt`: an order whose
   * ledger row comes from a later read is left as it is, and so is a snapshot of a purged
   * customer or of an order a later read found gone (see the Tombstone model).
   * Idempotent: applying the same read twice leaves the same rows.
   */
  @InjectTransactionManager()
  async applyOrderSnapshots(
    read: OrderSnapshotRead,
    { currency }: ApplyOptions = {},
    @MedusaContext() sharedContext: Context = {}
  ): Promise<SyncResult> {
    const ids = unique([...read.orderIds, ...read.snapshots.map((s) => s.id)])
    if (!ids.length) {
      return { synced: 0, removed: 0, customers: 0, stale: 0, unchanged: 0 }
    }
    const em = this.em_(sharedContext)
    await this.withoutJit_(em)
    const exclusive = ids.length > MAX_KEYED_ORDERS
    if (exclusive) {
      await this.lockAll_(em)
    } else {
      await this.lockKeys_(em, "order", ids)
    }
    return this.apply_(em, { ...read, orderIds: ids }, { exclusive, currency: this.currency_(currency) })
  }

  /**
   * One page of a rebuild: `read` holds the source's orders after `afterId` up to `lastId`
   * (null: to the end) in id order; every ledger order in that id range without a snapshot is
   * removed as well (the source no longer has it). One transaction under the exclusive lock.
   */
  @InjectTransactionManager()
  async applyOrderPage(
    { read, afterId, lastId }: { read: OrderSnapshotRead; afterId: string; lastId: string | null },
    { currency, deferAggregates = false }: ApplyOptions & {
      /**
       * Write only the ledger (orders and lines) and leave the customer and pair aggregates to
       * recomputeAggregatesInRange, once per rebuild instead of once per page (a bulk rebuild).
       */
      deferAggregates?: boolean
    } = {},
    @MedusaContext() sharedContext: Context = {}
  ): Promise<SyncResult> {
    const em = this.em_(sharedContext)
    await this.withoutJit_(em)
    await this.lockAll_(em)
    const ledger: { id: string }[] = await executeBound(em, 
      `SELECT id FROM personalization_order WHERE id > ? ${lastId ? "AND id <= ?" : ""}`,
      lastId ? [afterId, lastId] : [afterId]
    )
    const ids = unique([...read.orderIds, ...ledger.map((r) => r.id)])
    return this.apply_(em, { ...read, orderIds: ids }, { exclusive: true, currency: this.currency_(currency), deferAggregates })
  }

  /** Orders the ledger holds (counted or not). */
  @InjectManager()
  async countLedgerOrders(@MedusaContext() sharedContext: Context = {}): Promise<number> {
    const [row]: { n: number }[] = await executeBound(this.em_(sharedContext), `SELECT COUNT(*)::int AS n FROM personalization_order`)
    return row.n
  }

  /** Distinct customers of the ledger's orders. */
  @InjectManager()
  async countLedgerCustomers(@MedusaContext() sharedContext: Context = {}): Promise<number> {
    const [row]: { n: number }[] = await executeBound(this.em_(sharedContext), 
      `SELECT COUNT(DISTINCT customer_id)::int AS n FROM personalization_order`
    )
    return row.n
  }

  /**
   * The `count`-th customer id after `after` among the ledger's customers, in id order: the
   * upper end of the next range of recomputeAggregatesInRange; null when fewer are left (the
   * last range is open-ended, so it also takes aggregates whose customer has no order left).
   */
  @InjectManager()
  async nextCustomerBound(after: string, count: number, @MedusaContext() sharedContext: Context = {}): Promise<string | null> {
    const rows: { customer_id: string }[] = await executeBound(this.em_(sharedContext), 
      `SELECT customer_id FROM personalization_order WHERE customer_id > ?
       GROUP BY customer_id ORDER BY customer_id OFFSET ? LIMIT 1`,
      [after, count - 1]
    )
    return rows[0]?.customer_id ?? null
  }

  /**
   * Recomputes every pair and customer aggregate of the customers in (after, through] (through
   * null: to the end) from the ledger, set-based: one GROUP BY over the range's lines and one
   * over its orders, instead of one index lookup per pair and customer. Rows that changed are
   * upserted, rows without a basis left are deleted, unchanged rows are not written. One
   * transaction under the exclusive module lock, so keyed writers wait for at most one range.
   * Gives exactly the rows the per-key recompute of an apply gives (the rebuild tests compare).
   */
  @InjectTransactionManager()
  async recomputeAggregatesInRange(
    { after, through }: { after: string; through: string | null },
    { currency }: ApplyOptions = {},
    @MedusaContext() sharedContext: Context = {}
  ): Promise<void> {
    const em = this.em_(sharedContext)
    await this.lockAll_(em)
    const range = (column: string) => ({
      sql: `${column} > ?${through === null ? "" : ` AND ${column} <= ?`}`,
      params: through === null ? [after] : [after, through],
    })
    const line = range("customer_id")
    const kept = range("cp.customer_id")
    await executeBound(em, 
      `WITH agg AS (
         SELECT customer_id, product_id, COUNT(DISTINCT order_id)::int AS order_count, SUM(quantity)::int AS quantity,
                MIN(placed_at) AS first_at, MAX(placed_at) AS last_at
         FROM personalization_order_line
         WHERE ${line.sql}
         GROUP BY customer_id, product_id
       ),
       upserted AS (${UPSERT_CUSTOMER_PRODUCTS})
       DELETE FROM personalization_customer_product cp
       WHERE ${kept.sql}
         AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.customer_id = cp.customer_id AND agg.product_id = cp.product_id)`,
      [...line.params, ...kept.params]
    )
    const order = range("o.customer_id")
    const pair = range("cp.customer_id")
    const feature = range("f.customer_id")
    const c = this.currency_(currency)
    await executeBound(em, 
      `WITH agg AS (
         SELECT s.*, COALESCE(pr.n, 0)::int AS distinct_products
         FROM (
           SELECT o.customer_id, ${CUSTOMER_ORDER_AGGREGATES}
           FROM personalization_order o
           WHERE o.counted AND ${order.sql}
           GROUP BY o.customer_id
         ) s
         LEFT JOIN (
           SELECT cp.customer_id, COUNT(*)::int AS n FROM personalization_customer_product cp
           WHERE ${pair.sql} GROUP BY cp.customer_id
         ) pr USING (customer_id)
       ),
       ${UPSERT_CUSTOMER_FEATURES}
       DELETE FROM personalization_customer_features f
       WHERE ${feature.sql}
         AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.customer_id = f.customer_id)`,
      [c, c, ...order.params, ...pair.params, c, ...feature.params]
    )
  }

  /**
   * Marks rebuild runs that stopped without saying so (their process died) as failed: queued or
   * running, not updated for `staleSeconds`. Call only while holding the rebuild run lock.
   */
  @InjectManager()
  async failStaleRuns(staleSeconds: number, reason: string, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const rows: { id: string }[] = await executeBound(this.em_(sharedContext), 
      `UPDATE personalization_rebuild_run SET status = 'failed', reason = ?, finished_at = now(), updated_at = now()
       WHERE status IN ('queued', 'running') AND updated_at < now() - make_interval(secs => ?) AND deleted_at IS NULL
       RETURNING id`,
      [reason, staleSeconds]
    )
    return rows.map((r) => r.id)
  }

  /**
   * Refreshes the planner's statistics of the feature tables. A rebuild may fill them from
   * empty; until autovacuum reaches them the planner sees no rows and pages the ledger with a
   * sequential scan per page (2.99 s a 10k-line page instead of milliseconds, measured at
   * 1.9M lines by bench:nightly), so the rebuild analyzes them before the next job reads them.
   */
  @InjectManager()
  async analyzeTables(@MedusaContext() sharedContext: Context = {}): Promise<void> {
    await executeBound(this.em_(sharedContext), 
      `ANALYZE personalization_order, personalization_order_line, personalization_customer_features, personalization_customer_product`
    )
  }

  /** How much the tables hold: counted orders, customers with one, and repeat customers. */
  @InjectManager()
  async getDataVolume(@MedusaContext() sharedContext: Context = {}) {
    const [row]: { orders: number; customers: number; repeat_customers: number }[] = await executeBound(this.em_(sharedContext), 
      `SELECT (SELECT COUNT(*) FROM personalization_order WHERE counted)::int AS orders,
              COUNT(*)::int AS customers,
              (COUNT(*) FILTER (WHERE order_count >= 2))::int AS repeat_customers
       FROM personalization_customer_features`
    )
    return row
  }

  /**
   * Customers whose purchases may have changed since `since`: a ledger order of theirs written
   * since (placed, changed, cancelled; an unchanged order is not rewritten), or their aggregates
   * recomputed since. What a nightly training refresh rebuilds the lists of.
   */
  @InjectManager()
  async listCustomersChangedSince(since: Date, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const rows: { customer_id: string }[] = await executeBound(this.em_(sharedContext),
      `SELECT customer_id FROM personalization_order WHERE updated_at >= ?
       UNION
       SELECT customer_id FROM personalization_customer_features WHERE updated_at >= ?`,
      [since, since]
    )
    return rows.map((r) => r.customer_id)
  }

  /** Ledger order ids that count for, or were placed by, this customer. */
  @InjectManager()
  async listOrderIdsOfCustomer(customerId: string, @MedusaContext() sharedContext: Context = {}) {
    const rows: { id: string }[] = await executeBound(this.em_(sharedContext), 
      `SELECT id FROM personalization_order WHERE customer_id = ? OR source_customer_id = ? ORDER BY id`,
      [customerId, customerId]
    )
    return rows.map((r) => r.id)
  }

  /** Ledger order ids with a line of this product. */
  @InjectManager()
  async listOrderIdsOfProduct(productId: string, @MedusaContext() sharedContext: Context = {}) {
    const rows: { order_id: string }[] = await executeBound(this.em_(sharedContext), 
      `SELECT DISTINCT order_id FROM personalization_order_line WHERE product_id = ? ORDER BY order_id`,
      [productId]
    )
    return rows.map((r) => r.order_id)
  }

  /**
   * Deletes every remaining row keyed by this customer and records the purge (a tombstone), so
   * that a snapshot read before Medusa deleted the customer, applied late, writes nothing.
   * Called after the customer's orders were synced away, as a guarantee that nothing about a
   * deleted customer stays behind.
   */
  @InjectTransactionManager()
  async purgeCustomer(customerId: string, @MedusaContext() sharedContext: Context = {}) {
    const em = this.em_(sharedContext)
    await this.withoutJit_(em)
    await this.lockKeys_(em, "customer", [customerId])
    await executeBound(em, 
      `INSERT INTO personalization_tombstone (id, removed_at) VALUES ('customer:' || md5(?), now())
       ON CONFLICT (id) DO UPDATE SET removed_at = now(), updated_at = now()`,
      [customerId]
    )
    let deleted = 0
    for (const sql of [
      `DELETE FROM personalization_order_line WHERE customer_id = ? RETURNING 1`,
      `DELETE FROM personalization_customer_product WHERE customer_id = ? RETURNING 1`,
      `DELETE FROM personalization_customer_features WHERE customer_id = ? RETURNING 1`,
      `DELETE FROM personalization_order WHERE customer_id = ? OR source_customer_id = ? RETURNING 1`,
    ]) {
      const params = sql.includes("OR source_customer_id") ? [customerId, customerId] : [customerId]
      deleted += (await executeBound(em, sql, params)).length
    }
    return { deleted }
  }

  /**
   * Undoes purgeCustomer's tombstone (the customer's deletion was rolled back, so they exist
   * again); the caller then syncs their orders back.
   */
  @InjectTransactionManager()
  async restoreCustomer(customerId: string, @MedusaContext() sharedContext: Context = {}) {
    const em = this.em_(sharedContext)
    await this.lockKeys_(em, "customer", [customerId])
    await executeBound(em, `DELETE FROM personalization_tombstone WHERE id = 'customer:' || md5(?)`, [customerId])
  }

  /**
   * Features of customers as of a date, from counted ledger orders placed before it.
   * Windowed counts are relative to `asOf`, so nothing stored ages. Money is in the store
   * currency. Paged by customer id.
   */
  @InjectManager()
  async listCustomerFeaturesAsOf(
    { asOf, customerIds, afterCustomerId = "", limit = 1000, currency: given }: {
      asOf: Date
      customerIds?: string[]
      afterCustomerId?: string
      limit?: number
      /** The store currency (default: the currencyCode option); resolve it with src/lib/store-currency. */
      currency?: string
    },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<CustomerFeaturesAsOf[]> {
    const em = this.em_(sharedContext)
    const currency = this.currency_(given)
    const filter = customerIds ? `AND o.customer_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))` : ""
    const rows: Record<string, string | number | null>[] = await executeBound(em, 
      `
      WITH o AS (
        SELECT o.customer_id, o.placed_at, o.amount, o.currency_code = ? AS in_currency,
               LAG(o.placed_at) OVER (PARTITION BY o.customer_id ORDER BY o.placed_at) AS previous_at
        FROM personalization_order o
        WHERE o.counted AND o.placed_at < ? AND o.customer_id > ? ${filter}
      )
      SELECT o.customer_id,
        FLOOR(EXTRACT(EPOCH FROM (?::timestamptz - MAX(o.placed_at))) / 86400)::int AS recency_days,
        FLOOR(EXTRACT(EPOCH FROM (?::timestamptz - MIN(o.placed_at))) / 86400)::int AS tenure_days,
        COUNT(*)::int AS order_count,
        (COUNT(*) FILTER (WHERE in_currency))::int AS money_order_count,
        COALESCE(SUM(amount) FILTER (WHERE in_currency), 0)::float8 AS total_spend,
        COALESCE(AVG(amount) FILTER (WHERE in_currency), 0)::float8 AS average_order_value,
        (COUNT(*) FILTER (WHERE placed_at >= ?::timestamptz - INTERVAL '30 days'))::int AS orders_30d,
        (COUNT(*) FILTER (WHERE placed_at >= ?::timestamptz - INTERVAL '90 days'))::int AS orders_90d,
        (COUNT(*) FILTER (WHERE placed_at >= ?::timestamptz - INTERVAL '365 days'))::int AS orders_365d,
        COALESCE(SUM(amount) FILTER (WHERE in_currency AND placed_at >= ?::timestamptz - INTERVAL '90 days'), 0)::float8 AS spend_90d,
        (AVG(EXTRACT(EPOCH FROM (placed_at - previous_at))) / 86400)::float8 AS mean_interval_days,
        (SELECT COUNT(DISTINCT l.product_id)::int FROM personalization_order_line l
           WHERE l.customer_id = o.customer_id AND l.placed_at < ?) AS distinct_products
      FROM o
      GROUP BY o.customer_id
      ORDER BY o.customer_id
      LIMIT ?
      `,
      [
        currency,
        asOf,
        afterCustomerId,
        ...(customerIds ? [json(customerIds)] : []),
        asOf,
        asOf,
        asOf,
        asOf,
        asOf,
        asOf,
        asOf,
        limit,
      ]
    )
    return rows as unknown as CustomerFeaturesAsOf[] // pg returns exactly these columns, typed by the casts above
  }

  /**
   * Product lines of counted orders placed in [since, until), as the PurchaseLine rows that
   * src/ml reads, paged by line id (`afterId`). `amount` is the line spend in the store
   * currency; lines of orders in another currency carry 0 (they count as purchases, not money).
   */
  @InjectManager()
  async listPurchaseLines(
    {
      since,
      until,
      afterId = "",
      limit = 10_000,
      currency: given,
    }: { since?: Date; until?: Date; afterId?: string; limit?: number; currency?: string },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<(PurchaseLine & { id: string })[]> {
    const em = this.em_(sharedContext)
    const currency = this.currency_(given)
    const rows: { id: string; order_id: string; customer_id: string; product_id: string; quantity: number; amount: number; time: number }[] =
      await executeBound(em, 
        `SELECT l.id, l.order_id, l.customer_id, l.product_id, l.quantity,
                CASE WHEN o.currency_code = ? THEN l.amount::float8 ELSE 0 END AS amount,
                (EXTRACT(EPOCH FROM l.placed_at) * 1000)::float8 AS time
         FROM personalization_order_line l
         JOIN personalization_order o ON o.id = l.order_id AND o.counted
         WHERE l.id > ? AND l.placed_at >= ? AND l.placed_at < ?
         ORDER BY l.id
         LIMIT ?`,
        [currency, afterId, since ?? new Date(0), until ?? new Date("9999-12-31T00:00:00Z"), limit]
      )
    return rows.map((r) => ({
      id: r.id,
      orderId: r.order_id,
      customerId: r.customer_id,
      productId: r.product_id,
      quantity: r.quantity,
      amount: r.amount,
      time: r.time,
    }))
  }

  /** Products the customer bought in counted orders. */
  @InjectManager()
  async listPurchasedProductIds(customerId: string, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const rows: { product_id: string }[] = await executeBound(this.em_(sharedContext), 
      `SELECT product_id FROM personalization_customer_product WHERE customer_id = ?`,
      [customerId]
    )
    return rows.map((r) => r.product_id)
  }

  /**
   * The customer's orders of each of these products and the mean days between them (null with
   * one order), for a buy-again reason: distinct orders, first to last purchase / (orders - 1).
   */
  @InjectManager()
  async getRepurchaseIntervals(
    customerId: string,
    productIds: string[],
    @MedusaContext() sharedContext: Context = {}
  ): Promise<Map<string, { orders: number; every_days: number | null }>> {
    if (!productIds.length) return new Map()
    const rows: { product_id: string; order_count: number; every_days: number | null }[] = await executeBound(this.em_(sharedContext), 
      `SELECT product_id, order_count,
              CASE WHEN order_count > 1
                   THEN ROUND(EXTRACT(EPOCH FROM (last_purchased_at - first_purchased_at)) / 86400 / (order_count - 1))::int END AS every_days
       FROM personalization_customer_product
       WHERE id = ANY (ARRAY(SELECT ? || ':' || value FROM jsonb_array_elements_text(?::jsonb)))`,
      [customerId, json(productIds)]
    )
    return new Map(rows.map((r) => [r.product_id, { orders: r.order_count, every_days: r.every_days }]))
  }

  /**
   * Products by distinct buyers in the last `days` days, then by all-time buyers, from the
   * ledger's lines: what "trending" is before any model version is active.
   */
  @InjectManager()
  async listTrendingProducts(days: number, limit: number, @MedusaContext() sharedContext: Context = {}) {
    const rows: { product_id: string; recent: number; buyers: number }[] = await executeBound(this.em_(sharedContext), 
      `SELECT product_id,
              (COUNT(DISTINCT customer_id) FILTER (WHERE placed_at >= now() - make_interval(days => ?)))::int AS recent,
              COUNT(DISTINCT customer_id)::int AS buyers
       FROM personalization_order_line
       GROUP BY product_id
       ORDER BY recent DESC, buyers DESC, product_id
       LIMIT ?`,
      [days, limit]
    )
    return rows
  }

  /**
   * Counted orders of `customerIds` placed in [from, until), from the ledger, for a campaign
   * report: amount and discount as numbers in the order's currency.
   */
  @InjectManager()
  async listCustomerOrders(
    customerIds: string[],
    { from, until }: { from: Date; until: Date },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ id: string; customer_id: string; placed_at: Date; currency_code: string; amount: number; promotion_ids: string[]; discount_total: number }[]> {
    if (!customerIds.length) return []
    const rows: { id: string; customer_id: string; placed_at: Date; currency_code: string; amount: number; promotion_ids: string[] | null; discount_total: number | null }[] =
      await executeBound(this.em_(sharedContext), 
        `SELECT o.id, o.customer_id, o.placed_at, o.currency_code, o.amount::float8 AS amount,
                o.promotion_ids, o.discount_total::float8 AS discount_total
         FROM personalization_order o
         WHERE o.customer_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))
           AND o.counted AND o.placed_at >= ? AND o.placed_at < ?
         ORDER BY o.placed_at, o.id`,
        [json(customerIds), from.toISOString(), until.toISOString()]
      )
    return rows.map((r) => ({ ...r, placed_at: new Date(r.placed_at), promotion_ids: r.promotion_ids ?? [], discount_total: r.discount_total ?? 0 }))
  }

  /** Each customer's counted spend in `currency` in [from, until) (customers without any are absent). */
  @InjectManager()
  async sumCustomerSpend(
    customerIds: string[],
    { from, until, currency }: { from: Date; until: Date; currency: string },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<Map<string, number>> {
    if (!customerIds.length) return new Map()
    const rows: { customer_id: string; spend: number }[] = await executeBound(this.em_(sharedContext), 
      `SELECT o.customer_id, SUM(o.amount)::float8 AS spend FROM personalization_order o
       WHERE o.customer_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))
         AND o.counted AND o.currency_code = ? AND o.placed_at >= ? AND o.placed_at < ?
       GROUP BY o.customer_id`,
      [json(customerIds), currency, from.toISOString(), until.toISOString()]
    )
    return new Map(rows.map((r) => [r.customer_id, Number(r.spend)]))
  }

  // --- internals -------------------------------------------------------------------------

  protected em_(sharedContext: Context): SqlEntityManager {
    return (sharedContext.transactionManager ?? sharedContext.manager) as SqlEntityManager
  }

  /**
   * The currency money features count in: the caller's (resolved from Medusa's Store module by
   * src/lib/store-currency), else the currencyCode option. The module does not read the store.
   */
  protected currency_(given: string | undefined): string {
    const currency = given?.toLowerCase() ?? this.options_.currencyCode
    if (!currency) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `medusa-plugin-personalization: no currency given and no "currencyCode" option`
      )
    }
    return currency
  }

  /**
   * Replaces the ledger rows of `read.orderIds` by `read.snapshots` (ids without a snapshot are
   * removed), then recomputes the interaction rows and customer aggregates they touch.
   * Runs after the order locks (or the exclusive module lock) are held; takes the customer
   * locks itself, and only then decides what the read may change: a purge commits under the
   * customer lock, so its tombstone is visible here once the lock is held.
   */
  protected async apply_(
    em: SqlEntityManager,
    read: OrderSnapshotRead,
    { exclusive, currency, deferAggregates = false }: { exclusive: boolean; currency: string; deferAggregates?: boolean }
  ) {
    const counted = new Set<string>(this.options_.countedOrderStatuses)
    const readAt = read.readAt instanceof Date ? read.readAt.toISOString() : read.readAt
    const requested = unique([...read.orderIds, ...read.snapshots.map((s) => s.id)])

    const before: { customer_id: string; source_customer_id: string }[] = await executeBound(em, 
      `SELECT customer_id, source_customer_id FROM personalization_order
       WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`,
      [json(requested)]
    )
    const customers = unique([
      ...before.flatMap((r) => [r.customer_id, r.source_customer_id]),
      ...read.snapshots.flatMap((s) => [s.customer_id, s.source_customer_id]),
    ])
    if (!exclusive) {
      await this.lockKeys_(em, "customer", customers)
    }

    // What a later read or a purge already decided: these orders keep their rows.
    const guards: { id: string }[] = await executeBound(em, 
      `SELECT o.id FROM personalization_order o
       WHERE o.id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))) AND o.read_at > ?::timestamptz
       UNION
       SELECT substr(t.id, 7) FROM personalization_tombstone t
       WHERE t.id = ANY (ARRAY(SELECT 'order:' || value FROM jsonb_array_elements_text(?::jsonb)))
         AND t.removed_at > ?::timestamptz`,
      [json(requested), readAt, json(requested), readAt]
    )
    const purged = new Set(
      (
        (await executeBound(em, 
          `SELECT c.value AS id FROM jsonb_array_elements_text(?::jsonb) c
           JOIN personalization_tombstone t ON t.id = 'customer:' || md5(c.value)`,
          [json(customers)]
        )) as { id: string }[]
      ).map((r) => r.id)
    )
    const kept = new Set(guards.map((r) => r.id))
    const fresh = read.snapshots.filter(
      (s) => !kept.has(s.id) && !purged.has(s.customer_id) && !purged.has(s.source_customer_id)
    )
    // An order whose row already holds this content is not touched at all (no write, no
    // recompute): the nightly rebuild over unchanged orders then costs little more than its read.
    // Its read_at stays that of the read that wrote it, which only lets a read between the two
    // apply: one that saw the same content, or a change a later event re-reads anyway.
    const stored = new Map(
      (
        (await executeBound(em, 
          `SELECT id, fingerprint FROM personalization_order
           WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))) AND fingerprint IS NOT NULL`,
          [json(fresh.map((s) => s.id))]
        )) as { id: string; fingerprint: string }[]
      ).map((r) => [r.id, r.fingerprint])
    )
    const fingerprints = new Map(fresh.map((s) => [s.id, snapshotFingerprint(s, counted.has(s.status))]))
    const snapshots = fresh.filter((s) => stored.get(s.id) !== fingerprints.get(s.id))
    const unchanged = fresh.length - snapshots.length
    const present = new Set(read.snapshots.map((s) => s.id))
    const absent = requested.filter((id) => !present.has(id) && !kept.has(id))
    const orderIds = [...snapshots.map((s) => s.id), ...absent]
    const stale = requested.length - orderIds.length - unchanged
    if (!orderIds.length) {
      return { synced: 0, removed: 0, customers: 0, stale, unchanged }
    }

    const previousPairs: { customer_id: string; product_id: string }[] = deferAggregates
      ? []
      : await executeBound(em, 
          `SELECT DISTINCT customer_id, product_id FROM personalization_order_line
           WHERE order_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`,
          [json(orderIds)]
        )

    await executeBound(em, 
      `DELETE FROM personalization_order_line WHERE order_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`,
      [json(orderIds)]
    )
    const removed: { id: string }[] = absent.length
      ? await executeBound(em, 
          `DELETE FROM personalization_order WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))) RETURNING id`,
          [json(absent)]
        )
      : []
    // Only orders that had a row get a tombstone (a draft or a never-synced id has nothing a
    // stale read could bring back worth a row per rebuild).
    if (removed.length) {
      await executeBound(em, 
        `INSERT INTO personalization_tombstone (id, removed_at)
         SELECT 'order:' || value, ?::timestamptz FROM jsonb_array_elements_text(?::jsonb)
         ON CONFLICT (id) DO UPDATE SET removed_at = GREATEST(personalization_tombstone.removed_at, EXCLUDED.removed_at), updated_at = now()`,
        [readAt, json(removed.map((r) => r.id))]
      )
    }
    if (snapshots.length) {
      await executeBound(em, 
        `DELETE FROM personalization_tombstone WHERE id = ANY (ARRAY(SELECT 'order:' || value FROM jsonb_array_elements_text(?::jsonb)))`,
        [json(snapshots.map((s) => s.id))]
      )
    }

    if (snapshots.length) {
      const headers = snapshots.map((s) => ({
        id: s.id,
        customer_id: s.customer_id,
        source_customer_id: s.source_customer_id,
        placed_at: s.placed_at.toISOString(),
        currency_code: s.currency_code,
        status: s.status,
        counted: counted.has(s.status),
        amount: s.amount,
        item_quantity: s.item_quantity,
        promotion_ids: s.promotion_ids,
        discount_total: s.discount_total,
        version: s.version,
        read_at: readAt,
        fingerprint: fingerprints.get(s.id),
      }))
      await executeBound(em, 
        `INSERT INTO personalization_order
           (id, customer_id, source_customer_id, placed_at, currency_code, status, counted,
            amount, raw_amount, item_quantity, promotion_ids, discount_total, raw_discount_total, version, read_at, fingerprint)
         SELECT h.id, h.customer_id, h.source_customer_id, h.placed_at, h.currency_code, h.status,
                h.counted, h.amount, jsonb_build_object('value', h.amount::text, 'precision', 20),
                h.item_quantity, h.promotion_ids, h.discount_total,
                jsonb_build_object('value', h.discount_total::text, 'precision', 20), h.version, h.read_at, h.fingerprint
         FROM jsonb_to_recordset(?::jsonb) AS h(id text, customer_id text, source_customer_id text,
           placed_at timestamptz, currency_code text, status text, counted boolean, amount numeric,
           item_quantity int, promotion_ids jsonb, discount_total numeric, version int, read_at timestamptz, fingerprint text)
         ON CONFLICT (id) DO UPDATE SET
           customer_id = EXCLUDED.customer_id, source_customer_id = EXCLUDED.source_customer_id,
           placed_at = EXCLUDED.placed_at, currency_code = EXCLUDED.currency_code,
           status = EXCLUDED.status, counted = EXCLUDED.counted, amount = EXCLUDED.amount,
           raw_amount = EXCLUDED.raw_amount, item_quantity = EXCLUDED.item_quantity,
           promotion_ids = EXCLUDED.promotion_ids, discount_total = EXCLUDED.discount_total,
           raw_discount_total = EXCLUDED.raw_discount_total,
           version = EXCLUDED.version, read_at = EXCLUDED.read_at,
           fingerprint = EXCLUDED.fingerprint, updated_at = now()`,
        [json(headers)]
      )
    }

    const lines = snapshots
      .filter((s) => counted.has(s.status))
      .flatMap((s) =>
        s.lines
          .filter((l) => l.product_id && l.quantity > 0)
          .map((l) => ({
            id: l.id,
            order_id: s.id,
            customer_id: s.customer_id,
            product_id: l.product_id,
            quantity: l.quantity,
            amount: l.amount,
            placed_at: s.placed_at.toISOString(),
          }))
      )
    if (lines.length) {
      await executeBound(em, 
        `INSERT INTO personalization_order_line
           (id, order_id, customer_id, product_id, quantity, amount, raw_amount, placed_at)
         SELECT l.id, l.order_id, l.customer_id, l.product_id, l.quantity, l.amount,
                jsonb_build_object('value', l.amount::text, 'precision', 20), l.placed_at
         FROM jsonb_to_recordset(?::jsonb) AS l(id text, order_id text, customer_id text,
           product_id text, quantity int, amount numeric, placed_at timestamptz)`,
        [json(lines)]
      )
    }

    if (deferAggregates) {
      return { synced: snapshots.length, removed: removed.length, customers: 0, stale, unchanged }
    }
    const pairs = new Map<string, { customer_id: string; product_id: string }>()
    for (const pair of [...previousPairs, ...lines]) {
      pairs.set(`${pair.customer_id}:${pair.product_id}`, {
        customer_id: pair.customer_id,
        product_id: pair.product_id as string,
      })
    }
    await this.recomputeCustomerProducts_(em, [...pairs.values()])
    await this.recomputeCustomers_(em, customers, currency)

    return { synced: snapshots.length, removed: removed.length, customers: customers.length, stale, unchanged }
  }

  protected async recomputeCustomerProducts_(
    em: SqlEntityManager,
    pairs: { customer_id: string; product_id: string }[]
  ) {
    if (!pairs.length) {
      return
    }
    await executeBound(em, 
      `WITH pairs AS (
         SELECT DISTINCT customer_id, product_id
         FROM jsonb_to_recordset(?::jsonb) AS p(customer_id text, product_id text)
       ),
       -- One index lookup per pair (a hash join would scan the whole line table per order).
       agg AS (
         SELECT p.customer_id, p.product_id, s.order_count, s.quantity, s.first_at, s.last_at
         FROM pairs p
         CROSS JOIN LATERAL (
           SELECT COUNT(DISTINCT l.order_id)::int AS order_count, SUM(l.quantity)::int AS quantity,
                  MIN(l.placed_at) AS first_at, MAX(l.placed_at) AS last_at
           FROM personalization_order_line l
           WHERE l.customer_id = p.customer_id AND l.product_id = p.product_id
         ) s
         WHERE s.order_count > 0
       ),
       upserted AS (${UPSERT_CUSTOMER_PRODUCTS})
       DELETE FROM personalization_customer_product cp
       USING pairs p
       WHERE cp.id = p.customer_id || ':' || p.product_id
         AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.customer_id = p.customer_id AND agg.product_id = p.product_id)`,
      [json(pairs)]
    )
  }

  protected async recomputeCustomers_(em: SqlEntityManager, customerIds: string[], currency: string) {
    if (!customerIds.length) {
      return
    }
    await executeBound(em, 
      `WITH affected AS (
         SELECT DISTINCT value AS customer_id FROM jsonb_array_elements_text(?::jsonb)
       ),
       -- Per customer through its indexes, whatever the planner estimates for the id list.
       agg AS (
         SELECT a.customer_id, s.*, pr.n AS distinct_products
         FROM affected a
         CROSS JOIN LATERAL (
           SELECT ${CUSTOMER_ORDER_AGGREGATES}
           FROM personalization_order o
           WHERE o.customer_id = a.customer_id AND o.counted
         ) s
         CROSS JOIN LATERAL (
           SELECT COUNT(*)::int AS n FROM personalization_customer_product cp WHERE cp.customer_id = a.customer_id
         ) pr
         WHERE s.order_count > 0
       ),
       ${UPSERT_CUSTOMER_FEATURES}
       DELETE FROM personalization_customer_features f
       USING affected a
       WHERE f.customer_id = a.customer_id
         AND NOT EXISTS (SELECT 1 FROM agg WHERE agg.customer_id = a.customer_id)`,
      [json(customerIds), currency, currency, currency]
    )
  }

  /**
   * Transaction-scoped locks on keys, taken in hash order so two writers cannot deadlock;
   * every writer takes order locks before customer locks. The shared module-wide lock
   * makes keyed writers wait while a bulk writer holds it exclusively.
   */
  protected async lockKeys_(em: SqlEntityManager, kind: "order" | "customer", keys: string[]) {
    if (!keys.length) {
      return
    }
    await executeBound(em, `SELECT pg_advisory_xact_lock_shared(?, 0)`, [LOCK_CLASS.global])
    await executeBound(em, 
      `SELECT COUNT(pg_advisory_xact_lock(?, h)) FROM (
         SELECT DISTINCT hashtext(value) AS h FROM jsonb_array_elements_text(?::jsonb) ORDER BY h
       ) keys`,
      [LOCK_CLASS[kind], json(keys)]
    )
  }

  /**
   * Turns PostgreSQL's JIT off for this transaction: the planner cannot see how short the id
   * lists are (a JSON parameter is estimated at 100 rows), so it rates these index-driven
   * statements expensive and spent ~230 ms compiling each one for ~1 ms of work (measured at
   * 100k orders).
   */
  protected async withoutJit_(em: SqlEntityManager) {
    await executeBound(em, `SET LOCAL jit = off`)
  }

  /** Excludes every other writer of this module for the rest of the transaction. */
  protected async lockAll_(em: SqlEntityManager) {
    await executeBound(em, `SELECT pg_advisory_xact_lock(?, 0)`, [LOCK_CLASS.global])
  }
}

export default PurchaseFeaturesService
