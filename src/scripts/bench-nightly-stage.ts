/**
 * One stage of `npm run bench:nightly` (scripts/bench-nightly.mjs), run in its own
 * `npx medusa exec` process as a worker process runs the nightly jobs: the stage named by
 * BENCH_NIGHTLY_STAGE, started the way its job starts it (same entry point, no options beyond
 * the plugin's configured ones). Prints one `NIGHTLY_STAGE {json}` line: wall time of the stage
 * (boot excluded, given apart), the run row, and the process's peak RSS. Worker threads share
 * the process, so the kernel's high-water mark (resourceUsage().maxRSS) includes them.
 *
 * Stages: boot (nothing: the app's loaders create the default store and sales channel on a
 * fresh database), rebuild-cold (feature tables emptied first), rebuild-warm, segmentation,
 * training, order-placed (see benchOrderPlaced), rebuild-changes (see benchRebuildChanges), training-parts (two parts of
 * the training run each done two ways, timed in one process; see benchTrainingParts), training-state and
 * training-refresh (the prototype of a nightly training refresh; see benchTrainingState and benchTrainingRefresh).
 */
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { performance } from "node:perf_hooks"
import { configuredOptions } from "../lib/configured-options"
import { loadProductTexts, loadPurchaseColumns } from "../lib/store-data"
import { interactionsFromColumns, seenBefore } from "../ml/data/purchase-columns"
import {
  type SimilarityState,
  type TrainingOutput,
  type TrainingPlan,
  TRENDING_WINDOW_DAYS,
  defaultRecipe,
  refreshTraining,
  similarityStateOf,
} from "../ml/pipeline/training"
import { decodeList } from "../ml/recommend/packed-lists"
import { SimilarityStateReader, similarityStateParts } from "../ml/pipeline/similarity-state"
import { RECOMMENDATIONS_MODULE } from "../modules/recommendations"
import type RecommendationsService from "../modules/recommendations/service"
import { Rng } from "../ml/random"
import type { CsrMatrix } from "../ml/data/csr"
import { HybridRecommender } from "../ml/recommend/hybrid"
import { ItemKnnRecommender } from "../ml/recommend/item-knn"
import { ReasonExplainer } from "../ml/recommend/reasons"
import { productStrips } from "../ml/recommend/strips"
import { createRecommender } from "../ml/worker/registry"
import { syncPurchaseOrdersWorkflow } from "../workflows/purchase-features"
import { syncOrdersInChunks } from "../workflows/purchase-features/steps/sync-orders"
import { PURCHASE_FEATURES_MODULE } from "../modules/purchase-features"
import type PurchaseFeaturesService from "../modules/purchase-features/service"
import { appPg } from "../lib/medusa-2x/pg"
import { readOrderSnapshots } from "../lib/medusa-2x/order-snapshots"
import { resolveStoreCurrency } from "../lib/store-currency"
import { runRebuild, runSegmentation, runTraining } from "../workflows/runs"
import { trainingPlan } from "../workflows/training/steps/train-recommenders"

type Knex = { raw: (sql: string, bindings?: unknown[]) => Promise<{ rows: any[] }> }

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits
const mb = (bytes: number) => Math.round(bytes / 1048576)

/** The run row without its bulky JSON (scaling, evaluation data), for the report. */
function summary(row: Record<string, unknown>) {
  const keep: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(row)) {
    if (v === null || typeof v !== "object" || v instanceof Date) keep[k] = v
  }
  return keep
}

/**
 * The nightly rebuild between full reads: a day's changes that no event reported, then a
 * rebuild in "changes" mode from just before them. The day: BENCH_CHANGED_SHARE (default 0.01)
 * of the ledger's orders, at random, each get one unit of one line returned, written the way
 * Medusa's order change writes it (the order item's return_received_quantity and the order's
 * summary, both with updated_at now) but with no event, so the feature tables do not know.
 * Checked: the rebuild finds every changed order, and afterwards a sync of those orders
 * writes nothing (the rebuild already brought them in line).
 */
