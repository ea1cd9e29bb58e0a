import { createWorkflow, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { finishSegmentationRunStep, startSegmentationRunStep } from "./steps/record-segmentation-run"
import { segmentCustomersStep } from "./steps/segment-customers"

/**
 * A segmentation run: segments customers from the feature tables (in worker threads) and
 * records the run. `run_id` is the queued run an admin request created; a scheduled run
 * creates its own.
 */
export const runSegmentationWorkflow = createWorkflow("run-segmentation", (input: { run_id?: string }) => {
  const run = startSegmentationRunStep({ run_id: input.run_id })
  const result = segmentCustomersStep(transform({ run }, ({ run }) => ({ run_id: run.id })))
  const finished = finishSegmentationRunStep(
    transform({ run, result }, ({ run, result }) => ({ run_id: run.id, started_at: run.started_at, result }))
  )
  return new WorkflowResponse(finished)
})
