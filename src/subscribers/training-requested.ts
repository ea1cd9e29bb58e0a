import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { TRAINING_REQUESTED_EVENT } from "../api/admin/personalization/models/train/route"
import { runTrainingWorkflow } from "../workflows/training"

/**
 * Runs a training queued through the admin API, where subscribers and jobs run. "hybrid" (or
 * no model) is the default recipe, whose collaborative part depends on the catalogue's size.
 */
export default async function trainingRequestedHandler({ event, container }: SubscriberArgs<{ version_id: string; model?: string }>) {
  const { version_id, model } = event.data
  try {
    await runTrainingWorkflow(container).run({ input: { version_id, recipe: model && model !== "hybrid" ? { model: model as never, options: {} } : undefined } })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(`personalization training ${version_id} failed: ${(error as Error).message}`)
    throw error
  }
}

export const config: SubscriberConfig = {
  event: TRAINING_REQUESTED_EVENT,
  context: { subscriberId: "personalization-training-requested" },
}