async function benchRebuildChanges(container: ExecArgs["container"], knex: Knex) {
  const started = performance.now()
  const share = Number(process.env.BENCH_CHANGED_SHARE ?? 0.01)
  const { rows: [{ now }] } = await knex.raw(`SELECT statement_timestamp() AS now`)
  const { rows: changed } = await knex.raw(
    `WITH picked AS (
       SELECT id FROM personalization_order WHERE counted ORDER BY md5(id || 'changes') LIMIT (SELECT (COUNT(*) * ?::float)::int FROM personalization_order)
     ),
     item AS (
       SELECT DISTINCT ON (oi.order_id) oi.id, oi.order_id FROM order_item oi JOIN picked p ON p.id = oi.order_id
       WHERE oi.quantity > oi.return_received_quantity ORDER BY oi.order_id, oi.id
     ),
     returned AS (
       UPDATE order_item oi SET return_received_quantity = oi.return_received_quantity + 1, updated_at = now()
       FROM item WHERE oi.id = item.id RETURNING oi.order_id
     ),
     summary AS (
       UPDATE order_summary s SET updated_at = now() FROM returned r WHERE s.order_id = r.order_id RETURNING s.order_id
     )
     SELECT order_id FROM returned`,
    [share]
  )
  const ids = changed.map((r: { order_id: string }) => r.order_id)
  const day = performance.now() - started
  let t = performance.now()
  const run = summary(await runRebuild(container, { mode: "changes", since: new Date(now) }))
  const rebuild = performance.now() - t
  t = performance.now()
  const after = await syncOrdersInChunks(container, ids)
  const check = performance.now() - t
  const found = Number(run.total_orders)
  if (run.status !== "completed" || found !== ids.length || after.synced !== 0) {
    throw new Error(`rebuild-changes: ${ids.length} orders changed, the run ${run.status} found ${found}; a sync after it wrote ${after.synced} (expected 0)`)
  }
  // The stage's own time includes the day's writes and the check; the nightly rebuild is rebuild_seconds.
  return { ...run, changed_orders: ids.length, day_seconds: round(day / 1000, 1), rebuild_seconds: round(rebuild / 1000, 1), check_seconds: round(check / 1000, 1) }
}

/**
 * `order.placed` handling on the full tables, for BENCH_EVENT_SAMPLES random orders of the
 * ledger, one at a time, each three ways in this order:
 * - the reference: Medusa's `query.graph` of the order with its total and items;
 * - a re-sync: syncPurchaseOrdersWorkflow on the order as it is (its fingerprint is unchanged,
 *   so nothing is written: what an event for an unchanged order, or a warm rebuild, costs);
 * - a placement: the order is first taken out of the feature tables through the module (ledger
 *   rows deleted, its customer's and pairs' aggregates recomputed without it; not timed), then
 *   the same workflow brings it in: the ledger insert and the recompute of its customer and
 *   pairs that a newly placed order costs. `handling_ms` is this one.
 * The order's rows in Medusa's tables have been read just before (as a new order's were just
 * written); the customer's rows in the feature tables have not.
 */
async function benchOrderPlaced(container: ExecArgs["container"], knex: Knex) {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
  const pg = appPg(container)
  const currency = await resolveStoreCurrency(container)
  const samples = Number(process.env.BENCH_EVENT_SAMPLES ?? 300)
  const { rows } = await knex.raw(`SELECT id FROM personalization_order WHERE counted ORDER BY md5(id) LIMIT ?`, [samples])
  const fetch: number[] = []
  const resync: number[] = []
  const handle: number[] = []
  let placedWrites = 0
  let resyncWrites = 0
  for (const { id } of rows) {
    let t = performance.now()
    await query.graph({ entity: "order", fields: ["id", "customer_id", "total", "items.*"], filters: { id } })
    fetch.push(performance.now() - t)
    t = performance.now()
    const again = await syncPurchaseOrdersWorkflow(container).run({ input: { order_ids: [id] } })
    resync.push(performance.now() - t)
    resyncWrites += again.result.synced
    // An empty read still carries the database's time: the removal is ordered before the placement's read.
    const { readAt } = await readOrderSnapshots(pg, [], service.options)
    await service.applyOrderSnapshots({ orderIds: [id], snapshots: [], readAt }, { currency })
    t = performance.now()
    const placed = await syncPurchaseOrdersWorkflow(container).run({ input: { order_ids: [id] } })
    handle.push(performance.now() - t)
    placedWrites += placed.result.synced
  }
  const ms = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b)
    return { p50: round(quantile(sorted, 0.5)), p99: round(quantile(sorted, 0.99)), max: round(sorted[sorted.length - 1] ?? NaN) }
  }
  if (placedWrites !== rows.length || resyncWrites !== 0) {
    throw new Error(`order-placed: ${placedWrites}/${rows.length} placements wrote, ${resyncWrites} re-syncs wrote (expected all and none)`)
  }
  return {
    samples: rows.length,
    handling_ms: ms(handle),
    resync_unchanged_ms: ms(resync),
    reference_query_graph_with_total_ms: ms(fetch),
  }
}

