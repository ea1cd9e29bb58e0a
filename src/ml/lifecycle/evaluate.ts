import type { PurchaseColumns } from "../data/purchase-columns"
import type { PurchaseLine } from "../data/purchase-line"
import { rocAuc } from "../evaluation/auc"
import { brierScore, expectedCalibrationError } from "../evaluation/calibration"
import { spearman } from "../evaluation/spearman"
import { type CustomerFeatureMatrix, type FutureLabels, customerFeatures, futureLabels, selectColumns } from "../features/customer-features"
import { applyFeatureTransform, fitFeatureTransform } from "../features/feature-transform"
import { type PropensityModel, type PropensityOptions, type PropensityTrainingSet, fitPropensity, scorePropensity } from "./propensity"
import { fitLogistic, predictLogistic, rfmQuintileSum } from "./references"
import { bgnbdConditionalExpectation, bgnbdProbabilityPurchase, fitBgNbd, fitGammaGamma, gammaGammaExpectedValue, repeatSummary } from "./bgnbd"
import { type PurchaseModel, type PurchaseModelOptions, fitPurchaseModel, scorePurchaseModel } from "./purchase-model"
import { type SequenceModelOptions, fitSequenceModel, purchaseSequences, scoreSequenceModel } from "./sequence-model"
import { useBackend } from "./propensity"

/** Model names evaluateLifecycle knows, in its output order. */
export const LIFECYCLE_MODELS = ["recency", "rfm", "logistic", "logistic-lifecycle", "bgnbd", "purchase-model", "purchase-sequence", "propensity-net"] as const

/**
 * The lifecycle columns "logistic-lifecycle" adds to the seven: the mean and spread of the days
 * between orders, the last gaps against the usual one, how overdue the next order is, and the
 * orders of the last 90 days against the 90 before (signed, so not logged).
 */
export const LIFECYCLE_COLUMNS = ["meanInterval", "intervalSpread", "recentGapRatio", "overdue", "trendDelta"] as const
export type LifecycleModelName = (typeof LIFECYCLE_MODELS)[number]

/** True when `name` is one of LIFECYCLE_MODELS (for validating command-line input). */
export function isLifecycleModel(name: string): name is LifecycleModelName {
  return (LIFECYCLE_MODELS as readonly string[]).includes(name)
}

export interface LifecycleSplit {
  /** T1, ms: features of the fit population, labels from [fitCutoff, scoreCutoff). */
  fitCutoff: number
  /** T2, ms: features of the scored population, outcome from [scoreCutoff, end). */
  scoreCutoff: number
  /** E, ms, exclusive. */
  end: number
}

export interface LifecycleModelResult {
  model: LifecycleModelName
  /** ROC AUC of the buy score for "buys again in [T2, E)". */
  auc: number
  /** Spearman correlation of the spend score with spend in [T2, E). */
  spearman: number
  /** Fit time in seconds (0 for the rules). */
  fitSeconds: number
  /** Brier score of the buy score; null when it is not a probability (recency, RFM). */
  brier: number | null
  /** Expected calibration error of the buy score over 10 equal-width bins; null as brier. */
  ece: number | null
  /** The scores themselves, per scored customer (order of scoredIds), when keepScores was set. */
  scores?: { buy: Float64Array; spend: Float64Array }
}

export interface LifecycleEvaluation {
  fitCustomers: number
  fitBuyRate: number
  scoredCustomers: number
  scoredBuyRate: number
  results: LifecycleModelResult[]
  /** With keepScores: the scored customers and what they did in [T2, E). */
  scored?: { customerIds: readonly string[]; labels: FutureLabels }
  /** The fitted network when "propensity-net" ran (for saving or inspection). */
  propensityModel?: PropensityModel
  /** The fitted purchase model when "purchase-model" ran. */
  purchaseModel?: PurchaseModel
}

export interface LifecycleEvaluateOptions {
  /** Default: all of LIFECYCLE_MODELS. */
  models?: readonly LifecycleModelName[]
  /** Options of the network (seed, backend, sizes...). */
  propensity?: PropensityOptions
  /** Options of the purchase model other than its horizon (the label window's length). */
  purchaseModel?: Omit<PurchaseModelOptions, "horizonDays">
  /** Options of the sequence model; it runs on the backend of `propensity` (default wasm). */
  sequence?: SequenceModelOptions
  /** Monotonic ms for fit timings; default performance.now. */
  now?: () => number
  /** Keep every model's scores and the scored population (for paired comparisons); default false. */
  keepScores?: boolean
}

