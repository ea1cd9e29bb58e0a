/**
 * Content-based similarity over product text: TF-IDF vectors of the words of a product's
 * title, description, categories, collection, tags and type, compared by cosine. A product
 * added today has no purchases, so no collaborative model can place it; its text can: "related"
 * lists for products with few purchases, and a place in a customer's list for new products close
 * to what they bought. Framework-free: plain product texts in, typed arrays out.
 */
import { type CsrMatrix, transpose } from "../data/csr"
import { topKOf } from "./top-k"

/** What the training run passes per product (read from Medusa; any field may be missing). */
export interface ProductText {
  id: string
  title?: string | null
  description?: string | null
  /** Category names. */
  categories?: readonly string[] | null
  /** Collection title. */
  collection?: string | null
  /** Tag values. */
  tags?: readonly string[] | null
  /** Product type value. */
  type?: string | null
}

export interface ContentOptions {
  /**
   * Weight of a word per field (its term count is multiplied by it before the TF-IDF); default
   * 1 for every field. A field at 0 is ignored.
   */
  fieldWeights?: Partial<Record<"title" | "description" | "categories" | "collection" | "tags" | "type", number>>
  /** Words of fewer characters are dropped; default 2. */
  minWordLength?: number
  /**
   * Words in more than this share of the products are dropped (they tell nothing apart and
   * make the similarity search quadratic), in (0, 1]; default 0.5.
   */
  maxDocumentShare?: number
  /** Extra words to drop (lower case), besides the built-in English stop words. */
  stopWords?: readonly string[]
  /**
   * Words in more products than this count in the cosine but are not used to look for a
   * product's most similar ones (similar(), neighbours()), >= 1; default 2,000. Looking through
   * a word costs the products that have it, for every product that has it: words in half of
   * 100,000 products made that search quadratic. Smaller catalogues search every word.
   */
  searchMaxProducts?: number
}

/** ContentOptions.searchMaxProducts' default. */
export const SEARCH_MAX_PRODUCTS = 2000

/** Common English function words, and words that describe any product listing. */
const STOP_WORDS = new Set(
  "a an and are as at be by for from has have in is it its of on or set sets the this to with without your you our we new pack size".split(" ")
)

const FIELDS = ["title", "description", "categories", "collection", "tags", "type"] as const

/** Lower-case words of letters and digits (any script), at least `minLength` characters. */
export function tokenize(text: string, minLength = 2): string[] {
  const out: string[] = []
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) if (m[0].length >= minLength) out.push(m[0])
  return out
}

/**
 * TF-IDF vectors of products and cosine neighbours between them. Term frequency = weighted
 * count of the word in the product's fields; idf = ln((1 + N) / (1 + df)) + 1 (N products, df
 * products with the word: scikit-learn's smoothed idf); each vector is L2-normalised, so the
 * cosine of two products is the dot product of their vectors, in [0, 1].
 */
export class ContentIndex {
  /** Product ids, in input order (the index of a product is its position). */
  readonly ids: readonly string[]
  /** Vocabulary, sorted; column j of `vectors` is vocabulary[j]. */
  readonly vocabulary: readonly string[]
  /** Products x words, L2-normalised rows (a product without words has an empty row). */
  readonly vectors: CsrMatrix
  private readonly byWord: CsrMatrix
  private readonly position: Map<string, number>
  /** candidates()' scratch: a seen mark (0 between calls) and the products touched. */
  private scratch: { mark: Uint8Array; touched: Int32Array } | null = null

  private constructor(
    ids: readonly string[],
    vocabulary: readonly string[],
    vectors: CsrMatrix,
    private readonly searchMaxProducts: number
  ) {
    this.ids = ids
    this.vocabulary = vocabulary
    this.vectors = vectors
    this.byWord = transpose(vectors)
    this.position = new Map(ids.map((id, i) => [id, i]))
  }