export default async function benchNightlyStage({ container }: ExecArgs) {
  const stage = process.env.BENCH_NIGHTLY_STAGE ?? "boot"
  const knex = container.resolve(ContainerRegistrationKeys.PG_CONNECTION) as unknown as Knex
  const bootSeconds = process.uptime()
  // Sampled RSS next to the kernel's high-water mark: the samples show when the peak happened
  // relative to the stage (a blocked event loop skips samples, the high-water mark misses nothing).
  let sampledPeak = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())
  }, 250)
  sampler.unref()
  const rssAtStart = process.memoryUsage.rss()
  const started = performance.now()
  let result: Record<string, unknown> = {}

  if (stage === "rebuild-cold" || stage === "rebuild-cold-pages" || stage === "rebuild-warm") {
    if (stage !== "rebuild-warm") {
      await knex.raw(`TRUNCATE personalization_order, personalization_order_line,
                      personalization_customer_features, personalization_customer_product`)
    }
    // rebuild-cold-pages: the cold rebuild the way it ran before the bulk mode, as its reference.
    // rebuild-warm: every order read again, as the nightly job does every rebuildFullEveryDays.
    result = summary(await runRebuild(container, { mode: stage === "rebuild-cold-pages" ? "pages" : "full" }))
  } else if (stage === "rebuild-changes") {
    result = await benchRebuildChanges(container, knex)
  } else if (stage === "segmentation") {
    result = summary(await runSegmentation(container))
  } else if (stage === "training") {
    result = summary(await runTraining(container))
  } else if (stage === "training-nightly") {
    // The nightly job's run: a refresh of the active full run when it kept its neighbour rows and is recent enough.
    result = summary(await runTraining(container, { refresh: true }))
    if (result.status !== "active" || !result.base_version_id) throw new Error(`bench-nightly-stage training-nightly: the job's run was not a refresh (${result.status}: ${result.reason})`)
  } else if (stage === "order-placed") {
    result = await benchOrderPlaced(container, knex)
  } else if (stage === "training-parts") {
    result = await benchTrainingParts(container)
  } else if (stage === "training-state") {
    result = await benchTrainingState(container, knex)
  } else if (stage === "training-refresh") {
    result = await benchTrainingRefresh(container, knex)
  } else if (stage !== "boot") {
    throw new Error(`bench-nightly-stage: unknown stage ${stage}`)
  }

  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())
  const report = {
    stage,
    seconds: round(seconds),
    boot_seconds: round(bootSeconds),
    // maxRSS is in kibibytes.
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    sampled_peak_rss_mb: mb(sampledPeak),
    rss_at_start_mb: mb(rssAtStart),
    result,
  }
  process.stdout.write(`NIGHTLY_STAGE ${JSON.stringify(report)}\n`)
}

