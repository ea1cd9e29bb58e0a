import { join } from "node:path"

import { EXTRA_CUSTOMER_FEATURES, customerFeatures, futureLabels } from "../../features/customer-features"
import { repeatSummary } from "../../lifecycle/bgnbd"
import { lifecyclePopulation } from "../../lifecycle/evaluate"
import { basketsFromLines } from "../../recommend/bought-together"
import { HybridRecommender } from "../../recommend/hybrid"
import { ItemKnnRecommender } from "../../recommend/item-knn"
import { canShareItemKnn, productStrips } from "../../recommend/strips"
import { IdIndex } from "../id-index"
import { interactionsFromLines } from "../interactions"
import { loadOrdersCsv } from "../orders-csv"
import {
  type IndexMap,
  PurchaseColumnsBuilder,
  basketsFromColumns,
  columnsFromLines,
  interactionsFromColumns,
  lineAt,
  packColumns,
  recentDistinctItemsFromColumns,
  seenBefore,
  temporalSplitColumns,
  unpackColumns,
} from "../purchase-columns"
import type { PurchaseLine } from "../purchase-line"
import { temporalSplit } from "../split"

const DAY = 86_400_000
// The example order file of the package: 18,273 lines of 250 customers of the demo sample.
const { lines, titles } = loadOrdersCsv(join(__dirname, "../../../../data/example/orders.csv.gz"))
const columns = columnsFromLines(lines)
const last = lines.reduce((m, l) => Math.max(m, l.time), 0)
const cutoff = last - 60 * DAY

const plain = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)))

