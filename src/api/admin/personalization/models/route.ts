import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { RECOMMENDATIONS_MODULE } from "../../../../modules/recommendations"
import type RecommendationsService from "../../../../modules/recommendations/service"
import type { AdminListRunsParamsType } from "../validators"

/** Model versions (one per training run) with their holdout metrics, newest first. */
export async function GET(req: MedusaRequest<unknown, AdminListRunsParamsType>, res: MedusaResponse) {
  const { limit, offset } = req.validatedQuery as AdminListRunsParamsType
  const service = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const [versions, count] = await service.listAndCountModelVersions({}, { take: limit, skip: offset, order: { created_at: "DESC" } })
  res.json({ versions, count, limit, offset })
}
