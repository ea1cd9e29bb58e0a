import { emitEventStep } from "@medusajs/medusa/core-flows"
import { createWorkflow, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { MedusaEvents } from "../../events"
import { purgeCustomerListsStep, purgeCustomerSegmentsStep, removeCustomerFromSegmentGroupsStep } from "../purchase-features/steps/purge-customer"
import { leaveSegmentCampaignsStep } from "../segment-campaigns/steps/leave-campaigns"
import { setOptOutFlagStep } from "./steps/set-opt-out-flag"

export type SetCustomerOptOutInput = { customer_id: string; opted_out: boolean }

/**
 * A customer opts out of personalization (or back in): the metadata flag is set (or removed).
 * Opting out takes effect at once: the customer's segment memberships (every run's), their
 * place in the plugin's segment groups, their personal lists (every version) and their place
 * in segment campaigns go; runs leave opted-out customers out from then on. Opting back in
 * only removes the flag: the next runs bring the customer back. Emits `customer.updated`, as
 * Medusa's own customer update does. When a step fails, every step's change is undone.
 */
export const setCustomerOptOutWorkflow = createWorkflow("set-customer-personalization-opt-out", (input: SetCustomerOptOutInput) => {
  const result = setOptOutFlagStep(input)
  when({ input }, ({ input }) => input.opted_out).then(() => {
    purgeCustomerSegmentsStep({ customer_id: input.customer_id })
    removeCustomerFromSegmentGroupsStep({ customer_id: input.customer_id })
    purgeCustomerListsStep({ customer_id: input.customer_id })
    leaveSegmentCampaignsStep({ customer_id: input.customer_id })
  })
  emitEventStep({ eventName: MedusaEvents.CUSTOMER_UPDATED, data: transform({ input }, ({ input }) => ({ id: input.customer_id })) })
  return new WorkflowResponse(result)
})
