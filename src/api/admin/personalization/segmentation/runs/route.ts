import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../../../modules/customer-segments/service"
import type { AdminListRunsParamsType } from "../../validators"

/** Segmentation runs, newest first. */
export async function GET(req: MedusaRequest<unknown, AdminListRunsParamsType>, res: MedusaResponse) {
  const { limit, offset } = req.validatedQuery as AdminListRunsParamsType
  const service = req.scope.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const [runs, count] = await service.listAndCountSegmentationRuns({}, { take: limit, skip: offset, order: { created_at: "DESC" } })
  res.json({ runs, count, limit, offset })
}
