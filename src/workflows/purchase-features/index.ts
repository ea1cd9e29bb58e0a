import { createHook, createWorkflow, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { listAffectedOrdersStep } from "./steps/list-affected-orders"
import { listGuestOrdersStep } from "./steps/list-guest-orders"
import {
  purgeCustomerFeaturesStep,
  purgeCustomerListsStep,
  purgeCustomerSegmentsStep,
  removeCustomerFromSegmentGroupsStep,
} from "./steps/purge-customer"
import { rebuildPurchaseFeaturesStep, type RebuildInput } from "./steps/rebuild-purchase-features"
import { finishRebuildRunStep, startRebuildRunStep } from "./steps/record-rebuild-run"
import { syncOrdersStep } from "./steps/sync-orders"
import { leaveSegmentCampaignsStep } from "../segment-campaigns/steps/leave-campaigns"

/** An order was placed, canceled, edited, returned, claimed or exchanged: count it as it is now. */
export const syncPurchaseOrdersWorkflow = createWorkflow(
  "sync-purchase-orders",
  (input: { order_ids: string[] }) => {
    const result = syncOrdersStep({ order_ids: input.order_ids })
    return new WorkflowResponse(result)
  }
)

/**
 * A customer was deleted: their orders are synced away (Medusa no longer returns orders of a
 * deleted customer; a merged guest's orders go back to the guest), then every remaining row
 * keyed by the customer is deleted, module by module: feature tables, segment memberships
 * (staged runs too) and the plugin's segment groups, personal lists (pending versions too),
 * segment campaign arms (the campaigns count them as having left) and messages.
 * The `customerPurged` hook lets a shop remove its own data of the customer in the same
 * workflow; when any step fails, every step's change is undone.
 */
export const deleteCustomerPurchaseFeaturesWorkflow = createWorkflow(
  "delete-customer-purchase-features",
  (input: { customer_id: string }) => {
    const orderIds = listAffectedOrdersStep({ customer_id: input.customer_id })
    const synced = syncOrdersStep(transform({ orderIds }, ({ orderIds }) => ({ order_ids: orderIds })))
    const features = purgeCustomerFeaturesStep(transform({ input, orderIds }, ({ input, orderIds }) => ({ customer_id: input.customer_id, order_ids: orderIds })))
    const memberships = purgeCustomerSegmentsStep({ customer_id: input.customer_id })
    const groups = removeCustomerFromSegmentGroupsStep({ customer_id: input.customer_id })
    const lists = purgeCustomerListsStep({ customer_id: input.customer_id })
    const campaigns = leaveSegmentCampaignsStep({ customer_id: input.customer_id, purge_messages: true })
    const customerPurged = createHook("customerPurged", { customer_id: input.customer_id })
    return new WorkflowResponse({ synced, features, memberships, groups, lists, campaigns }, { hooks: [customerPurged] })
  }
)

/** A product was deleted: its lines leave the item-level tables; customers keep the money. */
export const deleteProductPurchaseFeaturesWorkflow = createWorkflow(
  "delete-product-purchase-features",
  (input: { product_id: string }) => {
    const orderIds = listAffectedOrdersStep({ product_id: input.product_id })
    const synced = syncOrdersStep(transform({ orderIds }, ({ orderIds }) => ({ order_ids: orderIds })))
    return new WorkflowResponse(synced)
  }
)

/**
 * Recomputes every table from Medusa's orders (the source of truth), as the stored run
 * `run_id`. Start it with `runRebuild` (workflows/runs.ts), which holds the rebuild lock.
 */
export const rebuildPurchaseFeaturesWorkflow = createWorkflow(
  "rebuild-purchase-features",
  (input: RebuildInput) => {
    startRebuildRunStep({ run_id: input.run_id })
    const result = rebuildPurchaseFeaturesStep(input)
    const run = finishRebuildRunStep(transform({ input, result }, ({ input, result }) => ({ run_id: input.run_id, result })))
    return new WorkflowResponse(run)
  }
)

/** A customer registered: their earlier guest checkouts now count for them. */
export const mergeGuestPurchaseOrdersWorkflow = createWorkflow(
  "merge-guest-purchase-orders",
  (input: { customer_id: string }) => {
    const orderIds = listGuestOrdersStep({ customer_id: input.customer_id })
    const synced = syncOrdersStep(transform({ orderIds }, ({ orderIds }) => ({ order_ids: orderIds })))
    return new WorkflowResponse(synced)
  }
)
