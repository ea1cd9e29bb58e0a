import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { throwIfAborted } from "../../run-signals"
import { appPg } from "../../../lib/medusa-2x/pg"
import { countSourceOrders, listOrderIdsChangedSince, pageOrderIds, readOrderSnapshots } from "../../../lib/medusa-2x/order-snapshots"
import { resolveStoreCurrency } from "../../../lib/store-currency"
import { syncOrdersInChunks } from "./sync-orders"

/**
 * "pages": each page recomputes the aggregates of the customers and pairs it changed (a warm
 * rebuild, which changes few). "bulk": pages write only the ledger; every aggregate is
 * recomputed set-based at the end (a cold rebuild, where every order is new). Both read every
 * order. "changes": reads only the orders Medusa wrote since the last completed rebuild began
 * (less CHANGES_MARGIN_MS; see listOrderIdsChangedSince) and syncs them as events do.
 * "full" (the default) picks bulk when BULK_WHEN_MISSING of Medusa's orders are missing from
 * the ledger or an earlier bulk run left its aggregates pending, else pages. "auto" (the
 * nightly job's) picks changes when a completed rebuild exists and the last one that read every
 * order began less than the rebuildFullEveryDays option ago, else as "full".
 */
export type RebuildMode = "auto" | "full" | "pages" | "bulk" | "changes"

export type RebuildInput = {
  run_id: string
  /** Orders per page (one transaction each); default: the rebuildBatchSize option. */
  batch_size?: number
  mode?: RebuildMode
  /** For mode "changes": read the orders written from this time on instead of from the last rebuild's start. */
  since?: Date
}

export type RebuildResult = {
  orders: number
  removed: number
  pages: number
  duration_ms: number
  mode: "pages" | "bulk" | "changes"
}

/**
 * The share of Medusa's orders missing from the ledger from which a full rebuild writes in bulk.
 * Per-page recomputes cost about 2.3 ms per written order at the tenth-size bench store and the
 * set-based recompute about 0.2 ms per ledger order whatever changed (BENCHMARKS.md, run 9):
 * bulk pays from roughly a tenth of the orders written.
 */
export const BULK_WHEN_MISSING = 0.1

/** Customers per transaction of a bulk rebuild's final recompute (keyed writers wait for one). */
export const BULK_RANGE_CUSTOMERS = 10_000

/**
 * How far before the last rebuild's start a "changes" run looks: Medusa stamps `updated_at`
 * with its own server's clock when a transaction writes, and the transaction may commit later,
 * after that rebuild's read; an hour covers clock skew between servers and long transactions.
 */
export const CHANGES_MARGIN_MS = 60 * 60 * 1000

const DAY_MS = 24 * 60 * 60 * 1000

/** What chooseRebuildMode decides on. */
export type RebuildHistory = {
  sourceOrders: number
  ledgerOrders: number
  /** An earlier bulk run left its aggregates pending. */
  pending: boolean
  /** Start of the last completed rebuild (any mode), if any. */
  lastStartedAt?: Date | null
  /** Start of the last completed rebuild that read every order, if any. */
  lastFullStartedAt?: Date | null
  /** The rebuildFullEveryDays option. */
  fullEveryDays?: number
  /** An explicit start for mode "changes". */
  since?: Date | null
  now?: Date
}

