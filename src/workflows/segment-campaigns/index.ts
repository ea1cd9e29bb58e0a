import { createCampaignsWorkflow, createCustomerGroupsWorkflow, createPromotionsWorkflow, emitEventStep, updatePromotionsStatusWorkflow } from "@medusajs/core-flows"
import { PersonalizationEvents } from "../../events"
import { createHook, createWorkflow, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import type { CreatePromotionDTO } from "@medusajs/framework/types"
import type { CreateSegmentCampaignInput, SegmentCampaignPlan } from "./plan"
import { createSegmentCampaignRecordStep, planSegmentCampaignStep } from "./steps/create-campaign-record"
import { loadCampaignToEndStep, markCampaignEndedStep } from "./steps/end-campaign"
import { linkSegmentCampaignStep } from "./steps/finish-campaign"
import { leaveSegmentCampaignsStep, removeDepartedMembersStep } from "./steps/leave-campaigns"
import { refreshSegmentCampaignReportStep } from "./steps/report"
import { addTreatedToGroupStep } from "./steps/treated-group"

/** Metadata key on a segment campaign's customer group, promotion and Medusa campaign: the segment campaign's id. */
export const SEGMENT_CAMPAIGN_METADATA_KEY = "personalization_segment_campaign_id"

/** The Medusa promotion a plan asks for, limited to the treated group. */
export function promotionData(plan: SegmentCampaignPlan, groupId: string, campaignId: string): CreatePromotionDTO {
  const p = plan.promotion
  return {
    code: plan.code,
    type: "standard",
    status: plan.status,
    is_automatic: p.is_automatic,
    ...(p.usage_limit !== undefined ? { limit: p.usage_limit } : {}),
    campaign_id: campaignId,
    application_method: {
      type: p.type,
      target_type: p.target,
      // Order: the value off the whole order (spread over its items); items: off each item.
      allocation: p.target === "order" ? "across" : "each",
      value: p.value,
      // A spend budget is counted in the promotion's currency, so a percentage one carries it too.
      ...(p.currency_code || p.budget?.currency_code ? { currency_code: p.currency_code ?? p.budget?.currency_code } : {}),
    },
    rules: [{ attribute: "customer.groups.id", operator: "in", values: [groupId] }],
    metadata: { [SEGMENT_CAMPAIGN_METADATA_KEY]: plan.id },
  } as CreatePromotionDTO
}

/**
 * Creates a segment campaign: checks the input (nothing is written before), draws and stores
 * the arms, makes the treated arm's customer group and fills it, creates the Medusa campaign
 * (dates, budget) and the promotion limited to the group through Medusa's own workflows, and
 * records their ids. A failure at any step, or in a `segmentCampaignCreated` hook handler,
 * undoes every step: no group, promotion, Medusa campaign, campaign row or member is left.
 * Start it with `createSegmentCampaign` (workflows/segment-campaigns/run.ts), which holds the
 * campaigns lock so that two creations cannot draw the same customers.
 */
export const createSegmentCampaignWorkflow = createWorkflow("create-segment-campaign", (input: CreateSegmentCampaignInput) => {
  const plan = planSegmentCampaignStep(input)
  const record = createSegmentCampaignRecordStep(plan)
  const groups = createCustomerGroupsWorkflow.runAsStep({
    input: transform({ plan }, ({ plan }) => ({
      customersData: [{ name: `${plan.name} (segment campaign ${plan.id.slice(-6)})`, metadata: { [SEGMENT_CAMPAIGN_METADATA_KEY]: plan.id } }],
    })),
  })
  const groupId = transform({ groups }, ({ groups }) => groups[0].id)
  addTreatedToGroupStep(transform({ record, groupId }, ({ record, groupId }) => ({ campaign_id: record.id, customer_group_id: groupId })))
  const medusaCampaigns = createCampaignsWorkflow.runAsStep({
    input: transform({ plan }, ({ plan }) => ({
      campaignsData: [
        {
          name: plan.name,
          campaign_identifier: plan.id,
          description: `Segment campaign for ${plan.segment_name} (personalization)`,
          starts_at: new Date(plan.starts_at),
          ends_at: new Date(plan.ends_at),
          ...(plan.promotion.budget
            ? {
                budget: {
                  type: plan.promotion.budget.type,
                  limit: plan.promotion.budget.limit,
                  ...(plan.promotion.budget.type === "spend" ? { currency_code: plan.promotion.budget.currency_code } : {}),
                },
              }
            : {}),
        },
      ],
    })),
  })
  const promotions = createPromotionsWorkflow.runAsStep({
    input: transform({ plan, groupId, medusaCampaigns }, ({ plan, groupId, medusaCampaigns }) => ({
      promotionsData: [promotionData(plan, groupId, medusaCampaigns[0].id)],
    })),
  })
  const campaign = linkSegmentCampaignStep(
    transform({ record, groupId, medusaCampaigns, promotions }, ({ record, groupId, medusaCampaigns, promotions }) => ({
      id: record.id,
      customer_group_id: groupId,
      medusa_campaign_id: medusaCampaigns[0].id,
      promotion_id: promotions[0].id,
      promotion_code: promotions[0].code as string,
    }))
  )
  emitEventStep({ eventName: PersonalizationEvents.SEGMENT_CAMPAIGN_CREATED, data: transform({ record }, ({ record }) => ({ id: record.id })) })
  const segmentCampaignCreated = createHook("segmentCampaignCreated", { campaign_id: record.id })
  return new WorkflowResponse(campaign, { hooks: [segmentCampaignCreated] })
})

/**
 * Ends a campaign: the report is computed one last time, the promotion is deactivated through
 * Medusa's workflow (status inactive), and the campaign is marked ended; the arms, the group
 * and the report stay. Ending an ended campaign changes nothing.
 */
export const endSegmentCampaignWorkflow = createWorkflow("end-segment-campaign", (input: { campaign_id: string }) => {
  const loaded = loadCampaignToEndStep(input)
  when({ loaded }, ({ loaded }) => !loaded.already_ended).then(() => {
    markCampaignEndedStep(transform({ loaded }, ({ loaded }) => ({ id: loaded.id, previous_status: loaded.previous_status })))
    // An empty list (promotion already inactive, or deleted in Medusa's admin) updates nothing.
    updatePromotionsStatusWorkflow.runAsStep({ input: transform({ loaded }, ({ loaded }) => ({ promotionsData: loaded.promotions_to_deactivate })) })
    refreshSegmentCampaignReportStep(input)
    emitEventStep({ eventName: PersonalizationEvents.SEGMENT_CAMPAIGN_ENDED, data: transform({ loaded }, ({ loaded }) => ({ id: loaded.id })) })
  })
  return new WorkflowResponse(transform({ loaded }, ({ loaded }) => ({ campaign_id: loaded.id, already_ended: loaded.already_ended })))
})

/**
 * Recomputes a campaign's report (the nightly job and the admin's "refresh"): members who were
 * deleted or opted out leave first, then the figures are computed from the ledger and stored.
 */
export const refreshSegmentCampaignReportWorkflow = createWorkflow("refresh-segment-campaign-report", (input: { campaign_id: string }) => {
  const left = removeDepartedMembersStep(input)
  const report = refreshSegmentCampaignReportStep(input)
  return new WorkflowResponse({ left, report })
})

/** Members who were deleted or opted out leave the campaign (before a send). */
export const removeDepartedSegmentCampaignMembersWorkflow = createWorkflow("remove-departed-segment-campaign-members", (input: { campaign_id: string }) => {
  return new WorkflowResponse(removeDepartedMembersStep(input))
})

/**
 * A customer opted out: they leave every segment campaign (both arms and the treated group).
 * The opt-out workflow of the admin and the customer.updated subscriber run it.
 */
export const leaveSegmentCampaignsWorkflow = createWorkflow("leave-segment-campaigns", (input: { customer_id: string }) => {
  return new WorkflowResponse(leaveSegmentCampaignsStep(input))
})
