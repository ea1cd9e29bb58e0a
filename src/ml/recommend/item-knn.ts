import { type CsrMatrix, nnz, transpose } from "../data/csr"
import type { Interactions } from "../data/interactions"
import {
  BaseRecommender,
  type FitOptions,
  type SerializedModel,
  checkFormat,
  deserializeCsr,
  serializeCsr,
} from "./recommender"
import { topK, topKOf } from "./top-k"
import { BINARY, type HistoryWeighting, weightHistory } from "./weighting"

export interface ItemKnnOptions {
  /**
   * Neighbours kept per item. Undefined (default) = all, in a dense items x items float32
   * matrix (4 n^2 bytes: 3,108 items 39 MB; keep to about 10,000 items); a number = the k most
   * similar per item in a sparse matrix, memory O(items x k), for large catalogues.
   */
  neighbours?: number
  /** Weights the cosine is computed on; default binary (the reference). */
  fitWeighting?: HistoryWeighting
  /** Weights of a user's items when scoring; default binary. */
  scoreWeighting?: HistoryWeighting
}

/**
 * Item-kNN (docs/evaluation.md): cosine similarity between the item columns of the user x item
 * matrix, self-similarity 0; user score = sum over the user's items of their similarities.
 * Arithmetic is float32 in the order of the Python reference (c_ij / n_i / n_j, then a
 * running sum over the user's items by increasing index), so near-ties break the same way.
 */
