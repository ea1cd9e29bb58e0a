import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { AdminSegmentSampleParamsType } from "../../validators"
import { resolveStoreCurrency } from "../../../../../lib/store-currency"
import { currentRun, runView, samplePoints } from "../view"

/**
 * A seeded sample of the current run's members for a scatter plot: up to `size` customers,
 * the same ones for the same run (ordered by a hash of run id and customer id), each with
 * their segment and features as of the run (recency in days, orders, spend in `currency_code`).
 * `total` is the run's member count. No points before the first completed run.
 */
export async function GET(req: MedusaRequest<unknown, AdminSegmentSampleParamsType>, res: MedusaResponse) {
  const { size } = req.validatedQuery as AdminSegmentSampleParamsType
  const run = await currentRun(req.scope)
  if (!run) {
    res.json({ points: [], total: 0, currency_code: await resolveStoreCurrency(req.scope) })
    return
  }
  const [{ points, total }, view] = await Promise.all([samplePoints(req.scope, run, size), runView(req.scope, run)])
  res.json({
    points: points.map(({ customer_id, segment_key, recency_days, frequency, monetary }) => ({ customer_id, segment_key, recency_days, frequency, monetary })),
    total,
    currency_code: view.currency_code,
  })
}
