import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { throwIfAborted } from "../../run-signals"
import { appPg } from "../../../lib/medusa-2x/pg"
import { countSourceOrders, pageOrderIds, readOrderSnapshots } from "../../../lib/medusa-2x/order-snapshots"
import { resolveStoreCurrency } from "../../../lib/store-currency"

export type RebuildInput = {
  run_id: string
  /** Orders per page (one transaction each); default: the rebuildBatchSize option. */
  batch_size?: number
}

export type RebuildResult = {
  orders: number
  removed: number
  pages: number
  duration_ms: number
}

/** Orders a rebuild writes before it first analyzes the feature tables (then each time they have doubled). */
export const ANALYZE_AFTER_ORDERS = 10_000

/**
 * Whether a rebuild that has written `written` orders, `atLastAnalyze` of them before the last
 * ANALYZE it ran, should analyze now: after ANALYZE_AFTER_ORDERS, then whenever the orders
 * written have doubled. A cold rebuild fills tables the planner knows nothing of (TRUNCATE
 * leaves no statistics, and autovacuum may be off or behind): at 313,000 orders of the
 * million-customer bench a page's `order_id = ANY(...)` read of the ledger lines turned into a
 * parallel scan of all 6M lines (over 20 s a page, against 3 a second before); ANALYZE put it
 * back on the index. About log2(orders / 10,000) analyzes, each sampling 30,000 rows a table.
 */
export function analyzeDue(written: number, atLastAnalyze: number): boolean {
  return written - atLastAnalyze >= Math.max(ANALYZE_AFTER_ORDERS, atLastAnalyze)
}

/**
 * Recomputes every table from Medusa's orders, page by page in order id order, reporting
 * progress on the run. Each page is exact on its own (it also removes ledger orders of its id
 * range that Medusa no longer has) and commits in one transaction with the aggregates of the
 * customers and pairs it touched, so readers see every table exact for the pages done and the
 * previous state for the others, never a half-applied page, and a failed rebuild leaves correct
 * rows: there is nothing to compensate. An order whose snapshot has the fingerprint its ledger
 * row holds is skipped without a write (a warm rebuild mostly reads); aggregates are only
 * recomputed for orders that changed, so a row edited by hand in an aggregate table is repaired
 * only once an order of that customer changes (the tables are never written outside an apply).
 * Runs inside the rebuild lock (workflows/runs.ts); stops at a page boundary when the lock's
 * lease is lost.
 */
export const rebuildPurchaseFeaturesStep = createStep(
  "rebuild-purchase-features",
  async (input: RebuildInput, { container }) => {
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
    const batchSize = input.batch_size ?? service.options.rebuildBatchSize
    const started = Date.now()
    const pg = appPg(container)
    const currency = await resolveStoreCurrency(container)
    const total = await countSourceOrders(pg)
    await service.updateRebuildRuns({ id: input.run_id, total_orders: total })
    let cursor = ""
    let orders = 0
    let removed = 0
    let pages = 0
    let lastReport = 0
    let written = 0
    let writtenAtAnalyze = 0
    for (;;) {
      throwIfAborted(input.run_id)
      // The page is read through the 2.x adapter, outside the module's transaction; an order
      // synced by an event after this read keeps its newer row (the module compares read times).
      const ids = await pageOrderIds(pg, cursor, batchSize)
      const lastOrderId = ids.length === batchSize ? ids[ids.length - 1] : null
      const read = await readOrderSnapshots(pg, ids, service.options)
      const page = await service.applyOrderPage({ read, afterId: cursor, lastId: lastOrderId }, { currency })
      // Unchanged orders were read and found exact: they count as rebuilt.
      orders += page.synced + page.unchanged
      removed += page.removed
      pages += 1
      written += page.synced
      if (analyzeDue(written, writtenAtAnalyze)) {
        await service.analyzeTables()
        writtenAtAnalyze = written
      }
      if (Date.now() - lastReport >= 1000 || !lastOrderId) {
        lastReport = Date.now()
        const seconds = (Date.now() - started) / 1000
        logger.info(`personalization rebuild: ${orders}/${total} orders (${Math.round(orders / Math.max(seconds, 0.001))}/s)`)
        await service.updateRebuildRuns({ id: input.run_id, orders, removed, pages, progress: total ? Math.min(0.99, orders / total) : 0.99 })
      }
      if (!lastOrderId) break
      cursor = lastOrderId
    }
    await service.analyzeTables()
    return new StepResponse<RebuildResult>({ orders, removed, pages, duration_ms: Date.now() - started })
  }
)
