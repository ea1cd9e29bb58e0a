/**
 * A product page's two strips, built so that they are worth showing together:
 * - "related" leans on similarity: alternatives to this product, by text (ContentIndex) and by
 *   who buys it (item-kNN cosine over customers), so products with few or no purchases still get
 *   a list from their text;
 * - "bought together" leans on complements: products that share orders with it (BoughtTogether's
 *   co-order cosine), discounted by their text similarity, so five colours of the same lunch bag
 *   bought in one order stop filling both strips.
 * Plain data in (purchase lines, product texts), integer indexes out.
 */
import { IdIndex } from "../data/id-index"
import type { CsrMatrix } from "../data/csr"
import { type Interactions, interactionsFromLines } from "../data/interactions"
import { type PurchaseColumns, basketsFromColumns, interactionsFromColumns, isPurchaseColumns, seenBefore } from "../data/purchase-columns"
import type { PurchaseLine } from "../data/purchase-line"
import { BoughtTogether, basketsFromLines } from "./bought-together"
import { ContentIndex, type ContentOptions, type ProductText } from "./content"
import { ItemKnnRecommender } from "./item-knn"
import { BINARY } from "./weighting"

export interface StripOptions {
  /** Products per strip, >= 1; default 6. */
  size?: number
  /** Candidates drawn from each source before scoring, >= size; default 50. */
  candidates?: number
  /**
   * Related score = contentWeight x text cosine + (1 - contentWeight) x purchase cosine, in
   * [0, 1]; default 0.5. A product without purchases has purchase cosine 0 everywhere, so its
   * list is its text neighbours.
   */
  contentWeight?: number
  /**
   * Bought-together score = co-order cosine x (1 - text cosine)^complementPenalty, >= 0; default
   * 2 (0 = plain co-orders).
   */
  complementPenalty?: number
  /** Shared orders a bought-together pair needs, >= 1; default 2 (BoughtTogether's). */
  minCoOrders?: number
  /**
   * Leave the related top `size` out of the bought-together strip, so the two never repeat a
   * product; default false (the scores alone keep the overlap low; a store route can still ask
   * for the other list's top N to be left out).
   */
  disjoint?: boolean
  /** TF-IDF options. */
  content?: ContentOptions
  /**
   * An item-kNN already fitted on these purchases (the lines before `before`, items in the order
   * the strips index the products sold), used for the purchase cosine instead of fitting one:
   * the training run passes its model's. It must weight purchases as binary and keep at least
   * `candidates` neighbours (see canShareItemKnn); the strips are then the same as with their own fit.
   */
  purchaseSimilarity?: ItemKnnRecommender
}

/**
 * Whether a fitted item-kNN can stand in for the strips' own fit with `candidates` neighbours:
 * binary weighting (the strips' cosine) and at least that many neighbours kept. Its `candidates`
 * most similar items per product are then those of the strips' own fit, with the same cosines.
 */
export function canShareItemKnn(knn: ItemKnnRecommender, candidates: number): boolean {
  const o = knn.options
  return (o.fitWeighting ?? BINARY).kind === "binary" && (o.neighbours === undefined || o.neighbours >= candidates)
}

export interface ProductStrips {
  /** Product ids: the catalogue's (in input order), then products sold but missing from it. */
  ids: readonly string[]
  /** Per product (index into ids): related products, best first. */
  related: Int32Array[]
  /** Per product: bought-together products, best first (possibly fewer than size). */
  boughtTogether: Int32Array[]
  /** The TF-IDF index the strips were built with (its indexes are those of `ids`), for cold-item picks. */
  content: ContentIndex
}

/**
 * Both strips for every product of `products` and every product in `lines`. Lines are cleaned
 * purchase lines (all of them: the strips describe the catalogue now, not a split). Cost: the
 * TF-IDF neighbour search, a sparse item-kNN over customers, and BoughtTogether's counting.
 */
