#!/usr/bin/env node
/**
 * `node scripts/strip-overlap.mjs [file] [--json]`: how often a product's two strips repeat each other.
 * For every product of the demo sample (default data/online-retail-sample/online-retail-sample.csv.gz,
 * an Online Retail CSV whose Description column gives the product texts), the share of its
 * bought-together top six that also stand in its related top six:
 * - before: related = the default recommender's similar items (hybrid: rows of EASE), bought
 *   together = plain co-order cosine (BoughtTogether), as the training run builds them today;
 * - after: src/ml/recommend/strips.ts (related = text and purchase similarity, bought together
 *   = co-orders discounted by text similarity).
 * Prints the shares over all products and over the 30 with the most buyers, and one example.
 *
 * Runs the TypeScript sources directly, transpiled on require by @swc/core (a dev dependency).
 */
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { registerTs } from "./lib/register-ts.mjs"

const require = createRequire(import.meta.url)
const root = join(dirname(fileURLToPath(import.meta.url)), "..")
registerTs()
const ml = (path) => require(join(root, "src/ml", path))
const { loadOnlineRetail } = ml("data/online-retail.ts")
const { IdIndex } = ml("data/id-index.ts")
const { interactionsFromLines } = ml("data/interactions.ts")
const { columnCounts } = ml("data/csr.ts")
const { HybridRecommender } = ml("recommend/hybrid.ts")
const { BoughtTogether, basketsFromLines } = ml("recommend/bought-together.ts")
const { productStrips, stripOverlap } = ml("recommend/strips.ts")

const file = resolve(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? join(root, "data/online-retail-sample/online-retail-sample.csv.gz"))
const SIZE = 6
const { lines, descriptions } = loadOnlineRetail(file)
const products = Array.from(descriptions.keys())
  .sort()
  .map((id) => ({ id, title: descriptions.get(id) }))

// Before: what the training run serves today, over the products that sold.
const items = IdIndex.fromIds(lines.map((l) => l.productId))
const users = IdIndex.fromIds(lines.map((l) => l.customerId))
const asOf = lines.reduce((m, l) => Math.max(m, l.time), 0) + 1
const data = interactionsFromLines(lines, users, items, asOf)
const model = new HybridRecommender().fit(data)
const together = new BoughtTogether({ neighbours: 50 }).fit(basketsFromLines(lines, items))
const before = { related: [], boughtTogether: [] }
for (let i = 0; i < items.size; i++) {
  before.related.push(model.similarItems(i, SIZE))
  before.boughtTogether.push(together.similarItems(i, SIZE))
}
const buyers = columnCounts(data.strength)
const top30 = Array.from({ length: items.size }, (_, i) => i)
  .sort((a, b) => buyers[b] - buyers[a] || a - b)
  .slice(0, 30)

const after = productStrips(lines, products, { size: SIZE })
const toAfter = (i) => after.ids.indexOf(items.id(i))
const soldAfter = Int32Array.from({ length: items.size }, (_, i) => toAfter(i))
const pct = (o) => `${(100 * o.share).toFixed(1)}% (${o.shared} of ${o.total})`
const report = {
  file,
  products: { sold: items.size, with_text: products.length },
  before: { all: stripOverlap(before, SIZE), top30: stripOverlap(before, SIZE, top30) },
  after: { all: stripOverlap(after, SIZE, soldAfter), top30: stripOverlap(after, SIZE, top30.map(toAfter)) },
}
process.stdout.write(`products sold ${items.size}, with a text ${products.length}\n`)
process.stdout.write(`bought-together top ${SIZE} also in related top ${SIZE}:\n`)
process.stdout.write(`  before (EASE similar items | plain co-orders): all products ${pct(report.before.all)}, 30 most bought ${pct(report.before.top30)}\n`)
process.stdout.write(`  after  (strips.ts):                         all products ${pct(report.after.all)}, 30 most bought ${pct(report.after.top30)}\n`)
const example = products.find((p) => /LUNCH BAG RED/.test(p.title ?? ""))
if (example) {
  const a = after.ids.indexOf(example.id)
  const i = items.indexOf(example.id)
  const names = (list, ids) => Array.from(list, (j) => descriptions.get(ids(j))).join(" | ")
  process.stdout.write(`\n${example.title}\n  before related: ${names(before.related[i], (j) => items.id(j))}\n  before together: ${names(before.boughtTogether[i], (j) => items.id(j))}\n`)
  process.stdout.write(`  after related:  ${names(after.related[a], (j) => after.ids[j])}\n  after together:  ${names(after.boughtTogether[a], (j) => after.ids[j])}\n`)
}
if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(report)}\n`)
