import { type CsrMatrix, columnCounts } from "../data/csr"
import type { Interactions } from "../data/interactions"
import { type EaseOptions, EaseRecommender } from "./ease"
import { type ItemKnnOptions, ItemKnnRecommender } from "./item-knn"
import {
  BaseRecommender,
  type FitOptions,
  type SerializedModel,
  checkFormat,
  deserializeCsr,
  serializeCsr,
} from "./recommender"
import { TrendingRecommender } from "./trending"
import { weightHistory } from "./weighting"

export type CollaborativeSpec = { model: "ease"; options?: EaseOptions } | { model: "item-knn"; options?: ItemKnnOptions }

export interface HybridOptions {
  /**
   * The collaborative part; default EASE with lambda 250 scored on recency-decayed histories
   * (latest purchase of each item, half-life 60 days). This and every default weight below
   * were chosen on Online Retail with a validation split cut from the development training
   * data (train before 2011-03-01, validate on [2011-03-01, 2011-06-01)), never on its test.
   */
  collaborative?: CollaborativeSpec
  /** Trending window in days, > 0; default 30. */
  trendWindowDays?: number
  /** Weight of log(1 + recent buyers) / log(1 + max recent buyers), >= 0; default 0.2. */
  trendWeight?: number
  /**
   * Weight of the buy-again part, >= 0; default 1 (0 gives the collaborative-plus-trend model
   * alone). For an item the user bought, own = log(1 + distinct orders)
   * + ownRecencyWeight x 2^(-days since the latest of them / ownHalfLifeDays)
   * + repeatRateWeight x (item's buyers with 2+ orders + 1) / (item's buyers + 2)
   * + ownPopularityWeight x log(1 + item's buyers) / log(1 + max buyers).
   */
  ownWeight?: number
  /** Default 0.5. */
  ownRecencyWeight?: number
  /** Half-life of the recency term in days, > 0; default 60. */
  ownHalfLifeDays?: number
  /** Default 2: some products are bought again and again, most once. */
  repeatRateWeight?: number
  /** Default 0.5: among the user's own items, popular ones come back more often. */
  ownPopularityWeight?: number
}

const DEFAULTS = {
  collaborative: {
    model: "ease",
    options: { lambda: 250, scoreWeighting: { kind: "last-decay", halfLifeDays: 60 } },
  } as CollaborativeSpec,
  trendWindowDays: 30,
  trendWeight: 0.2,
  ownWeight: 1,
  ownRecencyWeight: 0.5,
  ownHalfLifeDays: 60,
  repeatRateWeight: 2,
  ownPopularityWeight: 0.5,
}

/**
 * Buy-again with frequency, recency, the item's repeat rate and popularity, blended with a
 * recency-weighted collaborative model and a trending prior: score = ownWeight x own(u, i)
 * + collaborative(u, i) / max_j collaborative(u, j) + trendWeight x trend(i). Weights were
 * chosen on a validation split cut from training data (see the option defaults). With the user's own items excluded (new-item
 * recommendations) the own part is zero and the model ranks as its collaborative part plus
 * trend; with them allowed, a strong recent own purchase outranks any collaborative score.
 */
