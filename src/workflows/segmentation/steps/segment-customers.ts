import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import type { MedusaContainer } from "@medusajs/framework/types"
import { applyFeatureTransform, fitFeatureTransform, serializeFeatureTransform } from "../../../ml/features/feature-transform"
import { segmentCustomersInWorkers } from "../../../ml/segmentation/segment"
import { configuredOptions } from "../../../lib/configured-options"
import { isInControlGroup } from "../../../lib/control-group"
import { listOptedOutCustomerIds } from "../../../lib/store-data"
import { resolveStoreCurrency } from "../../../lib/store-currency"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"
import type { RunDetails } from "../../../modules/customer-segments/service"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { runSignal, throwIfAborted } from "../../run-signals"
import { type PurchasePrediction, predictPurchases } from "../purchase-prediction"

export { OPT_OUT_METADATA_KEY } from "../../../lib/store-data"
/** The segmentation space: log(1 + x) of these, standardised (docs/evaluation.md). */
const COLUMNS = ["recency", "invoices", "spend"] as const
const PAGE = 5000

export type SegmentCustomersResult =
  | ({ status: "completed"; previous_run_id: string | null } & Omit<RunDetails, "started_at">)
  | { status: "skipped"; reason: string; customers: number; as_of: Date }

type Features = { customerIds: string[]; values: number[]; repeat: number }

/** Every customer with a counted order as of `asOf`, but those in `excluded`: recency, orders, spend. */
async function readFeatures(features: PurchaseFeaturesService, asOf: Date, excluded: Set<string>, currency: string): Promise<Features> {
  const out: Features = { customerIds: [], values: [], repeat: 0 }
  for (let after = ""; ; ) {
    const page = await features.listCustomerFeaturesAsOf({ asOf, afterCustomerId: after, limit: PAGE, currency })
    for (const row of page) {
      if (excluded.has(row.customer_id)) continue
      out.customerIds.push(row.customer_id)
      out.values.push(row.recency_days, row.order_count, row.total_spend)
      if (row.order_count >= 2) out.repeat++
    }
    if (page.length < PAGE) return out
    after = page[page.length - 1].customer_id
  }
}

/** The prediction, or null scores with the reason when the fit fails: the segments are good without it. */
async function predictOrExplain(container: MedusaContainer, args: Parameters<typeof predictPurchases>[1]): Promise<PurchasePrediction> {
  try {
    return await predictPurchases(container, args)
  } catch (e) {
    if (args.signal?.aborted) throw e
    const message = e instanceof Error ? e.message : String(e)
    container.resolve(ContainerRegistrationKeys.LOGGER).error(`personalization: purchase prediction failed: ${message}`)
    return {
      window_days: args.windowDays,
      training_customers: null,
      buy_probability: args.customerIds.map(() => null),
      expected_spend: args.customerIds.map(() => null),
      scored_customers: 0,
      validation: null,
      reason: `the purchase prediction failed: ${message}`,
    }
  }
}

/** The buy-again probabilities for naming, when every segmented customer has one (else none: names then read recency, orders and spend). */
function buyProbabilityOf(prediction: PurchasePrediction): { values: Float64Array; horizonDays: number } | undefined {
  if (prediction.reason !== null || prediction.buy_probability.some((p) => p === null)) return undefined
  return { values: Float64Array.from(prediction.buy_probability as number[]), horizonDays: prediction.window_days }
}

/**
 * Predicts the purchases in the next window of every customer with a counted order as of now
 * (opted-out customers left out; purchase-prediction.ts), then segments them in worker threads:
 * the segment names read the predicted buy-again probability, the previous run's k stays unless
 * another wins by `segmentation.kMargin`, segments keep the previous run's keys and names while
 * their centres move little, and descriptions give money in the store currency. It stages the
 * result under the run's id: the current segmentation stays what readers see until the run is
 * published. Below the readiness thresholds it stages nothing and says why.
 * Compensation: the staged rows go.
 */
