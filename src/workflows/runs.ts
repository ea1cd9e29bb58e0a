/**
 * Running the plugin's runs (rebuild, segmentation, training): each one is a stored row with
 * status and progress, and runs inside its kind's lock (lib/run-lock.ts) for its whole length.
 * Jobs, subscribers, scripts and tests start runs through these functions; the workflows
 * themselves assume the lock is held.
 *
 * Inside the lock, and only there, runs of the same kind that stopped without saying so (their
 * process died: no update for two lease periods) are marked failed: a live run holds the lock,
 * so it can never be mistaken for a dead one, in this process or another.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { Recipe } from "../ml/pipeline/training"
import { RUN_LOCK_EXPIRE_SECONDS, type RunKind, type RunLockOutcome, withRunLock } from "../lib/run-lock"
import { CUSTOMER_SEGMENTS_MODULE } from "../modules/customer-segments"
import type CustomerSegmentsService from "../modules/customer-segments/service"
import { PURCHASE_FEATURES_MODULE } from "../modules/purchase-features"
import type PurchaseFeaturesService from "../modules/purchase-features/service"
import { RECOMMENDATIONS_MODULE } from "../modules/recommendations"
import type RecommendationsService from "../modules/recommendations/service"
import { rebuildPurchaseFeaturesWorkflow } from "./purchase-features"
import type { RebuildMode } from "./purchase-features/steps/rebuild-purchase-features"
import { setRunSignal } from "./run-signals"
import { runSegmentationWorkflow } from "./segmentation"
import { runTrainingWorkflow } from "./training"

/** A run with no update for this long, whose lock is free, died. */
export const STALE_RUN_SECONDS = 2 * RUN_LOCK_EXPIRE_SECONDS
const STALE_REASON = `the run stopped without finishing (no progress for ${STALE_RUN_SECONDS} s and its lock was free: its process ended)`

type RunStore = {
  create: () => Promise<string>
  update: (id: string, data: Record<string, unknown>) => Promise<unknown>
  failStale: () => Promise<string[]>
}

function store(container: MedusaContainer, kind: RunKind): RunStore {
  if (kind === "rebuild") {
    const s = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    return {
      create: async () => (await s.createRebuildRuns({ status: "queued" })).id,
      update: (id, data) => s.updateRebuildRuns({ id, ...data }),
      failStale: () => s.failStaleRuns(STALE_RUN_SECONDS, STALE_REASON),
    }
  }
  if (kind === "segmentation") {
    const s = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    return {
      create: async () => (await s.createSegmentationRuns({ status: "queued" })).id,
      update: (id, data) => s.updateSegmentationRuns({ id, ...data }),
      failStale: () => s.failStaleRuns(STALE_RUN_SECONDS, STALE_REASON),
    }
  }
  const s = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  return {
    create: async () => (await s.createModelVersions({ status: "queued" })).id,
    update: (id, data) => s.updateModelVersions({ id, ...data }),
    failStale: () => s.failStaleRuns(STALE_RUN_SECONDS, STALE_REASON),
  }
}

/** Creates a queued run row of this kind (an admin request, before its event reaches the worker). */
export function createQueuedRun(container: MedusaContainer, kind: RunKind): Promise<string> {
  return store(container, kind).create()
}

/**
 * Marks dead runs of this kind failed, if its lock is free right now (taken for a moment; a
 * held lock means a live run, and nothing is touched). For the admin "run" routes, so that a
 * run that died does not keep the next one waiting behind it. Returns the runs marked.
 */
export async function reapDeadRuns(container: MedusaContainer, kind: RunKind): Promise<string[]> {
  const outcome = await withRunLock(container, kind, () => store(container, kind).failStale(), { timeoutSeconds: 1 })
  return outcome.status === "done" ? outcome.value : []
}

/**
 * Runs `work` as run `runId` (or a new run) of `kind` inside the kind's lock: dead runs are
 * reaped first, the row's `updated_at` is touched every third of a lease while it runs, and
 * the outcome lands on the row: `skipped` when the lock was held (or the lock store did not
 * answer), `failed` with the reason when the lease was lost or `work` threw (the error is
 * thrown on after). Resolves to the run id.
 */
