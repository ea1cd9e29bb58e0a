import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"
import type { TrainRecommendersResult } from "./train-recommenders"

/** Marks the run as running (creating it when the caller gave no id). */
export const startTrainingRunStep = createStep(
  "start-training-run",
  async ({ version_id }: { version_id?: string }, { container }) => {
    const service = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    const started_at = new Date()
    const version = version_id
      ? await service.updateModelVersions({ id: version_id, status: "running", started_at, progress: 0.05 })
      : await service.createModelVersions({ status: "running", started_at, progress: 0.05 })
    return new StepResponse({ id: version.id, started_at }, version.id)
  },
  // A later step failed: the run says so instead of staying "running" forever.
  async (versionId, { container }) => {
    if (!versionId) return
    const service = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    await service.updateModelVersions({ id: versionId, status: "failed", reason: "the run failed; see the server log", finished_at: new Date() })
  }
)

/** Stores the outcome on the run's version row. */
export const finishTrainingRunStep = createStep(
  "finish-training-run",
  async ({ version_id, started_at, result }: { version_id: string; started_at: Date; result: TrainRecommendersResult }, { container }) => {
    const service = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    const finished_at = new Date()
    const version = await service.updateModelVersions({
      id: version_id,
      // An activated version is already "active" (set in the same transaction as the switch).
      ...(result.status === "activated" ? {} : { status: result.status }),
      reason: result.reason,
      recipe: result.recipe as unknown as Record<string, unknown>, // a plain JSON object
      evaluation: (result.evaluation ?? null) as Record<string, unknown> | null,
      data: result.data,
      as_of: result.as_of,
      progress: 1,
      finished_at,
      duration_ms: finished_at.getTime() - new Date(started_at).getTime(),
    })
    return new StepResponse(version)
  }
)
