import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { randomUUID } from "node:crypto"
import { applyFeatureTransform, fitFeatureTransform, serializeFeatureTransform } from "../../../ml/features/feature-transform"
import { segmentCustomersInWorkers } from "../../../ml/segmentation/segment"
import { isInControlGroup } from "../../../lib/control-group"
import { listOptedOutCustomerIds } from "../../../lib/store-data"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { type PurchasePrediction, predictPurchases } from "../purchase-prediction"

export const SEGMENTATION_LOCK_KEY = "personalization:segmentation"
export { OPT_OUT_METADATA_KEY } from "../../../lib/store-data"
/** The segmentation space: log(1 + x) of these, standardised (EVALUATION.md). */
const COLUMNS = ["recency", "invoices", "spend"] as const
const PAGE = 5000
const LOCK_EXPIRE_SECONDS = 120

/** What a completed run records of its purchase prediction (the scores go to the memberships). */
export type PredictionSummary = Omit<PurchasePrediction, "buy_probability" | "expected_spend"> & { currency_code: string }

export type SegmentCustomersResult =
  | {
      status: "completed"
      customers: number
      k: number
      silhouette: number
      inertia: number
      criterion: string
      scaling: unknown
      as_of: Date
      /** Segments that disappeared, with the customer groups to delete. */
      removed: { key: string; customer_group_id: string | null }[]
      prediction: PredictionSummary
    }
  | { status: "skipped"; reason: string; customers: number; as_of: Date }

/**
 * Segments every customer with a counted order as of now (opted-out customers left out), in
 * worker threads, predicts each one's purchases in the next window (purchase-prediction.ts; a
 * run with too little history, or whose fit fails, stores null scores and says why instead of
 * failing), and makes the result the current segmentation in one transaction. Skips, with
 * the reason, below the readiness thresholds or while another run holds the lock. Writes nothing
 * that a later failure must undo: the replacement is a single transaction at the end.
 */
export const segmentCustomersStep = createStep(
  "segment-customers",
  async ({ run_id }: { run_id: string }, { container }) => {
    const features = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const segments = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    const locking = container.resolve(Modules.LOCKING)
    const asOf = new Date()
    const ownerId = `segmentation:${randomUUID()}`
    try {
      await locking.acquire(SEGMENTATION_LOCK_KEY, { ownerId, expire: LOCK_EXPIRE_SECONDS })
    } catch {
      return new StepResponse<SegmentCustomersResult>({
        status: "skipped",
        reason: "another segmentation run is in progress",
        customers: 0,
        as_of: asOf,
      })
    }
    const renewal = setInterval(() => {
      locking.acquire(SEGMENTATION_LOCK_KEY, { ownerId, expire: LOCK_EXPIRE_SECONDS }).catch(() => undefined)
    }, (LOCK_EXPIRE_SECONDS * 1000) / 3)
    try {
      const excluded = await listOptedOutCustomerIds(container)

      const customerIds: string[] = []
      const values: number[] = []
      let repeat = 0
      for (let after = ""; ; ) {
        const page = await features.listCustomerFeaturesAsOf({ asOf, afterCustomerId: after, limit: PAGE })
        for (const row of page) {
          if (excluded.has(row.customer_id)) continue
          customerIds.push(row.customer_id)
          values.push(row.recency_days, row.order_count, row.total_spend)
          if (row.order_count >= 2) repeat++
        }
        if (page.length < PAGE) break
        after = page[page.length - 1].customer_id
      }

      const { minCustomers, minRepeatCustomers } = features.options.readiness
      if (customerIds.length < minCustomers || repeat < minRepeatCustomers) {
        return new StepResponse<SegmentCustomersResult>({
          status: "skipped",
          reason:
            `not enough data: ${customerIds.length} customers with orders (${minCustomers} needed), ` +
            `${repeat} repeat customers (${minRepeatCustomers} needed)`,
          customers: customerIds.length,
          as_of: asOf,
        })
      }

      const raw = Float64Array.from(values)
      const transform = fitFeatureTransform(raw, [...COLUMNS], { log1p: [...COLUMNS] })
      const previous = (await segments.listSegments({}, { take: null })).map((s) => ({
        id: s.key,
        name: s.name,
        centre_original: COLUMNS.map((c) => Number((s.centre as Record<string, number>)[c])),
      }))
      let lastReport = 0
      const result = await segmentCustomersInWorkers(applyFeatureTransform(transform, raw), {
        transform,
        seed: 0,
        previous,
        onProgress: (done, total) => {
          if (Date.now() - lastReport < 1000) return
          lastReport = Date.now()
          segments.updateSegmentationRuns({ id: run_id, progress: 0.1 + (0.5 * done) / total }).catch(() => undefined)
        },
      })

      const windowDays = features.options.predictionWindowDays
      const currency_code = await features.getStoreCurrency()
      let prediction: PurchasePrediction
      try {
        prediction = await predictPurchases(container, {
          asOf,
          customerIds,
          exclude: excluded,
          windowDays,
          minCustomers,
          onProgress: (share) => {
            if (Date.now() - lastReport < 1000) return
            lastReport = Date.now()
            segments.updateSegmentationRuns({ id: run_id, progress: 0.6 + 0.3 * share }).catch(() => undefined)
          },
        })
      } catch (e) {
        // The segments are still good: keep them, with no scores, and say why on the run.
        const message = e instanceof Error ? e.message : String(e)
        container.resolve(ContainerRegistrationKeys.LOGGER).error(`personalization: purchase prediction failed: ${message}`)
        prediction = {
          window_days: windowDays,
          training_customers: null,
          buy_probability: customerIds.map(() => null),
          expected_spend: customerIds.map(() => null),
          scored_customers: 0,
          validation: null,
          reason: `the purchase prediction failed: ${message}`,
        }
      }

      const keyOfLabel = new Array<string>(result.k)
      for (const s of result.segments) keyOfLabel[s.label] = s.id
      const keys = Array.from(result.labels, (label) => keyOfLabel[label])
      const share = features.options.controlShare
      const { removed } = await segments.replaceSegmentation(
        run_id,
        result.segments.map((s) => ({
          key: s.id,
          name: s.name,
          description: s.description,
          centre: Object.fromEntries(COLUMNS.map((c, j) => [c, s.centre_original[j]])),
          size: s.size,
        })),
        {
          customerIds,
          keys,
          inControl: customerIds.map((id, i) => isInControlGroup(id, keys[i], share)),
          buyProbability: prediction.buy_probability,
          expectedSpend: prediction.expected_spend,
        }
      )
      const { buy_probability: _buy, expected_spend: _spend, ...summary } = prediction
      return new StepResponse<SegmentCustomersResult>({
        status: "completed",
        customers: customerIds.length,
        k: result.k,
        silhouette: result.silhouette,
        inertia: result.inertia,
        criterion: result.criterion,
        scaling: serializeFeatureTransform(transform),
        as_of: asOf,
        removed,
        prediction: { ...summary, currency_code },
      })
    } finally {
      clearInterval(renewal)
      await locking.release(SEGMENTATION_LOCK_KEY, { ownerId })
    }
  }
)
