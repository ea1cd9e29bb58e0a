import type { Interactions } from "../data/interactions"
import { AlsRecommender, type AlsOptions } from "./als"
import { EaseRecommender, type EaseOptions } from "./ease"
import { ItemKnnRecommender, type ItemKnnOptions } from "./item-knn"
import { BaseRecommender, type FitOptions, type Recommender, type SerializedModel, checkFormat, deserializeCsr, serializeCsr } from "./recommender"
import { Rp3BetaRecommender, type Rp3BetaOptions } from "./rp3beta"

/** One collaborative part of a blend, with its weight (>= 0). */
export type BlendPart =
  | { model: "ease"; options?: EaseOptions; weight: number }
  | { model: "item-knn"; options?: ItemKnnOptions; weight: number }
  | { model: "als"; options?: AlsOptions; weight: number }
  | { model: "rp3beta"; options?: Rp3BetaOptions; weight: number }

export interface BlendOptions {
  /** The parts; default EASE (lambda 250, recency-weighted scoring) 1 + item-kNN 0.25. */
  parts?: BlendPart[]
}

const CLASSES = {
  ease: EaseRecommender,
  "item-knn": ItemKnnRecommender,
  als: AlsRecommender,
  rp3beta: Rp3BetaRecommender,
} as const

type PartModel = EaseRecommender | ItemKnnRecommender | AlsRecommender | Rp3BetaRecommender

const READERS: Record<BlendPart["model"], (s: SerializedModel) => PartModel> = {
  ease: (s) => EaseRecommender.deserialize(s),
  "item-knn": (s) => ItemKnnRecommender.deserialize(s),
  als: (s) => AlsRecommender.deserialize(s),
  rp3beta: (s) => Rp3BetaRecommender.deserialize(s),
}

/**
 * A weighted sum of collaborative models, each part's scores divided by the user's largest
 * score of that part (so weights compare parts whose scales differ by orders of magnitude;
 * negative scores are kept, a part whose scores are all <= 0 contributes nothing). Similar
 * items come from the first part.
 */
export class BlendRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.blend"
  static readonly VERSION = 1
  readonly name = "blend"
  readonly options: Required<BlendOptions>
  private models: PartModel[] = []

  constructor(options: BlendOptions = {}) {
    super()
    const parts = options.parts ?? [
      { model: "ease", options: { lambda: 250, scoreWeighting: { kind: "last-decay", halfLifeDays: 60 } }, weight: 1 },
      { model: "item-knn", weight: 0.25 },
    ]
    if (parts.length === 0) throw new RangeError("BlendRecommender: needs at least one part")
    for (const p of parts) {
      if (!(p.model in CLASSES)) throw new RangeError(`BlendRecommender: unknown part "${String(p.model)}"`)
      if (!(p.weight >= 0)) throw new RangeError(`BlendRecommender: weight of ${p.model} must be >= 0, got ${p.weight}`)
    }
    this.options = { parts }
  }

  fit(data: Interactions, options: FitOptions = {}): this {
    this.models = this.options.parts.map((p) => {
      const m: Recommender = new (CLASSES[p.model] as new (o: object) => PartModel)(p.options ?? {})
      return m.fit(data, options) as PartModel
    })
    this.history = data.strength
    return this
  }

  scores(user: number): Float64Array {
    this.userRow(user)
    const out = new Float64Array(this.nItems)
    this.models.forEach((m, k) => {
      const w = this.options.parts[k].weight
      if (w === 0) return
      const s = m.scores(user)
      let max = 0
      for (let i = 0; i < s.length; i++) if (s[i] > max) max = s[i]
      if (max > 0) for (let i = 0; i < s.length; i++) out[i] += (w * s[i]) / max
    })
    return out
  }

  similarItems(item: number, n: number): Int32Array {
    return this.models[0].similarItems(item, n)
  }

  serialize(): SerializedModel {
    return {
      format: BlendRecommender.FORMAT,
      version: BlendRecommender.VERSION,
      options: this.options,
      parts: this.models.map((m) => m.serialize()),
      history: serializeCsr(this.fitted()),
    }
  }

  static deserialize(s: SerializedModel): BlendRecommender {
    checkFormat(s, BlendRecommender.FORMAT, BlendRecommender.VERSION)
    const m = new BlendRecommender(s.options as BlendOptions)
    const parts = s.parts as SerializedModel[]
    if (!Array.isArray(parts) || parts.length !== m.options.parts.length) throw new Error(`${BlendRecommender.FORMAT}: parts do not match the options`)
    m.models = parts.map((p, k) => READERS[m.options.parts[k].model](p))
    m.history = deserializeCsr(s.history)
    return m
  }
}
