import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../../modules/customer-segments/service"

/** The current segments (of the latest completed run), by key. */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const segments = await req.scope.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).listCurrentSegments()
  res.json({ segments })
}
