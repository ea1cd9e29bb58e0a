import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"

/**
 * Ledger orders of guest checkouts with the email of a newly registered customer, when
 * guest orders count for the registered customer (option mergeGuestOrders). Read only.
 */
export const listGuestOrdersStep = createStep(
  "list-guest-purchase-orders",
  async ({ customer_id }: { customer_id: string }, { container }) => {
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    if (!service.options.mergeGuestOrders) {
      return new StepResponse<string[]>([])
    }
    const query = container.resolve(ContainerRegistrationKeys.QUERY)
    const { data: [customer] } = await query.graph({
      entity: "customer",
      fields: ["id", "email", "has_account"],
      filters: { id: customer_id },
    })
    if (!customer?.has_account || !customer.email) {
      return new StepResponse<string[]>([])
    }
    const { data: guests } = await query.graph({
      entity: "customer",
      fields: ["id"],
      filters: { email: customer.email, has_account: false },
    })
    const ids: string[] = []
    for (const guest of guests) {
      ids.push(...(await service.listOrderIdsOfCustomer(guest.id)))
    }
    return new StepResponse(ids)
  }
)
