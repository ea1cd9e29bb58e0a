import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { REBUILD_REQUESTED_EVENT } from "../api/admin/personalization/rebuild/route"
import { rebuildPurchaseFeaturesWorkflow } from "../workflows/purchase-features"

/** Runs a rebuild asked for through the admin API, in the process where jobs and subscribers run. */
export default async function rebuildRequestedHandler({ event, container }: SubscriberArgs<{ run_id: string }>) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const { result } = await rebuildPurchaseFeaturesWorkflow(container).run({ input: {} })
    logger.info(`personalization rebuild ${event.data.run_id} ${result.status}: ${result.orders} orders`)
  } catch (error) {
    logger.error(`personalization rebuild ${event.data.run_id} failed: ${(error as Error).message}`)
    throw error
  }
}

export const config: SubscriberConfig = {
  event: REBUILD_REQUESTED_EVENT,
  context: { subscriberId: "personalization-rebuild-requested" },
}
