import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../../../../modules/customer-segments/service"

/** One run: status, progress, and what it found (404 for an unknown id). */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const service = req.scope.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const run = await service.retrieveSegmentationRun(req.params.id)
  res.json({ run })
}
