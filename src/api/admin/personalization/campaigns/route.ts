import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { createSegmentCampaign } from "../../../../workflows/segment-campaigns/run"
import type { AdminCreateCampaignType, AdminListCampaignsParamsType } from "./validators"
import { campaignsOf, campaignView } from "./view"

/** Segment campaigns, newest first, filtered by status, segment, Medusa promotion or Medusa campaign. */
export async function GET(req: AuthenticatedMedusaRequest<unknown, AdminListCampaignsParamsType>, res: MedusaResponse) {
  const { limit, offset, ...filters } = req.validatedQuery as AdminListCampaignsParamsType
  const [rows, count] = await campaignsOf(req.scope).listAndCountSegmentCampaigns(filters, { take: limit, skip: offset, order: { created_at: "DESC" } })
  const campaigns = await Promise.all(rows.map((row) => campaignView(req.scope, row)))
  res.json({ campaigns, count, offset, limit })
}

/**
 * Creates a segment campaign from a segment (the arms, the treated group, the Medusa campaign
 * and the promotion): 200 with the campaign. 400 naming the field for bad input, 404 for an
 * unknown segment; nothing is written before every check has passed.
 */
export async function POST(req: AuthenticatedMedusaRequest<AdminCreateCampaignType>, res: MedusaResponse) {
  const body = req.validatedBody as AdminCreateCampaignType
  const created = await createSegmentCampaign(req.scope, { ...body, created_by: req.auth_context?.actor_id })
  const row = await campaignsOf(req.scope).retrieveSegmentCampaign(created.id)
  res.json({ campaign: await campaignView(req.scope, row) })
}
