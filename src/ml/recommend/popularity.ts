import { binarize, columnCounts } from "../data/csr"
import type { Interactions } from "../data/interactions"
import { BaseRecommender, type SerializedModel, checkFormat, deserializeCsr, serializeCsr } from "./recommender"
import { topK } from "./top-k"

/**
 * Popularity: score of an item = number of distinct users who bought it in the fitted data.
 * The same list for everyone; the fallback for unknown users and the floor every other model
 * must beat.
 */
export class PopularityRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.popularity"
  static readonly VERSION = 1
  readonly name = "popularity"
  private popularity: Float64Array = new Float64Array(0)

  fit(data: Interactions): this {
    this.history = binarize(data.strength)
    this.popularity = Float64Array.from(columnCounts(data.strength))
    return this
  }

  /** Distinct buyers per item (the same array for every user: do not modify it). */
  scores(user: number): Float64Array {
    this.userRow(user)
    return this.popularity
  }

  /** Buyers per item, for models that fall back on popularity. */
  buyers(): Float64Array {
    this.fitted()
    return this.popularity
  }

  /** Not item-specific: the most popular other items. */
  similarItems(item: number, n: number): Int32Array {
    this.checkItem(item)
    const mask = new Uint8Array(this.nItems)
    mask[item] = 1
    return topK(this.popularity, n, mask)
  }

  serialize(): SerializedModel {
    return {
      format: PopularityRecommender.FORMAT,
      version: PopularityRecommender.VERSION,
      history: serializeCsr(this.fitted()),
      popularity: this.popularity,
    }
  }

  static deserialize(s: SerializedModel): PopularityRecommender {
    checkFormat(s, PopularityRecommender.FORMAT, PopularityRecommender.VERSION)
    const m = new PopularityRecommender()
    m.history = deserializeCsr(s.history)
    m.popularity = s.popularity as Float64Array
    return m
  }
}
