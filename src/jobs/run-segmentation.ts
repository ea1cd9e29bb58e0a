import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { readConfiguredOptions } from "../lib/configured-options"
import { runSegmentationWorkflow } from "../workflows/segmentation"

/** Nightly segmentation of customers (after the rebuild of the feature tables). */
export default async function runSegmentationJob(container: MedusaContainer) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const { result } = await runSegmentationWorkflow(container).run({ input: {} })
    logger.info(`personalization segmentation ${result.id} ${result.status}${result.reason ? `: ${result.reason}` : ""}`)
  } catch (error) {
    logger.error(`personalization segmentation failed: ${(error as Error).message}`)
    throw error
  }
}

export const config = {
  name: "personalization-run-segmentation",
  // Read once at import: changing the schedule option needs a restart.
  schedule: readConfiguredOptions().schedules.segmentation,
}
