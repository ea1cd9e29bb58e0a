import { type CsrMatrix, columnCounts } from "../data/csr"
import type { Interactions } from "../data/interactions"
import { MS_PER_DAY } from "../data/time"
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
import { topKOf } from "./top-k"
import { TrendingRecommender } from "./trending"
import { weightHistory } from "./weighting"

export type CollaborativeSpec = { model: "ease"; options?: EaseOptions } | { model: "item-knn"; options?: ItemKnnOptions }

export interface HybridOptions {
  /**
   * The collaborative part; default EASE with lambda 250 scored on recency-decayed histories
   * (latest purchase of each item, half-life 60 days). This and every default weight below
   * were chosen on the four rolling splits of docs/evaluation.md together (Online Retail,
   * cutoffs 2011-03-01 to 2011-06-01, 92-day test windows); around them the mean metrics are
   * flat to within about 1%.
   */
  collaborative?: CollaborativeSpec
  /** Trending window in days, > 0; default 30. */
  trendWindowDays?: number
  /** Weight of log(1 + recent buyers) / log(1 + max recent buyers), >= 0; default 0.2. */
  trendWeight?: number
  /**
   * Weight of the new-arrivals prior, >= 0; default 0.2. For item i first sold a days before
   * asOf with b buyers so far: exp(-a / newItemDays) x log(1 + b), scaled to a maximum of 1.
   * Products launched in the last weeks draw many first purchases, and a co-purchase model
   * cannot know them yet: on the rolling splits EASE put 4% of its lists on items under 30
   * days old while they held 9-10% of the new purchases, at three times the hit rate.
   */
  newItemWeight?: number
  /** Time constant of the new-arrivals prior in days, > 0; default 20. */
  newItemDays?: number
  /**
   * Weight of the trend term inside the buy-again part, >= 0; default 0.5: among a customer's
   * own products, the ones in season now come back first.
   */
  ownTrendWeight?: number
  /**
   * Weight of the buy-again part, >= 0; default 1 (0 gives the collaborative-plus-trend model
   * alone). For an item the user bought, own = log(1 + distinct orders)
   * + ownRecencyWeight x 2^(-days since the latest of them / ownHalfLifeDays)
   * + repeatRateWeight x (item's buyers with 2+ orders + 1) / (item's buyers + 2)
   * + ownPopularityWeight x log(1 + item's buyers) / log(1 + max buyers)
   * + ownTrendWeight x trend(i).
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
  newItemWeight: 0.2,
  newItemDays: 20,
  ownTrendWeight: 0.5,
  ownWeight: 1,
  ownRecencyWeight: 0.5,
  ownHalfLifeDays: 60,
  repeatRateWeight: 2,
  ownPopularityWeight: 0.5,
}

/**
 * Buy-again with frequency, recency, the item's repeat rate, popularity and trend, blended with
 * a recency-weighted collaborative model, a trending prior and a new-arrivals prior:
 * score = ownWeight x own(u, i) + collaborative(u, i) / max_j collaborative(u, j)
 * + trendWeight x trend(i) + newItemWeight x fresh(i). Weights were chosen on the rolling
 * splits (see the option defaults). With the user's own items excluded (new-item
 * recommendations) the own part is zero and the model ranks as its collaborative part plus
 * the two priors; with them allowed, a strong recent own purchase outranks any collaborative score.
 */
export class HybridRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.hybrid"
  /** 2: the new-arrivals prior (`fresh`) and ownTrendWeight; version 1 models read with both at 0. */
  static readonly VERSION = 2
  readonly name = "hybrid"
  readonly options: Required<HybridOptions>
  private collaborative: EaseRecommender | ItemKnnRecommender | null = null
  private trend: Float64Array = new Float64Array(0)
  private fresh: Float64Array = new Float64Array(0)
  private own: CsrMatrix | null = null
  private trendingModel: TrendingRecommender | null = null
  private byPrior: Int32Array | null = null
  private scratch_: {
    user: number
    near: { items: Int32Array; values: Float32Array } | null
    mark: Uint8Array
    excluded: Uint8Array
    collaborative: Float64Array
    score: Float64Array
  } | null = null

  constructor(options: HybridOptions = {}) {
    super()
    this.options = { ...DEFAULTS, ...options }
    const o = this.options
    if (!(o.trendWindowDays > 0)) throw new RangeError(`HybridRecommender: trendWindowDays must be > 0, got ${o.trendWindowDays}`)
    if (!(o.ownHalfLifeDays > 0)) throw new RangeError(`HybridRecommender: ownHalfLifeDays must be > 0, got ${o.ownHalfLifeDays}`)
    if (!(o.newItemDays > 0)) throw new RangeError(`HybridRecommender: newItemDays must be > 0, got ${o.newItemDays}`)
    for (const k of ["trendWeight", "newItemWeight", "ownTrendWeight", "ownWeight", "ownRecencyWeight", "repeatRateWeight", "ownPopularityWeight"] as const) {
      if (!(o[k] >= 0)) throw new RangeError(`HybridRecommender: ${k} must be >= 0, got ${o[k]}`)
    }
  }

