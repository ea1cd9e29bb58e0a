/**
 * A training run of the plugin, without I/O: evaluate a candidate recipe against the active
 * one and popularity on a time-based holdout, decide whether it may replace the active one,
 * and, when it may, refit it on all data and precompute the lists the store serves.
 * Plain data in, plain data out, so it runs in a worker thread (src/ml/worker).
 */
import type { IdIndex } from "../data/id-index"
import type { Interactions } from "../data/interactions"
import type { PurchaseLine } from "../data/purchase-line"
import {
  type PurchaseColumns,
  columnsFromLines,
  interactionsFromColumns,
  isPurchaseColumns,
  recentDistinctItemsFromColumns,
  seenBefore,
  temporalSplitColumns,
} from "../data/purchase-columns"
import { MS_PER_DAY } from "../data/time"
import { type TopNMetrics, evaluateRanked } from "../evaluation/top-n"
import { ColdItemScorer, coldMask, interleave } from "../recommend/cold-items"
import type { CsrMatrix } from "../data/csr"
import type { ContentIndex, ProductText } from "../recommend/content"
import { type ListItems, type PackedListBatch, PackedListWriter, REASON_CODE, indexWidth } from "../recommend/packed-lists"
import { ReasonExplainer } from "../recommend/reasons"
import type { Recommender } from "../recommend/recommender"
import { type HybridOptions, HybridRecommender } from "../recommend/hybrid"
import { type ItemKnnOptions, ItemKnnRecommender, remapSimilarities } from "../recommend/item-knn"
import { type ProductStrips, canShareItemKnn, catalogueIndex, productStrips } from "../recommend/strips"
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

/**
 * The version's product table: list items are indexes into `ids` (the catalogue's products in
 * the order given, then products sold but missing from it); per product the buyer counts that
 * trending and popular reasons show (0 for a product nobody bought).
 */
export interface ProductTable {
  ids: string[]
  /** Distinct buyers in the refit data. */
  buyers: Int32Array
  /** Distinct buyers in the last TRENDING_WINDOW_DAYS before asOf. */
  recentBuyers: Int32Array
}

/** What a training run hands over while it runs: first the decision, then (when activating) the product table and the lists in batches. */
export type TrainingOutput =
  | { type: "decision"; evaluation: HoldoutEvaluation; decision: ActivationDecision; data: TrainingData }
  | { type: "products"; table: ProductTable }
  | { type: "lists"; batch: PackedListBatch }
  /** Last, when the model's collaborative part is a sparse item-kNN: its neighbour rows, for the refreshes until the next full run. */
  | { type: "similarities"; state: SimilarityState }

export interface TrainingData {
  lines: number
  customers: number
  products: number
}

/** What a whole run comes to; lists counted by kind. */
export interface TrainingSummary {
  evaluation: HoldoutEvaluation
  decision: ActivationDecision
  /** Size of the data of the refit (or of the evaluation when not activated). */
  data: TrainingData
  lists: Record<PackedListBatch["kind"], number> | null
}

/** Days a "trending" reason looks back. */
export const TRENDING_WINDOW_DAYS = 30
/** Lists per batch handed over: a few hundred kB, written in well under the 50 ms a batch may hold the event loop. */
export const LIST_BATCH_SIZE = 1000

/**
 * Cold items in personal lists: products with fewer than COLD_MAX_BUYERS buyers get up to
 * COLD_PICKS places (the 4th and 9th) in the list of a customer whose last COLD_HISTORY distinct
 * products are close to them in text (mean TF-IDF cosine >= 0.1; cold-items.ts), with the
 * customer's own product closest to each as its reason.
 */
export const COLD_MAX_BUYERS = 3
export const COLD_PICKS = 2
export const COLD_HISTORY = 20

/**
 * Above this many products EASE's dense O(n^3) fit is out of reach (ease.ts: about 4 minutes
 * and 1 GB at 8,000 items on this machine); the default recipe then uses item-kNN.
 */
export const EASE_MAX_ITEMS = 8000

