import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import {
  EASE_MAX_ITEMS,
  type HoldoutEvaluation,
  type Recipe,
  type TrainingData,
  type TrainingOutput,
  type TrainingPlan,
  type TrainingSummary,
  type RefreshSummary,
  defaultRecipe,
  recipeFor,
} from "../../../ml/pipeline/training"
import { MS_PER_DAY } from "../../../ml/data/time"
import { packColumns, shareColumns } from "../../../ml/data/purchase-columns"
import { fitInWorker } from "../../../ml/worker"
import { configuredOptions } from "../../../lib/configured-options"
import { listOptedOutCustomerIds, loadProductTexts, loadPurchaseColumns } from "../../../lib/store-data"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"
import type { PersonalizationOptions } from "../../../options"
import { runSignal, throwIfAborted } from "../../run-signals"

export type TrainRecommendersResult = {
  /** "activate": the lists are stored under the run's version, ready to switch to. */
  status: "activate" | "rejected" | "skipped"
  reason: string
  recipe: Recipe
  evaluation: HoldoutEvaluation | null
  data: TrainingData | null
  as_of: Date
  lists: number
  /** A refresh's full-run version (it stores only the lists it rebuilt); null for a full run. */
  base_version_id: string | null
}

/** A training plan from the plugin's `training` options, for a candidate, the active recipe and a time. */
export function trainingPlan(
  training: PersonalizationOptions["training"],
  { candidate, active, asOf }: Pick<TrainingPlan, "candidate" | "active" | "asOf">
): TrainingPlan {
  return {
    candidate,
    active,
    asOf,
    holdoutDays: training.holdoutDays,
    activeDays: training.activeCustomerDays,
    listSize: training.listSize,
    relatedSize: training.relatedSize,
    minTestCustomers: training.minTestCustomers,
    margin: training.margin,
  }
}

/**
 * The full-run version a nightly refresh builds on now: the active version's base (or the
 * active version, a full run), if its rows are stored and it is fewer than `fullRunEveryDays`
 * days old. Days are rounded: a job that starts a few seconds earlier than the night the full
 * run started still sees a whole week.
 */
async function refreshBase(
  recommendations: RecommendationsService,
  fullRunEveryDays: number,
  asOf: Date
): Promise<{ id: string; recipe: Recipe; as_of: Date } | null> {
  if (fullRunEveryDays <= 1) return null
  const [active] = await recommendations.listModelVersions({ status: "active" }, { take: 1 })
  if (!active) return null
  const [base] = active.base_version_id ? await recommendations.listModelVersions({ id: active.base_version_id }, { take: 1 }) : [active]
  if (!base?.as_of || !base.recipe || base.pruned_at) return null
  if (Math.round((asOf.getTime() - new Date(base.as_of).getTime()) / MS_PER_DAY) >= fullRunEveryDays) return null
  if (!(await recommendations.hasSimilarityState(base.id))) return null
  return { id: base.id, recipe: base.recipe as unknown as Recipe, as_of: new Date(base.as_of) } // stored by this step as a plain Recipe
}

/**
 * Trains in a worker thread on the ledger's purchase lines (opted-out customers left out) and
 * the catalogue's product texts (read through Medusa's query: the content side of the related
 * lists, and new products' places in personal lists), as one of two kinds of run:
 *
 * - A full run evaluates the candidate against the active version and popularity on the
 *   holdout and, when the candidate wins, stores its product table, its lists and its
 *   item-kNN's neighbour rows (for the refreshes) under the run's version (not yet active) as
 *   the worker hands them over, batch by batch: this thread only writes prepared batches.
 * - A refresh (`refresh`, the nightly job, when the active full run is younger than
 *   `training.fullRunEveryDays` and kept its neighbour rows) refits that run's recipe around
 *   its rows on today's lines and stores the personal lists of the customers whose purchases
 *   changed since that run, and the trending list; serving reads every other list from the
 *   full run (the version's `base_version_id`). No holdout evaluation: the full run decided.
 *
 * Skips below the readiness thresholds. Compensation: the version's lists go.
 */
