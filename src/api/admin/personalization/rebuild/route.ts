import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { requestRunWorkflow } from "../../../../workflows/common/request-run"

/**
 * Asks for a rebuild of the feature tables from Medusa's orders. The work runs where jobs
 * and subscribers run (a worker process in a split deployment); this answers 202 at once
 * with the stored run's id, which GET .../rebuild/runs/:id follows.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const { result: runId } = await requestRunWorkflow(req.scope).run({ input: { kind: "rebuild" } })
  res.status(202).json({ run_id: runId, status: "queued" })
}
