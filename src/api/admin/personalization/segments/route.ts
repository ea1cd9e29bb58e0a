import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../../modules/customer-segments/service"
import { parseInput } from "../validators"
import { z } from "@medusajs/framework/zod"

/** The current segments (of the latest completed run), by key. */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  parseInput(z.object({}).strict(), req.query)
  const service = req.scope.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const segments = await service.listSegments({}, { take: null, order: { key: "ASC" } })
  res.json({ segments })
}
