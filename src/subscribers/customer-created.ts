import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { MedusaEvents } from "../events"
import { mergeGuestPurchaseOrdersWorkflow } from "../workflows/purchase-features"

export default async function customerCreatedHandler({ event, container }: SubscriberArgs<{ id: string }>) {
  try {
    await mergeGuestPurchaseOrdersWorkflow(container).run({ input: { customer_id: event.data.id } })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(
      `personalization: merging guest orders into customer ${event.data.id} failed: ${(error as Error).message}`
    )
    throw error
  }
}

export const config: SubscriberConfig = {
  event: MedusaEvents.CUSTOMER_CREATED,
  context: { subscriberId: "personalization-customer-created" },
}
