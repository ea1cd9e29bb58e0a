import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { configuredOptions } from "../lib/configured-options"
import { runSegmentation } from "../workflows/runs"

/** Nightly segmentation of customers (after the rebuild of the feature tables). */
export default async function runSegmentationJob(container: MedusaContainer) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const run = await runSegmentation(container)
    logger.info(`personalization segmentation ${run.id} ${run.status}${run.reason ? `: ${run.reason}` : ""}`)
  } catch (error) {
    logger.error(`personalization segmentation failed: ${(error as Error).message}`)
    throw error
  }
}

export const config = {
  name: "personalization-run-segmentation",
  // Read once at import: changing the schedule option needs a restart.
  schedule: configuredOptions().schedules.segmentation,
}