/**
 * Two parts of the training run's refit and lists, each done two ways in this one process, on
 * the store's lines and product texts with the default recipe refitted on every line:
 * 1. the product strips with their own item-kNN fit, and with the model's (what the run does
 *    since the strips share it), checked equal;
 * 2. the personal lists' "because you bought", on BENCH_REASONS_SAMPLE (default 2,000)
 *    customers with a history drawn with a fixed seed, their lists built as the run builds them
 *    (top listSize, then the best they never bought). Two ways to name the own item of a listed
 *    item the customer never bought, each timed over every list twice (A B B A):
 * - co-buyers (ReasonExplainer, what the lists store): the own item most of its buyers also bought;
 * - similarity (a prototype, item-kNN models only): the own item whose kept neighbours give it
 *   the highest cosine, read off the model's neighbour rows (what the ranking already summed).
 * Reports both times per list, how many listed items each explains so, and how often they agree.
 */
async function benchTrainingParts(container: ExecArgs["container"]) {
  const { listSize, relatedSize } = configuredOptions().training
  const asOf = Date.now()
  let t = performance.now()
  const lines = await loadPurchaseColumns(container, { until: new Date(asOf) })
  const seen = seenBefore(lines, asOf)
  const data = interactionsFromColumns(lines, seen.users, seen.items, asOf, asOf)
  const loadSeconds = (performance.now() - t) / 1000
  t = performance.now()
  const products = await loadProductTexts(container)
  const textSeconds = (performance.now() - t) / 1000
  t = performance.now()
  const recipe = defaultRecipe(data.nItems)
  const model = createRecommender(recipe.model, recipe.options as never).fit(data)
  const fitSeconds = (performance.now() - t) / 1000
  const knn = model instanceof HybridRecommender ? model.collaborativeModel : model
  const rows = knn instanceof ItemKnnRecommender ? (knn.serialize().sparse as CsrMatrix | null) : null
  if (!rows) throw new Error(`bench-nightly-stage training-parts: the default recipe here (${JSON.stringify(recipe)}) has no sparse item-kNN to share or read`)

  const candidates = Math.max(50, relatedSize)
  const stripSeconds = { own_fit: 0, shared: 0 }
  const stripText: Record<string, string> = {}
  for (const way of ["own_fit", "shared"] as const) {
    t = performance.now()
    const strips = productStrips(lines, products, { size: relatedSize, candidates, purchaseSimilarity: way === "shared" ? (knn as ItemKnnRecommender) : undefined }, asOf)
    stripSeconds[way] = (performance.now() - t) / 1000
    stripText[way] = JSON.stringify([strips.related.map((r) => Array.from(r)), strips.boughtTogether.map((r) => Array.from(r))])
  }
  if (stripText.own_fit !== stripText.shared) throw new Error("bench-nightly-stage training-parts: the strips with the model's item-kNN differ from those with their own fit")

  const known: number[] = []
  for (let u = 0; u < data.nUsers; u++) if (model.isUserKnown(u)) known.push(u)
  const rng = new Rng(1)
  const want = Math.min(known.length, Number(process.env.BENCH_REASONS_SAMPLE ?? 2000))
  for (let k = 0; k < want; k++) {
    const j = k + Math.floor(rng.next() * (known.length - k))
    ;[known[k], known[j]] = [known[j], known[k]]
  }
  const users = known.slice(0, want).sort((a, b) => a - b)
  t = performance.now()
  const s = data.strength
  const lists = users.map((u) => {
    const top = Array.from(model.recommend(u, Math.min(listSize, data.nItems)))
    const inTop = new Set(top)
    const own = s.indices.subarray(s.indptr[u], s.indptr[u + 1])
    for (const i of model.recommend(u, Math.min(Math.ceil(listSize / 2), data.nItems), own)) if (!inTop.has(i)) top.push(i)
    return top
  })
  const listSeconds = (performance.now() - t) / 1000

  const explainer = new ReasonExplainer(data, TRENDING_WINDOW_DAYS)
  // Per item: 1 + its position in the list being explained (0 otherwise), and the best own item so far.
  const slot = new Int32Array(data.nItems)
  const similarAnchors = (u: number, top: number[]): Int32Array => {
    const best = new Int32Array(top.length).fill(-1)
    const bestSim = new Float32Array(top.length)
    top.forEach((i, x) => (slot[i] = x + 1))
    // Own items by increasing index and a strict >: ties go to the lower index, as co-buyers' do.
    for (let p = s.indptr[u]; p < s.indptr[u + 1]; p++) {
      const own = s.indices[p]
      for (let q = rows.indptr[own]; q < rows.indptr[own + 1]; q++) {
        const x = slot[rows.indices[q]] - 1
        if (x >= 0 && rows.data[q] > bestSim[x]) {
          bestSim[x] = rows.data[q]
          best[x] = own
        }
      }
    }
    for (const i of top) slot[i] = 0
    // The customer's own items are buy_again in both ways.
    for (let p = s.indptr[u]; p < s.indptr[u + 1]; p++) {
      const x = top.indexOf(s.indices[p])
      if (x >= 0) best[x] = -1
    }
    return best
  }
  const ms = { co_buyers: 0, similarity: 0 }
  let byCoBuyers: (number | null)[][] = []
  let bySimilarity: Int32Array[] = []
  for (const way of ["co_buyers", "similarity", "similarity", "co_buyers"] as const) {
    t = performance.now()
    if (way === "co_buyers") {
      byCoBuyers = users.map((u, x) => explainer.explainAll(u, lists[x]).map((r) => (r.code === "because_you_bought" ? r.params.item : null)))
    } else bySimilarity = users.map((u, x) => similarAnchors(u, lists[x]))
    ms[way] += performance.now() - t
  }
  let items = 0
  let coBuyers = 0
  let similar = 0
  let same = 0
  byCoBuyers.forEach((anchors, k) =>
    anchors.forEach((a, x) => {
      const b = bySimilarity[k][x]
      items++
      if (a !== null) coBuyers++
      if (b >= 0) similar++
      if (a !== null && a === b) same++
    })
  )
  return {
    lines: lines.length,
    customers: data.nUsers,
    products: data.nItems,
    product_texts: products.length,
    recipe,
    load_seconds: round(loadSeconds),
    texts_seconds: round(textSeconds),
    fit_seconds: round(fitSeconds),
    strips_seconds: { own_fit: round(stripSeconds.own_fit), shared: round(stripSeconds.shared) },
    strips_time_ratio: round(stripSeconds.shared / stripSeconds.own_fit, 3),
    strips_equal: true,
    sample: users.length,
    list_items_mean: round(items / users.length, 1),
    lists_seconds: round(listSeconds),
    ms_per_list: { co_buyers: round(ms.co_buyers / 2 / users.length, 3), similarity: round(ms.similarity / 2 / users.length, 3) },
    similarity_time_ratio: round(ms.similarity / ms.co_buyers, 4),
    because_you_bought_share: { co_buyers: round(coBuyers / items, 3), similarity: round(similar / items, 3) },
    same_own_item_share: round(same / Math.max(1, coBuyers), 3),
  }
}

