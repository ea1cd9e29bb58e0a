import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../../modules/segment-campaigns/service"

/** Records the Medusa ids on the campaign row: its group, Medusa campaign and promotion. */
export const linkSegmentCampaignStep = createStep(
  "link-segment-campaign",
  async (
    input: { id: string; customer_group_id: string; medusa_campaign_id: string; promotion_id: string; promotion_code: string },
    { container }
  ) => {
    const campaign = await container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).updateSegmentCampaigns(input)
    return new StepResponse(campaign)
  }
)