  fit(data: Interactions, options: FitOptions = {}): this {
    const spec = this.options.collaborative
    return this.fitAround(
      data,
      spec.model === "ease" ? new EaseRecommender(spec.options).fit(data, options) : new ItemKnnRecommender(spec.options).fit(data, options)
    )
  }

  /**
   * fit() with its collaborative part given, already on `data`'s users and items (a refresh's
   * item-kNN of kept neighbour rows, ItemKnnRecommender.withSimilarities): the buy-again part
   * and both priors are fitted on `data` here.
   */
  fitAround(data: Interactions, collaborative: EaseRecommender | ItemKnnRecommender): this {
    if (collaborative.nItems !== data.nItems || collaborative.nUsers !== data.nUsers) {
      throw new RangeError(`hybrid: a collaborative part of ${collaborative.nUsers} x ${collaborative.nItems} for data of ${data.nUsers} x ${data.nItems}`)
    }
    this.collaborative = collaborative
    this.trendingModel = new TrendingRecommender({ windowDays: this.options.trendWindowDays }).fit(data)
    this.trend = scaledTrend(this.trendingModel.recentBuyers())
    this.own = ownScores(data, this.options, this.trend)
    this.history = data.strength
    this.fresh = newArrivals(data, this.options.newItemDays)
    this.byPrior = null
    this.scratch_ = null
    return this
  }

  /** The fitted collaborative part (a training run shares an item-kNN with the product strips). */
  get collaborativeModel(): EaseRecommender | ItemKnnRecommender {
    if (!this.collaborative) throw new Error("hybrid: not fitted")
    return this.collaborative
  }

  scores(user: number): Float64Array {
    this.userRow(user)
    const out = this.collaborativeScores(user)
    const own = this.own as CsrMatrix
    const w = this.options.ownWeight
    if (w > 0) for (let p = own.indptr[user]; p < own.indptr[user + 1]; p++) out[own.indices[p]] += w * own.data[p]
    return out
  }

  /**
   * recommend() from scores(), without scoring every item when the collaborative part is a
   * sparse non-negative item-kNN: outside the neighbours of the user's items and their own
   * items, an item scores its priors alone (trendWeight x trend + newItemWeight x fresh), and
   * every item scores at least that. So the n best are among those neighbours, the user's own
   * items and the n + |exclude| items of highest prior; ranking these alone gives the same list,
   * ties included. O(history x neighbours + n) a user instead of O(items): at 100,000 products
   * the two full passes over every product per personal list were most of a training run.
   */
  recommend(user: number, n: number, exclude?: ArrayLike<number>): Int32Array {
    const knn = this.collaborative
    if (!(knn instanceof ItemKnnRecommender) || !knn.sparseNonNegative) return super.recommend(user, n, exclude)
    this.userRow(user)
    const s = this.scratch(this.trend.length)
    // A list and its new-items-only complement score the same user twice in a row.
    if (s.user !== user) {
      s.user = user
      s.near = knn.neighbourScores(user)
    }
    const { items: near, values: c } = s.near as { items: Int32Array; values: Float32Array }
    let max = 0
    for (let t = 0; t < c.length; t++) if (c[t] > max) max = c[t]
    const scale = max > 0 ? 1 / max : 0
    const own = this.own as CsrMatrix
    let excluded = 0
    if (exclude) {
      for (let k = 0; k < exclude.length; k++) {
        if (!s.excluded[exclude[k]]) excluded++
        s.excluded[exclude[k]] = 1
      }
    }
    // Candidates: the neighbours, the own items, the best priors; each once (mark).
    const byPrior = this.itemsByPrior()
    const nPrior = Math.min(byPrior.length, n + excluded)
    const items = new Int32Array(near.length + (own.indptr[user + 1] - own.indptr[user]) + nPrior)
    let m = 0
    const add = (i: number) => {
      if (s.mark[i]) return
      s.mark[i] = 1
      items[m++] = i
    }
    for (let t = 0; t < near.length; t++) {
      s.collaborative[near[t]] = c[t]
      add(near[t])
    }
    for (let p = own.indptr[user]; p < own.indptr[user + 1]; p++) add(own.indices[p])
    for (let r = 0; r < nPrior; r++) add(byPrior[r])
    // The same arithmetic as scores(), term by term, so that equal scores stay equal.
    const tw = this.options.trendWeight
    const nw = this.options.newItemWeight
    for (let t = 0; t < m; t++) {
      const i = items[t]
      s.score[i] = s.collaborative[i] * scale + tw * this.trend[i] + nw * this.fresh[i]
    }
    const w = this.options.ownWeight
    if (w > 0) for (let p = own.indptr[user]; p < own.indptr[user + 1]; p++) s.score[own.indices[p]] += w * own.data[p]
    const candidates = items.subarray(0, m)
    const values = new Float64Array(m)
    for (let t = 0; t < m; t++) values[t] = s.score[candidates[t]]
    const top = topKOf(candidates, values, n, excluded ? s.excluded : null)
    for (let t = 0; t < m; t++) {
      const i = candidates[t]
      s.mark[i] = 0
      s.collaborative[i] = 0
      s.score[i] = 0
    }
    if (exclude) for (let k = 0; k < exclude.length; k++) s.excluded[exclude[k]] = 0
    return top
  }

