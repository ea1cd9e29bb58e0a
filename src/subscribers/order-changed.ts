import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { ORDER_CHANGED_EVENTS } from "../events"
import { syncPurchaseOrdersWorkflow } from "../workflows/purchase-features"

/** `order.*` events carry `{ id }`; edits, returns, claims and exchanges carry `{ order_id }`. */
type OrderEvent = { id?: string; order_id?: string }

export default async function orderChangedHandler({ event, container }: SubscriberArgs<OrderEvent>) {
  const orderId = event.data.order_id ?? event.data.id
  if (!orderId) {
    return
  }
  try {
    await syncPurchaseOrdersWorkflow(container).run({ input: { order_ids: [orderId] } })
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).error(
      `personalization: syncing order ${orderId} after ${event.name} failed: ${(error as Error).message}`
    )
    throw error
  }
}

export const config: SubscriberConfig = {
  event: ORDER_CHANGED_EVENTS,
  context: { subscriberId: "personalization-order-changed" },
}
