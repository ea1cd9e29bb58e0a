import { Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { listDeletedCustomerIds } from "../../../lib/store-data"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"

/**
 * A run reads customers at its start and writes for them at its end; one deleted in between
 * must not come back. After everything the run wrote is committed, this step reads who is
 * deleted now and takes them out of what the run wrote: a staged segmentation run's
 * memberships and the plugin's segment groups, or a training run's pending lists. A customer
 * deleted after this read is purged by the customer.deleted handler, which covers staged runs
 * and pending versions too: either way nothing of theirs stays. No compensation: nothing of a
 * deleted customer is ever put back.
 */
export const removeDeletedCustomersStep = createStep(
  "remove-deleted-customers",
  async (input: { segmentation_run_id?: string; model_version_id?: string }, { container }) => {
    const deleted = [...(await listDeletedCustomerIds(container))]
    let memberships = 0
    let groupMemberships = 0
    let lists = 0
    if (input.segmentation_run_id && deleted.length) {
      const segments = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
      const members = await segments.listRunMembersAmong(input.segmentation_run_id, deleted)
      memberships = await segments.removeRunMembers(input.segmentation_run_id, members)
      const groups = await segments.listSegmentGroupIds()
      if (groups.length) {
        const customers = container.resolve(Modules.CUSTOMER)
        const inGroups = await customers.listCustomerGroupCustomers({ customer_id: deleted, customer_group_id: groups }, { take: null })
        if (inGroups.length) {
          await customers.removeCustomerFromGroup(inGroups.map((m) => ({ customer_id: m.customer_id, customer_group_id: m.customer_group_id })))
        }
        groupMemberships = inGroups.length
      }
    }
    if (input.model_version_id && deleted.length) {
      lists = await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).removeCustomerLists(input.model_version_id, deleted)
    }
    return new StepResponse({ memberships, group_memberships: groupMemberships, lists })
  }
)
