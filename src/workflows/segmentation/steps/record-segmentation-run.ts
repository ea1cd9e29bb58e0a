import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"
import type { SegmentCustomersResult } from "./segment-customers"

/** Marks the run as running. Compensation: the run says it failed (workflows/runs.ts adds the error). */
export const startSegmentationRunStep = createStep(
  "start-segmentation-run",
  async ({ run_id }: { run_id: string }, { container }) => {
    const started_at = new Date()
    await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).updateSegmentationRuns({ id: run_id, status: "running", started_at, progress: 0.05 })
    return new StepResponse({ id: run_id, started_at }, run_id)
  },
  async (runId, { container }) => {
    if (!runId) return
    await container
      .resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
      .updateSegmentationRuns({ id: runId, status: "failed", reason: "the run failed", finished_at: new Date() })
  }
)

/**
 * A completed run becomes the current segmentation, with its details, in one statement; a
 * skipped one is recorded with its reason. Compensation (a later step failed): a published run
 * is marked failed, which makes the previous completed run current again; its memberships are
 * still there (pruned only at the end).
 */
export const finishSegmentationRunStep = createStep(
  "finish-segmentation-run",
  async ({ run_id, result, started_at }: { run_id: string; result: SegmentCustomersResult; started_at: Date }, { container }) => {
    const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    if (result.status === "skipped") {
      const finished_at = new Date()
      await service.updateSegmentationRuns({
        id: run_id,
        status: "skipped",
        reason: result.reason,
        customers: result.customers,
        as_of: result.as_of,
        progress: 1,
        finished_at,
        duration_ms: finished_at.getTime() - new Date(started_at).getTime(),
      })
      return new StepResponse({ previous_run_id: null }, null)
    }
    const { status: _status, previous_run_id: _previous, ...details } = result
    return new StepResponse(await service.publishRun(run_id, { ...details, started_at }), run_id)
  },
  async (runId, { container }) => {
    if (!runId) return
    await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).updateSegmentationRuns({
      id: runId,
      status: "failed",
      reason: "the run failed after it was published; the previous segmentation is current again",
      finished_at: new Date(),
    })
  }
)

/** Deletes the memberships of every earlier run, once this run is current and nothing can fail any more. */
export const pruneSegmentMembershipsStep = createStep("prune-segment-memberships", async ({ run_id }: { run_id: string | null }, { container }) => {
  if (!run_id) return new StepResponse(0)
  return new StepResponse(await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).pruneMemberships(run_id))
})
