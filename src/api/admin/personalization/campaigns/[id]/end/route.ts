import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { endSegmentCampaignWorkflow } from "../../../../../../workflows/segment-campaigns"
import { campaignView, requireCampaign } from "../../view"

/** Ends the campaign now: its promotion is deactivated, its report computed and kept. Ending an ended campaign changes nothing. */
export async function POST(req: MedusaRequest, res: MedusaResponse) {
  await requireCampaign(req.scope, req.params.id)
  await endSegmentCampaignWorkflow(req.scope).run({ input: { campaign_id: req.params.id } })
  res.json({ campaign: await campaignView(req.scope, await requireCampaign(req.scope, req.params.id)) })
}
