import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { MedusaEvents } from "../events"
import { deleteCustomerPurchaseFeaturesWorkflow } from "../workflows/purchase-features"

export default async function customerDeletedHandler({ event, container }: SubscriberArgs<{ id: string }>) {
  try {
    await deleteCustomerPurchaseFeaturesWorkflow(container).run({ input: { customer_id: event.data.id } })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(
      `personalization: deleting customer ${event.data.id} failed: ${(error as Error).message}`
    )
    throw error
  }
}

export const config: SubscriberConfig = {
  event: MedusaEvents.CUSTOMER_DELETED,
  context: { subscriberId: "personalization-customer-deleted" },
}
