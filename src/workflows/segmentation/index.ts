import { createHook, createWorkflow, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { removeDeletedCustomersStep } from "../common/steps/remove-deleted-customers"
import { emitSegmentationEventsStep } from "./steps/emit-segmentation-events"
import { finishSegmentationRunStep, pruneSegmentMembershipsStep, startSegmentationRunStep } from "./steps/record-segmentation-run"
import { type SegmentCustomersResult, segmentCustomersStep } from "./steps/segment-customers"
import { syncSegmentGroupsStep } from "./steps/sync-segment-groups"

export type { SegmentCustomersResult }

/**
 * A segmentation run as the stored run `run_id`: segments customers from the feature tables (in
 * worker threads) and stages the result; keeps a customer group per segment in step with it;
 * takes out customers deleted meanwhile; publishes the run (readers switch to it at once);
 * calls the `segmentationCompleted` hook; emits the plugin's segmentation events (released when
 * the workflow succeeds); prunes the previous run's memberships. A failure anywhere before the
 * prune leaves the previous segments and groups as they were.
 *
 * Start it with `runSegmentation` (workflows/runs.ts), which holds the segmentation lock. A
 * shop extends it through the hook:
 *   runSegmentationWorkflow.hooks.segmentationCompleted(async ({ run_id, status, customers, k }, { container }) => { ... })
 * (status "completed", or "skipped" with too little data; a handler that throws fails the run
 * and the previous segmentation stays current).
 */
export const runSegmentationWorkflow = createWorkflow("run-segmentation", (input: { run_id: string }) => {
  const run = startSegmentationRunStep({ run_id: input.run_id })
  const result = segmentCustomersStep({ run_id: input.run_id })
  // Steps after the segmentation do nothing for a skipped run (too little data), which is only recorded.
  const staged = transform({ input, result }, ({ input, result }) => ({
    run_id: result.status === "completed" ? input.run_id : null,
    previous_run_id: result.status === "completed" ? result.previous_run_id : null,
  }))
  syncSegmentGroupsStep(staged)
  removeDeletedCustomersStep(transform({ staged }, ({ staged }) => ({ segmentation_run_id: staged.run_id ?? undefined })))
  finishSegmentationRunStep(transform({ input, result, run }, ({ input, result, run }) => ({ run_id: input.run_id, result, started_at: run.started_at })))
  const segmentationCompleted = createHook(
    "segmentationCompleted",
    transform({ input, result }, ({ input, result }) => ({
      run_id: input.run_id,
      status: result.status,
      customers: result.customers,
      k: result.status === "completed" ? result.k : null,
    }))
  )
  emitSegmentationEventsStep(transform({ staged, result }, ({ staged, result }) => ({ ...staged, customers: result.customers })))
  pruneSegmentMembershipsStep(transform({ staged }, ({ staged }) => ({ run_id: staged.run_id })))
  return new WorkflowResponse(
    { run_id: input.run_id, status: transform({ result }, ({ result }) => result.status) },
    { hooks: [segmentationCompleted] }
  )
})
