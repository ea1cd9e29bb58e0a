import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { currentRun, runView, segmentViews } from "./view"

/**
 * The current segments (of the latest completed run), by key, each with its share, its size in
 * the run before and its members' mean purchase prediction; with the run they come from (null,
 * and no segments, before the first completed run).
 */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const run = await currentRun(req.scope)
  if (!run) {
    res.json({ segments: [], run: null })
    return
  }
  const [segments, view] = await Promise.all([segmentViews(req.scope, run), runView(req.scope, run)])
  res.json({ segments, run: view })
}