/**
 * Neighbours per product of the default recipe's item-kNN above EASE_MAX_ITEMS: a sparse
 * matrix of products x 200 (160 MB at 100,000 products) instead of the dense products^2 one,
 * which cannot be allocated at 100,000 products (1e10 entries; "Invalid typed array length" in
 * bench:lines at 20M lines). Chosen for memory: on the four rolling splits of the development
 * store (docs/evaluation.md, "item-kNN neighbours of the large-catalogue default") the hybrid
 * with 200 neighbours is 0.6-1.0% below the dense one on Recall@20 and 1.2-1.7% on NDCG@10, on
 * every split; 50 neighbours lands in the same range.
 */
export const ITEM_KNN_NEIGHBOURS = 200

/**
 * What a training run fits by default: the hybrid the plugin serves (buy-again, recency-
 * weighted EASE, trend; see hybrid.ts), with a sparse item-kNN (ITEM_KNN_NEIGHBOURS) as its
 * collaborative part above EASE_MAX_ITEMS products.
 */
export function defaultRecipe(nItems: number): Recipe {
  return nItems > EASE_MAX_ITEMS
    ? { model: "hybrid", options: { collaborative: { model: "item-knn", options: { neighbours: ITEM_KNN_NEIGHBOURS } } } }
    : { model: "hybrid", options: {} }
}

/**
 * The recipe a run fits: the requested one, or the default for the catalogue's size. Above
 * EASE_MAX_ITEMS products a requested item-kNN without a neighbour count keeps
 * ITEM_KNN_NEIGHBOURS per product, as the default's does: its dense products^2 matrix is
 * 0.26 GB at 8,000 products and cannot be allocated at 100,000.
 */
export function recipeFor(requested: Recipe | undefined, nItems: number): Recipe {
  if (!requested) return defaultRecipe(nItems)
  const options = (requested.options ?? {}) as { neighbours?: number }
  if (requested.model === "item-knn" && nItems > EASE_MAX_ITEMS && options.neighbours === undefined) {
    return { model: "item-knn", options: { ...options, neighbours: ITEM_KNN_NEIGHBOURS } }
  }
  return requested
}

/** Identical recipes fit identically (fits are deterministic). */
export function sameRecipe(a: Recipe | null, b: Recipe | null): boolean {
  return !!a && !!b && a.model === b.model && stableJson(a.options ?? {}) === stableJson(b.options ?? {})
}

/**
 * The activation rule. Not enough test customers: no decision can be made, nothing changes.
 * Every activation, a refresh included, must beat popularity's NDCG@10 on the holdout. With an
 * active version the candidate must also beat its NDCG@10 by `margin` (relative); a candidate
 * of the active version's own recipe scores the same on the same holdout and is activated as a
 * refresh on newer data (so lists do not go stale while the recipe stays the best).
 */
export function decideActivation(e: HoldoutEvaluation, plan: Pick<TrainingPlan, "candidate" | "active" | "minTestCustomers" | "margin">): ActivationDecision {
  const fmt = (x: number) => x.toFixed(4)
  if (e.test_customers < plan.minTestCustomers) {
    return { activate: false, reason: `too few test customers: ${e.test_customers} (${plan.minTestCustomers} needed)` }
  }
  const c = e.candidate.ndcg10
  const p = e.popularity.ndcg10
  if (!(c > p)) return { activate: false, reason: `NDCG@10 ${fmt(c)} does not beat popularity ${fmt(p)}` }
  if (!e.active || !plan.active) {
    return { activate: true, reason: `first version: NDCG@10 ${fmt(c)} beats popularity ${fmt(p)}` }
  }
  const a = e.active.ndcg10
  if (sameRecipe(plan.candidate, plan.active)) {
    return c >= a
      ? { activate: true, reason: `same recipe as the active version (NDCG@10 ${fmt(c)}, popularity ${fmt(p)}): refreshed on newer data` }
      : { activate: false, reason: `same recipe scored ${fmt(c)} below the active version's ${fmt(a)}` }
  }
  const needed = a * (1 + plan.margin)
  return c > needed
    ? { activate: true, reason: `NDCG@10 ${fmt(c)} beats the active version's ${fmt(a)} by more than ${(plan.margin * 100).toFixed(1)} %` }
    : { activate: false, reason: `NDCG@10 ${fmt(c)} does not beat the active version's ${fmt(a)} by ${(plan.margin * 100).toFixed(1)} % (needs > ${fmt(needed)})` }
}

