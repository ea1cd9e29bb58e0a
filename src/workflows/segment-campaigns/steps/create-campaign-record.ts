import { MedusaError } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../../modules/segment-campaigns/service"
import { drawArms } from "../arms"
import { planSegmentCampaign, type CreateSegmentCampaignInput, type SegmentCampaignPlan } from "../plan"

/** Checks the input against the store (no writes) and returns the plan. */
export const planSegmentCampaignStep = createStep(
  "plan-segment-campaign",
  async (input: CreateSegmentCampaignInput, { container }) => new StepResponse(await planSegmentCampaign(container, input))
)

/**
 * Draws the arms from the segment's current members and writes the campaign row (status as
 * planned, without its Medusa ids yet) and its members. Compensation: deletes them all.
 */
export const createSegmentCampaignRecordStep = createStep(
  "create-segment-campaign-record",
  async (plan: SegmentCampaignPlan, { container }) => {
    const service = container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
    const draw = await drawArms(container, {
      campaignId: plan.id,
      runId: plan.segmentation_run_id,
      segmentKey: plan.segment_key,
      controlShare: plan.control_share,
    })
    const treatment = draw.members.filter((m) => m.arm === "treatment").length
    if (!treatment) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `segment_key: segment "${plan.segment_name}" has no customer to treat (every member is held out, opted out or in another running campaign)`)
    }
    await service.createSegmentCampaigns({
      id: plan.id,
      name: plan.name,
      description: plan.description,
      status: plan.status,
      segment_key: plan.segment_key,
      segment_name: plan.segment_name,
      segmentation_run_id: plan.segmentation_run_id,
      control_share: plan.control_share,
      starts_at: new Date(plan.starts_at),
      ends_at: new Date(plan.ends_at),
      promotion: plan.promotion,
      currency_code: plan.currency_code,
      promotion_code: plan.code,
      treatment_count: treatment,
      control_count: draw.members.length - treatment,
      excluded: draw.excluded,
      message: plan.message,
      created_by: plan.created_by,
    })
    await service.insertMembers(plan.id, draw.members)
    return new StepResponse({ id: plan.id, treatment, control: draw.members.length - treatment, excluded: draw.excluded }, plan.id)
  },
  async (campaignId, { container }) => {
    if (!campaignId) return
    await container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).deleteCampaignCascade(campaignId)
  }
)
