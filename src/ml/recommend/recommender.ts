import type { CsrMatrix } from "../data/csr"
import type { Interactions } from "../data/interactions"
import { type ItemScores, topK } from "./top-k"

/** Plain-object form of a fitted model; `format` names the model, `version` its layout. */
export interface SerializedModel {
  format: string
  version: number
  [key: string]: unknown
}

export interface FitOptions {
  /** Called now and then during long fits; `done` of `total` units of `stage`. */
  onProgress?: (done: number, total: number, stage: string) => void
}

/**
 * The one contract every recommender implements (docs/architecture.md, house style 2). Users and items
 * are dense indices of the Interactions the model was fitted on. A class implementing it also
 * has `static deserialize(s: SerializedModel)` that rebuilds an equal model.
 */
export interface Recommender {
  /** Model family, e.g. "ease". */
  readonly name: string
  fit(data: Interactions, options?: FitOptions): this
  /** A score per item for `user` (higher = better); only the order matters. */
  scores(user: number): ItemScores
  /** Best n items for `user`, minus `exclude` (item indices), best first. */
  recommend(user: number, n: number, exclude?: ArrayLike<number>): Int32Array
  /** n items most like `item` (never `item` itself), best first. */
  similarItems(item: number, n: number): Int32Array
  /** True when the model has purchase history for `user`: its scores are personal. */
  isUserKnown(user: number): boolean
  serialize(): SerializedModel
}

export interface RecommenderClass<R extends Recommender = Recommender> {
  readonly FORMAT: string
  deserialize(s: SerializedModel): R
}

/** Shared parts: history bookkeeping, recommend() from scores(), format checks. */
export abstract class BaseRecommender implements Recommender {
  abstract readonly name: string
  protected history: CsrMatrix | null = null

  abstract fit(data: Interactions, options?: FitOptions): this
  abstract scores(user: number): ItemScores
  abstract similarItems(item: number, n: number): Int32Array
  abstract serialize(): SerializedModel

  get nItems(): number {
    return this.fitted().nCols
  }

  get nUsers(): number {
    return this.fitted().nRows
  }

  isUserKnown(user: number): boolean {
    const h = this.history
    return !!h && user >= 0 && user < h.nRows && h.indptr[user + 1] > h.indptr[user]
  }

  recommend(user: number, n: number, exclude?: ArrayLike<number>): Int32Array {
    const scores = this.scores(user)
    let mask: Uint8Array | null = null
    if (exclude && exclude.length > 0) {
      mask = new Uint8Array(scores.length)
      for (let k = 0; k < exclude.length; k++) mask[exclude[k]] = 1
    }
    return topK(scores, n, mask)
  }

  /** The user's (items, strengths) from the fitted history. */
  protected userRow(user: number): { items: Int32Array; values: Float32Array } {
    const h = this.fitted()
    if (!(user >= 0 && user < h.nRows && Number.isInteger(user))) {
      throw new RangeError(`${this.name}: user ${user} outside 0..${h.nRows - 1}`)
    }
    const lo = h.indptr[user]
    const hi = h.indptr[user + 1]
    return { items: h.indices.subarray(lo, hi), values: h.data.subarray(lo, hi) }
  }

  protected fitted(): CsrMatrix {
    if (!this.history) throw new Error(`${this.name}: not fitted`)
    return this.history
  }

  protected checkItem(item: number): void {
    if (!(item >= 0 && item < this.nItems && Number.isInteger(item))) {
      throw new RangeError(`${this.name}: item ${item} outside 0..${this.nItems - 1}`)
    }
  }
}

/** Throws unless `s` is of `format` at `version`, naming both. */
export function checkFormat(s: SerializedModel, format: string, version: number): void {
  if (!s || s.format !== format) throw new Error(`expected a "${format}" model, got "${s?.format}"`)
  if (s.version !== version) throw new Error(`${format}: unsupported version ${s.version} (this code reads ${version})`)
}

export function serializeCsr(m: CsrMatrix): Record<string, unknown> {
  return { nRows: m.nRows, nCols: m.nCols, indptr: m.indptr, indices: m.indices, data: m.data }
}

export function deserializeCsr(o: unknown): CsrMatrix {
  const m = o as CsrMatrix
  if (
    !(m.indptr instanceof Int32Array) ||
    !(m.indices instanceof Int32Array) ||
    !(m.data instanceof Float32Array) ||
    m.indptr.length !== m.nRows + 1 ||
    m.indices.length !== m.indptr[m.nRows] ||
    m.data.length !== m.indices.length
  ) {
    throw new Error("not a CSR matrix with typed arrays")
  }
  return { nRows: m.nRows, nCols: m.nCols, indptr: m.indptr, indices: m.indices, data: m.data }
}
