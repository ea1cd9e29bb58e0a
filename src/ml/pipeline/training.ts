/**
 * A training run of the plugin, without I/O: evaluate a candidate recipe against the active
 * one and popularity on a time-based holdout, decide whether it may replace the active one,
 * and, when it may, refit it on all data and precompute the lists the store serves.
 * Plain data in, plain data out, so it runs in a worker thread (src/ml/worker).
 */
import { IdIndex } from "../data/id-index"
import { interactionsFromLines } from "../data/interactions"
import type { PurchaseLine } from "../data/purchase-line"
import { temporalSplit } from "../data/split"
import { MS_PER_DAY } from "../data/time"
import { type TopNMetrics, evaluateSplit } from "../evaluation/top-n"
import { BoughtTogether, basketsFromLines } from "../recommend/bought-together"
import { ReasonExplainer } from "../recommend/reasons"
import type { Recommender } from "../recommend/recommender"
import { TrendingRecommender } from "../recommend/trending"
import { type RecommenderModel, type RecommenderOptionsByModel, createRecommender } from "../worker/registry"

/** What to fit: a recommender of src/ml/recommend with its options. */
export interface Recipe {
  model: RecommenderModel
  options?: RecommenderOptionsByModel[RecommenderModel]
}

export interface TrainingPlan {
  candidate: Recipe
  /** The recipe of the active version; null when none is active yet. */
  active: Recipe | null
  /** The data's "now", ms since the epoch: lines at or after it are ignored. */
  asOf: number
  /** Test window length in days, > 0: the holdout is [asOf - holdoutDays, asOf). */
  holdoutDays: number
  /** Customers with a purchase in the last `activeDays` get a personal list, > 0. */
  activeDays: number
  /**
   * Items per trending list and per personal list's best items, >= 1; a personal list then
   * adds up to ceil(listSize / 2) of the best items the customer never bought.
   */
  listSize: number
  /** Items per product's related and bought-together lists, >= 1. */
  relatedSize: number
  /** Test customers needed for a decision, >= 1. */
  minTestCustomers: number
  /** Relative NDCG@10 gain the candidate needs over the active version, >= 0 (0.01 = 1 %). */
  margin: number
  /** Product titles for the English text of reasons; a missing title reads "this product". */
  titles?: Record<string, string>
}

/** Metrics of one recipe on the holdout (truth "all": what the store serves, repurchases included). */
export type HoldoutMetrics = Pick<TopNMetrics, "recall20" | "ndcg10" | "hr10" | "coverage20">

export interface HoldoutEvaluation {
  holdout_start: number
  /** Customers with a purchase in the holdout that the training data knows. */
  test_customers: number
  candidate: HoldoutMetrics
  active: HoldoutMetrics | null
  popularity: HoldoutMetrics
}

export interface ActivationDecision {
  activate: boolean
  reason: string
}

/** Why an item is in a list, with ids (not indices) and English text. */
export interface ServedReason {
  code: string
  params: Record<string, string | number | null>
  text: string
}

export interface PrecomputedList {
  kind: "customer" | "related" | "bought_together" | "trending"
  /** Customer id, product id, or "" for the trending list. */
  subject: string
  products: string[]
  reasons: ServedReason[]
}

export interface TrainingResult {
  evaluation: HoldoutEvaluation
  decision: ActivationDecision
  /** Present when the decision is to activate: the refit's lists. */
  lists: PrecomputedList[] | null
  /** Size of the data of the refit (or of the evaluation when not activated). */
  data: { lines: number; customers: number; products: number }
}

/**
 * Above this many products EASE's dense O(n^3) fit is out of reach (ease.ts: about 4 minutes
 * and 1 GB at 8,000 items on this machine); the default recipe then uses item-kNN.
 */
export const EASE_MAX_ITEMS = 8000

/**
 * What a training run fits by default: the hybrid the plugin serves (buy-again, recency-
 * weighted EASE, trend; see hybrid.ts), with item-kNN as its collaborative part above
 * EASE_MAX_ITEMS products.
 */
export function defaultRecipe(nItems: number): Recipe {
  return nItems > EASE_MAX_ITEMS ? { model: "hybrid", options: { collaborative: { model: "item-knn" } } } : { model: "hybrid", options: {} }
}

