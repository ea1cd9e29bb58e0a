import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { SEGMENTATION_REQUESTED_EVENT } from "../api/admin/personalization/segmentation/run/route"
import { runSegmentationWorkflow } from "../workflows/segmentation"

/** Runs a segmentation queued through the admin API, where subscribers and jobs run. */
export default async function segmentationRequestedHandler({ event, container }: SubscriberArgs<{ run_id: string }>) {
  try {
    await runSegmentationWorkflow(container).run({ input: { run_id: event.data.run_id } })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(
      `personalization segmentation ${event.data.run_id} failed: ${(error as Error).message}`
    )
    throw error
  }
}

export const config: SubscriberConfig = {
  event: SEGMENTATION_REQUESTED_EVENT,
  context: { subscriberId: "personalization-segmentation-requested" },
}
