import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { requestSegmentCampaignMessages } from "../../../../../../workflows/segment-campaigns/messages"
import { campaignsOf, requireCampaign } from "../../view"

/** The campaign's sends (newest first), its message counts, and the customers whose message failed (with Medusa's error). */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const campaign = await requireCampaign(req.scope, req.params.id)
  const service = campaignsOf(req.scope)
  const [sends, counts, failures] = await Promise.all([
    service.listSegmentCampaignSends({ campaign_id: campaign.id }, { order: { created_at: "DESC" }, take: 20 }),
    service.countMessages(campaign.id),
    service.listSegmentCampaignMessages({ campaign_id: campaign.id, status: "failure" }, { take: 100, order: { customer_id: "ASC" }, select: ["customer_id", "error", "attempts", "updated_at"] }),
  ])
  res.json({ campaign_id: campaign.id, enabled: !!campaign.message, sends, counts, failures })
}

/**
 * Sends the campaign's messages in the background: 202 with the send (an open send is returned
 * as it is, so a second click starts nothing). 400 for a campaign without a message, 404 unknown.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const { send, created } = await requestSegmentCampaignMessages(req.scope, req.params.id)
  res.status(created ? 202 : 200).json({ send })
}
