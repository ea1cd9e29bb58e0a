import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { configuredOptions } from "../lib/configured-options"
import { SEGMENT_CAMPAIGNS_MODULE } from "../modules/segment-campaigns"
import type SegmentCampaignsService from "../modules/segment-campaigns/service"
import { endSegmentCampaignWorkflow, refreshSegmentCampaignReportWorkflow } from "../workflows/segment-campaigns"

/**
 * Nightly: a campaign whose end date has passed is ended (promotion deactivated, final report);
 * every other campaign that is not ended gets its report recomputed. One campaign's failure is
 * logged and does not stop the others.
 */
export default async function refreshCampaignReportsJob(container: MedusaContainer) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const service = container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
  const due = await service.listSegmentCampaigns({ status: ["draft", "active"] }, { select: ["id", "ends_at"], take: null })
  const now = new Date()
  let failed = 0
  for (const c of due) {
    try {
      if (new Date(c.ends_at) <= now) await endSegmentCampaignWorkflow(container).run({ input: { campaign_id: c.id } })
      else await refreshSegmentCampaignReportWorkflow(container).run({ input: { campaign_id: c.id } })
    } catch (error) {
      failed++
      logger.error(`personalization segment campaign ${c.id}: report failed: ${(error as { message?: string }).message ?? String(error)}`)
    }
  }
  logger.info(`personalization segment campaigns: ${due.length - failed} of ${due.length} reports refreshed`)
}

export const config = {
  name: "personalization-refresh-campaign-reports",
  // Read once at import: changing the schedule option needs a restart.
  schedule: configuredOptions().schedules.campaignReports,
}
