import type { MedusaContainer } from "@medusajs/framework/types"
import { MedusaError } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { buildCampaignReport, type CampaignReport } from "../../../ml/campaigns/report"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../../modules/segment-campaigns/service"

/**
 * Computes a campaign's report from the ledger as of `now`: the window runs from the start to
 * the end, or to the ending or now when that is earlier; the pre-period is as long, just before.
 */
export async function computeCampaignReport(container: MedusaContainer, campaignId: string, now = new Date()): Promise<CampaignReport> {
  const campaigns = container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
  const [campaign] = await campaigns.listSegmentCampaigns({ id: campaignId }, { take: 1 })
  if (!campaign) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Segment campaign with id: ${campaignId} was not found`)
  const start = new Date(campaign.starts_at).getTime()
  const stops = [new Date(campaign.ends_at).getTime(), now.getTime(), ...(campaign.ended_at ? [new Date(campaign.ended_at).getTime()] : [])]
  const observedUntil = Math.max(start, Math.min(...stops))
  const members = await campaigns.listAllMembers(campaignId)
  const ids = members.map((m) => m.customer_id)
  const features = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
  const length = observedUntil - start
  const [orders, preRevenue] = await Promise.all([
    features.listCustomerOrders(ids, { from: new Date(start), until: new Date(observedUntil) }),
    features.sumCustomerSpend(ids, { from: new Date(start - length), until: new Date(start), currency: campaign.currency_code }),
  ])
  return buildCampaignReport({
    members,
    orders: orders.map((o) => ({ ...o, placed_at: o.placed_at.getTime() })),
    preRevenue,
    start,
    observedUntil,
    currencyCode: campaign.currency_code,
    promotionId: campaign.promotion_id,
  })
}

/** Computes and stores a campaign's report (headline on the row, figures per day). */
export const refreshSegmentCampaignReportStep = createStep(
  "refresh-segment-campaign-report",
  async ({ campaign_id }: { campaign_id: string }, { container }) => {
    const report = await computeCampaignReport(container, campaign_id)
    await container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).storeReport(campaign_id, report)
    return new StepResponse(report)
  }
)
