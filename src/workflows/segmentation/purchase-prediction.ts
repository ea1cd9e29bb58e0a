import type { MedusaContainer } from "@medusajs/framework/types"
import { MS_PER_DAY } from "../../ml/data/time"
import { lifecycleFeatures, lifecyclePopulation, propensityTrainingSet } from "../../ml/lifecycle/evaluate"
import { scorePropensity } from "../../ml/lifecycle/propensity"
import { fitInWorker } from "../../ml/worker"
import { loadPurchaseLines } from "../../lib/store-data"

/**
 * The network's default ensemble (5 folds x 4 repeats), stated here so progress can count the
 * nets; seed 0 so a run on the same data gives the same scores.
 */
const FIT_OPTIONS = { seed: 0, folds: 5, repeats: 4 } as const
const NETS = FIT_OPTIONS.folds * FIT_OPTIONS.repeats
/**
 * Fewest buyers and fewest non-buyers in the label window for a fit: each of the folds should
 * see both outcomes, or the early stopping and the validation figures mean nothing.
 */
export const MIN_EACH_OUTCOME = FIT_OPTIONS.folds
/** Rows scored between two yields to the event loop (a few milliseconds of work each). */
const SCORE_CHUNK = 2000

export type PurchasePrediction = {
  window_days: number
  /** Customers at the fit cutoff (with an order before as_of - window); null when unknown (a failed load). */
  training_customers: number | null
  /** Per customer of the input, in its order; null where the customer got no score. */
  buy_probability: (number | null)[]
  expected_spend: (number | null)[]
  scored_customers: number
  /** Out-of-fold figures on the training rows, and their share of buyers. */
  validation: { auc: number; spearman: number; buy_rate: number } | null
  /** Why no one has a score; null when the model was fitted. */
  reason: string | null
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Purchase prediction for `customerIds` as of `asOf`, as the protocol of docs/evaluation.md with W =
 * `windowDays`: the TF.js propensity ensemble is fitted (in a worker thread) on the features at
 * asOf - W of every customer with an order before then, labelled with what they bought in
 * [asOf - W, asOf), and then scores the features at asOf. Customers in `exclude` are neither
 * fitted on nor scored. With too little history (fewer than `minCustomers` customers at the fit
 * cutoff, or fewer than MIN_EACH_OUTCOME buyers or non-buyers) nothing is fitted and every
 * score is null, with the reason.
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
    /** Share of the fit done, 0 to 1. */
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
  const lines = await loadPurchaseLines(container, { until: asOf, exclude })
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
  const model = await fitInWorker(
    { kind: "propensity", train: propensityTrainingSet(population), options: FIT_OPTIONS },
    // The training set is not read again here: move its arrays instead of copying them.
    { transferInput: true, signal, onProgress: onProgress ? (net) => onProgress(net / NETS) : undefined }
  )

  await yieldToLoop()
  const features = lifecycleFeatures(lines, now)
  const d = features.names.length
  const rows = features.customerIds.length
  const buy = new Float32Array(rows)
  const spend = new Float32Array(rows)
  for (let start = 0; start < rows; start += SCORE_CHUNK) {
    await yieldToLoop()
    const end = Math.min(rows, start + SCORE_CHUNK)
    const s = scorePropensity(model, { names: features.names, values: features.values.subarray(start * d, end * d) })
    buy.set(s.buy, start)
    spend.set(s.spend, start)
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
    validation: { auc: model.validation.auc, spearman: model.validation.spearman, buy_rate: buyers / n },
    reason: null,
  }
}
