import type { MedusaContainer } from "@medusajs/framework/types"
import { MS_PER_DAY } from "../../ml/data/time"
import { repeatSummary } from "../../ml/lifecycle/bgnbd"
import { lifecycleFeatures, lifecyclePopulation } from "../../ml/lifecycle/evaluate"
import { type PurchaseModelOptions, scorePurchaseModel } from "../../ml/lifecycle/purchase-model"
import { fitInWorker } from "../../ml/worker"
import { loadPurchaseColumns } from "../../lib/store-data"

/** The model the run fits: the default of `medusa-personalization evaluate` (DEFAULT_PROPENSITY). */
export const PURCHASE_PREDICTION_MODEL = "purchase-model"
/** The purchase model's own defaults (sample of 50,000, Platt scaling); seed 0 so a run on the same data gives the same scores. */
const FIT_OPTIONS: Omit<PurchaseModelOptions, "horizonDays"> = { seed: 0 }
/**
 * Fewest buyers and fewest non-buyers in the label window for a fit: the Platt scaling's five
 * out-of-fold folds should each see both outcomes, or the calibration and the out-of-fold AUC
 * mean nothing.
 */
export const MIN_EACH_OUTCOME = 5
/** Rows scored between two yields to the event loop (a few milliseconds of work each). */
const SCORE_CHUNK = 5000

export type PurchasePrediction = {
  window_days: number
  /** Customers at the fit cutoff (with an order before as_of - window); null when unknown (a failed load). */
  training_customers: number | null
  /** Per customer of the input, in its order; null where the customer got no score. */
  buy_probability: (number | null)[]
  expected_spend: (number | null)[]
  scored_customers: number
  /**
   * The fitted model's name, its out-of-fold ROC AUC on the training rows (the folds of its
   * calibration), the customers it was fitted on (a sample when there are more than 50,000) and
   * the training rows' share of buyers.
   */
  validation: { model: string; auc: number; fitted_customers: number; buy_rate: number } | null
  /** Why no one has a score; null when the model was fitted. */
  reason: string | null
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Purchase prediction for `customerIds` as of `asOf`, as the protocol of docs/evaluation.md with W =
 * `windowDays`: the default purchase model of `evaluate` (src/ml/lifecycle/purchase-model.ts, a
 * calibrated logistic regression for the buy probability and a BG/NBD-assisted hurdle model for
 * the spend) is fitted in a worker thread on the features at asOf - W of every customer with an
 * order before then, labelled with what they bought in [asOf - W, asOf), and then scores the
 * features at asOf. Customers in `exclude` are neither fitted on nor scored. With too little
 * history (fewer than `minCustomers` customers at the fit cutoff, or fewer than MIN_EACH_OUTCOME
 * buyers or non-buyers) nothing is fitted and every score is null, with the reason.
 */
export async function predictPurchases(
  container: MedusaContainer,
  {
    asOf,
    customerIds,
    exclude,
    windowDays,
    minCustomers,
    onProgress,
    signal,
  }: {
    asOf: Date
    customerIds: readonly string[]
    exclude: Set<string>
    windowDays: number
    minCustomers: number
    /** Share of the prediction done, 0 to 1 (the fit, then the scoring). */
    onProgress?: (share: number) => void
    /** Aborts the fit (the run lost its lock). */
    signal?: AbortSignal
  }
): Promise<PurchasePrediction> {
  const none = (training_customers: number, reason: string): PurchasePrediction => ({
    window_days: windowDays,
    training_customers,
    buy_probability: customerIds.map(() => null),
    expected_spend: customerIds.map(() => null),
    scored_customers: 0,
    validation: null,
    reason,
  })
  const now = asOf.getTime()
  const cutoff = now - windowDays * MS_PER_DAY
  // Columns, not one object per line: a million customers' 20M lines stay within a gigabyte.
  const lines = await loadPurchaseColumns(container, { until: asOf, exclude })
  const population = lifecyclePopulation(lines, cutoff, now)
  const n = population.features.customerIds.length
  let buyers = 0
  for (const b of population.labels.boughtAgain) buyers += b
  const missing: string[] = []
  if (n < minCustomers) missing.push(`${n} customers with an order before ${new Date(cutoff).toISOString()} (${minCustomers} needed)`)
  if (buyers < MIN_EACH_OUTCOME) missing.push(`${buyers} of them bought again in the ${windowDays} days after (${MIN_EACH_OUTCOME} needed)`)
  if (n - buyers < MIN_EACH_OUTCOME) missing.push(`${n - buyers} of them did not (${MIN_EACH_OUTCOME} needed)`)
  if (missing.length) return none(n, `not enough history to fit the purchase prediction: ${missing.join(", ")}`)

  await yieldToLoop()
  const { features: f1, labels: y1 } = population
  const model = await fitInWorker(
    {
      kind: "purchase-model",
      train: { names: f1.names, values: f1.values, summary: repeatSummary(lines, f1.customerIds, cutoff), bought: y1.boughtAgain, spend: y1.spend },
      options: { ...FIT_OPTIONS, horizonDays: windowDays },
    },
    // The training set is not read again here: move its arrays instead of copying them.
    { transferInput: true, signal }
  )
  onProgress?.(0.5)

  await yieldToLoop()
  const features = lifecycleFeatures(lines, now)
  const rowsToScore = { names: features.names, values: features.values, summary: repeatSummary(lines, features.customerIds, now) }
  const rows = features.customerIds.length
  const buy = new Float32Array(rows)
  const spend = new Float32Array(rows)
  for (let start = 0; start < rows; start += SCORE_CHUNK) {
    await yieldToLoop()
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("purchase prediction aborted")
    const end = Math.min(rows, start + SCORE_CHUNK)
    const s = scorePurchaseModel(model, rowsToScore, start, end)
    buy.set(s.buy, start)
    spend.set(s.spend, start)
    onProgress?.(0.5 + (0.5 * end) / rows)
  }
  const rowOf = new Map(features.customerIds.map((id, i) => [id, i]))
  const buy_probability: (number | null)[] = []
  const expected_spend: (number | null)[] = []
  let scored = 0
  for (const id of customerIds) {
    const i = rowOf.get(id)
    // A segmented customer with no purchase line (cannot happen while both read the same ledger) gets no score.
    if (i === undefined) {
      buy_probability.push(null)
      expected_spend.push(null)
      continue
    }
    buy_probability.push(Math.min(1, Math.max(0, buy[i])))
    expected_spend.push(Math.max(0, spend[i]))
    scored++
  }
  return {
    window_days: windowDays,
    training_customers: n,
    buy_probability,
    expected_spend,
    scored_customers: scored,
    validation: { model: PURCHASE_PREDICTION_MODEL, auc: model.validation.auc, fitted_customers: model.fitted.customers, buy_rate: buyers / n },
    reason: null,
  }
}
