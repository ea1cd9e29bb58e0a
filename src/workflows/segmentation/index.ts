import { createWorkflow, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { finishSegmentationRunStep, startSegmentationRunStep } from "./steps/record-segmentation-run"
import { segmentCustomersStep } from "./steps/segment-customers"
import { syncSegmentGroupsStep } from "./steps/sync-segment-groups"

/**
 * A segmentation run: segments customers from the feature tables (in worker threads), keeps a
 * customer group per segment in step, and records the run. `run_id` is the queued run an admin request created; a scheduled run
 * creates its own.
 */
export const runSegmentationWorkflow = createWorkflow("run-segmentation", (input: { run_id?: string }) => {
  const run = startSegmentationRunStep({ run_id: input.run_id })
  const result = segmentCustomersStep(transform({ run }, ({ run }) => ({ run_id: run.id })))
  when({ result }, ({ result }) => result.status === "completed").then(() => {
    syncSegmentGroupsStep(transform({ result }, ({ result }) => ({ removed: result.status === "completed" ? result.removed : [] })))
  })
  const finished = finishSegmentationRunStep(
    transform({ run, result }, ({ run, result }) => ({ run_id: run.id, started_at: run.started_at, result }))
  )
  return new WorkflowResponse(finished)
})

/** Brings the segments' customer groups in line with the stored segmentation (repair, tests). */
export const syncSegmentGroupsWorkflow = createWorkflow(
  "sync-segment-groups",
  (input: { removed?: { key: string; customer_group_id: string | null }[] }) => {
    const result = syncSegmentGroupsStep(transform({ input }, ({ input }) => ({ removed: input.removed ?? [] })))
    return new WorkflowResponse(result)
  }
)
