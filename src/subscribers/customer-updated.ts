import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { MedusaEvents } from "../events"
import { isOptedOut } from "../lib/store-data"
import { leaveSegmentCampaignsWorkflow } from "../workflows/segment-campaigns"

/**
 * A customer whose metadata now carries the opt-out flag (set by the plugin's opt-out or by any
 * other update) leaves every segment campaign at once: out of both arms and the treated group.
 */
export default async function customerUpdatedHandler({ event, container }: SubscriberArgs<{ id: string }>) {
  const [customer] = await container.resolve(Modules.CUSTOMER).listCustomers({ id: event.data.id }, { select: ["id", "metadata"], take: 1 })
  if (!customer || !isOptedOut(customer.metadata)) return
  try {
    await leaveSegmentCampaignsWorkflow(container).run({ input: { customer_id: event.data.id } })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(`personalization: taking opted-out customer ${event.data.id} out of segment campaigns failed: ${(error as Error).message}`)
    throw error
  }
}

export const config: SubscriberConfig = {
  event: MedusaEvents.CUSTOMER_UPDATED,
  context: { subscriberId: "personalization-customer-updated" },
}