/**
 * A training run: evaluates the candidate (and the active recipe, unless it is the same recipe,
 * which fits identically and is evaluated once) against popularity on the holdout, decides,
 * and when activating refits on all data and yields the product table and the lists in
 * batches of LIST_BATCH_SIZE, encoded (packed-lists.ts). A generator, so that a worker thread
 * can hand each batch over (its buffers move) and wait until it is written before building
 * the next: memory stays bounded by a batch whatever the number of customers.
 *
 * `products` are the catalogue's texts (title, description, categories, collection, tags,
 * type): the related and bought-together lists are productStrips' (strips.ts: related by text
 * and purchase similarity, so a product nobody bought yet has one; bought together by
 * co-orders discounted by text similarity), and personal lists give products with few buyers a
 * place near a customer's history (COLD_MAX_BUYERS). Without texts the strips lean on
 * purchases alone and no cold item is placed.
 *
 * With `shard`, the personal lists are only those of the shard's customers: the other shards'
 * come from runTrainingShard in other threads (the lists are the same either way, tested).
 */
export function* runTraining(
  input: readonly PurchaseLine[] | PurchaseColumns,
  plan: TrainingPlan,
  onProgress?: (done: number, total: number, stage: string) => void,
  products: readonly ProductText[] = [],
  shard: ListShard = WHOLE
): Generator<TrainingOutput, TrainingSummary, void> {
  checkPlan(plan)
  checkShard(shard)
  // Every step reads the columns (no object per line, no filtered copy): lines at or after asOf are skipped where read.
  const lines = isPurchaseColumns(input) ? input : columnsFromLines(input)
  const seen = seenBefore(lines, plan.asOf)
  onProgress?.(0, 4, "evaluate")
  const { evaluation, splitUsers, splitItems } = evaluateOnHoldout(lines, plan)
  const decision = decideActivation(evaluation, plan)
  if (!decision.activate) {
    const data = { lines: seen.lines, customers: splitUsers, products: splitItems }
    yield { type: "decision", evaluation, decision, data }
    return { evaluation, decision, data, lists: null }
  }
  const dataSize = { lines: seen.lines, customers: seen.users.index.size, products: seen.items.index.size }
  yield { type: "decision", evaluation, decision, data: dataSize }

  onProgress?.(1, 4, "refit")
  const r = refit(lines, seen, plan, products)
  // Copies: a worker moves each output's buffers to its parent (transfer), which empties them
  // here, and the cold mask still reads the buyers. With the originals sent, every product
  // read as cold in a worker: 19 times slower lists, and cold picks of any product.
  yield { type: "products", table: { ids: [...r.tableIds], buyers: r.buyers.slice(), recentBuyers: r.recentBuyers.slice() } }
  const counts: Record<PackedListBatch["kind"], number> = { customer: 0, related: 0, bought_together: 0, trending: 0 }
  const flush = flusher(counts)

  onProgress?.(2, 4, "customer lists")
  yield* personalLists(lines, seen, plan, r, shard, flush)

  onProgress?.(3, 4, "product lists")
  yield* trendingList(plan, r, flush)
  const relatedWriter = new PackedListWriter("related", r.width)
  const togetherWriter = new PackedListWriter("bought_together", r.width)
  const strips = r.strips as ProductStrips
  for (let a = 0; a < strips.ids.length; a++) {
    const related = strips.related[a]
    if (related.length) relatedWriter.add(strips.ids[a], sameReason(related, REASON_CODE.related))
    const bought = strips.boughtTogether[a]
    if (bought.length) togetherWriter.add(strips.ids[a], sameReason(bought, REASON_CODE.bought_together))
    yield* flush(relatedWriter)
    yield* flush(togetherWriter)
  }
  yield* flush(relatedWriter, true)
  yield* flush(togetherWriter, true)
  // Last: the lists no longer read the model, so a worker may move these rows away (no copy).
  const state = similarityStateOf(r.model, r.items, plan.asOf)
  if (state) yield { type: "similarities", state }
  onProgress?.(4, 4, "done")
  return { evaluation, decision, data: dataSize, lists: counts }
}