/** Lock settings of a run: how long its lease lasts without renewal (default RUN_LOCK_EXPIRE_SECONDS). */
export type RunLockSettings = { expireSeconds?: number }

async function inRunLock<T>(
  container: MedusaContainer,
  kind: RunKind,
  givenRunId: string | undefined,
  work: (runId: string) => Promise<T>,
  { expireSeconds = RUN_LOCK_EXPIRE_SECONDS }: RunLockSettings = {}
): Promise<{ run_id: string; outcome: RunLockOutcome<T> }> {
  const runs = store(container, kind)
  const runId = givenRunId ?? (await runs.create())
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  let outcome: RunLockOutcome<T>
  try {
    outcome = await withRunLock(container, kind, async (signal) => {
      const reaped = await runs.failStale()
      if (reaped.length) logger.warn(`personalization ${kind}: marked ${reaped.length} dead run(s) failed: ${reaped.join(", ")}`)
      setRunSignal(runId, signal)
      const heartbeat = setInterval(() => {
        runs.update(runId, { updated_at: new Date() }).catch(() => undefined)
      }, (expireSeconds * 1000) / 3)
      heartbeat.unref()
      try {
        return await work(runId)
      } finally {
        clearInterval(heartbeat)
        setRunSignal(runId, undefined)
      }
    }, { expireSeconds })
  } catch (error) {
    // A workflow rejects with the failing step's error as it was stored: an Error, or a plain { message, name, stack }.
    const reason = errorMessage(error)
    await runs.update(runId, { status: "failed", reason: `the run failed: ${reason}`, finished_at: new Date() })
    throw error instanceof Error ? error : Object.assign(new Error(reason), { cause: error })
  }
  if (outcome.status === "skipped") {
    await runs.update(runId, { status: "skipped", reason: outcome.reason, progress: 1, finished_at: new Date() })
  } else if (outcome.status === "failed") {
    await runs.update(runId, { status: "failed", reason: outcome.reason, finished_at: new Date() })
  }
  return { run_id: runId, outcome }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (error && typeof error === "object" && typeof (error as { message?: unknown }).message === "string") return (error as { message: string }).message
  return String(error)
}

/**
 * Runs a rebuild of the feature tables in the rebuild lock and returns its run. `mode` (see
 * RebuildMode) defaults to "full", which reads every order; the nightly job asks for "auto".
 */
export async function runRebuild(
  container: MedusaContainer,
  input: { run_id?: string; batch_size?: number; mode?: RebuildMode; since?: Date; lock?: RunLockSettings } = {}
) {
  const { run_id } = await inRunLock(
    container,
    "rebuild",
    input.run_id,
    (runId) => rebuildPurchaseFeaturesWorkflow(container).run({ input: { run_id: runId, batch_size: input.batch_size, mode: input.mode, since: input.since } }),
    input.lock
  )
  return container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).retrieveRebuildRun(run_id)
}

export async function runSegmentation(container: MedusaContainer, input: { run_id?: string; lock?: RunLockSettings } = {}) {
  const { run_id } = await inRunLock(container, "segmentation", input.run_id, (runId) => runSegmentationWorkflow(container).run({ input: { run_id: runId } }), input.lock)
  return container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).retrieveSegmentationRun(run_id)
}

/**
 * Runs a training run in the training lock and returns its version. With `refresh` (the nightly
 * job) and no `recipe`, the run refreshes the active full run when that is younger than
 * `training.fullRunEveryDays` and kept its neighbour rows; otherwise, and always without
 * `refresh`, it is a full run.
 */
export async function runTraining(container: MedusaContainer, input: { version_id?: string; recipe?: Recipe; refresh?: boolean; lock?: RunLockSettings } = {}) {
  const { run_id } = await inRunLock(
    container,
    "training",
    input.version_id,
    (runId) => runTrainingWorkflow(container).run({ input: { version_id: runId, recipe: input.recipe, refresh: input.refresh } }),
    input.lock
  )
  return container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).retrieveModelVersion(run_id)
}