export class ItemKnnRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.item-knn"
  static readonly VERSION = 1
  readonly name = "item-knn"
  readonly options: ItemKnnOptions
  private dense: Float32Array | null = null
  private sparse: CsrMatrix | null = null
  private nonNegative: boolean | null = null
  /** neighbourScores' scratch: sums, a seen mark and the items touched (zero / unmarked between calls). */
  private acc: Float32Array | null = null
  private mark: Uint8Array | null = null
  private touched: Int32Array | null = null

  constructor(options: ItemKnnOptions = {}) {
    super()
    if (options.neighbours !== undefined && !(Number.isInteger(options.neighbours) && options.neighbours > 0)) {
      throw new RangeError(`ItemKnnRecommender: neighbours must be a positive integer, got ${options.neighbours}`)
    }
    this.options = { ...options }
  }

  fit(data: Interactions, options: FitOptions = {}): this {
    const x = weightHistory(data, this.options.fitWeighting ?? BINARY)
    const xt = transpose(x)
    const n = data.nItems
    const norms = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let p = xt.indptr[i]; p < xt.indptr[i + 1]; p++) s += xt.data[p] * xt.data[p]
      norms[i] = Math.sqrt(Math.fround(s))
    }
    const k = this.options.neighbours
    const dense = k === undefined ? new Float32Array(n * n) : null
    const rowsIdx: Int32Array[] = []
    const rowsVal: Float32Array[] = []
    const acc = new Float64Array(n)
    const touched = new Int32Array(n)
    const mark = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      // Co-occurrence row i: sum over i's buyers of their weighted rows.
      let nt = 0
      for (let p = xt.indptr[i]; p < xt.indptr[i + 1]; p++) {
        const u = xt.indices[p]
        const xu = xt.data[p]
        for (let q = x.indptr[u]; q < x.indptr[u + 1]; q++) {
          const j = x.indices[q]
          if (!mark[j]) {
            mark[j] = 1
            touched[nt++] = j
          }
          acc[j] += xu * x.data[q]
        }
      }
      const cosine = (j: number) => (j !== i && norms[i] > 0 && norms[j] > 0 ? Math.fround(Math.fround(Math.fround(acc[j]) / norms[i]) / norms[j]) : 0)
      if (dense) {
        const row = dense.subarray(i * n, (i + 1) * n)
        for (let t = 0; t < nt; t++) row[touched[t]] = cosine(touched[t])
      } else {
        // The k best among the co-occurring items alone (every other item scores 0 and is never
        // kept): O(co-occurring items) per row instead of a full row of every item.
        const near = touched.subarray(0, nt)
        const sims = Float32Array.from(near, cosine)
        const keep = topKOf(near, sims, k as number)
        let m = 0
        while (m < keep.length && cosine(keep[m]) > 0) m++
        const idx = keep.slice(0, m).sort()
        rowsIdx.push(idx)
        rowsVal.push(Float32Array.from(idx, cosine))
      }
      for (let t = 0; t < nt; t++) {
        acc[touched[t]] = 0
        mark[touched[t]] = 0
      }
      if (options.onProgress && (i % 256 === 255 || i === n - 1)) options.onProgress(i + 1, n, "similarities")
    }
    this.dense = dense
    this.sparse = dense ? null : stackRows(n, rowsIdx, rowsVal)
    this.nonNegative = null
    this.history = weightHistory(data, this.options.scoreWeighting ?? BINARY)
    return this
  }

  /**
   * A sparse model on `data`'s histories with neighbour rows kept from an earlier fit (the
   * nightly refresh of a training run: the similarities are refitted weekly, the histories
   * every night). `similarities` is items x items, rows indexed as `data`'s items, each row's
   * indices increasing and every value > 0, as a sparse fit leaves them (remapSimilarities).
   * Recommendations are then exactly a fit's whenever the rows are that fit's.
   */
  static withSimilarities(options: ItemKnnOptions, data: Interactions, similarities: CsrMatrix): ItemKnnRecommender {
    if (options.neighbours === undefined) throw new RangeError("ItemKnnRecommender.withSimilarities: needs the neighbours option (a sparse model)")
    if (similarities.nRows !== data.nItems || similarities.nCols !== data.nItems) {
      throw new RangeError(`ItemKnnRecommender.withSimilarities: ${similarities.nRows} x ${similarities.nCols} similarities for ${data.nItems} items`)
    }
    const m = new ItemKnnRecommender(options)
    m.sparse = similarities
    m.history = weightHistory(data, options.scoreWeighting ?? BINARY)
    return m
  }

  /** The kept neighbour rows of a sparse fit (null for a dense one): what a refresh reuses. */
  get similarityRows(): CsrMatrix | null {
    this.fitted()
    return this.sparse
  }

  scores(user: number): Float32Array {
    const { items, values } = this.userRow(user)
    return this.scoresFromHistory(items, values)
  }

  /** Scores for any history: item indices (increasing) and their weights. */
  scoresFromHistory(items: ArrayLike<number>, weights: ArrayLike<number>): Float32Array {
    const n = this.nItems
    const out = new Float32Array(n)
    if (this.dense) {
      const s = this.dense
      for (let k = 0; k < items.length; k++) {
        const off = items[k] * n
        const w = weights[k]
        if (w === 1) for (let j = 0; j < n; j++) out[j] += s[off + j]
        else for (let j = 0; j < n; j++) out[j] += w * s[off + j]
      }
    } else {
      const s = this.sparse as CsrMatrix
      for (let k = 0; k < items.length; k++) {
        const w = weights[k]
        for (let p = s.indptr[items[k]]; p < s.indptr[items[k] + 1]; p++) out[s.indices[p]] += w * s.data[p]
      }
    }
    return out
  }

  /**
   * A sparse fit with no negative similarity or weight: a user's scores are then 0 on every
   * item outside the neighbours of their items, which lets a caller rank those alone
   * (neighbourScores; HybridRecommender.recommend).
   */
  get sparseNonNegative(): boolean {
    if (this.nonNegative === null) {
      const s = this.sparse
      const h = this.fitted()
      this.nonNegative = !!s && s.data.every((v) => v >= 0) && h.data.every((v) => v >= 0)
    }
    return this.nonNegative
  }

  /**
   * scores(user) on the items where it can be non-zero (sparse fits only): `items`, the
   * neighbours of the user's items (in no particular order), and `values`, scores(user) there,
   * summed in the same order, so bit for bit equal. O(history x neighbours), not O(items).
   */
  neighbourScores(user: number): { items: Int32Array; values: Float32Array } {
    const s = this.sparse
    if (!s) throw new Error(`${this.name}: neighbourScores needs a sparse fit (the neighbours option)`)
    const { items, values: weights } = this.userRow(user)
    const n = this.nItems
    if (!this.acc || this.acc.length !== n) {
      this.acc = new Float32Array(n)
      this.mark = new Uint8Array(n)
      this.touched = new Int32Array(n)
    }
    const acc = this.acc
    const mark = this.mark as Uint8Array
    const touched = this.touched as Int32Array
    let nt = 0
    for (let k = 0; k < items.length; k++) {
      const w = weights[k]
      for (let p = s.indptr[items[k]]; p < s.indptr[items[k] + 1]; p++) {
        const j = s.indices[p]
        if (!mark[j]) {
          mark[j] = 1
          touched[nt++] = j
        }
        acc[j] += w * s.data[p]
      }
    }
    const near = touched.slice(0, nt)
    const values = Float32Array.from(near, (j) => acc[j])
    for (const j of near) {
      acc[j] = 0
      mark[j] = 0
    }
    return { items: near, values }
  }

  /** Similarity of items a and b (0 when b is not among a's kept neighbours). */
  similarity(a: number, b: number): number {
    this.checkItem(a)
    this.checkItem(b)
    if (this.dense) return this.dense[a * this.nItems + b]
    const s = this.sparse as CsrMatrix
    for (let p = s.indptr[a]; p < s.indptr[a + 1]; p++) if (s.indices[p] === b) return s.data[p]
    return 0
  }

  /**
   * The at most n items most similar to `item` with a similarity > 0, best first (similarItems'
   * order), with their similarities. O(neighbours + n log neighbours) on a sparse fit.
   */
  nearest(item: number, n: number): { items: Int32Array; values: Float32Array } {
    this.checkItem(item)
    if (this.dense) {
      const row = this.dense.subarray(item * this.nItems, (item + 1) * this.nItems)
      const top = Array.from(this.similarItems(item, n)).filter((j) => row[j] > 0)
      return { items: Int32Array.from(top), values: Float32Array.from(top, (j) => row[j]) }
    }
    const s = this.sparse as CsrMatrix
    const lo = s.indptr[item]
    const hi = s.indptr[item + 1]
    const top = topKOf(s.indices.subarray(lo, hi), s.data.subarray(lo, hi), n)
    // A row's indices are increasing: each kept item's similarity by binary search.
    const values = Float32Array.from(top, (j) => {
      let a = lo
      let b = hi
      while (a < b) {
        const m = (a + b) >>> 1
        if (s.indices[m] < j) a = m + 1
        else b = m
      }
      return s.data[a]
    })
    let m = top.length
    while (m > 0 && !(values[m - 1] > 0)) m--
    return { items: top.subarray(0, m), values: values.subarray(0, m) }
  }

  similarItems(item: number, n: number): Int32Array {
    this.checkItem(item)
    const mask = new Uint8Array(this.nItems)
    mask[item] = 1
    if (this.dense) return topK(this.dense.subarray(item * this.nItems, (item + 1) * this.nItems), n, mask)
    // Sparse: the kept neighbours (all > 0) ranked alone, then, as topK over the full row would
    // list them, items of similarity 0 by increasing index. O(neighbours + n), not O(items).
    const s = this.sparse as CsrMatrix
    const top = topKOf(s.indices.subarray(s.indptr[item], s.indptr[item + 1]), s.data.subarray(s.indptr[item], s.indptr[item + 1]), n)
    const want = Math.min(n, this.nItems - 1)
    if (top.length >= want) return top
    const out = new Int32Array(want)
    out.set(top)
    for (const j of top) mask[j] = 1
    for (let j = 0, m = top.length; m < want; j++) if (!mask[j]) out[m++] = j
    return out
  }

  serialize(): SerializedModel {
    return {
      format: ItemKnnRecommender.FORMAT,
      version: ItemKnnRecommender.VERSION,
      options: this.options,
      history: serializeCsr(this.fitted()),
      dense: this.dense,
      sparse: this.sparse ? serializeCsr(this.sparse) : null,
    }
  }

  static deserialize(s: SerializedModel): ItemKnnRecommender {
    checkFormat(s, ItemKnnRecommender.FORMAT, ItemKnnRecommender.VERSION)
    const m = new ItemKnnRecommender(s.options as ItemKnnOptions)
    m.history = deserializeCsr(s.history)
    m.dense = (s.dense as Float32Array | null) ?? null
    m.sparse = s.sparse ? deserializeCsr(s.sparse) : null
    const n = m.history.nCols
    if (m.dense ? m.dense.length !== n * n : !m.sparse || m.sparse.nRows !== n) {
      throw new Error(`${ItemKnnRecommender.FORMAT}: similarity matrix does not match ${n} items`)
    }
    return m
  }
}