/** Identical recipes fit identically (fits are deterministic). */
export function sameRecipe(a: Recipe | null, b: Recipe | null): boolean {
  return !!a && !!b && a.model === b.model && stableJson(a.options ?? {}) === stableJson(b.options ?? {})
}

/**
 * The activation rule. Not enough test customers: no decision can be made, nothing changes.
 * With no active version the candidate must beat popularity. Otherwise it must beat the
 * active version's NDCG@10 by `margin` (relative); a candidate of the active version's own
 * recipe scores the same on the same holdout and is activated as a refresh on newer data.
 */
export function decideActivation(e: HoldoutEvaluation, plan: Pick<TrainingPlan, "candidate" | "active" | "minTestCustomers" | "margin">): ActivationDecision {
  const fmt = (x: number) => x.toFixed(4)
  if (e.test_customers < plan.minTestCustomers) {
    return { activate: false, reason: `too few test customers: ${e.test_customers} (${plan.minTestCustomers} needed)` }
  }
  const c = e.candidate.ndcg10
  if (!e.active || !plan.active) {
    return c > e.popularity.ndcg10
      ? { activate: true, reason: `first version: NDCG@10 ${fmt(c)} beats popularity ${fmt(e.popularity.ndcg10)}` }
      : { activate: false, reason: `NDCG@10 ${fmt(c)} does not beat popularity ${fmt(e.popularity.ndcg10)}` }
  }
  const a = e.active.ndcg10
  if (sameRecipe(plan.candidate, plan.active)) {
    return c >= a
      ? { activate: true, reason: `same recipe as the active version (NDCG@10 ${fmt(c)}): refreshed on newer data` }
      : { activate: false, reason: `same recipe scored ${fmt(c)} below the active version's ${fmt(a)}` }
  }
  const needed = a * (1 + plan.margin)
  return c > needed
    ? { activate: true, reason: `NDCG@10 ${fmt(c)} beats the active version's ${fmt(a)} by more than ${(plan.margin * 100).toFixed(1)} %` }
    : { activate: false, reason: `NDCG@10 ${fmt(c)} does not beat the active version's ${fmt(a)} by ${(plan.margin * 100).toFixed(1)} % (needs > ${fmt(needed)})` }
}

