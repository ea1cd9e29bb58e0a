import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { requestRunWorkflow } from "../../../../../workflows/common/request-run"

/**
 * Queues a segmentation run and answers 202 with its id. The run happens where subscribers
 * and jobs run (the worker in a split deployment); GET .../segmentation/runs/:id follows it.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const { result: runId } = await requestRunWorkflow(req.scope).run({ input: { kind: "segmentation" } })
  res.status(202).json({ run_id: runId, status: "queued" })
}
