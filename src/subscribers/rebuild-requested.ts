import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { PersonalizationEvents } from "../events"
import { runRebuild } from "../workflows/runs"

/** Runs a rebuild queued through the admin API, in the process where jobs and subscribers run. */
export default async function rebuildRequestedHandler({ event, container }: SubscriberArgs<{ run_id: string }>) {
  try {
    await runRebuild(container, { run_id: event.data.run_id })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(`personalization rebuild ${event.data.run_id} failed: ${(error as Error).message}`)
    throw error
  }
}

export const config: SubscriberConfig = {
  event: PersonalizationEvents.REBUILD_REQUESTED,
  context: { subscriberId: "personalization-rebuild-requested" },
}
