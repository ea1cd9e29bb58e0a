import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { readConfiguredOptions } from "../lib/configured-options"
import { rebuildPurchaseFeaturesWorkflow } from "../workflows/purchase-features"

/** Nightly repair: recompute the feature tables from Medusa's orders. */
export default async function rebuildPurchaseFeaturesJob(container: MedusaContainer) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const { result } = await rebuildPurchaseFeaturesWorkflow(container).run({ input: {} })
    logger.info(`personalization rebuild ${result.status}: ${result.orders} orders in ${result.duration_ms} ms`)
  } catch (error) {
    logger.error(`personalization rebuild failed: ${(error as Error).message}`)
    throw error
  }
}

export const config = {
  name: "personalization-rebuild-purchase-features",
  // Read once at import: changing the schedule option needs a restart.
  schedule: readConfiguredOptions().schedules.rebuild,
}
