import { type CsrMatrix, binarize, csrFromTriples, transpose } from "../data/csr"
import type { IdIndex } from "../data/id-index"
import type { PurchaseLine } from "../data/purchase-line"
import { type SerializedModel, checkFormat, deserializeCsr, serializeCsr } from "./recommender"

export interface BoughtTogetherOptions {
  /** Neighbours kept per item, >= 1; default 50. */
  neighbours?: number
  /** Orders two items must share to be neighbours, >= 1; default 2 (one shared basket is noise). */
  minCoOrders?: number
}

/**
 * Orders x items, 1 where the order holds the item (lines of unindexed products are skipped).
 * Rows are orders in first-seen order.
 */
export function basketsFromLines(lines: readonly PurchaseLine[], items: IdIndex): CsrMatrix {
  const orders = new Map<string, number>()
  const rows: number[] = []
  const cols: number[] = []
  for (const l of lines) {
    const item = items.indexOf(l.productId)
    if (item < 0) continue
    let o = orders.get(l.orderId)
    if (o === undefined) orders.set(l.orderId, (o = orders.size))
    rows.push(o)
    cols.push(item)
  }
  return binarize(csrFromTriples(orders.size, items.size, rows, cols))
}

/**
 * "Frequently bought together": items that share orders. Neighbour score = shared orders /
 * sqrt(orders of i x orders of j) (cosine of the binary basket columns), kept sparse as the top
 * `neighbours` per item with at least `minCoOrders` shared orders. Counting goes item by item
 * over the item's orders with a dense accumulator, O(sum over orders of |order|^2) time and
 * O(items) extra memory, so it scales to millions of lines.
 */
export class BoughtTogether {
  static readonly FORMAT = "personalization.recommender.bought-together"
  static readonly VERSION = 1
  readonly options: Required<BoughtTogetherOptions>
  private neighbours: CsrMatrix | null = null

  constructor(options: BoughtTogetherOptions = {}) {
    this.options = { neighbours: options.neighbours ?? 50, minCoOrders: options.minCoOrders ?? 2 }
    if (!(Number.isInteger(this.options.neighbours) && this.options.neighbours >= 1)) {
      throw new RangeError(`BoughtTogether: neighbours must be an integer >= 1, got ${this.options.neighbours}`)
    }
    if (!(this.options.minCoOrders >= 1)) throw new RangeError(`BoughtTogether: minCoOrders must be >= 1, got ${this.options.minCoOrders}`)
  }

  fit(baskets: CsrMatrix): this {
    const nItems = baskets.nCols
    const byItem = transpose(baskets)
    const size = new Int32Array(nItems)
    for (let i = 0; i < nItems; i++) size[i] = byItem.indptr[i + 1] - byItem.indptr[i]
    const acc = new Int32Array(nItems)
    const touched = new Int32Array(nItems)
    const rows: number[] = []
    const cols: number[] = []
    const vals: number[] = []
    const k = this.options.neighbours
    for (let i = 0; i < nItems; i++) {
      let nTouched = 0
      for (let p = byItem.indptr[i]; p < byItem.indptr[i + 1]; p++) {
        const order = byItem.indices[p]
        for (let q = baskets.indptr[order]; q < baskets.indptr[order + 1]; q++) {
          const j = baskets.indices[q]
          if (j === i) continue
          if (acc[j] === 0) touched[nTouched++] = j
          acc[j]++
        }
      }
      const candidates: { j: number; score: number }[] = []
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t]
        if (acc[j] >= this.options.minCoOrders) candidates.push({ j, score: acc[j] / Math.sqrt(size[i] * size[j]) })
        acc[j] = 0
      }
      // Best first; ties by item index so lists are deterministic.
      candidates.sort((a, b) => b.score - a.score || a.j - b.j)
      for (const c of candidates.slice(0, k)) {
        rows.push(i)
        cols.push(c.j)
        vals.push(c.score)
      }
    }
    // csrFromTriples keeps columns sorted; the order is restored at query time by score.
    this.neighbours = csrFromTriples(nItems, nItems, rows, cols, vals)
    return this
  }

  /** Up to n items most often bought with `item`, best first (fewer when few qualify). */
  similarItems(item: number, n: number): Int32Array {
    const m = this.fitted()
    if (!(item >= 0 && item < m.nRows)) throw new RangeError(`BoughtTogether: no item ${item}`)
    const idx: number[] = []
    for (let p = m.indptr[item]; p < m.indptr[item + 1]; p++) idx.push(p)
    idx.sort((a, b) => m.data[b] - m.data[a] || m.indices[a] - m.indices[b])
    return Int32Array.from(idx.slice(0, n), (p) => m.indices[p])
  }

  /** Neighbour score of j for i (0 when j is not among i's kept neighbours). */
  score(i: number, j: number): number {
    const m = this.fitted()
    for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) if (m.indices[p] === j) return m.data[p]
    return 0
  }

  serialize(): SerializedModel {
    return { format: BoughtTogether.FORMAT, version: BoughtTogether.VERSION, options: this.options, neighbours: serializeCsr(this.fitted()) }
  }

  static deserialize(s: SerializedModel): BoughtTogether {
    checkFormat(s, BoughtTogether.FORMAT, BoughtTogether.VERSION)
    const m = new BoughtTogether(s.options as BoughtTogetherOptions)
    m.neighbours = deserializeCsr(s.neighbours)
    return m
  }

  private fitted(): CsrMatrix {
    if (!this.neighbours) throw new Error("BoughtTogether: fit the model first")
    return this.neighbours
  }
}
