import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { syncOrdersInChunks } from "./sync-orders"

export type PurgeCustomerStepInput = { customer_id: string; order_ids: string[] }

/** Deletes every row of the plugin keyed by the customer: features, ledger, segment membership. */
export const purgeCustomerStep = createStep(
  "purge-customer-purchase-features",
  async ({ customer_id, order_ids }: PurgeCustomerStepInput, { container }) => {
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const result = await service.purgeCustomer(customer_id)
    const memberships = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).purgeCustomer(customer_id)
    return new StepResponse({ deleted: result.deleted + memberships }, order_ids)
  },
  // If the deletion is rolled back, the customer exists again: their orders come back from
  // Medusa; their segment comes back with the next segmentation run.
  async (orderIds, { container }) => {
    if (!orderIds?.length) {
      return
    }
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    await syncOrdersInChunks(service, orderIds)
  }
)
