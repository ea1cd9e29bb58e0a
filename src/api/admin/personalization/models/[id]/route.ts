import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { RECOMMENDATIONS_MODULE } from "../../../../../modules/recommendations"
import type RecommendationsService from "../../../../../modules/recommendations/service"

/** One model version: status, progress, holdout metrics, decision (404 for an unknown id). */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const service = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const version = await service.retrieveModelVersion(req.params.id)
  res.json({ version })
}