// --- the nightly training refresh (a prototype) ----------------------------------------------

/** Where training-state leaves the week-old neighbour rows for training-refresh (a bench table, not the plugin's). */
const STATE_TABLE = "bench_nightly_similarity_state"
/** The version id the refresh's lists are written under, and deleted afterwards (never activated). */
const REFRESH_VERSION = "pzmv_bench_refresh"

/** The training plan the training job would use now, with the default recipe for this store. */
function benchPlan(asOf: number, products: number): TrainingPlan {
  return trainingPlan(configuredOptions().training, { candidate: defaultRecipe(products), active: null, asOf })
}

/**
 * The weekly half of the prototype: the default recipe fitted on the lines of the store's
 * history up to a week before its newest line (as a full training run a week ago fitted it),
 * its item-kNN's neighbour rows written to a bench table for training-refresh. Timed: the
 * lines read, the fit, the rows encoded and written.
 */
async function benchTrainingState(container: ExecArgs["container"], knex: Knex) {
  let t = performance.now()
  const lines = await loadPurchaseColumns(container, { until: new Date() })
  const loadSeconds = (performance.now() - t) / 1000
  let newest = Number.NEGATIVE_INFINITY
  for (let k = 0; k < lines.length; k++) if (lines.time[k] > newest) newest = lines.time[k]
  const asOf = newest - 7 * 86_400_000
  t = performance.now()
  const seen = seenBefore(lines, asOf)
  const data = interactionsFromColumns(lines, seen.users, seen.items, asOf, asOf)
  const recipe = defaultRecipe(data.nItems)
  const model = createRecommender(recipe.model, recipe.options as never).fit(data)
  const fitSeconds = (performance.now() - t) / 1000
  const state = similarityStateOf(model, seen.items.index, asOf)
  if (!state) throw new Error(`bench-nightly-stage training-state: the default recipe here (${JSON.stringify(recipe)}) has no sparse item-kNN whose rows a refresh could keep`)
  t = performance.now()
  // The plugin's stored format (similarity-state.ts), in a bench table: no version row owns these rows.
  const parts = similarityStateParts(state)
  await knex.raw(`DROP TABLE IF EXISTS ${STATE_TABLE}`)
  await knex.raw(`CREATE TABLE ${STATE_TABLE} (part int PRIMARY KEY, bytes bytea NOT NULL)`)
  let bytes = 0
  for (let part = 0; part < parts.length; part++) {
    const view = parts[part]
    await knex.raw(`INSERT INTO ${STATE_TABLE} (part, bytes) VALUES (?, ?)`, [part, Buffer.from(view.buffer, view.byteOffset, view.byteLength)])
    bytes += view.byteLength
  }
  const writeSeconds = (performance.now() - t) / 1000
  return {
    lines: lines.length,
    state_as_of: new Date(asOf).toISOString(),
    fitted_lines: seen.lines,
    customers: data.nUsers,
    products: data.nItems,
    recipe,
    neighbour_entries: state.rows.indices.length,
    state_bytes: bytes,
    load_seconds: round(loadSeconds),
    fit_seconds: round(fitSeconds),
    state_write_seconds: round(writeSeconds),
  }
}

