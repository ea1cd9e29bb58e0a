import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"

/** Orders per transaction when a step syncs many orders (a product or customer deletion). */
const CHUNK = 500

export type SyncOrdersStepInput = { order_ids: string[] }

export async function syncOrdersInChunks(service: PurchaseFeaturesService, orderIds: string[]) {
  const totals = { synced: 0, removed: 0 }
  for (let start = 0; start < orderIds.length; start += CHUNK) {
    const result = await service.syncOrders(orderIds.slice(start, start + CHUNK))
    totals.synced += result.synced
    totals.removed += result.removed
  }
  return totals
}

/**
 * Replaces the ledger rows of these orders by what Medusa holds now, and recomputes every
 * aggregate they touch. Each chunk is one transaction under per-order and per-customer locks.
 */
export const syncOrdersStep = createStep(
  "sync-purchase-orders",
  async ({ order_ids }: SyncOrdersStepInput, { container }) => {
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const totals = await syncOrdersInChunks(service, order_ids)
    return new StepResponse(totals, order_ids)
  },
  // The tables mirror Medusa's orders: if a later step fails, syncing the same orders again
  // makes them match whatever Medusa holds after its own compensation.
  async (orderIds, { container }) => {
    if (!orderIds?.length) {
      return
    }
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    await syncOrdersInChunks(service, orderIds)
  }
)