export const segmentCustomersStep = createStep(
  "segment-customers",
  async ({ run_id }: { run_id: string }, { container }) => {
    const features = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const segments = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    const options = configuredOptions()
    const asOf = new Date()
    const signal = runSignal(run_id)
    const excluded = await listOptedOutCustomerIds(container)
    const { customerIds, values, repeat } = await readFeatures(features, asOf, excluded, await resolveStoreCurrency(container))

    let lastReport = 0
    const report = (progress: number) => {
      if (Date.now() - lastReport < 1000) return
      lastReport = Date.now()
      segments.updateSegmentationRuns({ id: run_id, progress }).catch(() => undefined)
    }

    const { minCustomers, minRepeatCustomers } = options.readiness
    if (customerIds.length < minCustomers || repeat < minRepeatCustomers) {
      return new StepResponse<SegmentCustomersResult, string | null>(
        {
          status: "skipped",
          reason:
            `not enough data: ${customerIds.length} customers with orders (${minCustomers} needed), ` +
            `${repeat} repeat customers (${minRepeatCustomers} needed)`,
          customers: customerIds.length,
          as_of: asOf,
        },
        null
      )
    }

    // The prediction first: the segments' names read the buy-again probability.
    const windowDays = options.predictionWindowDays
    const prediction = await predictOrExplain(container, {
      asOf,
      customerIds,
      exclude: excluded,
      windowDays,
      minCustomers,
      signal,
      onProgress: (share) => report(0.05 + 0.35 * share),
    })
    throwIfAborted(run_id)

    const raw = Float64Array.from(values)
    const transform = fitFeatureTransform(raw, [...COLUMNS], { log1p: [...COLUMNS] })
    const previous_run_id = await segments.getCurrentRunId()
    // The previous run's segments, for keys and names to carry over; one without a full centre cannot be matched.
    const previous = (previous_run_id ? await segments.listSegments({ run_id: previous_run_id }, { take: null }) : [])
      .map((s) => ({ id: s.key, name: s.name, centre_original: COLUMNS.map((c) => Number((s.centre as Record<string, number>)[c])) }))
      .filter((s) => s.centre_original.every(Number.isFinite))
    const previousK = previous_run_id ? (await segments.retrieveSegmentationRun(previous_run_id)).k : null
    const currency = await resolveStoreCurrency(container)
    const result = await segmentCustomersInWorkers(applyFeatureTransform(transform, raw), {
      transform,
      seed: 0,
      previous,
      previousK: previousK ?? undefined,
      kMargin: options.segmentation.kMargin,
      currency,
      buyProbability: buyProbabilityOf(prediction),
      onProgress: (done, total) => report(0.4 + (0.55 * done) / total),
    })
    throwIfAborted(run_id)

    const keyOfLabel = new Array<string>(result.k)
    for (const s of result.segments) keyOfLabel[s.label] = s.id
    const keys = Array.from(result.labels, (label) => keyOfLabel[label])
    await segments.stageSegmentation(
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
        inControl: customerIds.map((id, i) => isInControlGroup(id, keys[i], options.controlShare)),
        buyProbability: prediction.buy_probability,
        expectedSpend: prediction.expected_spend,
      }
    )
    return new StepResponse<SegmentCustomersResult, string | null>(
      {
        status: "completed",
        previous_run_id,
        customers: customerIds.length,
        as_of: asOf,
        k: result.k,
        silhouette: result.silhouette,
        inertia: result.inertia,
        criterion: result.criterion,
        scaling: serializeFeatureTransform(transform) as unknown as Record<string, unknown>, // a plain JSON object
        prediction_window_days: prediction.window_days,
        prediction_currency_code: currency,
        prediction_training_customers: prediction.training_customers,
        prediction_scored_customers: prediction.scored_customers,
        prediction_validation: prediction.validation,
        prediction_reason: prediction.reason,
      },
      run_id
    )
  },
  async (runId, { container }) => {
    if (!runId) return
    await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).discardRun(runId)
  }
)