  /** Builds the index; product ids must be unique. */
  static fit(products: readonly ProductText[], options: ContentOptions = {}): ContentIndex {
    const minLength = options.minWordLength ?? 2
    const maxShare = options.maxDocumentShare ?? 0.5
    if (!(maxShare > 0 && maxShare <= 1)) throw new RangeError(`ContentIndex: maxDocumentShare must be in (0, 1], got ${maxShare}`)
    const searchMax = options.searchMaxProducts ?? SEARCH_MAX_PRODUCTS
    if (!(Number.isInteger(searchMax) && searchMax >= 1)) throw new RangeError(`ContentIndex: searchMaxProducts must be an integer >= 1, got ${searchMax}`)
    const weights = { title: 1, description: 1, categories: 1, collection: 1, tags: 1, type: 1, ...options.fieldWeights }
    const stop = new Set([...STOP_WORDS, ...(options.stopWords ?? []).map((w) => w.toLowerCase())])
    const seen = new Set<string>()
    const counts: Map<string, number>[] = products.map((p) => {
      if (seen.has(p.id)) throw new RangeError(`ContentIndex: product id "${p.id}" appears twice`)
      seen.add(p.id)
      const c = new Map<string, number>()
      for (const field of FIELDS) {
        const w = weights[field]
        if (!(w > 0)) continue
        const value = p[field]
        const texts = value == null ? [] : typeof value === "string" ? [value] : value
        for (const text of texts) for (const word of tokenize(text, minLength)) if (!stop.has(word)) c.set(word, (c.get(word) ?? 0) + w)
      }
      return c
    })
    const n = products.length
    const df = new Map<string, number>()
    for (const c of counts) for (const word of c.keys()) df.set(word, (df.get(word) ?? 0) + 1)
    const vocabulary = Array.from(df.keys())
      .filter((w) => (df.get(w) as number) <= maxShare * n)
      .sort()
    const column = new Map(vocabulary.map((w, j) => [w, j]))
    const idf = vocabulary.map((w) => Math.log((1 + n) / (1 + (df.get(w) as number))) + 1)
    const indptr = new Int32Array(n + 1)
    const indices: number[] = []
    const data: number[] = []
    counts.forEach((c, i) => {
      const row: [number, number][] = []
      for (const [word, tf] of c) {
        const j = column.get(word)
        if (j !== undefined) row.push([j, tf * idf[j]])
      }
      row.sort((a, b) => a[0] - b[0])
      let norm = 0
      for (const [, v] of row) norm += v * v
      norm = Math.sqrt(norm)
      for (const [j, v] of row) {
        indices.push(j)
        data.push(v / norm)
      }
      indptr[i + 1] = indices.length
    })
    const vectors: CsrMatrix = { nRows: n, nCols: vocabulary.length, indptr, indices: Int32Array.from(indices), data: Float32Array.from(data) }
    return new ContentIndex(
      products.map((p) => p.id),
      vocabulary,
      vectors,
      searchMax
    )
  }

  /** Position of a product id, or -1. */
  indexOf(id: string): number {
    return this.position.get(id) ?? -1
  }

  /** Cosine of products a and b (indices), in [0, 1]. */
  cosine(a: number, b: number): number {
    const v = this.vectors
    let p = v.indptr[a]
    let q = v.indptr[b]
    let s = 0
    while (p < v.indptr[a + 1] && q < v.indptr[b + 1]) {
      const ja = v.indices[p]
      const jb = v.indices[q]
      if (ja === jb) s += v.data[p++] * v.data[q++]
      else if (ja < jb) p++
      else q++
    }
    return s
  }

  /** Cosine of product `a` with every product (Float64Array of ids.length), through the word index. */
  similarities(a: number): Float64Array {
    const v = this.vectors
    const w = this.byWord
    const out = new Float64Array(this.ids.length)
    for (let p = v.indptr[a]; p < v.indptr[a + 1]; p++) {
      const word = v.indices[p]
      const x = v.data[p]
      for (let q = w.indptr[word]; q < w.indptr[word + 1]; q++) out[w.indices[q]] += x * w.data[q]
    }
    return out
  }

