import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { DetailWidgetProps, HttpTypes } from "@medusajs/framework/types"
import { LinkedSegmentCampaign } from "../components/segment-campaigns/linked-campaign-widget"
import { SafeBoundary } from "../components/states"

/** On Medusa's campaign page: the segment campaign this campaign belongs to, its arms and uplift. */
const CampaignSegmentCampaignWidget = ({ data }: DetailWidgetProps<HttpTypes.AdminCampaign>) => (
  <SafeBoundary title="Personalization: the segment campaign could not be shown">
    <LinkedSegmentCampaign filter={data?.id ? { medusa_campaign_id: data.id } : null} what="campaign" />
  </SafeBoundary>
)

export const config = defineWidgetConfig({ zone: "campaign.details.after", id: "personalization:campaign-segment-campaign" })

export default CampaignSegmentCampaignWidget
