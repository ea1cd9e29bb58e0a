import { type CsrMatrix, binarize, columnCounts, transpose } from "../data/csr"
import type { Interactions } from "../data/interactions"
import {
  BaseRecommender,
  type FitOptions,
  type SerializedModel,
  checkFormat,
  deserializeCsr,
  serializeCsr,
} from "./recommender"
import { topK } from "./top-k"

export interface Rp3BetaOptions {
  /** Exponent of the transition probabilities, > 0; default 0.5 (1 = a plain three-step random walk). */
  alpha?: number
  /** Popularity penalty: the walk's arrival at j is divided by buyers(j)^beta, >= 0; default 0.6. */
  beta?: number
  /** Neighbours kept per item (by weight), >= 1; default 100. Defaults: the best mean of the rolling splits (docs/evaluation.md) over alpha 0.3-1, beta 0-0.8, 50-400 neighbours. */
  neighbours?: number
}

/**
 * RP3beta (Paudel, Christoffel, Neumann and Bernstein 2017; as in Dacrema et al. 2019): a
 * three-step random walk user -> item -> user -> item on the binary purchase graph, with
 * transition probabilities raised to alpha and the arrival item's popularity divided out:
 * W_ij = sum_u (1 / buyers(i))^alpha (1 / items(u))^alpha / buyers(j)^beta, W_ii = 0, the top
 * `neighbours` kept per row i; user score = sum over the user's items i of W_i. beta > 0
 * pushes less popular items up, which popularity-heavy item-kNN and EASE lists lack.
 * O(sum over items of buyers x their items) to fit, O(items x neighbours) memory.
 */
export class Rp3BetaRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.rp3beta"
  static readonly VERSION = 1
  readonly name = "rp3beta"
  readonly options: Required<Rp3BetaOptions>
  private weights: CsrMatrix | null = null

  constructor(options: Rp3BetaOptions = {}) {
    super()
    const o = { alpha: options.alpha ?? 0.5, beta: options.beta ?? 0.6, neighbours: options.neighbours ?? 100 }
    if (!(o.alpha > 0)) throw new RangeError(`Rp3BetaRecommender: alpha must be > 0, got ${o.alpha}`)
    if (!(o.beta >= 0)) throw new RangeError(`Rp3BetaRecommender: beta must be >= 0, got ${o.beta}`)
    if (!(Number.isInteger(o.neighbours) && o.neighbours >= 1)) throw new RangeError(`Rp3BetaRecommender: neighbours must be an integer >= 1, got ${o.neighbours}`)
    this.options = o
  }

  fit(data: Interactions, options: FitOptions = {}): this {
    const x = binarize(data.strength)
    const xt = transpose(x)
    const n = data.nItems
    const { alpha, beta, neighbours } = this.options
    const buyers = columnCounts(x)
    const userStep = new Float64Array(x.nRows)
    for (let u = 0; u < x.nRows; u++) {
      const deg = x.indptr[u + 1] - x.indptr[u]
      userStep[u] = deg > 0 ? deg ** -alpha : 0
    }
    const arrival = Float64Array.from(buyers, (b) => (b > 0 ? b ** -beta : 0))
    const acc = new Float64Array(n)
    const touched = new Int32Array(n)
    const mark = new Uint8Array(n)
    const row = new Float64Array(n)
    const indptr = new Int32Array(n + 1)
    const idx: Int32Array[] = []
    const val: Float32Array[] = []
    for (let i = 0; i < n; i++) {
      const first = buyers[i] > 0 ? buyers[i] ** -alpha : 0
      let nt = 0
      for (let p = xt.indptr[i]; p < xt.indptr[i + 1]; p++) {
        const u = xt.indices[p]
        const w = first * userStep[u]
        for (let q = x.indptr[u]; q < x.indptr[u + 1]; q++) {
          const j = x.indices[q]
          if (!mark[j]) {
            mark[j] = 1
            touched[nt++] = j
          }
          acc[j] += w
        }
      }
      for (let t = 0; t < nt; t++) {
        const j = touched[t]
        row[j] = j === i ? 0 : acc[j] * arrival[j]
      }
      const keep = topK(row, Math.min(neighbours, n))
      let m = 0
      while (m < keep.length && row[keep[m]] > 0) m++
      const kept = keep.slice(0, m).sort()
      idx.push(kept)
      val.push(Float32Array.from(kept, (j) => row[j]))
      indptr[i + 1] = indptr[i] + m
      for (let t = 0; t < nt; t++) {
        const j = touched[t]
        acc[j] = 0
        row[j] = 0
        mark[j] = 0
      }
      if (options.onProgress && (i % 256 === 255 || i === n - 1)) options.onProgress(i + 1, n, "walk")
    }
    const indices = new Int32Array(indptr[n])
    const data32 = new Float32Array(indptr[n])
    for (let i = 0; i < n; i++) {
      indices.set(idx[i], indptr[i])
      data32.set(val[i], indptr[i])
    }
    this.weights = { nRows: n, nCols: n, indptr, indices, data: data32 }
    this.history = data.strength
    return this
  }

  scores(user: number): Float64Array {
    const { items } = this.userRow(user)
    return this.scoresFromHistory(items)
  }

  /** Sum of the kept rows W_i over `items`. */
  scoresFromHistory(items: ArrayLike<number>): Float64Array {
    const w = this.weights as CsrMatrix
    const out = new Float64Array(this.nItems)
    for (let k = 0; k < items.length; k++) {
      for (let p = w.indptr[items[k]]; p < w.indptr[items[k] + 1]; p++) out[w.indices[p]] += w.data[p]
    }
    return out
  }

  similarItems(item: number, n: number): Int32Array {
    this.checkItem(item)
    const w = this.weights as CsrMatrix
    const row = new Float64Array(this.nItems)
    for (let p = w.indptr[item]; p < w.indptr[item + 1]; p++) row[w.indices[p]] = w.data[p]
    const mask = new Uint8Array(this.nItems)
    mask[item] = 1
    return topK(row, n, mask)
  }

  serialize(): SerializedModel {
    return {
      format: Rp3BetaRecommender.FORMAT,
      version: Rp3BetaRecommender.VERSION,
      options: this.options,
      history: serializeCsr(this.fitted()),
      weights: serializeCsr(this.weights as CsrMatrix),
    }
  }

  static deserialize(s: SerializedModel): Rp3BetaRecommender {
    checkFormat(s, Rp3BetaRecommender.FORMAT, Rp3BetaRecommender.VERSION)
    const m = new Rp3BetaRecommender(s.options as Rp3BetaOptions)
    m.history = deserializeCsr(s.history)
    m.weights = deserializeCsr(s.weights)
    if (m.weights.nRows !== m.history.nCols) throw new Error(`${Rp3BetaRecommender.FORMAT}: weights do not match ${m.history.nCols} items`)
    return m
  }
}
