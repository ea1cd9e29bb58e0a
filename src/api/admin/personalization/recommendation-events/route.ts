import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "@medusajs/framework/zod"
import { RECOMMENDATIONS_MODULE } from "../../../../modules/recommendations"
import type RecommendationsService from "../../../../modules/recommendations/service"
import { parseInput } from "../validators"

export const EventsQuery = z
  .object({
    /** First UTC day counted, YYYY-MM-DD; default: all days. */
    since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD").optional(),
    version_id: z.string().min(1).optional(),
  })
  .strict()

/** Impressions, clicks, add-to-carts and click-through rate per model version and list type. */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const { since, version_id } = parseInput(EventsQuery, req.query)
  const service = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  res.json({ events: await service.summarizeEvents({ since, versionId: version_id }) })
}
