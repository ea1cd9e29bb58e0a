import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { previewSegmentCampaign } from "../../../../../workflows/segment-campaigns/run"
import type { AdminPreviewCampaignType } from "../validators"

/** The arms a campaign on the segment would get now, who would be left out and why, and warnings; writes nothing. */
export async function POST(req: MedusaRequest<AdminPreviewCampaignType>, res: MedusaResponse) {
  res.json({ preview: await previewSegmentCampaign(req.scope, req.validatedBody as AdminPreviewCampaignType) })
}
