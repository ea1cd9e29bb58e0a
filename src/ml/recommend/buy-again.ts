import type { CsrMatrix } from "../data/csr"
import { columnCounts } from "../data/csr"
import type { Interactions } from "../data/interactions"
import { BaseRecommender, type SerializedModel, checkFormat, deserializeCsr, serializeCsr } from "./recommender"
import { topK } from "./top-k"

/**
 * Buy-again then popularity (docs/evaluation.md): the user's own items first, by interaction
 * strength (distinct orders, descending), ties by popularity (descending) then item index;
 * then every other item by popularity. Scores encode that order exactly in float64:
 * own item = (strength + 1) x (maxPopularity + 1) + popularity, other item = popularity.
 */
export class BuyAgainRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.buy-again"
  static readonly VERSION = 1
  readonly name = "buy-again"
  private popularity: Float64Array = new Float64Array(0)

  fit(data: Interactions): this {
    this.history = data.strength
    this.popularity = Float64Array.from(columnCounts(data.strength))
    return this
  }

  scores(user: number): Float64Array {
    const { items, values } = this.userRow(user)
    const out = Float64Array.from(this.popularity)
    let max = 0
    for (let i = 0; i < out.length; i++) if (out[i] > max) max = out[i]
    const base = max + 1
    for (let k = 0; k < items.length; k++) out[items[k]] = (values[k] + 1) * base + this.popularity[items[k]]
    return out
  }

  /** Not item-specific: the most popular other items. */
  similarItems(item: number, n: number): Int32Array {
    this.checkItem(item)
    const mask = new Uint8Array(this.nItems)
    mask[item] = 1
    return topK(this.popularity, n, mask)
  }

  serialize(): SerializedModel {
    return { format: BuyAgainRecommender.FORMAT, version: BuyAgainRecommender.VERSION, history: serializeCsr(this.fitted()) }
  }

  static deserialize(s: SerializedModel): BuyAgainRecommender {
    checkFormat(s, BuyAgainRecommender.FORMAT, BuyAgainRecommender.VERSION)
    const m = new BuyAgainRecommender()
    const history: CsrMatrix = deserializeCsr(s.history)
    m.history = history
    m.popularity = Float64Array.from(columnCounts(history))
    return m
  }
}
