import type { Interactions } from "../data/interactions"
import { MS_PER_DAY } from "../data/time"
import { BaseRecommender, type SerializedModel, checkFormat, deserializeCsr, serializeCsr } from "./recommender"
import { topK } from "./top-k"

export interface TrendingOptions {
  /** Window before asOf in which buyers count, in days, > 0; default 30. */
  windowDays?: number
  /**
   * Half-life of a purchase's weight in days, > 0; default Infinity (every recent buyer counts
   * 1). With a half-life, a buyer whose latest purchase of the item is a days old counts
   * 2^(-a / halfLifeDays): this week's buyers outweigh last month's.
   */
  halfLifeDays?: number
}

/**
 * Trending: score of an item = distinct users who bought it in the `windowDays` before the
 * data's asOf (so the same for everyone). Catches launches and seasonal lines that all-time
 * popularity and co-purchase models, weighted by the whole history, are slow to rank.
 */
export class TrendingRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.trending"
  static readonly VERSION = 1
  readonly name = "trending"
  readonly options: Required<TrendingOptions>
  private buyers: Float64Array = new Float64Array(0)

  constructor(options: TrendingOptions = {}) {
    super()
    const windowDays = options.windowDays ?? 30
    const halfLifeDays = options.halfLifeDays ?? Number.POSITIVE_INFINITY
    if (!(windowDays > 0)) throw new RangeError(`TrendingRecommender: windowDays must be > 0, got ${windowDays}`)
    if (!(halfLifeDays > 0)) throw new RangeError(`TrendingRecommender: halfLifeDays must be > 0, got ${halfLifeDays}`)
    this.options = { windowDays, halfLifeDays }
  }

  fit(data: Interactions): this {
    const from = data.asOf - this.options.windowDays * MS_PER_DAY
    const out = new Float64Array(data.nItems)
    const { user, item, time } = data.events
    // Events are sorted by (user, item, time): count each (user, item) run once if any is recent.
    for (let k = 0; k < user.length; k++) {
      const lastOfRun = k + 1 === user.length || user[k + 1] !== user[k] || item[k + 1] !== item[k]
      if (lastOfRun && time[k] >= from && time[k] < data.asOf) {
        out[item[k]] += 2 ** (-(data.asOf - time[k]) / MS_PER_DAY / this.options.halfLifeDays)
      }
    }
    this.buyers = out
    this.history = data.strength
    return this
  }

  /** Recent distinct buyers per item (shared array: do not modify). */
  scores(user: number): Float64Array {
    this.userRow(user)
    return this.buyers
  }

  /** Recent distinct buyers per item, for blends. */
  recentBuyers(): Float64Array {
    this.fitted()
    return this.buyers
  }

  /** Not item-specific: the other trending items. */
  similarItems(item: number, n: number): Int32Array {
    this.checkItem(item)
    const mask = new Uint8Array(this.nItems)
    mask[item] = 1
    return topK(this.buyers, n, mask)
  }

  serialize(): SerializedModel {
    return {
      format: TrendingRecommender.FORMAT,
      version: TrendingRecommender.VERSION,
      options: this.options,
      history: serializeCsr(this.fitted()),
      buyers: this.buyers,
    }
  }

  static deserialize(s: SerializedModel): TrendingRecommender {
    checkFormat(s, TrendingRecommender.FORMAT, TrendingRecommender.VERSION)
    const m = new TrendingRecommender(s.options as TrendingOptions)
    m.history = deserializeCsr(s.history)
    m.buyers = s.buyers as Float64Array
    return m
  }
}