/**
 * The nightly half of the prototype, timed as a job would run it: read training-state's
 * week-old neighbour rows, read the lines and the product texts, refit everything else on
 * today's lines (refreshTraining) and build the personal lists of the customers whose
 * purchases changed, writing them (and the product table and trending list) through the
 * recommendations module under a scratch version, deleted afterwards. The changed customers:
 * BENCH_REFRESH_SHARE (default 0.01, as rebuild-changes changes 1% of the orders) of the
 * customers with lines, drawn with a fixed seed.
 * Then, untimed (BENCH_REFRESH_COMPARE=0 skips it): the same lists with neighbour rows fitted on
 * today's lines, which are a full run's lists of those customers (tested), to say what the
 * week-old rows change: the share of each list's items the same, and of lists identical.
 */
async function benchTrainingRefresh(container: ExecArgs["container"], knex: Knex) {
  const recommendations = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const started = performance.now()
  let t = started
  const { rows: counted } = await knex.raw(`SELECT count(*)::int AS parts FROM ${STATE_TABLE}`).catch(() => ({ rows: [{ parts: 0 }] }))
  if (!counted[0].parts) throw new Error(`bench-nightly-stage training-refresh: no stored neighbour rows (${STATE_TABLE}); run the training-state stage first`)
  const reader = new SimilarityStateReader()
  for (let part = 0; part < counted[0].parts; part++) {
    reader.push((await knex.raw(`SELECT bytes FROM ${STATE_TABLE} WHERE part = ?`, [part])).rows[0].bytes)
  }
  const state = reader.finish()
  const stateSeconds = (performance.now() - t) / 1000
  t = performance.now()
  const asOf = Date.now()
  const lines = await loadPurchaseColumns(container, { until: new Date(asOf) })
  const products = await loadProductTexts(container)
  const loadSeconds = (performance.now() - t) / 1000

  const seen = seenBefore(lines, asOf)
  const ids = seen.users.index.ids
  const share = Number(process.env.BENCH_REFRESH_SHARE ?? 0.01)
  const want = Math.round(ids.length * share)
  const order = Int32Array.from({ length: ids.length }, (_, i) => i)
  const rng = new Rng(1)
  for (let k = 0; k < want; k++) {
    const j = k + Math.floor(rng.next() * (order.length - k))
    ;[order[k], order[j]] = [order[j], order[k]]
  }
  const customers = new Set(Array.from(order.subarray(0, want), (i) => ids[i]))
  const plan = benchPlan(asOf, seen.items.index.size)

  t = performance.now()
  await recommendations.pruneVersionLists(REFRESH_VERSION)
  let refitSeconds = 0
  let writeSeconds = 0
  const refreshed = new Map<string, Int32Array>()
  const keep = (output: TrainingOutput) => {
    if (output.type !== "lists" || output.batch.kind !== "customer") return
    const { subjects, offsets, bytes } = output.batch
    subjects.forEach((subject, k) => refreshed.set(subject, decodeList(bytes.subarray(offsets[k], offsets[k + 1])).items))
  }
  const run = refreshTraining(lines, plan, state, customers, products)
  let step = run.next()
  refitSeconds = (performance.now() - t) / 1000
  for (; !step.done; step = run.next()) {
    const w = performance.now()
    const output = step.value
    keep(output)
    if (output.type === "products") await recommendations.writeProductTable(REFRESH_VERSION, output.table)
    else if (output.type === "lists") await recommendations.writeListBatch(REFRESH_VERSION, output.batch)
    writeSeconds += (performance.now() - w) / 1000
  }
  const summary = step.value
  const listsSeconds = (performance.now() - t) / 1000 - refitSeconds
  const refreshSeconds = (performance.now() - started) / 1000
  const refreshPeakMb = Math.round(process.resourceUsage().maxRSS / 1024)
  await recommendations.pruneVersionLists(REFRESH_VERSION)

  let comparison: Record<string, unknown> | null = null
  if (process.env.BENCH_REFRESH_COMPARE !== "0") {
    t = performance.now()
    const data = interactionsFromColumns(lines, seen.users, seen.items, asOf, asOf)
    const model = createRecommender(plan.candidate.model, plan.candidate.options as never).fit(data)
    const fresh = similarityStateOf(model, seen.items.index, asOf) as SimilarityState
    const fitSeconds = (performance.now() - t) / 1000
    const reference = new Map<string, Int32Array>()
    for (const output of refreshTraining(lines, plan, fresh, customers, products)) {
      if (output.type !== "lists" || output.batch.kind !== "customer") continue
      const { subjects, offsets, bytes } = output.batch
      subjects.forEach((subject, k) => reference.set(subject, decodeList(bytes.subarray(offsets[k], offsets[k + 1])).items))
    }
    let same = 0
    let identical = 0
    let top10 = 0
    for (const [subject, items] of refreshed) {
      const full = reference.get(subject) as Int32Array
      const inFull = new Set(full)
      let common = 0
      for (const i of items) if (inFull.has(i)) common++
      same += common / Math.max(items.length, full.length)
      const head = new Set(full.subarray(0, 10))
      let common10 = 0
      for (const i of items.subarray(0, 10)) if (head.has(i)) common10++
      top10 += common10 / Math.max(1, Math.min(10, full.length))
      if (items.length === full.length && items.every((i, k) => i === full[k])) identical++
    }
    const n = Math.max(1, refreshed.size)
    comparison = {
      fresh_rows_fit_seconds: round(fitSeconds),
      lists_compared: refreshed.size,
      same_items_share: round(same / n, 3),
      same_top10_share: round(top10 / n, 3),
      identical_lists_share: round(identical / n, 3),
    }
  }
  await knex.raw(`DROP TABLE IF EXISTS ${STATE_TABLE}`)
  return {
    lines: lines.length,
    customers: seen.users.index.size,
    products: seen.items.index.size,
    state_as_of: new Date(state.asOf).toISOString(),
    state_products: state.ids.length,
    asked: customers.size,
    lists: summary.lists,
    skipped: summary.skipped,
    state_read_seconds: round(stateSeconds),
    load_seconds: round(loadSeconds),
    refit_seconds: round(refitSeconds),
    lists_seconds: round(listsSeconds),
    write_seconds: round(writeSeconds),
    lists_per_second: Math.round(summary.lists.customer / Math.max(1e-9, listsSeconds)),
    refresh_seconds: round(refreshSeconds),
    refresh_peak_rss_mb: refreshPeakMb,
    comparison,
  }
}
