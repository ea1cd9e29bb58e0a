import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { AdminSegmentHistoryParamsType } from "../../validators"
import { segmentsOf } from "../view"

/** The segments (key, name, size) of the last `runs` completed runs, oldest first. */
export async function GET(req: MedusaRequest<unknown, AdminSegmentHistoryParamsType>, res: MedusaResponse) {
  const { runs: limit } = req.validatedQuery as AdminSegmentHistoryParamsType
  const service = segmentsOf(req.scope)
  const runs = await service.listCompletedRuns(limit)
  const segments = runs.length
    ? await service.listSegments({ run_id: runs.map((r) => r.id) }, { take: null, select: ["run_id", "key", "name", "size"], order: { key: "ASC" } })
    : []
  res.json({
    runs: runs.map((r) => ({
      run_id: r.id,
      as_of: r.as_of,
      finished_at: r.finished_at,
      segments: segments.filter((s) => s.run_id === r.id).map((s) => ({ key: s.key, name: s.name, size: s.size })),
    })),
  })
}