/** What a refresh reuses of the last full run: its item-kNN's kept neighbour rows, by product id. */
export interface SimilarityState {
  /** Product ids of the rows and columns, in that fit's item order. */
  ids: readonly string[]
  rows: CsrMatrix
  /** That fit's asOf (ms since the epoch). */
  asOf: number
}

/** The neighbour rows of a fitted model whose collaborative part is a sparse item-kNN; null for any other model. */
export function similarityStateOf(model: Recommender, items: IdIndex, asOf: number): SimilarityState | null {
  const knn = model instanceof HybridRecommender ? model.collaborativeModel : model
  const rows = knn instanceof ItemKnnRecommender ? knn.similarityRows : null
  return rows ? { ids: items.ids, rows, asOf } : null
}

/** What a refresh comes to: the size of its data, the lists it built by kind, and the customers it was asked for that got none (no purchase in activeDays, or unknown). */
export interface RefreshSummary {
  data: TrainingData
  lists: Record<PackedListBatch["kind"], number>
  skipped: number
}

/**
 * The nightly refresh between full training runs, a prototype (bench:nightly's
 * training-refresh stage measures it; the jobs do not run it yet): the candidate recipe with
 * the item-kNN neighbour rows of the last full run (`state`) and everything else (histories,
 * buy-again, trend and new-arrivals priors, reasons) fitted on today's lines; the personal lists
 * of `customers` alone (those whose purchases changed since the last run), built as
 * runTraining builds them, and the trending list. No holdout evaluation (the full run decides
 * what is served) and no product strips (a refresh would keep the full run's). A product first
 * sold since `state` has no neighbours yet: the priors and cold picks place it. With `state`
 * taken from a fit on the same lines, each list equals runTraining's (tested).
 */
export function* refreshTraining(
  input: readonly PurchaseLine[] | PurchaseColumns,
  plan: TrainingPlan,
  state: SimilarityState,
  customers: ReadonlySet<string>,
  products: readonly ProductText[] = []
): Generator<TrainingOutput, RefreshSummary, void> {
  checkPlan(plan)
  const lines = isPurchaseColumns(input) ? input : columnsFromLines(input)
  const seen = seenBefore(lines, plan.asOf)
  const r = refit(lines, seen, plan, products, state)
  yield { type: "products", table: { ids: [...r.tableIds], buyers: r.buyers.slice(), recentBuyers: r.recentBuyers.slice() } }
  const counts: Record<PackedListBatch["kind"], number> = { customer: 0, related: 0, bought_together: 0, trending: 0 }
  const flush = flusher(counts)
  yield* personalLists(lines, seen, plan, r, WHOLE, flush, customers)
  yield* trendingList(plan, r, flush)
  const data = { lines: seen.lines, customers: seen.users.index.size, products: seen.items.index.size }
  return { data, lists: counts, skipped: customers.size - counts.customer }
}

/**
 * Which customers' personal lists a run builds: those whose model index is `index` modulo
 * `count`. Shard 0 is the whole run (evaluation, product table, product lists); the others are
 * runTrainingShard's, in further worker threads once shard 0 has decided to activate.
 */
export interface ListShard {
  index: number
  count: number
}

const WHOLE: ListShard = { index: 0, count: 1 }

function checkShard({ index, count }: ListShard): void {
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count)) {
    throw new RangeError(`runTraining: shard ${index} of ${count} (needs integers, 0 <= index < count)`)
  }
}