/**
 * Neighbour rows kept under the product ids `fromIds` (row and column j is fromIds[j]) moved to
 * the item order of `to`: a product of `to` that `fromIds` lacks (first sold since) gets an
 * empty row, a product `to` lacks is dropped from every row. Each row's indices stay increasing.
 */
export function remapSimilarities(fromIds: readonly string[], rows: CsrMatrix, to: { size: number; indexOf(id: string): number }): CsrMatrix {
  if (rows.nRows !== fromIds.length || rows.nCols !== fromIds.length) {
    throw new RangeError(`remapSimilarities: ${rows.nRows} x ${rows.nCols} rows for ${fromIds.length} ids`)
  }
  const map = Int32Array.from(fromIds, (id) => to.indexOf(id))
  const source = new Int32Array(to.size).fill(-1)
  map.forEach((i, o) => {
    if (i >= 0) source[i] = o
  })
  const indptr = new Int32Array(to.size + 1)
  for (let i = 0; i < to.size; i++) {
    const o = source[i]
    let m = 0
    if (o >= 0) for (let p = rows.indptr[o]; p < rows.indptr[o + 1]; p++) if (map[rows.indices[p]] >= 0) m++
    indptr[i + 1] = indptr[i] + m
  }
  const indices = new Int32Array(indptr[to.size])
  const data = new Float32Array(indptr[to.size])
  let order = new Int32Array(0)
  for (let i = 0; i < to.size; i++) {
    const o = source[i]
    if (o < 0) continue
    const lo = indptr[i]
    let m = 0
    if (order.length < rows.indptr[o + 1] - rows.indptr[o]) order = new Int32Array(rows.indptr[o + 1] - rows.indptr[o])
    for (let p = rows.indptr[o]; p < rows.indptr[o + 1]; p++) if (map[rows.indices[p]] >= 0) order[m++] = p
    // Sorted by the new index (the mapping need not keep the order of the old one).
    const kept = order.subarray(0, m).sort((a, b) => map[rows.indices[a]] - map[rows.indices[b]])
    for (let t = 0; t < m; t++) {
      indices[lo + t] = map[rows.indices[kept[t]]]
      data[lo + t] = rows.data[kept[t]]
    }
  }
  return { nRows: to.size, nCols: to.size, indptr, indices, data }
}

function stackRows(n: number, idx: Int32Array[], val: Float32Array[]): CsrMatrix {
  const indptr = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) indptr[i + 1] = indptr[i] + idx[i].length
  const indices = new Int32Array(indptr[n])
  const data = new Float32Array(indptr[n])
  for (let i = 0; i < n; i++) {
    indices.set(idx[i], indptr[i])
    data.set(val[i], indptr[i])
  }
  const m = { nRows: n, nCols: n, indptr, indices, data }
  if (nnz(m) !== indices.length) throw new Error("stackRows: internal size mismatch")
  return m
}
