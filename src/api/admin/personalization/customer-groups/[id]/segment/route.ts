import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../../../../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../../../../../modules/segment-campaigns/service"
import { currentRun, segmentsOf } from "../../../segments/view"

/**
 * Whether the plugin manages a customer group (404 for an unknown group): the customer group
 * of a current segment (its members are set by every segmentation run), or the treated group
 * of a segment campaign (with the campaign). Other groups: `segment: null, managed: false`.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const groupId = req.params.id
  const { data: [group] } = await req.scope.resolve(ContainerRegistrationKeys.QUERY).graph({ entity: "customer_group", fields: ["id"], filters: { id: groupId } })
  if (!group) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Customer group with id: ${groupId} was not found`)

  const run = await currentRun(req.scope)
  const [segment] = run ? await segmentsOf(req.scope).listSegments({ run_id: run.id, customer_group_id: groupId }, { take: 1 }) : []
  if (segment) {
    res.json({ segment: { key: segment.key, name: segment.name, run_id: segment.run_id }, managed: true })
    return
  }
  const [campaign] = await req.scope
    .resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
    .listSegmentCampaigns({ customer_group_id: groupId }, { take: 1, select: ["id", "name", "segment_key", "segment_name", "segmentation_run_id"] })
  if (campaign) {
    res.json({
      segment: { key: campaign.segment_key, name: campaign.segment_name, run_id: campaign.segmentation_run_id },
      managed: true,
      campaign: { id: campaign.id, name: campaign.name },
    })
    return
  }
  res.json({ segment: null, managed: false })
}
