import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { Modules } from "@medusajs/framework/utils"
import { randomUUID } from "node:crypto"

export const REBUILD_REQUESTED_EVENT = "personalization.rebuild_requested"

/**
 * Asks for a rebuild of the feature tables from Medusa's orders. The work runs where jobs
 * and subscribers run (a worker process in a split deployment); this answers 202 at once.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse) {
  const runId = `pzrb_${randomUUID().replace(/-/g, "")}`
  await req.scope.resolve(Modules.EVENT_BUS).emit({ name: REBUILD_REQUESTED_EVENT, data: { run_id: runId } })
  res.status(202).json({ run_id: runId, status: "queued" })
}
