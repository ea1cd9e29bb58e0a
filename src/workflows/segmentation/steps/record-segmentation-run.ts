import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"
import type { SegmentCustomersResult } from "./segment-customers"

/** Marks the run as running (creating it when the caller gave no id). */
export const startSegmentationRunStep = createStep(
  "start-segmentation-run",
  async ({ run_id }: { run_id?: string }, { container }) => {
    const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    const started_at = new Date()
    const run = run_id
      ? await service.updateSegmentationRuns({ id: run_id, status: "running", started_at, progress: 0.05 })
      : await service.createSegmentationRuns({ status: "running", started_at, progress: 0.05 })
    return new StepResponse({ id: run.id, started_at }, run.id)
  },
  // A later step failed: the run says so instead of staying "running" forever.
  async (runId, { container }) => {
    if (!runId) return
    const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    await service.updateSegmentationRuns({ id: runId, status: "failed", reason: "the run failed; see the server log", finished_at: new Date() })
  }
)

/** Stores the outcome on the run. */
export const finishSegmentationRunStep = createStep(
  "finish-segmentation-run",
  async ({ run_id, started_at, result }: { run_id: string; started_at: Date; result: SegmentCustomersResult }, { container }) => {
    const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    const finished_at = new Date()
    const run = await service.updateSegmentationRuns({
      id: run_id,
      status: result.status,
      reason: result.status === "skipped" ? result.reason : null,
      customers: result.customers,
      as_of: result.as_of,
      ...(result.status === "completed"
        ? {
            k: result.k,
            silhouette: result.silhouette,
            inertia: result.inertia,
            criterion: result.criterion,
            scaling: result.scaling as Record<string, unknown>,
            prediction_window_days: result.prediction.window_days,
            prediction_currency_code: result.prediction.currency_code,
            prediction_training_customers: result.prediction.training_customers,
            prediction_scored_customers: result.prediction.scored_customers,
            prediction_validation: result.prediction.validation,
            prediction_reason: result.prediction.reason,
          }
        : {}),
      progress: 1,
      finished_at,
      duration_ms: finished_at.getTime() - new Date(started_at).getTime(),
    })
    return new StepResponse(run)
  }
)