/**
 * The personal lists of one shard of an activating run (index >= 1), for another worker thread:
 * the same refit as runTraining's (deterministic, so the same model and reasons), then only the
 * personal lists of the customers of `shard`. Resolves to the number of lists.
 */
export function* runTrainingShard(
  input: readonly PurchaseLine[] | PurchaseColumns,
  plan: TrainingPlan,
  shard: ListShard,
  products: readonly ProductText[] = []
): Generator<TrainingOutput, number, void> {
  checkPlan(plan)
  checkShard(shard)
  if (shard.index === 0) throw new RangeError("runTrainingShard: shard 0 is runTraining's")
  const lines = isPurchaseColumns(input) ? input : columnsFromLines(input)
  const seen = seenBefore(lines, plan.asOf)
  const counts: Record<PackedListBatch["kind"], number> = { customer: 0, related: 0, bought_together: 0, trending: 0 }
  yield* personalLists(lines, seen, plan, refit(lines, seen, plan, products), shard, flusher(counts))
  return counts.customer
}

/** The refitted model on all lines before asOf, with what the lists read of it. */
interface Refit {
  users: IdIndex
  items: IdIndex
  data: Interactions
  model: Recommender
  /** Null in a refresh (no strips are built). */
  strips: ProductStrips | null
  /** The catalogue's TF-IDF index; its product order is the version's table's. */
  content: ContentIndex
  tableIds: readonly string[]
  toTable: Int32Array
  buyers: Int32Array
  recentBuyers: Int32Array
  width: ReturnType<typeof indexWidth>
  explained: (user: number | null, top: ArrayLike<number>) => Entry[]
}

type Entry = { item: number; code: number; anchor: number }

/** With `reuse` (a refresh): the model's item-kNN keeps those neighbour rows, and no strips are built. */
function refit(
  lines: PurchaseColumns,
  seen: ReturnType<typeof seenBefore>,
  plan: TrainingPlan,
  products: readonly ProductText[],
  reuse?: SimilarityState
): Refit {
  const users = seen.users.index
  const items = seen.items.index
  const data = interactionsFromColumns(lines, seen.users, seen.items, plan.asOf, plan.asOf)
  const model = reuse ? fitReusing(plan.candidate, data, items, reuse) : fit(plan.candidate, data)
  const explainer = new ReasonExplainer(data, TRENDING_WINDOW_DAYS)
  let strips: ProductStrips | null = null
  if (!reuse) {
    const candidates = Math.max(50, plan.relatedSize)
    // The model's item-kNN, when it is one the strips can use, saves the strips their own fit of the same purchases.
    const knn = model instanceof HybridRecommender ? model.collaborativeModel : model
    const purchaseSimilarity = knn instanceof ItemKnnRecommender && canShareItemKnn(knn, candidates) ? knn : undefined
    strips = productStrips(lines, products, { size: plan.relatedSize, candidates, purchaseSimilarity }, plan.asOf)
  }
  // The product table is the strips' (catalogue, then products sold but not in it): every sold item is in it.
  const content = strips ? strips.content : catalogueIndex(products, items.ids)
  const tableIds = content.ids
  const tableSize = tableIds.length
  const toTable = Int32Array.from({ length: items.size }, (_, i) => content.indexOf(items.id(i)))
  const buyers = new Int32Array(tableSize)
  const recentBuyers = new Int32Array(tableSize)
  for (let i = 0; i < items.size; i++) {
    buyers[toTable[i]] = explainer.buyersOf(i)
    recentBuyers[toTable[i]] = explainer.recentBuyersOf(i)
  }
  const explained = (user: number | null, top: ArrayLike<number>): Entry[] =>
    explainer.explainAll(user, top).map((r, x) => ({
      item: toTable[top[x]],
      code: REASON_CODE[r.code],
      anchor: r.code === "because_you_bought" ? toTable[r.params.item] : -1,
    }))
  return { users, items, data, model, strips, content, tableIds, toTable, buyers, recentBuyers, width: indexWidth(tableSize), explained }
}

