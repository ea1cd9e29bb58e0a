import type { MedusaContainer } from "@medusajs/framework/types"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { appPg } from "../../../lib/medusa-2x/pg"
import { readOrderSnapshots } from "../../../lib/medusa-2x/order-snapshots"
import { resolveStoreCurrency } from "../../../lib/store-currency"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"

/** Orders per transaction when a step syncs many orders (a product or customer deletion). */
const CHUNK = 500

export type SyncOrdersStepInput = { order_ids: string[] }

/**
 * Reads the orders from Medusa through the 2.x adapter, then hands the snapshots to the module,
 * chunk by chunk. The read is outside the module's transaction; the module orders concurrent
 * applies by the read's database time (a ledger row from a later read is never replaced) and
 * drops reads of purged customers, so no Medusa lock (acquireLockStep) is needed around the
 * pair: two syncs of one order in any order end with the newer read, and the module's own
 * advisory locks keep each apply's aggregates exact.
 */
export async function syncOrdersInChunks(
  container: MedusaContainer,
  orderIds: string[],
  {
    chunk = CHUNK,
    beforeChunk,
    afterChunk,
  }: {
    chunk?: number
    /** Called before each chunk is read (a rebuild checks its lock here). */
    beforeChunk?: () => void
    /** Called with the totals so far and the orders done after each chunk commits (progress). */
    afterChunk?: (totals: SyncTotals, done: number) => Promise<void>
  } = {}
): Promise<SyncTotals> {
  const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
  const totals: SyncTotals = { synced: 0, unchanged: 0, removed: 0, chunks: 0 }
  if (!orderIds.length) return totals
  const pg = appPg(container)
  const currency = await resolveStoreCurrency(container)
  for (let start = 0; start < orderIds.length; start += chunk) {
    beforeChunk?.()
    const read = await readOrderSnapshots(pg, orderIds.slice(start, start + chunk), service.options)
    const result = await service.applyOrderSnapshots(read, { currency })
    totals.synced += result.synced
    totals.unchanged += result.unchanged
    totals.removed += result.removed
    totals.chunks += 1
    await afterChunk?.(totals, Math.min(orderIds.length, start + chunk))
  }
  return totals
}

/** What syncOrdersInChunks did: orders written, found unchanged, removed, and transactions. */
export type SyncTotals = { synced: number; unchanged: number; removed: number; chunks: number }

/**
 * Replaces the ledger rows of these orders by what Medusa holds now, and recomputes every
 * aggregate they touch. Each chunk is one transaction under per-order and per-customer locks.
 */
export const syncOrdersStep = createStep(
  "sync-purchase-orders",
  async ({ order_ids }: SyncOrdersStepInput, { container }) => {
    const totals = await syncOrdersInChunks(container, order_ids)
    return new StepResponse(totals, order_ids)
  },
  // The tables mirror Medusa's orders: if a later step fails, syncing the same orders again
  // makes them match whatever Medusa holds after its own compensation.
  async (orderIds, { container }) => {
    if (!orderIds?.length) {
      return
    }
    await syncOrdersInChunks(container, orderIds)
  }
)
