import type { MedusaContainer } from "@medusajs/framework/types"
import { MedusaError, Modules } from "@medusajs/framework/utils"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../../../modules/segment-campaigns/service"

export const campaignsOf = (scope: MedusaContainer) => scope.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)

export type CampaignRow = Awaited<ReturnType<SegmentCampaignsService["retrieveSegmentCampaign"]>>

/**
 * A campaign as the admin shows it: the row, its arms now (as created, less those who left), the
 * Medusa promotion's code and status as Medusa has them now, and its messages' counts. Null
 * promotion when it was deleted in Medusa's admin.
 */
export async function campaignView(scope: MedusaContainer, row: CampaignRow) {
  const [promotion] = row.promotion_id
    ? await scope.resolve(Modules.PROMOTION).listPromotions({ id: row.promotion_id }, { take: 1, select: ["id", "code", "status", "is_automatic"] })
    : []
  const messages = row.message ? await campaignsOf(scope).countMessages(row.id) : null
  return {
    ...row,
    arms: {
      treatment: { created: row.treatment_count, left: row.left_treatment, current: row.treatment_count - row.left_treatment },
      control: { created: row.control_count, left: row.left_control, current: row.control_count - row.left_control },
    },
    medusa_promotion: promotion ? { id: promotion.id, code: promotion.code, status: promotion.status, is_automatic: promotion.is_automatic } : null,
    messages,
  }
}

/** The campaign row, or 404 naming the id. */
export async function requireCampaign(scope: MedusaContainer, id: string): Promise<CampaignRow> {
  const [row] = await campaignsOf(scope).listSegmentCampaigns({ id }, { take: 1 })
  if (!row) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Segment campaign with id: ${id} was not found`)
  return row
}