describe("PurchaseColumns", () => {
  it("holds every line in its order, with sorted customer and product tables", () => {
    expect(lines.length).toBeGreaterThan(10_000)
    expect(columns.length).toBe(lines.length)
    expect(Array.from({ length: columns.length }, (_, k) => lineAt(columns, k))).toEqual(lines)
    expect(columns.customerIds).toEqual(IdIndex.fromIds(lines.map((l) => l.customerId)).ids)
    expect(columns.productIds).toEqual(IdIndex.fromIds(lines.map((l) => l.productId)).ids)
    expect(columns.orderIds).toEqual(Array.from(new Set(lines.map((l) => l.orderId))))
  })

  it("grows past its first capacity without losing a line", () => {
    const b = new PurchaseColumnsBuilder()
    const many: PurchaseLine[] = Array.from({ length: 5000 }, (_, k) => ({
      orderId: `o${k >> 2}`,
      customerId: `c${(k * 7919) % 301}`,
      productId: `p${(k * 104729) % 97}`,
      quantity: 1 + (k % 3),
      amount: k / 8,
      time: 1e12 + k * 1000,
    }))
    for (const l of many) b.push(l)
    const c = b.finish()
    expect(c.length).toBe(5000)
    expect(lineAt(c, 4999)).toEqual(many[4999])
    expect(lineAt(c, 1024)).toEqual(many[1024])
  })

  it("packs into buffers and strings and unpacks to the same columns", () => {
    const copy = columnsFromLines(lines)
    const packed = packColumns(copy)
    expect(typeof packed.customerIds).toBe("string")
    expect(plain(unpackColumns(packed))).toEqual(plain(columns))
    expect(() => packColumns(columnsFromLines([{ ...lines[0], customerId: "a\nb" }]))).toThrow(/newline/)
  })

  it("gives the same interactions as the lines, on all lines and on those before a cutoff", () => {
    const all = seenBefore(columns, Number.POSITIVE_INFINITY)
    expect(plain(interactionsFromColumns(columns, all.users, all.items, last + 1))).toEqual(
      plain(interactionsFromLines(lines, IdIndex.fromIds(lines.map((l) => l.customerId)), IdIndex.fromIds(lines.map((l) => l.productId)), last + 1))
    )
    const before = lines.filter((l) => l.time < cutoff)
    const seen = seenBefore(columns, cutoff)
    expect(seen.lines).toBe(before.length)
    const users = IdIndex.fromIds(before.map((l) => l.customerId))
    const items = IdIndex.fromIds(before.map((l) => l.productId))
    expect(seen.users.index.ids).toEqual(users.ids)
    expect(seen.items.index.ids).toEqual(items.ids)
    const fromColumns = interactionsFromColumns(columns, seen.users, seen.items, cutoff, cutoff)
    expect(fromColumns.events.user.length).toBeGreaterThan(1000)
    expect(plain(fromColumns)).toEqual(plain(interactionsFromLines(before, users, items, cutoff)))
  })

  it("gives the same temporal split as the lines", () => {
    const s = temporalSplitColumns(columns, cutoff, last - 10 * DAY)
    const o = temporalSplit(lines, cutoff, last - 10 * DAY)
    expect(s.truthAll.users.length).toBeGreaterThan(20)
    expect(s.truthNew.users.length).toBeGreaterThan(5)
    expect(plain({ ...s, users: s.users.ids, items: s.items.ids })).toEqual(plain({ ...o, users: o.users.ids, items: o.items.ids }))
  })

  it("gives the same baskets and the same product strips as the lines", () => {
    const before = lines.filter((l) => l.time < cutoff)
    const seen = seenBefore(columns, cutoff)
    expect(plain(basketsFromColumns(columns, seen.items, cutoff))).toEqual(plain(basketsFromLines(before, IdIndex.fromIds(before.map((l) => l.productId)))))
    const texts = Array.from(titles, ([id, title]) => ({ id, title }))
      .filter((_, j) => j % 2 === 0)
      .concat([{ id: "prod_unsold", title: "JUMBO BAG RED RETROSPOT" }])
    const strip = (x: ReturnType<typeof productStrips>) => plain({ ids: x.ids, related: x.related, boughtTogether: x.boughtTogether })
    const fromColumns = productStrips(columns, texts, { size: 6 }, cutoff)
    expect(fromColumns.boughtTogether.filter((l) => l.length > 0).length).toBeGreaterThan(50)
    expect(strip(fromColumns)).toEqual(strip(productStrips(before, texts, { size: 6 })))
  })

  it("gives the same product strips with a training model's item-kNN as with the strips' own fit", () => {
    const seen = seenBefore(columns, cutoff)
    const data = interactionsFromColumns(columns, seen.users, seen.items, cutoff, cutoff)
    const texts = Array.from(titles, ([id, title]) => ({ id, title })).filter((_, j) => j % 3 === 0)
    const strip = (x: ReturnType<typeof productStrips>) => plain({ ids: x.ids, related: x.related, boughtTogether: x.boughtTogether })
    const own = strip(productStrips(columns, texts, { size: 6, candidates: 50 }, cutoff))
    // The default recipe's collaborative part above EASE's item limit (200 neighbours), one with
    // exactly the strips' 50, and a dense one: their top 50 are the strips' own.
    const hybrid = new HybridRecommender({ collaborative: { model: "item-knn", options: { neighbours: 200 } } }).fit(data)
    for (const knn of [hybrid.collaborativeModel as ItemKnnRecommender, new ItemKnnRecommender({ neighbours: 50 }).fit(data), new ItemKnnRecommender().fit(data)]) {
      expect(canShareItemKnn(knn, 50)).toBe(true)
      expect(strip(productStrips(columns, texts, { size: 6, candidates: 50, purchaseSimilarity: knn }, cutoff))).toEqual(own)
    }
    // The one passed is the one used: a fit on fewer purchases (those 120 days before the cutoff) gives other related strips.
    const other = new ItemKnnRecommender({ neighbours: 50 }).fit(interactionsFromColumns(columns, seen.users, seen.items, cutoff, cutoff - 120 * DAY))
    expect(strip(productStrips(columns, texts, { size: 6, candidates: 50, purchaseSimilarity: other }, cutoff)).related).not.toEqual(own.related)
    // Too few neighbours, or weights other than binary, cannot stand in.
    const narrow = new ItemKnnRecommender({ neighbours: 20 }).fit(data)
    expect(canShareItemKnn(narrow, 50)).toBe(false)
    expect(canShareItemKnn(new ItemKnnRecommender({ neighbours: 200, fitWeighting: { kind: "log" } }), 50)).toBe(false)
    expect(() => productStrips(columns, texts, { size: 6, candidates: 50, purchaseSimilarity: narrow }, cutoff)).toThrow(RangeError)
  })

  it("gives each customer's last distinct products, newest first, as a walk over the lines does", () => {
    const seen = seenBefore(columns, cutoff)
    const recent = recentDistinctItemsFromColumns(columns, seen.users, seen.items, 5, cutoff)
    // The reference: lines before the cutoff, newest first (earlier line first on a tie).
    const before = lines.filter((l) => l.time < cutoff)
    const order = Array.from(before.keys()).sort((a, b) => before[b].time - before[a].time || a - b)
    const expected: number[][] = []
    const at = (m: IndexMap, ids: readonly string[], id: string) => m.of[ids.indexOf(id)]
    for (const k of order) {
      const u = at(seen.users, columns.customerIds, before[k].customerId)
      const list = (expected[u] ??= [])
      const i = at(seen.items, columns.productIds, before[k].productId)
      if (list.length < 5 && !list.includes(i)) list.push(i)
    }
    expect(recent.length).toBe(seen.users.index.size)
    expect(recent).toEqual(expected)
  })

  it("gives the same customer features, labels and repeat summaries as the lines", () => {
    for (const t of [cutoff, last + 1]) {
      const f = customerFeatures(columns, t, { extras: EXTRA_CUSTOMER_FEATURES })
      expect(f.customerIds.length).toBeGreaterThan(200)
      expect(plain(f)).toEqual(plain(customerFeatures(lines, t, { extras: EXTRA_CUSTOMER_FEATURES })))
      expect(plain(repeatSummary(columns, f.customerIds, t))).toEqual(plain(repeatSummary(lines, f.customerIds, t)))
    }
    const population = lifecyclePopulation(columns, cutoff, last + 1)
    expect(population.labels.boughtAgain.reduce((a, b) => a + b, 0)).toBeGreaterThan(20)
    expect(plain(population)).toEqual(plain(lifecyclePopulation(lines, cutoff, last + 1)))
    // Customers in any order, one unknown: labels and summaries follow the given order.
    const ids = ["cus_nobody", ...population.features.customerIds.slice(0, 40).reverse()]
    expect(plain(futureLabels(columns, ids, cutoff, last + 1))).toEqual(plain(futureLabels(lines, ids, cutoff, last + 1)))
    expect(plain(repeatSummary(columns, ids, cutoff))).toEqual(plain(repeatSummary(lines, ids, cutoff)))
  })
})
