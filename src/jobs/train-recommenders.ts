import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { readConfiguredOptions } from "../lib/configured-options"
import { runTrainingWorkflow } from "../workflows/training"

/** Nightly recommender training (after the rebuild of the feature tables). */
export default async function trainRecommendersJob(container: MedusaContainer) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const { result } = await runTrainingWorkflow(container).run({ input: {} })
    logger.info(`personalization training ${result.id} ${result.status}${result.reason ? `: ${result.reason}` : ""}`)
  } catch (error) {
    logger.error(`personalization training failed: ${(error as Error).message}`)
    throw error
  }
}

export const config = {
  name: "personalization-train-recommenders",
  // Read once at import: changing the schedule option needs a restart.
  schedule: readConfiguredOptions().schedules.training,
}
