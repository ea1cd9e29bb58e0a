import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../../../../modules/customer-segments/service"
import { PageQuery, parseInput } from "../../../validators"

/** The customers of a segment, paginated by customer id (404 for an unknown segment key). */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const { limit, offset } = parseInput(PageQuery, req.query)
  const service = req.scope.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const [segment] = await service.listSegments({ key: req.params.key })
  if (!segment) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Segment with key: ${req.params.key} was not found`)
  }
  const [members, count] = await service.listAndCountCustomerSegments(
    { segment_key: segment.key },
    { take: limit, skip: offset, order: { customer_id: "ASC" } }
  )
  res.json({ segment, customers: members.map((m) => ({ customer_id: m.customer_id })), count, limit, offset })
}