  /**
   * The products other than `a` that share with it a word of at most searchMaxProducts
   * products, in no particular order: where similar() looks. O(products per such word).
   */
  candidates(a: number): Int32Array {
    const v = this.vectors
    const w = this.byWord
    const n = this.ids.length
    if (!this.scratch || this.scratch.mark.length !== n) this.scratch = { mark: new Uint8Array(n), touched: new Int32Array(n) }
    const { mark, touched } = this.scratch
    let nt = 0
    mark[a] = 1
    for (let p = v.indptr[a]; p < v.indptr[a + 1]; p++) {
      const word = v.indices[p]
      if (w.indptr[word + 1] - w.indptr[word] > this.searchMaxProducts) continue
      for (let q = w.indptr[word]; q < w.indptr[word + 1]; q++) {
        const j = w.indices[q]
        if (!mark[j]) {
          mark[j] = 1
          touched[nt++] = j
        }
      }
    }
    mark[a] = 0
    const out = touched.slice(0, nt)
    for (const j of out) mark[j] = 0
    return out
  }

  /**
   * The n products most similar to product `a` (never `a`), best first, ties by index; only
   * products with a positive cosine are listed, so the list may be shorter than n. Looked for
   * among candidates(a): a product that shares with `a` only words of more than
   * searchMaxProducts products is not found (the cosine itself counts every word). The cosine
   * of two products equals similarities()'s, bit for bit (same terms, same order).
   */
  similar(a: number, n: number, exclude?: Uint8Array | null): Int32Array {
    return this.mostSimilar(a, n, exclude).items
  }

  /**
   * Every product's `n` nearest products with their cosines, as a products x products CSR
   * (row a = a's neighbours, by increasing index). O(sum over words of df^2) after the stop and
   * share filters.
   */
  neighbours(n: number): CsrMatrix {
    const rows = this.ids.length
    const indptr = new Int32Array(rows + 1)
    const idx: Int32Array[] = []
    const val: Float32Array[] = []
    for (let a = 0; a < rows; a++) {
      const top = this.mostSimilar(a, n)
      const order = Array.from(top.items.keys()).sort((x, y) => top.items[x] - top.items[y])
      idx.push(Int32Array.from(order, (x) => top.items[x]))
      val.push(Float32Array.from(order, (x) => top.values[x]))
      indptr[a + 1] = indptr[a] + order.length
    }
    const indices = new Int32Array(indptr[rows])
    const data = new Float32Array(indptr[rows])
    for (let a = 0; a < rows; a++) {
      indices.set(idx[a], indptr[a])
      data.set(val[a], indptr[a])
    }
    return { nRows: rows, nCols: rows, indptr, indices, data }
  }

  /** similar() with the cosines of the products it lists. */
  private mostSimilar(a: number, n: number, exclude?: Uint8Array | null): { items: Int32Array; values: Float64Array } {
    const near = this.candidates(a)
    const cos = Float64Array.from(near, (j) => this.cosine(a, j))
    let m = 0
    for (let t = 0; t < near.length; t++) {
      if (!(cos[t] > 0)) continue
      near[m] = near[t]
      cos[m++] = cos[t]
    }
    const items = topKOf(near.subarray(0, m), cos.subarray(0, m), n, exclude)
    return { items, values: Float64Array.from(items, (j) => this.cosine(a, j)) }
  }

  /**
   * A customer's affinity to each product: the mean over the history's products of their cosine
   * with it, weighted by `weights` (default 1 each; e.g. recency weights). History entries are
   * product indices of this index (unknown ones, -1, are skipped). Returns ids.length scores in
   * [0, 1] (0 for an empty history).
   */
  historyScores(history: ArrayLike<number>, weights?: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.ids.length)
    let total = 0
    for (let k = 0; k < history.length; k++) {
      const a = history[k]
      if (a < 0) continue
      const w = weights ? weights[k] : 1
      if (!(w > 0)) continue
      const s = this.similarities(a)
      for (let j = 0; j < out.length; j++) out[j] += w * s[j]
      total += w
    }
    if (total > 0) for (let j = 0; j < out.length; j++) out[j] /= total
    return out
  }
}
