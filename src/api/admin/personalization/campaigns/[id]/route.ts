import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { campaignView, requireCampaign } from "../view"

/** One segment campaign (404 for an unknown id). */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  res.json({ campaign: await campaignView(req.scope, await requireCampaign(req.scope, req.params.id)) })
}
