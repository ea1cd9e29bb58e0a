import type { MedusaContainer } from "@medusajs/framework/types"
import { isInControlGroup } from "../../lib/control-group"
import { listOptedOutCustomerIds } from "../../lib/store-data"
import { CUSTOMER_SEGMENTS_MODULE } from "../../modules/customer-segments"
import type CustomerSegmentsService from "../../modules/customer-segments/service"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../modules/segment-campaigns/service"

export type Excluded = {
  /** Members held out by the segment's standing control group (the `controlShare` option): never offered a segment promotion. */
  standing_holdout: number
  opted_out: number
  /** Members already in an arm of a campaign that is still running. */
  in_other_campaign: number
}

export type Draw = {
  members: { customer_id: string; arm: "treatment" | "control" }[]
  eligible: number
  excluded: Excluded
}

/**
 * The customers a campaign draws from the segment as the current run has it, and their arms. A
 * campaign draws only the members outside the segment's standing control group (those are kept
 * out of every segment promotion, so the long-run holdout stays clean), never opted-out
 * customers, and no one who is in an arm of another running campaign (their outcome would mix
 * two promotions). Each drawn customer is in the control arm when a hash of customer and
 * campaign id falls below the control share: the split is fixed by the id, whatever the order.
 */
export async function drawArms(
  container: MedusaContainer,
  { campaignId, runId, segmentKey, controlShare }: { campaignId: string; runId: string; segmentKey: string; controlShare: number },
  now = new Date()
): Promise<Draw> {
  const segments = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const [all, outsideHoldout, optedOut, running] = await Promise.all([
    segments.listRunMembers(runId, segmentKey),
    segments.listRunMembers(runId, segmentKey, { inControl: false }),
    listOptedOutCustomerIds(container),
    container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).listCustomersInRunningCampaigns(now),
  ])
  const excluded: Excluded = { standing_holdout: all.length - outsideHoldout.length, opted_out: 0, in_other_campaign: 0 }
  const members: Draw["members"] = []
  for (const customerId of outsideHoldout.sort()) {
    if (optedOut.has(customerId)) excluded.opted_out++
    else if (running.has(customerId)) excluded.in_other_campaign++
    else members.push({ customer_id: customerId, arm: isInControlGroup(customerId, `campaign:${campaignId}`, controlShare) ? "control" : "treatment" })
  }
  return { members, eligible: members.length, excluded }
}
