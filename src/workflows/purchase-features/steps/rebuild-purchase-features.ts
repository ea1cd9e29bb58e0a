import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { randomUUID } from "node:crypto"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"

export type RebuildInput = {
  /** Orders per page (one transaction each); default: the rebuildBatchSize option. */
  batch_size?: number
}

export type RebuildResult = {
  status: "completed" | "skipped"
  orders: number
  removed: number
  pages: number
  duration_ms: number
}

export const REBUILD_LOCK_KEY = "personalization:rebuild-purchase-features"
const LOCK_EXPIRE_SECONDS = 60

/**
 * Recomputes every table from Medusa's orders, page by page in order id order. Each page is
 * exact on its own (it also removes ledger orders of its id range that Medusa no longer
 * has), so readers never see a half-applied page and a failed rebuild leaves correct rows:
 * there is nothing to compensate. Two rebuilds never run at once: the second is skipped.
 */
export const rebuildPurchaseFeaturesStep = createStep(
  "rebuild-purchase-features",
  async (input: RebuildInput, { container }) => {
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const locking = container.resolve(Modules.LOCKING)
    const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
    const batchSize = input.batch_size ?? service.options.rebuildBatchSize
    const started = Date.now()

    const run = async (): Promise<RebuildResult> => {
      const total = await service.countSourceOrders()
      let cursor = ""
      let orders = 0
      let removed = 0
      let pages = 0
      for (;;) {
        const page = await service.syncOrderPage(cursor, batchSize)
        orders += page.synced
        removed += page.removed
        pages += 1
        const seconds = (Date.now() - started) / 1000
        logger.info(
          `personalization rebuild: ${orders}/${total} orders (${Math.round(orders / Math.max(seconds, 0.001))}/s)`
        )
        if (!page.lastOrderId) {
          break
        }
        cursor = page.lastOrderId
      }
      return { status: "completed", orders, removed, pages, duration_ms: Date.now() - started }
    }

    // Held for the whole run, renewed while it runs; a rebuild that finds it held is skipped
    // at once (another process, or an earlier run in this one, is rebuilding).
    const ownerId = `rebuild:${randomUUID()}`
    try {
      await locking.acquire(REBUILD_LOCK_KEY, { ownerId, expire: LOCK_EXPIRE_SECONDS })
    } catch (error) {
      logger.info(`personalization rebuild skipped: ${(error as Error).message}`)
      return new StepResponse<RebuildResult>({
        status: "skipped",
        orders: 0,
        removed: 0,
        pages: 0,
        duration_ms: Date.now() - started,
      })
    }
    const renewal = setInterval(() => {
      locking.acquire(REBUILD_LOCK_KEY, { ownerId, expire: LOCK_EXPIRE_SECONDS }).catch((error: Error) => {
        logger.warn(`personalization rebuild: renewing its lock failed: ${error.message}`)
      })
    }, (LOCK_EXPIRE_SECONDS * 1000) / 3)
    try {
      return new StepResponse(await run())
    } finally {
      clearInterval(renewal)
      await locking.release(REBUILD_LOCK_KEY, { ownerId })
    }
  }
)
