import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { DetailWidgetProps, HttpTypes } from "@medusajs/framework/types"
import { LinkedSegmentCampaign } from "../components/segment-campaigns/linked-campaign-widget"
import { SafeBoundary } from "../components/states"

/** On Medusa's promotion page: the segment campaign that made this promotion, its arms and uplift. */
const PromotionSegmentCampaignWidget = ({ data }: DetailWidgetProps<HttpTypes.AdminPromotion>) => (
  <SafeBoundary title="Personalization: the segment campaign could not be shown">
    <LinkedSegmentCampaign filter={data?.id ? { promotion_id: data.id } : null} what="promotion" />
  </SafeBoundary>
)

export const config = defineWidgetConfig({ zone: "promotion.details.after", id: "personalization:promotion-segment-campaign" })

export default PromotionSegmentCampaignWidget
