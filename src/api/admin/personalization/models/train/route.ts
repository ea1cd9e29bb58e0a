import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { requestRunWorkflow } from "../../../../../workflows/common/request-run"
import type { AdminTrainBodyType } from "../../validators"

/**
 * Queues a training run and answers 202 with its model version id. The run happens where
 * subscribers and jobs run (the worker in a split deployment); GET .../models/:id follows it.
 */
export async function POST(req: MedusaRequest<AdminTrainBodyType>, res: MedusaResponse) {
  const { model } = req.validatedBody as AdminTrainBodyType
  const { result: versionId } = await requestRunWorkflow(req.scope).run({ input: { kind: "training", model } })
  res.status(202).json({ version_id: versionId, status: "queued" })
}
