import { Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { syncOrdersInChunks } from "./sync-orders"

/**
 * The steps of a customer's purge, one per module, each undoing exactly what it changed when a
 * later step fails (the deletion is then rolled back: the customer exists again).
 */

/**
 * Deletes the customer's rows of the feature tables: features, ledger, interactions, and marks
 * the customer purged (a late read of their orders then writes nothing).
 * Compensation: the mark is lifted and their orders are synced again from Medusa.
 */
export const purgeCustomerFeaturesStep = createStep(
  "purge-customer-purchase-features",
  async ({ customer_id, order_ids }: { customer_id: string; order_ids: string[] }, { container }) => {
    const { deleted } = await container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).purgeCustomer(customer_id)
    return new StepResponse(deleted, { customer_id, order_ids })
  },
  async (purged, { container }) => {
    if (!purged) return
    await container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).restoreCustomer(purged.customer_id)
    if (purged.order_ids.length) await syncOrdersInChunks(container, purged.order_ids)
  }
)

/** Deletes the customer's segment memberships in every run, staged ones included. Compensation: puts them back. */
export const purgeCustomerSegmentsStep = createStep(
  "purge-customer-segments",
  async ({ customer_id }: { customer_id: string }, { container }) => {
    const rows = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).purgeCustomer(customer_id)
    return new StepResponse(rows.length, rows)
  },
  async (rows, { container }) => {
    if (!rows?.length) return
    await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).restoreMemberships(rows)
  }
)

/**
 * Takes the customer out of every customer group the plugin keeps for a segment (Medusa keeps
 * a soft-deleted customer's group memberships). Compensation: puts them back in.
 */
export const removeCustomerFromSegmentGroupsStep = createStep(
  "remove-customer-from-segment-groups",
  async ({ customer_id }: { customer_id: string }, { container }) => {
    const ours = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).listSegmentGroupIds()
    const customers = container.resolve(Modules.CUSTOMER)
    const pairs = ours.length
      ? (await customers.listCustomerGroupCustomers({ customer_id, customer_group_id: ours }, { take: null })).map((m) => ({
          customer_id,
          customer_group_id: m.customer_group_id,
        }))
      : []
    if (pairs.length) await customers.removeCustomerFromGroup(pairs)
    return new StepResponse(pairs.length, pairs)
  },
  async (pairs, { container }) => {
    if (!pairs?.length) return
    await container.resolve(Modules.CUSTOMER).addCustomerToGroup(pairs)
  }
)

/** Deletes the customer's personal lists in every model version, pending ones included. Compensation: puts them back. */
export const purgeCustomerListsStep = createStep(
  "purge-customer-recommendation-lists",
  async ({ customer_id }: { customer_id: string }, { container }) => {
    const rows = await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).purgeCustomer(customer_id)
    return new StepResponse(rows.length, rows)
  },
  async (rows, { container }) => {
    if (!rows?.length) return
    await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).restoreLists(rows)
  }
)