/** The candidate recipe on `data` with its item-kNN's neighbour rows taken from `state` (a hybrid or an item-kNN with neighbours). */
function fitReusing(recipe: Recipe, data: Interactions, items: IdIndex, state: SimilarityState): Recommender {
  const rows = remapSimilarities(state.ids, state.rows, items)
  if (recipe.model === "item-knn") return ItemKnnRecommender.withSimilarities((recipe.options ?? {}) as ItemKnnOptions, data, rows)
  const collaborative = recipe.model === "hybrid" ? ((recipe.options ?? {}) as HybridOptions).collaborative : undefined
  if (collaborative?.model !== "item-knn") {
    throw new RangeError(`refreshTraining: the recipe ${JSON.stringify(recipe)} has no sparse item-kNN whose neighbour rows could be kept`)
  }
  const knn = ItemKnnRecommender.withSimilarities(collaborative.options ?? {}, data, rows)
  return new HybridRecommender(recipe.options as HybridOptions).fitAround(data, knn)
}

/** The trending list of a run, with its reasons. */
function* trendingList(plan: TrainingPlan, r: Refit, flush: ReturnType<typeof flusher>): Generator<TrainingOutput, void, void> {
  const trending = new TrendingRecommender().fit(r.data)
  const writer = new PackedListWriter("trending", r.width)
  writer.add("", packed(r.explained(null, trending.recommend(0, Math.min(plan.listSize, r.items.size)))))
  yield* flush(writer, true)
}

const packed = (entries: readonly Entry[]): ListItems => ({
  items: Int32Array.from(entries, (e) => e.item),
  codes: Uint8Array.from(entries, (e) => e.code),
  anchors: Int32Array.from(entries, (e) => e.anchor),
})

const sameReason = (top: ArrayLike<number>, code: number): ListItems => ({
  items: top,
  codes: new Uint8Array(top.length).fill(code),
  anchors: new Int32Array(top.length).fill(-1),
})

/** Hands a writer's lists over once a batch is full (or, with `always`, whatever it holds), counting them by kind. */
function flusher(counts: Record<PackedListBatch["kind"], number>) {
  return function* flush(writer: PackedListWriter, always = false): Generator<TrainingOutput, void, void> {
    if (writer.count >= LIST_BATCH_SIZE || (always && writer.count > 0)) {
      counts[writer.kind] += writer.count
      yield { type: "lists", batch: writer.take() }
    }
  }
}

/** The personal lists of the active customers of `shard` (of them, only those in `only` when given), in batches. */
function* personalLists(
  lines: PurchaseColumns,
  seen: ReturnType<typeof seenBefore>,
  plan: TrainingPlan,
  r: Refit,
  shard: ListShard,
  flush: ReturnType<typeof flusher>,
  only?: ReadonlySet<string>
): Generator<TrainingOutput, void, void> {
  const { users, items, model, content, tableIds, toTable, buyers, explained } = r
  const activeFrom = plan.asOf - plan.activeDays * MS_PER_DAY
  const lastPurchase = new Float64Array(users.size).fill(Number.NEGATIVE_INFINITY)
  for (let k = 0; k < lines.length; k++) {
    const t = lines.time[k]
    if (!(t < plan.asOf)) continue
    const u = seen.users.of[lines.customer[k]]
    if (t > lastPurchase[u]) lastPurchase[u] = t
  }
  const tableSize = tableIds.length
  const cold = coldMask(content, new Map(tableIds.map((id, j) => [id, buyers[j]])), COLD_MAX_BUYERS)
  // Only products with words can be close to anything: without any, no customer gets a pick.
  let coldWithText = 0
  for (let j = 0; j < tableSize; j++) if (cold[j] && content.vectors.indptr[j + 1] > content.vectors.indptr[j]) coldWithText++
  const recent = coldWithText > 0 ? recentDistinctItemsFromColumns(lines, seen.users, seen.items, COLD_HISTORY, plan.asOf) : null
  const scorer = recent ? new ColdItemScorer(content, cold) : null
  const strength = r.data.strength
  const personal = new PackedListWriter("customer", r.width)
  for (let u = shard.index; u < users.size; u += shard.count) {
    if (lastPurchase[u] < activeFrom || !model.isUserKnown(u) || (only && !only.has(users.id(u)))) continue
    // A frequent buyer's best items are mostly their own: the best items they never bought
    // follow, so that `exclude_purchased` still finds a full list.
    const top = Array.from(model.recommend(u, Math.min(plan.listSize, items.size)))
    const own = strength.indices.subarray(strength.indptr[u], strength.indptr[u + 1])
    const inTop = new Set(top)
    for (const i of model.recommend(u, Math.min(Math.ceil(plan.listSize / 2), items.size), own)) if (!inTop.has(i)) top.push(i)
    let entries = explained(u, top)
    if (recent && scorer) {
      const history = Int32Array.from(recent[u] ?? [], (i) => toTable[i])
      // Not one they bought, nor one the list already holds.
      const bought = new Set([...Array.from(own, (i) => toTable[i]), ...entries.map((e) => e.item)])
      const picks = Array.from(scorer.picks(history, { n: COLD_PICKS + 2 }))
        .filter((j) => !bought.has(j))
        .slice(0, COLD_PICKS)
      if (picks.length) {
        const closest = (j: number) => {
          let best = history[0]
          for (const h of history) if (content.cosine(j, h) > content.cosine(j, best)) best = h
          return best
        }
        entries = interleave(entries, picks.map((j) => ({ item: j, code: REASON_CODE.new_like_purchased, anchor: closest(j) })))
      }
    }
    personal.add(users.id(u), packed(entries))
    yield* flush(personal)
  }
  yield* flush(personal, true)
}