/** The mode a rebuild runs in and, for "changes", the time from which it reads (see RebuildMode). */
export function chooseRebuildMode(
  requested: RebuildMode,
  { sourceOrders, ledgerOrders, pending, lastStartedAt, lastFullStartedAt, fullEveryDays = 0, since: given = null, now = new Date() }: RebuildHistory
): { mode: "pages" | "bulk" | "changes"; since: Date | null } {
  const full = (): "pages" | "bulk" => {
    if (pending) return "bulk"
    return sourceOrders > 0 && sourceOrders - ledgerOrders >= BULK_WHEN_MISSING * sourceOrders ? "bulk" : "pages"
  }
  const since = lastStartedAt ? new Date(lastStartedAt.getTime() - CHANGES_MARGIN_MS) : null
  if (requested === "pages" || requested === "bulk") return { mode: requested, since: null }
  if (requested === "changes") {
    if (!given && !since) throw new Error("a changes rebuild needs a start time or an earlier completed rebuild")
    return { mode: "changes", since: given ?? since }
  }
  const fullMode = full()
  const fullDue = !lastFullStartedAt || now.getTime() - lastFullStartedAt.getTime() >= fullEveryDays * DAY_MS
  if (requested === "full" || fullMode === "bulk" || !since || fullDue) return { mode: fullMode, since: null }
  return { mode: "changes", since }
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
 * progress on the run. In pages mode (see RebuildMode) each page is exact on its own (it also
 * removes ledger orders of its id range that Medusa no longer has) and commits in one
 * transaction with the aggregates of the customers and pairs it touched, so readers see every table exact for the pages done and the
 * previous state for the others, never a half-applied page, and a failed rebuild leaves correct
 * rows: there is nothing to compensate. An order whose snapshot has the fingerprint its ledger
 * row holds is skipped without a write (a warm rebuild mostly reads); aggregates are only
 * recomputed for orders that changed, so a row edited by hand in an aggregate table is repaired
 * only once an order of that customer changes (the tables are never written outside an apply).
 * In bulk mode the pages write the ledger only, and the aggregates are recomputed set-based
 * once at the end, range by range: readers see the aggregates lag the ledger until then, and a
 * bulk run that stops early leaves its run flagged (aggregates_pending) so the next rebuild
 * recomputes them all. In changes mode only the orders Medusa wrote since the last rebuild
 * are read, and each chunk is applied like an event's sync (see syncChangedOrders).
 * Runs inside the rebuild lock (workflows/runs.ts); stops at a page or range boundary when the
 * lock's lease is lost.
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
    const [total, ledgerOrders, pendingRuns, [last], [lastFull]] = await Promise.all([
      countSourceOrders(pg),
      service.countLedgerOrders(),
      service.listRebuildRuns({ aggregates_pending: true }, { select: ["id"] }),
      service.listRebuildRuns({ status: "completed" }, { select: ["started_at"], order: { started_at: "DESC" }, take: 1 }),
      service.listRebuildRuns(
        { status: "completed", $or: [{ mode: null }, { mode: ["pages", "bulk"] }] },
        { select: ["started_at"], order: { started_at: "DESC" }, take: 1 }
      ),
    ])
    const { mode, since } = chooseRebuildMode(input.mode ?? "full", {
      sourceOrders: total,
      ledgerOrders,
      pending: pendingRuns.some((r) => r.id !== input.run_id),
      lastStartedAt: last?.started_at ? new Date(last.started_at) : null,
      lastFullStartedAt: lastFull?.started_at ? new Date(lastFull.started_at) : null,
      fullEveryDays: service.options.rebuildFullEveryDays,
      since: input.since ? new Date(input.since) : null,
    })
    if (mode === "changes") {
      return new StepResponse<RebuildResult>(await syncChangedOrders(container, { runId: input.run_id, since: since!, batchSize, started, log: (m) => logger.info(m) }))
    }
    const bulk = mode === "bulk"
    // Marked before the first page writes: a bulk run that dies before its final recompute
    // leaves the flag, and the next rebuild recomputes everything.
    await service.updateRebuildRuns({ id: input.run_id, total_orders: total, mode, aggregates_pending: bulk })
    // Share of the progress bar the pages take; a bulk run's recompute takes the rest.
    const pageShare = bulk ? 0.8 : 0.99
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
      const page = await service.applyOrderPage({ read, afterId: cursor, lastId: lastOrderId }, { currency, deferAggregates: bulk })
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
        await service.updateRebuildRuns({ id: input.run_id, orders, removed, pages, progress: total ? Math.min(pageShare, (orders / total) * pageShare) : pageShare })
      }
      if (!lastOrderId) break
      cursor = lastOrderId
    }
    await service.analyzeTables()
    if (bulk) {
      await recomputeAllAggregates(service, { runId: input.run_id, currency, pageShare, log: (m) => logger.info(m) })
      await service.analyzeTables()
    }
    return new StepResponse<RebuildResult>({ orders, removed, pages, duration_ms: Date.now() - started, mode })
  }
)

/**
 * A "changes" rebuild: the orders Medusa wrote since `since`, read and applied in chunks of
 * `batchSize` exactly as an event's sync applies them (syncOrdersInChunks: an unchanged
 * fingerprint writes nothing; an order Medusa no longer returns leaves the ledger), so it
 * repairs what missed events left behind since then, and only that.
 */
async function syncChangedOrders(
  container: MedusaContainer,
  { runId, since, batchSize, started, log }: { runId: string; since: Date; batchSize: number; started: number; log: (message: string) => void }
): Promise<RebuildResult> {
  const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
  const ids = await listOrderIdsChangedSince(appPg(container), since)
  await service.updateRebuildRuns({ id: runId, total_orders: ids.length, mode: "changes", changes_since: since, aggregates_pending: false })
  log(`personalization rebuild: ${ids.length} orders changed since ${since.toISOString()} (found in ${Math.round((Date.now() - started) / 1000)} s)`)
  const totals = await syncOrdersInChunks(container, ids, {
    chunk: batchSize,
    beforeChunk: () => throwIfAborted(runId),
    afterChunk: async ({ synced, unchanged, removed, chunks }, done) => {
      await service.updateRebuildRuns({ id: runId, orders: synced + unchanged, removed, pages: chunks, progress: (done / ids.length) * 0.99 })
    },
  })
  return { orders: totals.synced + totals.unchanged, removed: totals.removed, pages: totals.chunks, duration_ms: Date.now() - started, mode: "changes" }
}

/**
 * A bulk rebuild's end: every customer and pair aggregate recomputed from the ledger in ranges
 * of BULK_RANGE_CUSTOMERS customers (one transaction each), then the pending flag of every run
 * cleared, this one's and any earlier bulk run's that stopped before this point.
 */
async function recomputeAllAggregates(
  service: PurchaseFeaturesService,
  { runId, currency, pageShare, log }: { runId: string; currency: string; pageShare: number; log: (message: string) => void }
) {
  const started = Date.now()
  const customers = await service.countLedgerCustomers()
  let after = ""
  let done = 0
  for (;;) {
    throwIfAborted(runId)
    const through = await service.nextCustomerBound(after, BULK_RANGE_CUSTOMERS)
    await service.recomputeAggregatesInRange({ after, through }, { currency })
    done = through === null ? customers : done + BULK_RANGE_CUSTOMERS
    log(`personalization rebuild: aggregates of ${done}/${customers} customers recomputed (${Math.round((Date.now() - started) / 1000)} s)`)
    await service.updateRebuildRuns({ id: runId, progress: pageShare + (0.99 - pageShare) * Math.min(1, done / Math.max(customers, 1)) })
    if (through === null) break
    after = through
  }
  const stillPending = await service.listRebuildRuns({ aggregates_pending: true }, { select: ["id"] })
  await service.updateRebuildRuns(stillPending.map((r) => ({ id: r.id, aggregates_pending: false })))
}
