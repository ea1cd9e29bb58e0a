import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { RECOMMENDATIONS_MODULE } from "../../../../../../modules/recommendations"
import type RecommendationsService from "../../../../../../modules/recommendations/service"
import { activateModelVersionWorkflow } from "../../../../../../workflows/training"

/**
 * Makes a stored version the one the store serves (rollback). 404 for an unknown id; 400 for
 * a version without stored lists (rejected, skipped, failed or pruned).
 */
export async function POST(req: MedusaRequest, res: MedusaResponse) {
  await activateModelVersionWorkflow(req.scope).run({ input: { version_id: req.params.id } })
  const version = await req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).retrieveModelVersion(req.params.id)
  res.json({ version })
}
