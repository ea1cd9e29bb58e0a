import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { PersonalizationEvents } from "../events"
import type { Recipe } from "../ml/pipeline/training"
import { runTraining } from "../workflows/runs"

/**
 * Runs a training queued through the admin API, where subscribers and jobs run. "hybrid" (or
 * no model) is the default recipe, whose collaborative part depends on the catalogue's size.
 */
export default async function trainingRequestedHandler({ event, container }: SubscriberArgs<{ version_id: string; model?: Recipe["model"] }>) {
  const { version_id, model } = event.data
  try {
    await runTraining(container, { version_id, recipe: model && model !== "hybrid" ? { model, options: {} } : undefined })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(`personalization training ${version_id} failed: ${(error as Error).message}`)
    throw error
  }
}

export const config: SubscriberConfig = {
  event: PersonalizationEvents.TRAINING_REQUESTED,
  context: { subscriberId: "personalization-training-requested" },
}
