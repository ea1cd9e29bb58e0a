import { transpose } from "../data/csr"
import type { Interactions } from "../data/interactions"
import { spdInverseInPlace } from "../linalg/cholesky"
import {
  BaseRecommender,
  type FitOptions,
  type SerializedModel,
  checkFormat,
  deserializeCsr,
  serializeCsr,
} from "./recommender"
import { topK } from "./top-k"
import { BINARY, type HistoryWeighting, weightHistory } from "./weighting"

export interface EaseOptions {
  /** L2 regulariser added to the Gram diagonal, > 0; default 500 (the reference). */
  lambda?: number
  /**
   * Extra regularisation per unit of the item's Gram diagonal (its buyer count when binary),
   * >= 0, default 0. The diagonal then gets lambda + lambdaPerBuyer x G_ii: EDLAE's emphasis
   * of dropout p has lambdaPerBuyer = p / (1 - p); it damps weights from popular items.
   */
  lambdaPerBuyer?: number
  /** Weights the Gram matrix X'X is built from; default binary (the reference). */
  fitWeighting?: HistoryWeighting
  /** Weights of a user's items when scoring (x_u in x_u B); default binary. */
  scoreWeighting?: HistoryWeighting
}

/**
 * EASE (Steck 2019): B = I - P diag(1/diag(P)) with P = (X'X + lambda I)^-1, diagonal of B
 * set to 0; user score = x_u B. The Gram matrix and its inverse are dense float64 (16 n^2
 * bytes while fitting) and the fit is O(n^3) in the number of items n; the kept B is float32
 * (4 n^2 bytes). Measured on one core of the development machine: the inverse takes 0.6 s at
 * n = 1,000 and 14 s at n = 3,108, a whole fit 18-24 s at 3,108 items (about 200 MB). By the
 * n^3 and n^2 laws (extrapolated, not measured) 8,000 items would take about 4 minutes and
 * 1 GB: above that, use item-kNN with k neighbours.
 */
export class EaseRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.ease"
  static readonly VERSION = 1
  readonly name = "ease"
  readonly options: Required<EaseOptions>
  private weights: Float32Array = new Float32Array(0)

  constructor(options: EaseOptions = {}) {
    super()
    const lambda = options.lambda ?? 500
    if (!(lambda > 0)) throw new RangeError(`EaseRecommender: lambda must be > 0, got ${lambda}`)
    const lambdaPerBuyer = options.lambdaPerBuyer ?? 0
    if (!(lambdaPerBuyer >= 0)) throw new RangeError(`EaseRecommender: lambdaPerBuyer must be >= 0, got ${lambdaPerBuyer}`)
    this.options = { lambda, lambdaPerBuyer, fitWeighting: options.fitWeighting ?? BINARY, scoreWeighting: options.scoreWeighting ?? BINARY }
  }

  fit(data: Interactions, options: FitOptions = {}): this {
    const n = data.nItems
    const g = gram(data, this.options.fitWeighting)
    const { lambda, lambdaPerBuyer } = this.options
    for (let i = 0; i < n; i++) g[i * n + i] += lambda + lambdaPerBuyer * g[i * n + i]
    const p = spdInverseInPlace(g, n, options.onProgress)
    const b = new Float32Array(n * n)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) b[i * n + j] = i === j ? 0 : -p[i * n + j] / p[j * n + j]
    }
    this.weights = b
    this.history = weightHistory(data, this.options.scoreWeighting)
    return this
  }

  scores(user: number): Float64Array {
    const { items, values } = this.userRow(user)
    return this.scoresFromHistory(items, values)
  }

  /** x B for any history: item indices and their weights. */
  scoresFromHistory(items: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
    const n = this.nItems
    const b = this.weights
    const out = new Float64Array(n)
    for (let k = 0; k < items.length; k++) {
      const off = items[k] * n
      const w = weights[k]
      for (let j = 0; j < n; j++) out[j] += w * b[off + j]
    }
    return out
  }

  /** Items whose score rises most when `item` is in a history: row `item` of B. */
  similarItems(item: number, n: number): Int32Array {
    this.checkItem(item)
    const mask = new Uint8Array(this.nItems)
    mask[item] = 1
    return topK(this.weights.subarray(item * this.nItems, (item + 1) * this.nItems), n, mask)
  }

  /** B as a row-major n x n float32 array (read-only view). */
  itemWeights(): Float32Array {
    return this.weights
  }

  serialize(): SerializedModel {
    return {
      format: EaseRecommender.FORMAT,
      version: EaseRecommender.VERSION,
      options: this.options,
      history: serializeCsr(this.fitted()),
      weights: this.weights,
    }
  }

  static deserialize(s: SerializedModel): EaseRecommender {
    checkFormat(s, EaseRecommender.FORMAT, EaseRecommender.VERSION)
    const m = new EaseRecommender(s.options as EaseOptions)
    m.history = deserializeCsr(s.history)
    m.weights = s.weights as Float32Array
    if (!(m.weights instanceof Float32Array) || m.weights.length !== m.history.nCols ** 2) {
      throw new Error(`${EaseRecommender.FORMAT}: weights do not match ${m.history.nCols} items`)
    }
    return m
  }
}

/** X'X (items x items, dense float64) of the weighted history; sum over users of outer products. */
export function gram(data: Interactions, weighting: HistoryWeighting): Float64Array {
  const x = weightHistory(data, weighting)
  const n = data.nItems
  const g = new Float64Array(n * n)
  // Row by row of X' so each column i writes one contiguous row of G.
  const xt = transpose(x)
  for (let i = 0; i < n; i++) {
    const gi = i * n
    for (let p = xt.indptr[i]; p < xt.indptr[i + 1]; p++) {
      const u = xt.indices[p]
      const v = xt.data[p]
      for (let q = x.indptr[u]; q < x.indptr[u + 1]; q++) g[gi + x.indices[q]] += v * x.data[q]
    }
  }
  return g
}