/** A population at a cutoff: its features, and what each customer did in the window after. */
export interface LifecyclePopulation {
  features: CustomerFeatureMatrix
  labels: FutureLabels
}

/**
 * What every lifecycle model reads: features at `cutoff` (ms) of the customers with a line
 * before it, the evaluation protocol's (docs/evaluation.md) seven base columns (the extras were no better out of fold; see
 * propensity.ts). Evaluation and the store's scoring both read it, so they cannot drift apart.
 */
export function lifecycleFeatures(lines: readonly PurchaseLine[] | PurchaseColumns, cutoff: number): CustomerFeatureMatrix {
  return customerFeatures(lines, cutoff)
}

/** lifecycleFeatures at `cutoff` with each customer's labels from [cutoff, end): a fit's (or an evaluation's) rows. */
export function lifecyclePopulation(lines: readonly PurchaseLine[] | PurchaseColumns, cutoff: number, end: number): LifecyclePopulation {
  const features = lifecycleFeatures(lines, cutoff)
  return { features, labels: futureLabels(lines, features.customerIds, cutoff, end) }
}

/** The propensity network's training set of a population (same rows, same order). */
export function propensityTrainingSet({ features, labels }: LifecyclePopulation): PropensityTrainingSet {
  return { names: features.names, values: features.values, bought: labels.boughtAgain, spend: labels.spend }
}

/**
 * the evaluation protocol's (docs/evaluation.md) lifecycle protocol on cleaned `lines`: fit at T1 with labels from [T1, T2),
 * score the population at T2, compare with [T2, E). References: recency only (-recency for
 * both metrics), RFM quintile sum (both metrics), logistic regression on standardised
 * log(1 + feature) of the seven features (C = 1; spend score = P x average invoice amount).
 * "propensity-net" is the TF.js ensemble (buy = P(buy), spend = expected spend).
 */
