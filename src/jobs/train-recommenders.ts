import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { configuredOptions } from "../lib/configured-options"
import { runTraining } from "../workflows/runs"

/**
 * Nightly recommender training (after the rebuild of the feature tables): a full run at most
 * every `training.fullRunEveryDays`, a refresh of it on the nights between.
 */
export default async function trainRecommendersJob(container: MedusaContainer) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const version = await runTraining(container, { refresh: true })
    logger.info(`personalization training ${version.id} ${version.status}${version.reason ? `: ${version.reason}` : ""}`)
  } catch (error) {
    logger.error(`personalization training failed: ${(error as Error).message}`)
    throw error
  }
}

export const config = {
  name: "personalization-train-recommenders",
  // Read once at import: changing the schedule option needs a restart.
  schedule: configuredOptions().schedules.training,
}
