import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { Modules } from "@medusajs/framework/utils"
import { z } from "@medusajs/framework/zod"
import { RECOMMENDATIONS_MODULE } from "../../../../../modules/recommendations"
import type RecommendationsService from "../../../../../modules/recommendations/service"
import { parseInput } from "../../validators"

export const TRAINING_REQUESTED_EVENT = "personalization.training_requested"

/** Recommenders a training run can fit as its candidate; "hybrid" is what the plugin serves by default. */
export const TRAINABLE_MODELS = ["hybrid", "ease", "item-knn", "als", "popularity", "trending"] as const

export const TrainBody = z.object({ model: z.enum(TRAINABLE_MODELS).optional() }).strict()

/**
 * Queues a training run and answers 202 with its model version id. The run happens where
 * subscribers and jobs run (the worker in a split deployment); GET .../models/:id follows it.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const { model } = parseInput(TrainBody, req.body)
  const service = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const version = await service.createModelVersions({ status: "queued" })
  await req.scope.resolve(Modules.EVENT_BUS).emit({ name: TRAINING_REQUESTED_EVENT, data: { version_id: version.id, model } })
  res.status(202).json({ version_id: version.id, status: version.status })
}