export async function evaluateLifecycle(
  lines: readonly PurchaseLine[],
  split: LifecycleSplit,
  options: LifecycleEvaluateOptions = {}
): Promise<LifecycleEvaluation> {
  const { fitCutoff: t1, scoreCutoff: t2, end } = split
  if (!(t1 < t2 && t2 < end)) throw new RangeError("evaluateLifecycle: need fitCutoff < scoreCutoff < end")
  const models = options.models ?? LIFECYCLE_MODELS
  const now = options.now ?? (() => performance.now())
  const fit = lifecyclePopulation(lines, t1, t2)
  const scored = lifecyclePopulation(lines, t2, end)
  const { features: f1, labels: y1 } = fit
  const { features: f2, labels: y2 } = scored
  const result = (model: LifecycleModelName, buy: ArrayLike<number>, spend: ArrayLike<number>, fitSeconds: number, probability = true): LifecycleModelResult => ({
    model,
    auc: rocAuc(y2.boughtAgain, buy),
    spearman: spearman(spend, y2.spend),
    fitSeconds,
    brier: probability ? brierScore(y2.boughtAgain, buy) : null,
    ece: probability ? expectedCalibrationError(y2.boughtAgain, buy) : null,
    ...(options.keepScores ? { scores: { buy: Float64Array.from(buy), spend: Float64Array.from(spend) } } : {}),
  })
  const results: LifecycleModelResult[] = []
  let propensityModel: PropensityModel | undefined
  let purchaseModel: PurchaseModel | undefined
  const horizonDays = (t2 - t1) / 86_400_000
  for (const name of models) {
    if (name === "recency") {
      const s = selectColumns(f2, ["recency"]).map((v) => -v)
      results.push(result(name, s, s, 0, false))
    } else if (name === "rfm") {
      const s = rfmQuintileSum(selectColumns(f2, ["recency"]), selectColumns(f2, ["invoices"]), selectColumns(f2, ["spend"]))
      results.push(result(name, s, s, 0, false))
    } else if (name === "logistic") {
      const t = now()
      const sc = fitFeatureTransform(f1.values, f1.names, { log1p: f1.names })
      const m = fitLogistic(applyFeatureTransform(sc, f1.values), f1.names.length, y1.boughtAgain)
      const fitSeconds = (now() - t) / 1000
      const p = predictLogistic(m, applyFeatureTransform(sc, f2.values))
      const aov = selectColumns(f2, ["averageInvoice"])
      results.push(result(name, p, p.map((v, i) => v * aov[i]), fitSeconds))
    } else if (name === "logistic-lifecycle") {
      const t = now()
      const a = customerFeatures(lines, t1, { extras: LIFECYCLE_COLUMNS })
      const b = customerFeatures(lines, t2, { extras: LIFECYCLE_COLUMNS })
      const logged = a.names.filter((n) => n !== "trendDelta")
      const sc = fitFeatureTransform(a.values, a.names, { log1p: logged })
      const m = fitLogistic(applyFeatureTransform(sc, a.values), a.names.length, y1.boughtAgain)
      const fitSeconds = (now() - t) / 1000
      const p = predictLogistic(m, applyFeatureTransform(sc, b.values))
      const aov = selectColumns(f2, ["averageInvoice"])
      results.push(result(name, p, p.map((v, i) => v * aov[i]), fitSeconds))
    } else if (name === "bgnbd") {
      // Unsupervised: BG/NBD and Gamma-Gamma fitted on the scored customers' own history before T2.
      const t = now()
      const sum = repeatSummary(lines, f2.customerIds, t2)
      const bg = fitBgNbd(sum, options.purchaseModel)
      const gg = fitGammaGamma(sum, options.purchaseModel)
      const fitSeconds = (now() - t) / 1000
      const h = (end - t2) / 86_400_000
      const n = f2.customerIds.length
      const buy = new Float64Array(n)
      const spend = new Float64Array(n)
      for (let i = 0; i < n; i++) {
        buy[i] = bgnbdProbabilityPurchase(bg, sum.x[i], sum.tx[i], sum.T[i], h)
        spend[i] = bgnbdConditionalExpectation(bg, sum.x[i], sum.tx[i], sum.T[i], h) * gammaGammaExpectedValue(gg, sum.x[i], sum.monetary[i])
      }
      results.push(result(name, buy, spend, fitSeconds))
    } else if (name === "purchase-model") {
      const t = now()
      purchaseModel = fitPurchaseModel(
        { names: f1.names, values: f1.values, summary: repeatSummary(lines, f1.customerIds, t1), bought: y1.boughtAgain, spend: y1.spend },
        { ...options.purchaseModel, horizonDays }
      )
      const fitSeconds = (now() - t) / 1000
      const s = scorePurchaseModel(purchaseModel, { names: f2.names, values: f2.values, summary: repeatSummary(lines, f2.customerIds, t2) })
      results.push(result(name, s.buy, s.spend, fitSeconds))
    } else if (name === "purchase-sequence") {
      await useBackend(options.propensity?.backend ?? "wasm")
      const t = now()
      const steps = 8
      const m = fitSequenceModel(
        { sequences: purchaseSequences(lines, f1.customerIds, t1, steps), steps, names: f1.names, values: f1.values, bought: y1.boughtAgain, spend: y1.spend },
        { seed: options.propensity?.seed, ...options.sequence }
      )
      const fitSeconds = (now() - t) / 1000
      const s = scoreSequenceModel(m, { sequences: purchaseSequences(lines, f2.customerIds, t2, steps), names: f2.names, values: f2.values })
      results.push(result(name, s.buy, s.spend, fitSeconds))
    } else if (name === "propensity-net") {
      const t = now()
      propensityModel = await fitPropensity(propensityTrainingSet(fit), options.propensity)
      const fitSeconds = (now() - t) / 1000
      const s = scorePropensity(propensityModel, f2)
      results.push(result(name, s.buy, s.spend, fitSeconds))
    } else {
      throw new RangeError(`evaluateLifecycle: unknown model "${String(name)}"; known: ${LIFECYCLE_MODELS.join(", ")}`)
    }
  }
  const rate = (b: Uint8Array) => (b.length ? b.reduce((a, v) => a + v, 0) / b.length : Number.NaN)
  return {
    fitCustomers: f1.customerIds.length,
    fitBuyRate: rate(y1.boughtAgain),
    scoredCustomers: f2.customerIds.length,
    scoredBuyRate: rate(y2.boughtAgain),
    results,
    ...(options.keepScores ? { scored: { customerIds: f2.customerIds, labels: y2 } } : {}),
    ...(propensityModel ? { propensityModel } : {}),
    ...(purchaseModel ? { purchaseModel } : {}),
  }
}

/** the evaluation protocol's (docs/evaluation.md) reference rows for the development split (AUC, Spearman). */
export const LIFECYCLE_REFERENCE: Record<"recency" | "rfm" | "logistic", readonly [number, number]> = {
  recency: [0.6691, 0.3339],
  rfm: [0.7452, 0.5095],
  logistic: [0.7511, 0.4493],
}
