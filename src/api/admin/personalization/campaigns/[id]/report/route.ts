import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { refreshSegmentCampaignReportWorkflow } from "../../../../../../workflows/segment-campaigns"
import type { AdminReportParamsType } from "../../validators"
import { campaignsOf, requireCampaign } from "../../view"

/**
 * The campaign's outcome report and its figures per day. As stored by the nightly job or the
 * last refresh; `refresh=true` (or a campaign without a report yet) recomputes it first.
 */
export async function GET(req: MedusaRequest<unknown, AdminReportParamsType>, res: MedusaResponse) {
  const { refresh } = req.validatedQuery as AdminReportParamsType
  let campaign = await requireCampaign(req.scope, req.params.id)
  if (refresh || !campaign.report) {
    await refreshSegmentCampaignReportWorkflow(req.scope).run({ input: { campaign_id: campaign.id } })
    campaign = await requireCampaign(req.scope, campaign.id)
  }
  res.json({
    campaign_id: campaign.id,
    computed_at: campaign.report_computed_at,
    left: { treatment: campaign.left_treatment, control: campaign.left_control },
    report: campaign.report,
    days: await campaignsOf(req.scope).listDays(campaign.id),
  })
}
