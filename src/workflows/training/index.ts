import { createWorkflow, transform, when, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import type { Recipe } from "../../ml/pipeline/training"
import { activateVersionStep } from "./steps/activate-version"
import { finishTrainingRunStep, startTrainingRunStep } from "./steps/record-training-run"
import { trainRecommendersStep } from "./steps/train-recommenders"

export { TRAINING_LOCK_KEY } from "./steps/train-recommenders"

/**
 * A training run: trains and evaluates the recommenders (worker thread), stores the winner's
 * precomputed lists, switches the store to them atomically, and records the run as a model
 * version. `version_id` is the queued run an admin request created; a scheduled run creates
 * its own.
 */
export const runTrainingWorkflow = createWorkflow(
  "run-recommender-training",
  (input: { version_id?: string; recipe?: Recipe }) => {
    const run = startTrainingRunStep({ version_id: input.version_id })
    const result = trainRecommendersStep(transform({ run, input }, ({ run, input }) => ({ version_id: run.id, recipe: input.recipe })))
    when({ result }, ({ result }) => result.status === "activated").then(() => {
      activateVersionStep(transform({ run }, ({ run }) => ({ version_id: run.id, prune: true })))
    })
    const finished = finishTrainingRunStep(
      transform({ run, result }, ({ run, result }) => ({ version_id: run.id, started_at: run.started_at, result }))
    )
    return new WorkflowResponse(finished)
  }
)

/** Makes a stored version the one the store serves (rollback from the admin API). */
export const activateModelVersionWorkflow = createWorkflow("activate-model-version", (input: { version_id: string }) => {
  const result = activateVersionStep({ version_id: input.version_id })
  return new WorkflowResponse(result)
})