export function productStrips(
  lines: readonly PurchaseLine[] | PurchaseColumns,
  products: readonly ProductText[],
  options: StripOptions = {},
  /** Columns only: the lines with time < before (default all). */
  before = Number.POSITIVE_INFINITY
): ProductStrips {
  const size = options.size ?? 6
  const k = Math.max(size, options.candidates ?? 50)
  const wc = options.contentWeight ?? 0.5
  const gamma = options.complementPenalty ?? 2
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`productStrips: size must be an integer >= 1, got ${size}`)
  if (!(wc >= 0 && wc <= 1)) throw new RangeError(`productStrips: contentWeight must be in [0, 1], got ${wc}`)
  if (!(gamma >= 0)) throw new RangeError(`productStrips: complementPenalty must be >= 0, got ${gamma}`)

  const purchases = isPurchaseColumns(lines) ? columnPurchases(lines, before) : linePurchases(lines)
  const sold = purchases.sold
  const content = catalogueIndex(products, sold.ids, options.content)
  const n = content.ids.length

  // Purchase side, over the products that sold (IdIndex order), mapped back to catalogue order.
  const toCatalogue = Int32Array.from({ length: sold.size }, (_, i) => content.indexOf(sold.id(i)))
  const toSold = new Int32Array(n).fill(-1)
  toCatalogue.forEach((c, i) => (toSold[c] = i))
  const shared = options.purchaseSimilarity
  if (shared && !(canShareItemKnn(shared, k) && shared.nItems === sold.size)) {
    throw new RangeError(`productStrips: purchaseSimilarity must be a binary item-kNN of the ${sold.size} products sold with at least ${k} neighbours`)
  }
  const knn = sold.size === 0 ? null : (shared ?? new ItemKnnRecommender({ neighbours: k }).fit(purchases.interactions()))
  const together = sold.size > 0 ? new BoughtTogether({ neighbours: k, minCoOrders: options.minCoOrders ?? 2 }).fit(purchases.baskets()) : null

  const related: Int32Array[] = []
  const boughtTogether: Int32Array[] = []
  for (let a = 0; a < n; a++) {
    // Cosines of the candidates alone (a dense row per product is O(products^2) at 100,000 products).
    const text = (j: number) => content.cosine(a, j)
    const s = toSold[a]
    // Related: candidates from both sources, scored by the blend.
    const cand = new Set<number>(content.similar(a, k))
    // Purchase cosines of the k most similar sold products alone (0 for the rest, as a fit that
    // keeps k neighbours has them), by catalogue index.
    const purchase = new Map<number, number>()
    if (knn && s >= 0) {
      const near = knn.nearest(s, k)
      near.items.forEach((j, t) => purchase.set(toCatalogue[j], near.values[t]))
    }
    for (const j of purchase.keys()) cand.add(j)
    cand.delete(a)
    const scored = Array.from(cand, (j) => ({ j, score: wc * text(j) + (1 - wc) * (purchase.get(j) ?? 0) })).filter((c) => c.score > 0)
    scored.sort((x, y) => y.score - x.score || x.j - y.j)
    const rel = Int32Array.from(scored.slice(0, size), (c) => c.j)
    related.push(rel)
    // Bought together: co-ordered products, discounted by text similarity.
    if (!together || s < 0) {
      boughtTogether.push(new Int32Array(0))
      continue
    }
    const skip = new Set(options.disjoint ? Array.from(rel) : [])
    const bt = Array.from(together.similarItems(s, k), (j) => {
      const c = toCatalogue[j]
      return { j: c, score: together.score(s, j) * (1 - Math.min(1, text(c))) ** gamma }
    }).filter((c) => c.score > 0 && !skip.has(c.j))
    bt.sort((x, y) => y.score - x.score || x.j - y.j)
    boughtTogether.push(Int32Array.from(bt.slice(0, size), (c) => c.j))
  }
  return { ids: content.ids, related, boughtTogether, content }
}

/** What the strips read of the purchases: the products sold, customers x sold items, orders x sold items. */
/**
 * The TF-IDF index of the catalogue's products (in input order), then of the products sold but
 * missing from it (sorted, no text): the product order of the strips and of a version's table.
 */
export function catalogueIndex(products: readonly ProductText[], soldIds: readonly string[], options?: ContentOptions): ContentIndex {
  const known = new Set(products.map((p) => p.id))
  const extra = soldIds.filter((id) => !known.has(id)).sort()
  return ContentIndex.fit([...products, ...extra.map((id) => ({ id }))], options)
}

type StripPurchases = { sold: IdIndex; interactions: () => Interactions; baskets: () => CsrMatrix }

function linePurchases(lines: readonly PurchaseLine[]): StripPurchases {
  const sold = IdIndex.fromIds(lines.map((l) => l.productId))
  return {
    sold,
    interactions: () => {
      const users = IdIndex.fromIds(lines.map((l) => l.customerId))
      const asOf = lines.reduce((m, l) => Math.max(m, l.time), Number.NEGATIVE_INFINITY) + 1
      return interactionsFromLines(lines, users, sold, asOf)
    },
    baskets: () => basketsFromLines(lines, sold),
  }
}

/** The same from columns (the lines with time < before), with no object per line. */
function columnPurchases(c: PurchaseColumns, before: number): StripPurchases {
  const { users, items } = seenBefore(c, before)
  return {
    sold: items.index,
    interactions: () => {
      let last = Number.NEGATIVE_INFINITY
      for (let k = 0; k < c.length; k++) if (c.time[k] < before && c.time[k] > last) last = c.time[k]
      return interactionsFromColumns(c, users, items, last + 1, before)
    },
    baskets: () => basketsFromColumns(c, items, before),
  }
}

/**
 * Share of the bought-together entries (top `size` of each product in `subjects`, default all)
 * that also stand in the same product's related top `size`: 0 = the strips never repeat.
 */
export function stripOverlap(strips: Pick<ProductStrips, "related" | "boughtTogether">, size = 6, subjects?: ArrayLike<number>): { shared: number; total: number; share: number } {
  let shared = 0
  let total = 0
  const rows = subjects ?? Int32Array.from(strips.related.keys())
  for (let k = 0; k < rows.length; k++) {
    const a = rows[k]
    const rel = new Set(strips.related[a].subarray(0, size))
    const bt = strips.boughtTogether[a].subarray(0, size)
    total += bt.length
    for (const j of bt) if (rel.has(j)) shared++
  }
  return { shared, total, share: total ? shared / total : 0 }
}
