/**
 * New products in personal lists: a product with few or no purchases gets a place in the list
 * of a customer whose history is close to it in text (ContentIndex), since no collaborative
 * score can put it there. Plain functions over product indexes of a ContentIndex.
 */
import { type CsrMatrix, transpose } from "../data/csr"
import type { ContentIndex } from "./content"
import { topK } from "./top-k"

export interface ColdPickOptions {
  /** Products to pick, >= 0; default 2. */
  n?: number
  /** Least mean text cosine to the history for a pick, in [0, 1]; default 0.1. */
  minSimilarity?: number
  /** Weight of each history entry (e.g. 2^(-age / half-life)); default 1 each. */
  weights?: ArrayLike<number>
}

/**
 * The `n` cold products (cold[j] !== 0, indexed like content.ids) closest to a customer's
 * history (product indexes of `content`; -1 entries are skipped), by weighted mean text cosine,
 * best first; only those at or above minSimilarity. Empty for an empty history.
 */
export function coldItemPicks(content: ContentIndex, history: ArrayLike<number>, cold: Uint8Array, options: ColdPickOptions = {}): Int32Array {
  const n = options.n ?? 2
  const min = options.minSimilarity ?? 0.1
  if (cold.length !== content.ids.length) throw new RangeError(`coldItemPicks: cold has ${cold.length} entries for ${content.ids.length} products`)
  const scores = content.historyScores(history, options.weights)
  const mask = new Uint8Array(scores.length)
  for (let j = 0; j < scores.length; j++) if (!cold[j] || scores[j] < min) mask[j] = 1
  for (let k = 0; k < history.length; k++) if (history[k] >= 0) mask[history[k]] = 1
  return topK(scores, n, mask)
}

/**
 * coldItemPicks for many customers of one catalogue, without its cost per customer: the dense
 * version computes every product's cosine with every history product (O(history x products)
 * per customer); this one keeps, per history product, its cosines with the cold products only
 * (a sparse row through a word index of the cold products, computed once and cached), so a
 * customer costs O(history x cold neighbours). Same picks as coldItemPicks, bit for bit: the
 * same products, sums in the same order, ties by index (the tests hold it to that).
 */
export class ColdItemScorer {
  private readonly coldByWord: CsrMatrix
  private readonly cache = new Map<number, { items: Int32Array; sims: Float64Array }>()
  private cached = 0
  private readonly acc: Float64Array
  private readonly seen: Uint8Array

  /**
   * `cold` as coldItemPicks takes it; `cacheEntries` bounds the cosines kept (default 20
   * million, some 240 MB): past it, rows are computed again when needed.
   */
  constructor(
    private readonly content: ContentIndex,
    private readonly cold: Uint8Array,
    private readonly cacheEntries = 20_000_000
  ) {
    if (cold.length !== content.ids.length) throw new RangeError(`ColdItemScorer: cold has ${cold.length} entries for ${content.ids.length} products`)
    // The word index of the cold products alone, entries in the order of the full one.
    const byWord = transpose(content.vectors)
    const keep: number[] = []
    const indptr = new Int32Array(byWord.nRows + 1)
    for (let w = 0; w < byWord.nRows; w++) {
      for (let q = byWord.indptr[w]; q < byWord.indptr[w + 1]; q++) if (cold[byWord.indices[q]]) keep.push(q)
      indptr[w + 1] = keep.length
    }
    this.coldByWord = {
      nRows: byWord.nRows,
      nCols: byWord.nCols,
      indptr,
      indices: Int32Array.from(keep, (q) => byWord.indices[q]),
      data: Float32Array.from(keep, (q) => byWord.data[q]),
    }
    this.acc = new Float64Array(content.ids.length)
    this.seen = new Uint8Array(content.ids.length)
  }

