import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { configuredOptions } from "../lib/configured-options"
import { runRebuild } from "../workflows/runs"

/**
 * Nightly repair: bring the feature tables in line with Medusa's orders. Between full reads
 * (every rebuildFullEveryDays days) only the orders Medusa wrote since the last rebuild are read.
 */
export default async function rebuildPurchaseFeaturesJob(container: MedusaContainer) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const run = await runRebuild(container, { mode: "auto" })
    logger.info(`personalization rebuild ${run.id} ${run.status}: ${run.orders} orders${run.reason ? ` (${run.reason})` : ""}`)
  } catch (error) {
    logger.error(`personalization rebuild failed: ${(error as Error).message}`)
    throw error
  }
}

export const config = {
  name: "personalization-rebuild-purchase-features",
  // Read once at import: changing the schedule option needs a restart.
  schedule: configuredOptions().schedules.rebuild,
}