export class HybridRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.hybrid"
  static readonly VERSION = 1
  readonly name = "hybrid"
  readonly options: Required<HybridOptions>
  private collaborative: EaseRecommender | ItemKnnRecommender | null = null
  private trend: Float64Array = new Float64Array(0)
  private own: CsrMatrix | null = null
  private trendingModel: TrendingRecommender | null = null

  constructor(options: HybridOptions = {}) {
    super()
    this.options = { ...DEFAULTS, ...options }
    const o = this.options
    if (!(o.trendWindowDays > 0)) throw new RangeError(`HybridRecommender: trendWindowDays must be > 0, got ${o.trendWindowDays}`)
    if (!(o.ownHalfLifeDays > 0)) throw new RangeError(`HybridRecommender: ownHalfLifeDays must be > 0, got ${o.ownHalfLifeDays}`)
    for (const k of ["trendWeight", "ownWeight", "ownRecencyWeight", "repeatRateWeight", "ownPopularityWeight"] as const) {
      if (!(o[k] >= 0)) throw new RangeError(`HybridRecommender: ${k} must be >= 0, got ${o[k]}`)
    }
  }

  fit(data: Interactions, options: FitOptions = {}): this {
    const spec = this.options.collaborative
    this.collaborative =
      spec.model === "ease" ? new EaseRecommender(spec.options).fit(data, options) : new ItemKnnRecommender(spec.options).fit(data, options)
    this.trendingModel = new TrendingRecommender({ windowDays: this.options.trendWindowDays }).fit(data)
    this.own = ownScores(data, this.options)
    this.history = data.strength
    this.trend = scaledTrend(this.trendingModel.recentBuyers())
    return this
  }

  scores(user: number): Float64Array {
    this.userRow(user)
    const out = this.collaborativeScores(user)
    const own = this.own as CsrMatrix
    const w = this.options.ownWeight
    if (w > 0) for (let p = own.indptr[user]; p < own.indptr[user + 1]; p++) out[own.indices[p]] += w * own.data[p]
    return out
  }

  /** Collaborative part scaled to a maximum of 1, plus trend: the ranking for new items. */
  collaborativeScores(user: number): Float64Array {
    const c = (this.collaborative as EaseRecommender | ItemKnnRecommender).scores(user)
    const n = c.length
    let max = 0
    for (let i = 0; i < n; i++) if (c[i] > max) max = c[i]
    const scale = max > 0 ? 1 / max : 0
    const out = new Float64Array(n)
    const tw = this.options.trendWeight
    for (let i = 0; i < n; i++) out[i] = c[i] * scale + tw * this.trend[i]
    return out
  }

  similarItems(item: number, n: number): Int32Array {
    return (this.collaborative as EaseRecommender | ItemKnnRecommender).similarItems(item, n)
  }

  serialize(): SerializedModel {
    return {
      format: HybridRecommender.FORMAT,
      version: HybridRecommender.VERSION,
      options: this.options,
      collaborative: (this.collaborative as EaseRecommender | ItemKnnRecommender).serialize(),
      trending: (this.trendingModel as TrendingRecommender).serialize(),
      own: serializeCsr(this.own as CsrMatrix),
      history: serializeCsr(this.fitted()),
    }
  }

  static deserialize(s: SerializedModel): HybridRecommender {
    checkFormat(s, HybridRecommender.FORMAT, HybridRecommender.VERSION)
    const m = new HybridRecommender(s.options as HybridOptions)
    const c = s.collaborative as SerializedModel
    m.collaborative = c.format === EaseRecommender.FORMAT ? EaseRecommender.deserialize(c) : ItemKnnRecommender.deserialize(c)
    m.trendingModel = TrendingRecommender.deserialize(s.trending as SerializedModel)
    m.trend = scaledTrend(m.trendingModel.recentBuyers())
    m.own = deserializeCsr(s.own)
    m.history = deserializeCsr(s.history)
    return m
  }
}

/** The buy-again part of every (user, item) the user bought, without ownWeight. */
function ownScores(data: Interactions, o: Required<HybridOptions>): CsrMatrix {
  const s = data.strength
  const buyers = columnCounts(s)
  const repeaters = new Float64Array(data.nItems)
  for (let p = 0; p < s.data.length; p++) if (s.data[p] >= 2) repeaters[s.indices[p]]++
  let maxLogBuyers = 0
  for (let i = 0; i < data.nItems; i++) maxLogBuyers = Math.max(maxLogBuyers, Math.log1p(buyers[i]))
  const recency = weightHistory(data, { kind: "last-decay", halfLifeDays: o.ownHalfLifeDays })
  if (recency.indices.length !== s.indices.length) throw new Error("ownScores: recency and strength patterns differ")
  const data32 = new Float32Array(s.data.length)
  for (let p = 0; p < s.data.length; p++) {
    const i = s.indices[p]
    data32[p] =
      Math.log1p(s.data[p]) +
      o.ownRecencyWeight * recency.data[p] +
      (o.repeatRateWeight * (repeaters[i] + 1)) / (buyers[i] + 2) +
      (maxLogBuyers > 0 ? (o.ownPopularityWeight * Math.log1p(buyers[i])) / maxLogBuyers : 0)
  }
  return { ...s, data: data32 }
}

/** log(1 + recent buyers) scaled to [0, 1]: a launch with few buyers still counts. */
function scaledTrend(buyers: Float64Array): Float64Array {
  let max = 0
  const out = new Float64Array(buyers.length)
  for (let i = 0; i < buyers.length; i++) {
    out[i] = Math.log1p(buyers[i])
    if (out[i] > max) max = out[i]
  }
  if (max > 0) for (let i = 0; i < out.length; i++) out[i] /= max
  return out
}
