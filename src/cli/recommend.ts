/**
 * medusa-personalization recommend: fit the default recommender on an order file and print
 * recommendations with their reasons, for a customer or next to a product.
 *
 *   recommend --data FILE [--format online-retail|orders] [--cutoff T]
 *             (--customer ID [--exclude-purchased] | --product ID) [--n 10] [--json]
 *
 * Fits on lines before T (default: all lines). A customer without history gets trending items.
 */

import { IdIndex } from "../ml/data/id-index"
import { interactionsFromLines } from "../ml/data/interactions"
import type { PurchaseLine } from "../ml/data/purchase-line"
import { requireTimestamp } from "../ml/data/time"
import { BoughtTogether, basketsFromLines } from "../ml/recommend/bought-together"
import { HybridRecommender } from "../ml/recommend/hybrid"
import { ReasonExplainer } from "../ml/recommend/reasons"
import { type ReasonFacts, ReasonRenderer, type ServedReason } from "../modules/recommendations/reason-text"
import { TrendingRecommender } from "../ml/recommend/trending"
import { CliInputError, type CliIo, checkCutoff, loadData, parseCommand } from "./io"

const USAGE =
  "usage: medusa-personalization recommend --data FILE [--format online-retail|orders] [--cutoff YYYY-MM-DD] " +
  "(--customer ID [--exclude-purchased] | --product ID) [--n 10] [--json]"

export function runRecommend(argv: string[], io: CliIo): number {
  const parsed = parseCommand(
    argv,
    {
      data: { type: "string" },
      format: { type: "string", default: "online-retail" },
      cutoff: { type: "string" },
      customer: { type: "string" },
      product: { type: "string" },
      n: { type: "string", default: "10" },
      "exclude-purchased": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    USAGE,
    io
  )
  if ("exit" in parsed) return parsed.exit
  const { values } = parsed
  if (!values.data || (!values.customer && !values.product) || (values.customer && values.product)) {
    io.stderr(`--data and exactly one of --customer or --product are required\n${USAGE}\n`)
    return 2
  }
  const n = Number(values.n)
  if (!Number.isInteger(n) || n < 1 || n > 500) {
    io.stderr(`--n must be an integer from 1 to 500, got "${values.n}"\n`)
    return 2
  }
  let cutoff: number | undefined
  try {
    cutoff = values.cutoff ? requireTimestamp(values.cutoff, "--cutoff") : undefined
  } catch (e) {
    throw new CliInputError((e as Error).message)
  }
  const { lines, titles } = loadData(io, values.data, values.format as string)
  if (cutoff === undefined) cutoff = lines.reduce((max, l) => Math.max(max, l.time), Number.NEGATIVE_INFINITY) + 1
  else checkCutoff(lines, cutoff, "--cutoff")
  const train = lines.filter((l) => l.time < (cutoff as number))
  const users = IdIndex.fromIds(train.map((l) => l.customerId))
  const items = IdIndex.fromIds(train.map((l) => l.productId))
  const data = interactionsFromLines(train, users, items, cutoff)
  io.stderr(`fitting on ${train.length} lines: ${users.size} customers, ${items.size} products\n`)
  const explainer = new ReasonExplainer(data)
  const renderer = new ReasonRenderer("en")
  // Without a title in the file, the product id is the best name a reason can give.
  const title = (id: string) => titles.get(id) ?? id

  let picked: Int32Array = new Int32Array(0)
  let user: number | null = null
  const productReasons = new Map<number, ServedReason>()
  if (values.product) {
    const item = items.indexOf(values.product)
    if (item < 0) throw new CliInputError(`--product ${values.product} has no purchases before the cutoff in --data ${values.data}`)
    // Bought together first (shared orders); related products (the collaborative model's
    // neighbours) fill the list when too few items share enough orders.
    const together = new BoughtTogether().fit(basketsFromLines(train, items)).similarItems(item, n)
    const related = new HybridRecommender().fit(data).similarItems(item, n + together.length)
    const chosen = [...together]
    for (const other of related) if (chosen.length < n && !chosen.includes(other)) chosen.push(other)
    picked = Int32Array.from(chosen)
    for (const other of together) productReasons.set(other, renderer.served({ code: "bought_together", params: { product_id: values.product } }, title))
    for (const other of chosen) {
      if (!productReasons.has(other)) productReasons.set(other, renderer.served({ code: "related", params: { product_id: values.product } }, title))
    }
  } else {
    user = users.indexOf(values.customer as string)
    if (user < 0) {
      io.stderr(`customer "${values.customer}" has no purchases before the cutoff: showing trending products\n`)
      picked = new TrendingRecommender().fit(data).recommend(0, n)
      user = null
    } else {
      const model = new HybridRecommender().fit(data)
      const s = data.strength
      const exclude = values["exclude-purchased"] ? s.indices.subarray(s.indptr[user], s.indptr[user + 1]) : undefined
      picked = model.recommend(user, n, exclude)
    }
  }
  const results = Array.from(picked, (item, rank) => ({
    rank: rank + 1,
    product_id: items.id(item),
    title: titles.get(items.id(item)) ?? null,
    // Every picked product got a reason above.
    reason: values.product ? (productReasons.get(item) as ServedReason) : renderer.served(withIds(explainer.explain(user, item), items), title),
  }))
  if (values.json) {
    io.stdout(`${JSON.stringify({ customer_id: values.customer ?? null, product_id: values.product ?? null, cutoff: new Date(cutoff).toISOString(), recommendations: results })}\n`)
  } else {
    const named = (r: (typeof results)[number]) => (r.title ? `${r.title} (${r.product_id})` : r.product_id)
    const width = Math.min(60, Math.max(...results.map((r) => named(r).length)))
    for (const r of results) io.stdout(`${String(r.rank).padStart(3)}  ${named(r).padEnd(width)}  ${r.reason.text}\n`)
  }
  return 0
}

/** Reasons name items by index inside src/ml; the CLI shows product ids. */
function withIds(reason: ReturnType<ReasonExplainer["explain"]>, items: IdIndex): ReasonFacts {
  if (reason.code === "because_you_bought") return { code: "because_you_bought", params: { product_id: items.id(reason.params.item) } }
  return reason
}
