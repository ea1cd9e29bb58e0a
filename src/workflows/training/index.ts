import { emitEventStep } from "@medusajs/medusa/core-flows"
import { createStep, createWorkflow, StepResponse, transform, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { PersonalizationEvents } from "../../events"
import type { Recipe } from "../../ml/pipeline/training"
import { RECOMMENDATIONS_MODULE } from "../../modules/recommendations"
import type RecommendationsService from "../../modules/recommendations/service"
import { removeDeletedCustomersStep } from "../common/steps/remove-deleted-customers"
import { finishTrainingRunStep, pruneModelVersionsStep, startTrainingRunStep } from "./steps/record-training-run"
import { trainRecommendersStep } from "./steps/train-recommenders"

/**
 * A training run as the stored model version `version_id`: trains and evaluates the
 * recommenders (worker thread) and, when the candidate wins, stores its lists under the
 * version (with `refresh`, the nightly job's, it may instead refresh the active full run: see
 * trainRecommendersStep); takes out customers deleted meanwhile; switches the store to the version together
 * with its details; emits MODEL_VERSION_ACTIVATED; prunes old versions' lists.
 * Start it with `runTraining` (workflows/runs.ts), which holds the training lock.
 */
export const runTrainingWorkflow = createWorkflow(
  "run-recommender-training",
  (input: { version_id: string; recipe?: Recipe; refresh?: boolean }) => {
    const run = startTrainingRunStep({ version_id: input.version_id })
    const result = trainRecommendersStep({ version_id: input.version_id, recipe: input.recipe, refresh: input.refresh })
    removeDeletedCustomersStep(
      transform({ input, result }, ({ input, result }) => ({ model_version_id: result.status === "activate" ? input.version_id : undefined }))
    )
    const finished = finishTrainingRunStep(
      transform({ input, run, result }, ({ input, run, result }) => ({ version_id: input.version_id, started_at: run.started_at, result }))
    )
    emitEventStep({
      eventName: PersonalizationEvents.MODEL_VERSION_ACTIVATED,
      data: transform({ input, result, finished }, ({ input, result, finished }) =>
        finished.activated ? [{ version_id: input.version_id, previous_version_id: finished.previous, reason: result.reason }] : []
      ),
    })
    pruneModelVersionsStep(transform({ finished }, ({ finished }) => ({ activated: finished.activated })))
    return new WorkflowResponse({ version_id: input.version_id, status: transform({ result }, ({ result }) => result.status) })
  }
)

const activateStoredVersionStep = createStep(
  "activate-stored-model-version",
  async ({ version_id }: { version_id: string }, { container }) => {
    const service = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    const { previous } = await service.activateVersion(version_id)
    return new StepResponse({ version_id, previous }, previous)
  },
  async (previous, { container }) => {
    if (previous) await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).activateVersion(previous)
  }
)

/** Makes a stored version the one the store serves (rollback from the admin). */
export const activateModelVersionWorkflow = createWorkflow("activate-model-version", (input: { version_id: string }) => {
  const result = activateStoredVersionStep({ version_id: input.version_id })
  emitEventStep({
    eventName: PersonalizationEvents.MODEL_VERSION_ACTIVATED,
    data: transform({ result }, ({ result }) => ({ version_id: result.version_id, previous_version_id: result.previous, reason: "activated by an admin" })),
  })
  return new WorkflowResponse(result)
})
