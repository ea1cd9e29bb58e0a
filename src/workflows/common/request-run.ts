import { Modules } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { PersonalizationEvents } from "../../events"
import type { RunKind } from "../../lib/run-lock"
import { CUSTOMER_SEGMENTS_MODULE } from "../../modules/customer-segments"
import type CustomerSegmentsService from "../../modules/customer-segments/service"
import { PURCHASE_FEATURES_MODULE } from "../../modules/purchase-features"
import type PurchaseFeaturesService from "../../modules/purchase-features/service"
import { RECOMMENDATIONS_MODULE } from "../../modules/recommendations"
import type RecommendationsService from "../../modules/recommendations/service"
import { createQueuedRun, reapDeadRuns } from "../runs"

/** Marks dead runs of the kind failed when its lock is free (a held lock means a live run: nothing is touched). */
const reapDeadRunsStep = createStep("reap-dead-runs", async ({ kind }: { kind: RunKind }, { container }) => {
  return new StepResponse(await reapDeadRuns(container, kind))
})

/**
 * Creates the queued run the request will follow and emits the request event for the process
 * where jobs run (subscribers/*-requested.ts); the event joins the workflow's group, so it is
 * released only when the workflow succeeds. Compensation: the run row goes.
 */
const queueRunStep = createStep(
  "queue-personalization-run",
  async ({ kind, model }: { kind: RunKind; model?: string }, context) => {
    const id = await createQueuedRun(context.container, kind)
    const metadata = context.eventGroupId ? { eventGroupId: context.eventGroupId } : {}
    const event: { name: string; data: Record<string, unknown> } =
      kind === "rebuild"
        ? { name: PersonalizationEvents.REBUILD_REQUESTED, data: { run_id: id } }
        : kind === "segmentation"
          ? { name: PersonalizationEvents.SEGMENTATION_REQUESTED, data: { run_id: id } }
          : { name: PersonalizationEvents.TRAINING_REQUESTED, data: { version_id: id, model } }
    await context.container.resolve(Modules.EVENT_BUS).emit({ name: event.name, data: event.data, metadata })
    return new StepResponse(id, { kind, id })
  },
  async (queued, { container }) => {
    if (!queued) return
    if (queued.kind === "rebuild") await container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).deleteRebuildRuns([queued.id])
    else if (queued.kind === "segmentation") await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).deleteSegmentationRuns([queued.id])
    else await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).deleteModelVersions([queued.id])
  }
)

/**
 * An admin's "run now": marks dead runs of the kind failed, then queues a run. The route
 * answers 202 with the run id at once; the run happens where jobs run.
 */
export const requestRunWorkflow = createWorkflow("request-personalization-run", (input: { kind: RunKind; model?: string }) => {
  reapDeadRunsStep({ kind: input.kind })
  const runId = queueRunStep(input)
  return new WorkflowResponse(runId)
})
