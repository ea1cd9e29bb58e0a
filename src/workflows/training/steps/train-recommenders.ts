import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import type { MedusaContainer } from "@medusajs/framework/types"
import { randomUUID } from "node:crypto"
import { EASE_MAX_ITEMS, type HoldoutEvaluation, type Recipe, defaultRecipe } from "../../../ml/pipeline/training"
import { fitInWorker } from "../../../ml/worker"
import { listOptedOutCustomerIds, loadPurchaseLines } from "../../../lib/store-data"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"

export const TRAINING_LOCK_KEY = "personalization:training"
const LOCK_EXPIRE_SECONDS = 120

export type TrainRecommendersResult = {
  /** "activated": the lists are stored and the version is ready to switch to. */
  status: "activated" | "rejected" | "skipped"
  reason: string
  recipe: Recipe
  evaluation?: HoldoutEvaluation
  data: { lines: number; customers: number; products: number } | null
  as_of: Date
  lists: number
}

/**
 * Trains in a worker thread on the ledger's purchase lines (opted-out customers left out),
 * evaluates the candidate against the active version and popularity on the holdout and, when
 * the candidate wins, stores its precomputed lists under the run's version (not yet active).
 * Skips below the readiness thresholds or while another training run holds the lock.
 */
export const trainRecommendersStep = createStep(
  "train-recommenders",
  async ({ version_id, recipe: requested }: { version_id: string; recipe?: Recipe }, { container }) => {
    const features = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const recommendations = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    const locking = container.resolve(Modules.LOCKING)
    const asOf = new Date()
    let recipe: Recipe = requested ?? defaultRecipe(0)
    const skipped = (reason: string) =>
      new StepResponse<TrainRecommendersResult, string | null>({ status: "skipped", reason, recipe, data: null, as_of: asOf, lists: 0 }, null)

    const ownerId = `training:${randomUUID()}`
    try {
      await locking.acquire(TRAINING_LOCK_KEY, { ownerId, expire: LOCK_EXPIRE_SECONDS })
    } catch {
      return skipped("another training run is in progress")
    }
    const renewal = setInterval(() => {
      locking.acquire(TRAINING_LOCK_KEY, { ownerId, expire: LOCK_EXPIRE_SECONDS }).catch(() => undefined)
    }, (LOCK_EXPIRE_SECONDS * 1000) / 3)
    try {
      const { customers, repeat_customers } = await features.getDataVolume()
      const { minCustomers, minRepeatCustomers } = features.options.readiness
      if (customers < minCustomers || repeat_customers < minRepeatCustomers) {
        return skipped(
          `not enough data: ${customers} customers with orders (${minCustomers} needed), ` +
            `${repeat_customers} repeat customers (${minRepeatCustomers} needed); the store routes serve trending products`
        )
      }
      const lines = await loadPurchaseLines(container, { until: asOf, exclude: await listOptedOutCustomerIds(container) })
      const products = new Set(lines.map((l) => l.productId)).size
      recipe = requested ?? defaultRecipe(products)
      if (recipe.model === "ease" && products > EASE_MAX_ITEMS) {
        return skipped(`EASE handles at most ${EASE_MAX_ITEMS} products; this store has ${products}`)
      }
      const [active] = await recommendations.listModelVersions({ status: "active" }, { take: 1 })
      const t = features.options.training
      let lastReport = 0
      const result = await fitInWorker(
        {
          kind: "training",
          lines,
          plan: {
            candidate: recipe,
            active: (active?.recipe as unknown as Recipe | null) ?? null, // stored by this step as a plain Recipe
            asOf: asOf.getTime(),
            holdoutDays: t.holdoutDays,
            activeDays: t.activeCustomerDays,
            listSize: t.listSize,
            relatedSize: t.relatedSize,
            minTestCustomers: t.minTestCustomers,
            margin: t.margin,
            titles: await productTitles(container, lines.map((l) => l.productId)),
          },
        },
        {
          onProgress: (done, total) => {
            if (Date.now() - lastReport < 1000) return
            lastReport = Date.now()
            recommendations.updateModelVersions({ id: version_id, progress: 0.1 + (0.6 * done) / total }).catch(() => undefined)
          },
        }
      )
      const base = { recipe, evaluation: result.evaluation, data: result.data, as_of: asOf }
      if (!result.decision.activate || !result.lists) {
        return new StepResponse<TrainRecommendersResult, string | null>(
          { ...base, status: "rejected", reason: result.decision.reason, lists: 0 },
          null
        )
      }
      await recommendations.updateModelVersions({ id: version_id, progress: 0.75 })
      const stored = await recommendations.writeLists(version_id, result.lists)
      return new StepResponse<TrainRecommendersResult, string | null>(
        { ...base, status: "activated", reason: result.decision.reason, lists: stored },
        version_id
      )
    } finally {
      clearInterval(renewal)
      await locking.release(TRAINING_LOCK_KEY, { ownerId })
    }
  },
  // A later step failed: the lists of a version that never became active go.
  async (versionId, { container }) => {
    if (!versionId) return
    const recommendations = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    await recommendations.pruneVersionLists(versionId)
  }
)

/** Titles of the products bought, for the English text of reasons ("Because you bought ..."). */
async function productTitles(container: MedusaContainer, ids: string[]): Promise<Record<string, string>> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const unique = [...new Set(ids)]
  const titles: Record<string, string> = {}
  for (let start = 0; start < unique.length; start += 5000) {
    const { data } = await query.graph({ entity: "product", fields: ["id", "title"], filters: { id: unique.slice(start, start + 5000) } })
    for (const p of data) titles[p.id] = p.title
  }
  return titles
}
