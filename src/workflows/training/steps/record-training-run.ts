import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { throwIfAborted } from "../../run-signals"
import { configuredOptions } from "../../../lib/configured-options"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"
import type { TrainRecommendersResult } from "./train-recommenders"

/** Marks the run as running. Compensation: the run says it failed (workflows/runs.ts adds the error). */
export const startTrainingRunStep = createStep(
  "start-training-run",
  async ({ version_id }: { version_id: string }, { container }) => {
    const started_at = new Date()
    await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).updateModelVersions({ id: version_id, status: "running", started_at, progress: 0.05 })
    return new StepResponse({ id: version_id, started_at }, version_id)
  },
  async (versionId, { container }) => {
    if (!versionId) return
    await container
      .resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
      .updateModelVersions({ id: versionId, status: "failed", reason: "the run failed", finished_at: new Date() })
  }
)

/** What a version row records of a run. */
function details(result: TrainRecommendersResult) {
  return {
    reason: result.reason,
    recipe: result.recipe as unknown as Record<string, unknown>, // a plain JSON object
    evaluation: (result.evaluation ?? null) as Record<string, unknown> | null,
    data: result.data as Record<string, unknown> | null,
    as_of: result.as_of,
  }
}

/**
 * Ends the run. A winning candidate's version becomes the one the store serves, in the same
 * transaction that records its reason, evaluation and timings (never active without them);
 * a rejected or skipped run is recorded with why. Compensation (a later step failed): the
 * previous version is active again, if it still has its lists.
 */
export const finishTrainingRunStep = createStep(
  "finish-training-run",
  async ({ version_id, started_at, result }: { version_id: string; started_at: Date; result: TrainRecommendersResult }, { container }) => {
    const service = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    if (result.status === "activate") {
      // The commit point: a run whose lease was lost while it wrote its lists does not go live.
      throwIfAborted(version_id)
      const { previous } = await service.activateVersion(version_id, { ...details(result), started_at })
      return new StepResponse({ activated: true, previous }, { version_id, previous })
    }
    const finished_at = new Date()
    await service.updateModelVersions({
      id: version_id,
      status: result.status,
      ...details(result),
      progress: 1,
      finished_at,
      duration_ms: finished_at.getTime() - new Date(started_at).getTime(),
    })
    return new StepResponse({ activated: false, previous: null as string | null }, null)
  },
  async (undo, { container }) => {
    if (!undo) return
    const service = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    if (undo.previous) {
      await service.activateVersion(undo.previous).catch(() => undefined) // pruned meanwhile: nothing to go back to
    } else {
      await service.updateModelVersions({ id: undo.version_id, status: "inactive" })
    }
  }
)

/** Once a new version serves, drops the lists of versions beyond the newest `training.keepVersions` others. */
export const pruneModelVersionsStep = createStep("prune-model-versions", async ({ activated }: { activated: boolean }, { container }) => {
  if (!activated) return new StepResponse([] as string[])
  return new StepResponse(await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).pruneVersions(configuredOptions().training.keepVersions))
})
