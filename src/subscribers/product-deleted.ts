import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { MedusaEvents } from "../events"
import { deleteProductPurchaseFeaturesWorkflow } from "../workflows/purchase-features"

export default async function productDeletedHandler({ event, container }: SubscriberArgs<{ id: string }>) {
  try {
    await deleteProductPurchaseFeaturesWorkflow(container).run({ input: { product_id: event.data.id } })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(
      `personalization: dropping product ${event.data.id} failed: ${(error as Error).message}`
    )
    throw error
  }
}

export const config: SubscriberConfig = {
  event: MedusaEvents.PRODUCT_DELETED,
  context: { subscriberId: "personalization-product-deleted" },
}
