import type { MedusaContainer } from "@medusajs/framework/types"
import { CUSTOMER_SEGMENTS_MODULE } from "../../src/modules/customer-segments"
import type CustomerSegmentsService from "../../src/modules/customer-segments/service"
import { pg } from "./store"

type Api = { post: (path: string, body: unknown, config: unknown) => Promise<{ status: number; data: any }> }

/**
 * An active segment campaign with a message on the current run's largest segment (control share
 * 0.3, an automatic 10% promotion, a week long), and its treated customers in id order.
 */
export async function campaignWithMessage(container: MedusaContainer, api: Api, headers: unknown) {
  const segments = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).listCurrentSegments()
  const segment = [...segments].sort((a, b) => b.size - a.size)[0]
  const { data } = await api.post(
    "/admin/personalization/campaigns",
    {
      name: `Messages ${segment.key}`,
      segment_key: segment.key,
      control_share: 0.3,
      ends_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      status: "active",
      promotion: { type: "percentage", value: 10, is_automatic: true },
      message: { recommendations: 2 },
    },
    headers
  )
  const { rows } = await pg(container).raw(
    `SELECT customer_id FROM personalization_segment_campaign_member WHERE campaign_id = ? AND arm = 'treatment' ORDER BY customer_id`,
    [data.campaign.id]
  )
  return { campaign: data.campaign as { id: string; promotion_code: string }, treated: rows.map((r) => r.customer_id as string) }
}