export const trainRecommendersStep = createStep(
  "train-recommenders",
  async ({ version_id, recipe: requested, refresh }: { version_id: string; recipe?: Recipe; refresh?: boolean }, { container }) => {
    const features = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const recommendations = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    const options = configuredOptions()
    const asOf = new Date()
    let recipe: Recipe = requested ?? defaultRecipe(0)
    const skipped = (reason: string) =>
      new StepResponse<TrainRecommendersResult, string | null>(
        { status: "skipped", reason, recipe, evaluation: null, data: null, as_of: asOf, lists: 0, base_version_id: null },
        null
      )

    const { customers, repeat_customers } = await features.getDataVolume()
    const { minCustomers, minRepeatCustomers } = options.readiness
    if (customers < minCustomers || repeat_customers < minRepeatCustomers) {
      return skipped(
        `not enough data: ${customers} customers with orders (${minCustomers} needed), ` +
          `${repeat_customers} repeat customers (${minRepeatCustomers} needed); the store routes serve trending products`
      )
    }
    const base = refresh && !requested ? await refreshBase(recommendations, options.training.fullRunEveryDays, asOf) : null
    const lines = await loadPurchaseColumns(container, { until: asOf, exclude: await listOptedOutCustomerIds(container) })
    const products = lines.productIds.length
    recipe = base ? base.recipe : recipeFor(requested, products)
    if (recipe.model === "ease" && products > EASE_MAX_ITEMS) {
      return skipped(`EASE handles at most ${EASE_MAX_ITEMS} products; this store has ${products}`)
    }
    const [active] = await recommendations.listModelVersions({ status: "active" }, { take: 1 })
    let lastReport = 0
    let written = 0
    const plan = trainingPlan(options.training, {
      candidate: recipe,
      active: (active?.recipe as unknown as Recipe | null) ?? null, // stored by this step as a plain Recipe
      asOf: asOf.getTime(),
    })
    const texts = await loadProductTexts(container)
    const write = async (output: TrainingOutput) => {
      throwIfAborted(version_id)
      if (output.type === "products") await recommendations.writeProductTable(version_id, output.table)
      else if (output.type === "lists") written += await recommendations.writeListBatch(version_id, output.batch)
      else if (output.type === "similarities") await recommendations.writeSimilarityState(version_id, output.state)
    }
    const stop = new AbortController()
    const signal = runSignal(version_id)
    const onRunAbort = () => stop.abort(signal?.reason)
    signal?.addEventListener("abort", onRunAbort, { once: true })
    const onProgress = (done: number, total: number) => {
      if (Date.now() - lastReport < 1000) return
      lastReport = Date.now()
      recommendations.updateModelVersions({ id: version_id, progress: 0.1 + (0.8 * done) / total }).catch(() => undefined)
    }
    // A step's own compensation does not run when it throws: drop what was written part way here.
    const cleanUp = async (error: unknown): Promise<never> => {
      if (written) await recommendations.pruneVersionLists(version_id)
      throw error
    }

    if (base) {
      const changed = await features.listCustomersChangedSince(base.as_of)
      const state = await recommendations.readSimilarityState(base.id)
      if (!state) throw new Error(`the neighbour rows of version ${base.id} went while this refresh read them`)
      await recommendations.updateModelVersions({ id: version_id, base_version_id: base.id, progress: 0.1 })
      const summary = await (
        fitInWorker(
          { kind: "refresh", lines: packColumns(lines), products: texts, plan, state, customers: changed },
          // The lines' and the rows' buffers move to the worker (this thread reads them no more): no copy.
          { transferInput: true, signal: stop.signal, onOutput: write }
        ) as Promise<RefreshSummary>
      )
        .catch(cleanUp)
        .finally(() => signal?.removeEventListener("abort", onRunAbort))
      await recommendations.markVersionBuilt(version_id, written)
      const since = base.as_of.toISOString().slice(0, 16).replace("T", " ")
      const reason =
        `a refresh of ${base.id} (full run of ${since} UTC): the personal lists of the ${summary.lists.customer} customers ` +
        `whose purchases changed since then and the trending list are rebuilt on today's orders; every other list is ${base.id}'s`
      return new StepResponse<TrainRecommendersResult, string | null>(
        { status: "activate", reason, recipe, evaluation: null, data: summary.data, as_of: asOf, lists: written, base_version_id: base.id },
        version_id
      )
    }

    // One thread runs the training; with listThreads > 1, more threads build the personal lists
    // of their share of the customers once it decides to activate, reading the same lines.
    const threads = options.training.listThreads
    const packed = threads > 1 ? shareColumns(packColumns(lines)) : packColumns(lines)
    const shards: Promise<unknown>[] = []
    const failFast = <T>(p: Promise<T>) => p.catch((error: unknown) => (stop.abort(error), Promise.reject(error)))
    const first = failFast(
      fitInWorker(
        { kind: "training", lines: packed, products: texts, plan, shard: { index: 0, count: threads } },
        {
          // One thread: the lines' buffers move to the worker (this thread reads them no more), no copy of millions of lines.
          transferInput: threads === 1,
          signal: stop.signal,
          onProgress,
          onOutput: async (output) => {
            await write(output)
            if (output.type === "decision" && output.decision.activate) {
              for (let index = 1; index < threads; index++) {
                const shard = { index, count: threads }
                const run = failFast(fitInWorker({ kind: "training", lines: packed, products: texts, plan, shard }, { signal: stop.signal, onOutput: write }))
                run.catch(() => undefined) // handled: awaited below, and its failure stops the others at once
                shards.push(run)
              }
            }
          },
        }
      ) as Promise<TrainingSummary>
    )
    const summary = await first
      .then(async (result) => (await Promise.all(shards), result))
      .catch(async (error: unknown) => {
        await Promise.allSettled(shards)
        return cleanUp(error)
      })
      .finally(() => signal?.removeEventListener("abort", onRunAbort))
    const result = { recipe, evaluation: summary.evaluation, data: summary.data, as_of: asOf, base_version_id: null }
    if (!summary.decision.activate) {
      return new StepResponse<TrainRecommendersResult, string | null>({ ...result, status: "rejected", reason: summary.decision.reason, lists: 0 }, null)
    }
    await recommendations.markVersionBuilt(version_id, written)
    return new StepResponse<TrainRecommendersResult, string | null>({ ...result, status: "activate", reason: summary.decision.reason, lists: written }, version_id)
  },
  // A later step failed (or this one part way): the lists of a version that never became active go.
  async (versionId, { container }) => {
    if (!versionId) return
    await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).pruneVersionLists(versionId)
  }
)
