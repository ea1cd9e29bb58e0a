import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { RECOMMENDATIONS_MODULE } from "../../../../modules/recommendations"
import type RecommendationsService from "../../../../modules/recommendations/service"
import type { AdminEventsParamsType } from "../validators"

/** Impressions, clicks, add-to-carts and click-through rate per model version and list type. */
export async function GET(req: MedusaRequest<unknown, AdminEventsParamsType>, res: MedusaResponse) {
  const { since, version_id } = req.validatedQuery as AdminEventsParamsType
  const service = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  res.json({ events: await service.summarizeEvents({ since, versionId: version_id }) })
}