/**
 * The holdout evaluation of a run: the candidate, the active recipe (once when the same) and
 * popularity, fitted on the lines before the holdout. A function of its own so that the split
 * (the train interactions and the truth) is garbage once it returns, before the refit builds
 * its own.
 */
function evaluateOnHoldout(lines: PurchaseColumns, plan: TrainingPlan): { evaluation: HoldoutEvaluation; splitUsers: number; splitItems: number } {
  const holdoutStart = plan.asOf - plan.holdoutDays * MS_PER_DAY
  const split = temporalSplitColumns(lines, holdoutStart, plan.asOf)
  // The decision reads the "all" truth only, ranked by each model's recommend (no score per item).
  const evaluate = (recipe: Recipe): HoldoutMetrics => {
    const m = fit(recipe, split.train)
    return pick(evaluateRanked((u, n) => m.recommend(u, n), split.truthAll, split.items.size))
  }
  const known = split.train.nUsers > 0
  const candidate = known ? evaluate(plan.candidate) : zeroMetrics()
  const evaluation: HoldoutEvaluation = {
    holdout_start: holdoutStart,
    test_customers: split.truthAll.users.length,
    candidate,
    active: plan.active ? (!known ? zeroMetrics() : sameRecipe(plan.candidate, plan.active) ? candidate : evaluate(plan.active)) : null,
    popularity: known ? evaluate({ model: "popularity" }) : zeroMetrics(),
  }
  return { evaluation, splitUsers: split.users.size, splitItems: split.items.size }
}

/** Runs a training to the end in this thread, collecting what it yields (tests, scripts). */
export function runTrainingToEnd(
  lines: readonly PurchaseLine[] | PurchaseColumns,
  plan: TrainingPlan,
  texts: readonly ProductText[] = [],
  /** What happens to each output as it is yielded (a test moves its buffers away, as a worker does). */
  pass: (output: TrainingOutput) => TrainingOutput = (output) => output,
  shard: ListShard = WHOLE
): { summary: TrainingSummary; products: ProductTable | null; batches: PackedListBatch[] } {
  const run = runTraining(lines, plan, undefined, texts, shard)
  const batches: PackedListBatch[] = []
  let products: ProductTable | null = null
  for (;;) {
    const step = run.next()
    if (step.done) return { summary: step.value, products, batches }
    const output = pass(step.value)
    if (output.type === "products") products = output.table
    else if (output.type === "lists") batches.push(output.batch)
  }
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
