import { type AlsOptions, AlsRecommender } from "../recommend/als"
import { type BlendOptions, BlendRecommender } from "../recommend/blend"
import { BuyAgainRecommender } from "../recommend/buy-again"
import { type EaseOptions, EaseRecommender } from "../recommend/ease"
import { type HybridOptions, HybridRecommender } from "../recommend/hybrid"
import { type ItemKnnOptions, ItemKnnRecommender } from "../recommend/item-knn"
import { type MultVaeOptions, MultVaeRecommender } from "../recommend/mult-vae"
import { PopularityRecommender } from "../recommend/popularity"
import type { Recommender, SerializedModel } from "../recommend/recommender"
import { type Rp3BetaOptions, Rp3BetaRecommender } from "../recommend/rp3beta"
import { type TrendingOptions, TrendingRecommender } from "../recommend/trending"

/** Constructor options of each recommender, by the name a fit job uses. */
export interface RecommenderOptionsByModel {
  popularity: Record<string, never>
  "buy-again": Record<string, never>
  "item-knn": ItemKnnOptions
  ease: EaseOptions
  als: AlsOptions
  trending: TrendingOptions
  hybrid: HybridOptions
  rp3beta: Rp3BetaOptions
  blend: BlendOptions
  /**
   * Fits on the TF.js backend of its options, which must be active: the "recommender" job kind
   * fits it only with backend "cpu"; the "mult-vae" job kind of fit-in-worker.ts prepares wasm.
   */
  "mult-vae": MultVaeOptions
}

export type RecommenderModel = keyof RecommenderOptionsByModel

interface Entry {
  format: string
  create(options: object): Recommender
  deserialize(s: SerializedModel): Recommender
}

/** Every recommender of src/ml/recommend: how to build one from plain options and read one back. */
export const RECOMMENDERS: Readonly<Record<RecommenderModel, Entry>> = {
  popularity: { format: PopularityRecommender.FORMAT, create: () => new PopularityRecommender(), deserialize: (s) => PopularityRecommender.deserialize(s) },
  "buy-again": { format: BuyAgainRecommender.FORMAT, create: () => new BuyAgainRecommender(), deserialize: (s) => BuyAgainRecommender.deserialize(s) },
  "item-knn": { format: ItemKnnRecommender.FORMAT, create: (o) => new ItemKnnRecommender(o), deserialize: (s) => ItemKnnRecommender.deserialize(s) },
  ease: { format: EaseRecommender.FORMAT, create: (o) => new EaseRecommender(o), deserialize: (s) => EaseRecommender.deserialize(s) },
  als: { format: AlsRecommender.FORMAT, create: (o) => new AlsRecommender(o), deserialize: (s) => AlsRecommender.deserialize(s) },
  trending: { format: TrendingRecommender.FORMAT, create: (o) => new TrendingRecommender(o), deserialize: (s) => TrendingRecommender.deserialize(s) },
  hybrid: { format: HybridRecommender.FORMAT, create: (o) => new HybridRecommender(o), deserialize: (s) => HybridRecommender.deserialize(s) },
  rp3beta: { format: Rp3BetaRecommender.FORMAT, create: (o) => new Rp3BetaRecommender(o), deserialize: (s) => Rp3BetaRecommender.deserialize(s) },
  blend: { format: BlendRecommender.FORMAT, create: (o) => new BlendRecommender(o), deserialize: (s) => BlendRecommender.deserialize(s) },
  "mult-vae": { format: MultVaeRecommender.FORMAT, create: (o) => new MultVaeRecommender(o), deserialize: (s) => MultVaeRecommender.deserialize(s) },
}

export function isRecommenderModel(name: string): name is RecommenderModel {
  return Object.prototype.hasOwnProperty.call(RECOMMENDERS, name)
}

/** An unfitted recommender `model` with `options`; throws a RangeError naming the known models. */
export function createRecommender<M extends RecommenderModel>(model: M, options?: RecommenderOptionsByModel[M]): Recommender {
  if (!isRecommenderModel(model)) {
    throw new RangeError(`unknown recommender "${String(model)}"; known: ${Object.keys(RECOMMENDERS).join(", ")}`)
  }
  return RECOMMENDERS[model].create(options ?? {})
}

/** The fitted recommender a `serialize()` produced, whatever its model (read from `s.format`). */
export function deserializeRecommender(s: SerializedModel): Recommender {
  const entry = Object.values(RECOMMENDERS).find((e) => e.format === s?.format)
  if (!entry) throw new Error(`no recommender reads format "${String(s?.format)}"`)
  return entry.deserialize(s)
}
