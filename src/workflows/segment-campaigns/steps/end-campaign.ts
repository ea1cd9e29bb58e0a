import { MedusaError, Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../../modules/segment-campaigns/service"

/** The campaign to end and its promotion if it still exists (404 for an unknown campaign). */
export const loadCampaignToEndStep = createStep(
  "load-segment-campaign-to-end",
  async ({ campaign_id }: { campaign_id: string }, { container }) => {
    const [campaign] = await container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).listSegmentCampaigns({ id: campaign_id }, { take: 1 })
    if (!campaign) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Segment campaign with id: ${campaign_id} was not found`)
    const [promotion] = campaign.promotion_id
      ? await container.resolve(Modules.PROMOTION).listPromotions({ id: campaign.promotion_id }, { take: 1, select: ["id", "status"] })
      : []
    return new StepResponse({
      id: campaign.id,
      already_ended: campaign.status === "ended",
      previous_status: campaign.status,
      // An inactive promotion needs no update; one deleted in Medusa's admin cannot have one.
      promotions_to_deactivate: promotion && promotion.status !== "inactive" ? [{ id: promotion.id, status: "inactive" as const }] : [],
    })
  }
)

/** Marks the campaign ended now. Compensation: gives it back its previous status. */
export const markCampaignEndedStep = createStep(
  "mark-segment-campaign-ended",
  async ({ id, previous_status }: { id: string; previous_status: "draft" | "active" | "ended" }, { container }) => {
    const service = container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
    const campaign = await service.updateSegmentCampaigns({ id, status: "ended", ended_at: new Date() })
    return new StepResponse(campaign, { id, previous_status })
  },
  async (data, { container }) => {
    if (!data) return
    await container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).updateSegmentCampaigns({ id: data.id, status: data.previous_status, ended_at: null })
  }
)
