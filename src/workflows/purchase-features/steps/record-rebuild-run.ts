import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import type { RebuildResult } from "./rebuild-purchase-features"

/** Marks the rebuild run as running. */
export const startRebuildRunStep = createStep(
  "start-rebuild-run",
  async ({ run_id }: { run_id: string }, { container }) => {
    const started_at = new Date()
    await container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).updateRebuildRuns({ id: run_id, status: "running", started_at, progress: 0 })
    return new StepResponse({ id: run_id, started_at }, run_id)
  },
  // A later step failed: the run says so instead of staying "running" (runs.ts adds the error).
  async (runId, { container }) => {
    if (!runId) return
    await container
      .resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
      .updateRebuildRuns({ id: runId, status: "failed", reason: "the run failed", finished_at: new Date() })
  }
)

/** Records what the rebuild did. */
export const finishRebuildRunStep = createStep(
  "finish-rebuild-run",
  async ({ run_id, result }: { run_id: string; result: RebuildResult }, { container }) => {
    const run = await container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).updateRebuildRuns({
      id: run_id,
      status: "completed",
      reason: null,
      orders: result.orders,
      removed: result.removed,
      pages: result.pages,
      progress: 1,
      finished_at: new Date(),
      duration_ms: result.duration_ms,
    })
    return new StepResponse(run)
  }
)
