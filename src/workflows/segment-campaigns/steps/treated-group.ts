import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../../modules/segment-campaigns/service"

/** Pairs go to the customer module in batches of this many. */
const BATCH = 1000

async function forTreated(container: MedusaContainer, campaignId: string, apply: (ids: string[]) => Promise<unknown>) {
  const service = container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
  for (let after = ""; ; ) {
    const page = await service.listArm(campaignId, { arm: "treatment", afterCustomerId: after, limit: BATCH })
    if (page.length) await apply(page.map((m) => m.customer_id))
    if (page.length < BATCH) return
    after = page[page.length - 1].customer_id
  }
}

/**
 * Puts the campaign's treated arm in its customer group (read from the member rows, in pages).
 * Compensation: takes them out again.
 */
export const addTreatedToGroupStep = createStep(
  "add-segment-campaign-treated-to-group",
  async ({ campaign_id, customer_group_id }: { campaign_id: string; customer_group_id: string }, { container }) => {
    const customers = container.resolve(Modules.CUSTOMER)
    let added = 0
    await forTreated(container, campaign_id, async (ids) => {
      await customers.addCustomerToGroup(ids.map((customer_id) => ({ customer_id, customer_group_id })))
      added += ids.length
    })
    return new StepResponse(added, { campaign_id, customer_group_id })
  },
  async (data, { container }) => {
    if (!data) return
    const customers = container.resolve(Modules.CUSTOMER)
    await forTreated(container, data.campaign_id, (ids) =>
      customers.removeCustomerFromGroup(ids.map((customer_id) => ({ customer_id, customer_group_id: data.customer_group_id })))
    )
  }
)
