import type { MedusaContainer } from "@medusajs/framework/types"
import { splitByHash } from "../../lib/control-group"
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
 * two promotions). The drawn customers are ranked by a hash of customer and campaign id, and
 * exactly round(control share × drawn) of them, the first, form the control arm: the split is
 * random, fixed by the id whatever the order, and of the size the preview announced.
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
  const drawn: string[] = []
  for (const customerId of outsideHoldout.sort()) {
    if (optedOut.has(customerId)) excluded.opted_out++
    else if (running.has(customerId)) excluded.in_other_campaign++
    else drawn.push(customerId)
  }
  const control = splitByHash(drawn, `campaign:${campaignId}`, controlShare)
  const members: Draw["members"] = drawn.map((customer_id) => ({ customer_id, arm: control.has(customer_id) ? "control" : "treatment" }))
  return { members, eligible: members.length, excluded }
}