/** Evaluates, decides and, when activating, refits on all data and precomputes the lists. */
export function runTraining(allLines: readonly PurchaseLine[], plan: TrainingPlan, onProgress?: (done: number, total: number, stage: string) => void): TrainingResult {
  checkPlan(plan)
  const lines = allLines.filter((l) => l.time < plan.asOf)
  const holdoutStart = plan.asOf - plan.holdoutDays * MS_PER_DAY
  const split = temporalSplit(lines, holdoutStart, plan.asOf)
  const evaluate = (recipe: Recipe): HoldoutMetrics => {
    const m = fit(recipe, split.train)
    return pick(evaluateSplit((u) => m.scores(u), split).all)
  }
  onProgress?.(0, 4, "evaluate")
  const evaluation: HoldoutEvaluation = {
    holdout_start: holdoutStart,
    test_customers: split.truthAll.users.length,
    candidate: split.train.nUsers > 0 ? evaluate(plan.candidate) : zeroMetrics(),
    active: plan.active && split.train.nUsers > 0 ? evaluate(plan.active) : null,
    popularity: split.train.nUsers > 0 ? evaluate({ model: "popularity" }) : zeroMetrics(),
  }
  const decision = decideActivation(evaluation, plan)
  if (!decision.activate) {
    return { evaluation, decision, lists: null, data: { lines: lines.length, customers: split.users.size, products: split.items.size } }
  }
  onProgress?.(1, 4, "refit")
  const users = IdIndex.fromIds(lines.map((l) => l.customerId))
  const items = IdIndex.fromIds(lines.map((l) => l.productId))
  const data = interactionsFromLines(lines, users, items, plan.asOf)
  const model = fit(plan.candidate, data)
  const productOf = (i: number) => items.id(i)
  const title = (i: number) => plan.titles?.[productOf(i)] ?? "this product"
  const explainer = new ReasonExplainer(data, title)
  const served = (user: number | null, item: number): ServedReason => {
    const r = explainer.explain(user, item)
    if (r.code === "because_you_bought") {
      return { code: r.code, params: { product_id: productOf(r.params.item), co_buyers: r.params.co_buyers }, text: r.text }
    }
    return { code: r.code, params: { ...r.params }, text: r.text }
  }

  const lists: PrecomputedList[] = []
  onProgress?.(2, 4, "customer lists")
  const activeFrom = plan.asOf - plan.activeDays * MS_PER_DAY
  const lastPurchase = new Float64Array(users.size).fill(Number.NEGATIVE_INFINITY)
  for (const l of lines) {
    const u = users.indexOf(l.customerId)
    if (l.time > lastPurchase[u]) lastPurchase[u] = l.time
  }
  const strength = data.strength
  for (let u = 0; u < users.size; u++) {
    if (lastPurchase[u] < activeFrom || !model.isUserKnown(u)) continue
    // A frequent buyer's best items are mostly their own: the best items they never bought
    // follow, so that `exclude_purchased` still finds a full list.
    const top = Array.from(model.recommend(u, Math.min(plan.listSize, items.size)))
    const own = strength.indices.subarray(strength.indptr[u], strength.indptr[u + 1])
    const inTop = new Set(top)
    for (const i of model.recommend(u, Math.min(Math.ceil(plan.listSize / 2), items.size), own)) if (!inTop.has(i)) top.push(i)
    lists.push({ kind: "customer", subject: users.id(u), products: top.map(productOf), reasons: top.map((i) => served(u, i)) })
  }

  onProgress?.(3, 4, "product lists")
  const trending = new TrendingRecommender().fit(data)
  const trendTop = trending.recommend(0, Math.min(plan.listSize, items.size))
  lists.push({ kind: "trending", subject: "", products: Array.from(trendTop, productOf), reasons: Array.from(trendTop, (i) => served(null, i)) })
  const together = new BoughtTogether({ neighbours: plan.relatedSize }).fit(basketsFromLines(lines, items))
  for (let i = 0; i < items.size; i++) {
    const related = model.similarItems(i, Math.min(plan.relatedSize, items.size - 1))
    if (related.length) {
      lists.push({
        kind: "related",
        subject: productOf(i),
        products: Array.from(related, productOf),
        reasons: Array.from(related, () => ({ code: "related", params: { product_id: productOf(i) }, text: `Customers who bought ${title(i)} also bought this` })),
      })
    }
    const bought = together.similarItems(i, plan.relatedSize)
    if (bought.length) {
      lists.push({
        kind: "bought_together",
        subject: productOf(i),
        products: Array.from(bought, productOf),
        reasons: Array.from(bought, () => ({ code: "bought_together", params: { product_id: productOf(i) }, text: `Often bought together with ${title(i)}` })),
      })
    }
  }
  onProgress?.(4, 4, "done")
  return { evaluation, decision, lists, data: { lines: lines.length, customers: users.size, products: items.size } }
}

function fit(recipe: Recipe, data: Parameters<Recommender["fit"]>[0]): Recommender {
  return createRecommender(recipe.model, recipe.options as never).fit(data)
}

function pick(m: TopNMetrics): HoldoutMetrics {
  return { recall20: m.recall20, ndcg10: m.ndcg10, hr10: m.hr10, coverage20: m.coverage20 }
}

function zeroMetrics(): HoldoutMetrics {
  return { recall20: 0, ndcg10: 0, hr10: 0, coverage20: 0 }
}

function checkPlan(p: TrainingPlan): void {
  const bad = (name: string, v: unknown) => new RangeError(`runTraining: ${name} out of range: ${String(v)}`)
  if (!(p.holdoutDays > 0)) throw bad("holdoutDays", p.holdoutDays)
  if (!(p.activeDays > 0)) throw bad("activeDays", p.activeDays)
  if (!(Number.isInteger(p.listSize) && p.listSize >= 1)) throw bad("listSize", p.listSize)
  if (!(Number.isInteger(p.relatedSize) && p.relatedSize >= 1)) throw bad("relatedSize", p.relatedSize)
  if (!(p.minTestCustomers >= 1)) throw bad("minTestCustomers", p.minTestCustomers)
  if (!(p.margin >= 0)) throw bad("margin", p.margin)
  if (!Number.isFinite(p.asOf)) throw bad("asOf", p.asOf)
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`
  if (v && typeof v === "object") {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`
  }
  return JSON.stringify(v)
}
