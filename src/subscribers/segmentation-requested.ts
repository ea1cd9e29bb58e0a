import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { PersonalizationEvents } from "../events"
import { runSegmentation } from "../workflows/runs"

/** Runs a segmentation queued through the admin API, where subscribers and jobs run. */
export default async function segmentationRequestedHandler({ event, container }: SubscriberArgs<{ run_id: string }>) {
  try {
    await runSegmentation(container, { run_id: event.data.run_id })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(`personalization segmentation ${event.data.run_id} failed: ${(error as Error).message}`)
    throw error
  }
}

export const config: SubscriberConfig = {
  event: PersonalizationEvents.SEGMENTATION_REQUESTED,
  context: { subscriberId: "personalization-segmentation-requested" },
}