  /** Every item by decreasing prior (trend and new-arrivals terms), ties by increasing index. */
  private itemsByPrior(): Int32Array {
    if (!this.byPrior) {
      const tw = this.options.trendWeight
      const nw = this.options.newItemWeight
      const prior = Float64Array.from(this.trend, (t, i) => tw * t + nw * this.fresh[i])
      this.byPrior = Int32Array.from({ length: prior.length }, (_, i) => i).sort((a, b) => prior[b] - prior[a] || a - b)
    }
    return this.byPrior
  }

  /** recommend()'s per-item scratch, zero between calls, and the last user's neighbour scores. */
  private scratch(nItems: number) {
    if (!this.scratch_ || this.scratch_.mark.length !== nItems) {
      this.scratch_ = {
        user: -1,
        near: null,
        mark: new Uint8Array(nItems),
        excluded: new Uint8Array(nItems),
        collaborative: new Float64Array(nItems),
        score: new Float64Array(nItems),
      }
    }
    return this.scratch_
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
    const nw = this.options.newItemWeight
    for (let i = 0; i < n; i++) out[i] = c[i] * scale + tw * this.trend[i] + nw * this.fresh[i]
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
      fresh: this.fresh,
      history: serializeCsr(this.fitted()),
    }
  }

  static deserialize(s: SerializedModel): HybridRecommender {
    // A version 1 model has neither prior: read it with both weights at 0, so it ranks as it did.
    const v1 = s?.format === HybridRecommender.FORMAT && s.version === 1
    checkFormat(v1 ? { ...s, version: HybridRecommender.VERSION } : s, HybridRecommender.FORMAT, HybridRecommender.VERSION)
    const m = new HybridRecommender(v1 ? { ...(s.options as HybridOptions), newItemWeight: 0, ownTrendWeight: 0 } : (s.options as HybridOptions))
    const c = s.collaborative as SerializedModel
    m.collaborative = c.format === EaseRecommender.FORMAT ? EaseRecommender.deserialize(c) : ItemKnnRecommender.deserialize(c)
    m.trendingModel = TrendingRecommender.deserialize(s.trending as SerializedModel)
    m.trend = scaledTrend(m.trendingModel.recentBuyers())
    m.own = deserializeCsr(s.own)
    m.history = deserializeCsr(s.history)
    m.fresh = v1 ? new Float64Array(m.history.nCols) : (s.fresh as Float64Array)
    if (!(m.fresh instanceof Float64Array) || m.fresh.length !== m.history.nCols) throw new Error(`${HybridRecommender.FORMAT}: new-arrivals prior does not match ${m.history.nCols} items`)
    return m
  }
}

/**
 * exp(-age / days) x log(1 + buyers) per item, scaled to a maximum of 1 (all 0 when no item
 * has a buyer); age = days from the item's first purchase in `data` to data.asOf, >= 0.
 */
export function newArrivals(data: Interactions, days: number): Float64Array {
  const first = new Float64Array(data.nItems).fill(Number.POSITIVE_INFINITY)
  const { item, time } = data.events
  for (let k = 0; k < item.length; k++) if (time[k] < first[item[k]]) first[item[k]] = time[k]
  const buyers = columnCounts(data.strength)
  const out = new Float64Array(data.nItems)
  let max = 0
  for (let i = 0; i < data.nItems; i++) {
    if (!(buyers[i] > 0)) continue
    const age = Math.max(0, (data.asOf - first[i]) / MS_PER_DAY)
    out[i] = Math.exp(-age / days) * Math.log1p(buyers[i])
    if (out[i] > max) max = out[i]
  }
  if (max > 0) for (let i = 0; i < out.length; i++) out[i] /= max
  return out
}

/** The buy-again part of every (user, item) the user bought, without ownWeight. */
function ownScores(data: Interactions, o: Required<HybridOptions>, trend: Float64Array): CsrMatrix {
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
      (maxLogBuyers > 0 ? (o.ownPopularityWeight * Math.log1p(buyers[i])) / maxLogBuyers : 0) +
      o.ownTrendWeight * trend[i]
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