  /** Cosines of product `a` with the cold products it shares a word with, by increasing index. */
  private row(a: number): { items: Int32Array; sims: Float64Array } {
    const hit = this.cache.get(a)
    if (hit) return hit
    const v = this.content.vectors
    const w = this.coldByWord
    const touched: number[] = []
    for (let p = v.indptr[a]; p < v.indptr[a + 1]; p++) {
      const word = v.indices[p]
      const x = v.data[p]
      for (let q = w.indptr[word]; q < w.indptr[word + 1]; q++) {
        const j = w.indices[q]
        if (!this.seen[j]) {
          this.seen[j] = 1
          touched.push(j)
        }
        this.acc[j] += x * w.data[q]
      }
    }
    const items = Int32Array.from(touched).sort()
    const sims = Float64Array.from(items, (j) => this.acc[j])
    for (const j of touched) {
      this.acc[j] = 0
      this.seen[j] = 0
    }
    const out = { items, sims }
    if (this.cached + items.length <= this.cacheEntries) {
      this.cache.set(a, out)
      this.cached += items.length
    }
    return out
  }

  /** What coldItemPicks(content, history, cold, options) returns. */
  picks(history: ArrayLike<number>, options: ColdPickOptions = {}): Int32Array {
    const n = options.n ?? 2
    const min = options.minSimilarity ?? 0.1
    // Products no history product shares a word with score 0: only a minimum of 0 or less can pick them.
    if (!(min > 0)) return coldItemPicks(this.content, history, this.cold, options)
    const sum = new Map<number, number>()
    let total = 0
    for (let k = 0; k < history.length; k++) {
      const a = history[k]
      if (a < 0) continue
      const wk = options.weights ? options.weights[k] : 1
      if (!(wk > 0)) continue
      const { items, sims } = this.row(a)
      for (let t = 0; t < items.length; t++) sum.set(items[t], (sum.get(items[t]) ?? 0) + wk * sims[t])
      total += wk
    }
    if (!(total > 0)) return new Int32Array(0)
    for (let k = 0; k < history.length; k++) if (history[k] >= 0) sum.delete(history[k])
    const candidates = Int32Array.from(sum.keys()).sort()
    const scores = Float64Array.from(candidates, (j) => (sum.get(j) as number) / total)
    const mask = Uint8Array.from(scores, (s) => (s < min ? 1 : 0))
    return Int32Array.from(topK(scores, n, mask), (c) => candidates[c])
  }
}

/**
 * Products with fewer than `minBuyers` buyers (default 3), as a 0/1 mask over content.ids;
 * `buyers` maps a product id to its distinct buyers (missing = 0).
 */
export function coldMask(content: ContentIndex, buyers: ReadonlyMap<string, number>, minBuyers = 3): Uint8Array {
  return Uint8Array.from(content.ids, (id) => ((buyers.get(id) ?? 0) < minBuyers ? 1 : 0))
}

/**
 * `list` with `extra` placed at positions first, first + every, ... (0-based; default 3 and 5:
 * the 4th, 9th, ... slot), skipping extras already in the list; extras whose slot lies past the
 * end are dropped. The list keeps its length when `keepLength` (default true): the last entries
 * make room.
 */
export function interleave<T>(list: readonly T[], extra: readonly T[], options: { first?: number; every?: number; keepLength?: boolean } = {}): T[] {
  const first = options.first ?? 3
  const every = options.every ?? 5
  if (!(Number.isInteger(first) && first >= 0 && Number.isInteger(every) && every >= 1)) throw new RangeError("interleave: first must be an integer >= 0 and every >= 1")
  const present = new Set(list)
  const adds = extra.filter((x) => !present.has(x))
  const out: T[] = []
  let k = 0
  for (const x of list) {
    while (k < adds.length && out.length === first + k * every) out.push(adds[k++])
    out.push(x)
  }
  while (k < adds.length && out.length >= first + k * every) out.push(adds[k++])
  return options.keepLength === false ? out : out.slice(0, Math.max(list.length, 0))
}
