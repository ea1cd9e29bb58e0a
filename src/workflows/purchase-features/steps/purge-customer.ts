import { Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { syncOrdersInChunks } from "./sync-orders"

export type PurgeCustomerStepInput = { customer_id: string; order_ids: string[] }

/**
 * Deletes every row of the plugin keyed by the customer: features, ledger, segment membership,
 * personal recommendation lists of every model version.
 */
export const purgeCustomerStep = createStep(
  "purge-customer-purchase-features",
  async ({ customer_id, order_ids }: PurgeCustomerStepInput, { container }) => {
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const result = await service.purgeCustomer(customer_id)
    const segments = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    const memberships = await segments.purgeCustomer(customer_id)
    const lists = await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).purgeCustomer(customer_id)
    // Out of the segment groups this plugin owns too (Medusa keeps a soft-deleted customer's groups).
    const ours = (await segments.listSegments({}, { take: null }))
      .map((s) => s.customer_group_id)
      .filter((id): id is string => Boolean(id))
    const customers = container.resolve(Modules.CUSTOMER)
    const inGroups = ours.length
      ? await customers.listCustomerGroupCustomers({ customer_id, customer_group_id: ours }, { take: null })
      : []
    if (inGroups.length) {
      await customers.removeCustomerFromGroup(inGroups.map((m) => ({ customer_id, customer_group_id: m.customer_group_id })))
    }
    return new StepResponse({ deleted: result.deleted + memberships + lists + inGroups.length }, order_ids)
  },
  // If the deletion is rolled back, the customer exists again: their orders come back from
  // Medusa; their segment and their list come back with the next segmentation and training runs.
  async (orderIds, { container }) => {
    if (!orderIds?.length) {
      return
    }
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    await syncOrdersInChunks(service, orderIds)
  }
)
