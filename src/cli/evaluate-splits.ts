/**
 * `evaluate --splits` and `--prediction-splits`: the rolling-origin comparison of
 * docs/evaluation.md. Every model is fitted and measured on each split; each default is then
 * compared with each reference, per split and on the mean of the splits, with a bootstrap
 * interval over customers (src/ml/evaluation/paired.ts). A default "holds" on a truth only
 * when it beats the best reference of that truth on every split, on both metrics.
 */
import type { PurchaseLine } from "../ml/data/purchase-line"
import { type TemporalSplit, temporalSplit } from "../ml/data/split"
import { MS_PER_DAY, formatTimestamp } from "../ml/data/time"
import { rocAuc } from "../ml/evaluation/auc"
import { CustomerResampler, type Interval, meanDifferenceIntervals, statisticDifferenceIntervals } from "../ml/evaluation/paired"
import { spearman } from "../ml/evaluation/spearman"
import { type SplitMetrics, evaluateSplit } from "../ml/evaluation/top-n"
import { type LifecycleEvaluation, type LifecycleModelName, evaluateLifecycle } from "../ml/lifecycle/evaluate"
import type { PropensityOptions } from "../ml/lifecycle/propensity"
import { coldItemSplit, evaluateColdItems, newestFirstColdScores, randomColdScores } from "../ml/evaluation/cold-items"
import { ContentIndex } from "../ml/recommend/content"
import type { Recommender } from "../ml/recommend/recommender"

/** The reference models of the protocol, by the names `evaluate` knows them. */
export const RECOMMENDATION_REFERENCES = ["popularity", "buy-again", "item-knn", "ease", "als"] as const
export const PREDICTION_REFERENCES = ["recency", "rfm", "logistic"] as const

export type Truth = "all" | "new"
export type RecMetric = "recall@20" | "ndcg@10"
export type PredMetric = "auc" | "spearman"

export interface SplitsPlan {
  /** Recommendation cutoffs (ms), each tested on [cutoff, cutoff + testDays). */
  cutoffs: number[]
  testDays: number
  /** Purchase-prediction cutoffs T2 (ms): fit at T2 - windowDays, outcome [T2, T2 + windowDays). */
  predictionCutoffs: number[]
  windowDays: number
  recommenders: Record<string, () => Recommender>
  predictionModels: readonly LifecycleModelName[]
  /** The served recommender, and the served purchase models (buy probability, spend). */
  defaults: { recommender: string; buy: LifecycleModelName; spend: LifecycleModelName }
  replicates: number
  seed: number
  /** Product texts by product id, for the cold-items truth; null skips it. */
  texts?: ReadonlyMap<string, string> | null
  propensity?: PropensityOptions
  now: () => number
  progress: (message: string) => void
}

interface PerUser {
  ids: string[]
  recall: Float64Array
  ndcg: Float64Array
}

export interface RecSplitResult {
  cutoff: string
  end: string
  users: { all: number; new: number }
  models: Record<string, { all: Record<RecMetric, number>; new: Record<RecMetric, number>; fit_seconds: number }>
  cold_items?: ColdItemsReport | null
}

/** The cold-items truth on one split (docs/evaluation.md): products first sold in the window. */
export interface ColdItemsReport {
  /** Cold products (candidates) and the known customers who buy at least one. */
  items: number
  users: number
  models: Record<"random" | "newest-first" | "content", Record<RecMetric, number>>
}

/**
 * Random (seeded), newest first (descending product id) and the TF-IDF content model (a
 * customer's mean text cosine to each cold product over the products they bought before the
 * cutoff) on the cold-items truth at `cutoff` with the window [cutoff, end).
 */
export function coldItemsReport(lines: readonly PurchaseLine[], texts: ReadonlyMap<string, string>, cutoff: number, end: number, seed: number): ColdItemsReport {
  const split = coldItemSplit(lines, cutoff, end)
  const index = ContentIndex.fit(Array.from(texts, ([id, title]) => ({ id, title })))
  const cold = Int32Array.from(split.items.ids, (id) => index.indexOf(id))
  const content = (u: number) => {
    const history = (split.history.get(split.users.id(u)) ?? []).map((id) => index.indexOf(id))
    const all = index.historyScores(history)
    return Float64Array.from(cold, (j) => (j >= 0 ? all[j] : 0))
  }
  const pick = (m: { recall20: number; ndcg10: number }) => ({ "recall@20": m.recall20, "ndcg@10": m.ndcg10 })
  return {
    items: split.items.size,
    users: split.truth.users.length,
    models: {
      random: pick(evaluateColdItems(randomColdScores(split, seed), split)),
      "newest-first": pick(evaluateColdItems(newestFirstColdScores(split), split)),
      content: pick(evaluateColdItems(content, split)),
    },
  }
}

export interface Comparison {
  truth?: Truth
  metric: RecMetric | PredMetric
  model: string
  reference: string
  /** Per split: model minus reference, with its 95% interval. */
  splits: Interval[]
  mean: Interval
}

export interface SplitsReport {
  recommendation: {
    cutoffs: string[]
    test_days: number
    splits: RecSplitResult[]
    mean: Record<string, { all: Record<RecMetric, number>; new: Record<RecMetric, number> }>
    default: string
    /** Per truth: the best reference on the mean, and whether the default beats it on every split on both metrics. */
    verdict: Record<Truth, { best_reference: string; default_beats_on_every_split: boolean; served: string }>
    comparisons: Comparison[]
  } | null
  propensity: {
    cutoffs: string[]
    window_days: number
    splits: {
      fit_cutoff: string
      cutoff: string
      end: string
      scored: number
      buy_rate: number
      models: Record<string, { auc: number; spearman: number; brier: number | null; ece: number | null; fit_seconds: number }>
    }[]
    mean: Record<string, { auc: number; spearman: number; brier: number | null; ece: number | null; fit_seconds: number }>
    default: { buy: string; spend: string }
    verdict: Record<PredMetric, { best_reference: string; default_beats_on_every_split: boolean }>
    comparisons: Comparison[]
  } | null
  replicates: number
  seed: number
}

const REC_METRICS: RecMetric[] = ["recall@20", "ndcg@10"]

function userIds(split: TemporalSplit, users: Int32Array): string[] {
  return Array.from(users, (u) => split.users.id(u))
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

/** Runs the plan on `lines`: the JSON report (the text form is printSplitsReport). */
export async function runSplits(lines: readonly PurchaseLine[], plan: SplitsPlan): Promise<SplitsReport> {
  const resampler = new CustomerResampler(plan.replicates, plan.seed)
  return {
    recommendation: plan.cutoffs.length ? recommendationSplits(lines, plan, resampler) : null,
    propensity: plan.predictionCutoffs.length ? await predictionSplits(lines, plan, resampler) : null,
    replicates: plan.replicates,
    seed: plan.seed,
  }
}

function recommendationSplits(lines: readonly PurchaseLine[], plan: SplitsPlan, resampler: CustomerResampler): NonNullable<SplitsReport["recommendation"]> {
  const names = Object.keys(plan.recommenders)
  const splits: RecSplitResult[] = []
  // perUser[model][split][truth]
  const perUser: Record<string, Record<Truth, PerUser>[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (const cutoff of plan.cutoffs) {
    const end = cutoff + plan.testDays * MS_PER_DAY
    const split = temporalSplit(lines, cutoff, end)
    const row: RecSplitResult = {
      cutoff: formatTimestamp(cutoff),
      end: formatTimestamp(end),
      users: { all: split.truthAll.users.length, new: split.truthNew.users.length },
      models: {},
      cold_items: plan.texts ? coldItemsReport(lines, plan.texts, cutoff, end, plan.seed) : null,
    }
    const idsAll = userIds(split, split.truthAll.users)
    const idsNew = userIds(split, split.truthNew.users)
    for (const name of names) {
      const t = plan.now()
      const model = plan.recommenders[name]().fit(split.train)
      const fitSeconds = (plan.now() - t) / 1000
      const collect = (n: number) => ({ recall: new Float64Array(n), ndcg: new Float64Array(n), k: 0 })
      const a = collect(idsAll.length)
      const b = collect(idsNew.length)
      const m: SplitMetrics = evaluateSplit((u) => model.scores(u), split, {
        onUser: (_u, r, g) => ((a.recall[a.k] = r), (a.ndcg[a.k++] = g)),
        onUserNew: (_u, r, g) => ((b.recall[b.k] = r), (b.ndcg[b.k++] = g)),
      })
      perUser[name].push({ all: { ids: idsAll, recall: a.recall, ndcg: a.ndcg }, new: { ids: idsNew, recall: b.recall, ndcg: b.ndcg } })
      row.models[name] = {
        all: { "recall@20": m.all.recall20, "ndcg@10": m.all.ndcg10 },
        new: { "recall@20": m.new.recall20, "ndcg@10": m.new.ndcg10 },
        fit_seconds: fitSeconds,
      }
      plan.progress(`${row.cutoff.slice(0, 10)} ${name}: fit ${fitSeconds.toFixed(1)} s; all ${m.all.recall20.toFixed(4)} / ${m.all.ndcg10.toFixed(4)}, new ${m.new.recall20.toFixed(4)} / ${m.new.ndcg10.toFixed(4)}`)
    }
    splits.push(row)
  }
  const meanOf = Object.fromEntries(
    names.map((n) => [
      n,
      {
        all: Object.fromEntries(REC_METRICS.map((k) => [k, mean(splits.map((s) => s.models[n].all[k]))])) as Record<RecMetric, number>,
        new: Object.fromEntries(REC_METRICS.map((k) => [k, mean(splits.map((s) => s.models[n].new[k]))])) as Record<RecMetric, number>,
      },
    ])
  )
  const references = RECOMMENDATION_REFERENCES.filter((r) => names.includes(r))
  const model = plan.defaults.recommender
  const comparisons: Comparison[] = []
  if (names.includes(model)) {
    for (const truth of ["all", "new"] as Truth[]) {
      for (const metric of REC_METRICS) {
        for (const reference of references) {
          if (reference === model) continue
          const field = metric === "recall@20" ? "recall" : "ndcg"
          const r = meanDifferenceIntervals(
            perUser[model].map((s, k) => ({ ids: s[truth].ids, a: s[truth][field], b: perUser[reference][k][truth][field] })),
            resampler
          )
          comparisons.push({ truth, metric, model, reference, splits: r.splits, mean: r.mean })
        }
      }
    }
  }
  const verdict = {} as Record<Truth, { best_reference: string; default_beats_on_every_split: boolean; served: string }>
  for (const truth of ["all", "new"] as Truth[]) {
    // The best reference of a truth: the highest mean of its two metrics' means.
    const best = references.length
      ? references.reduce((x, y) => (score(meanOf[y][truth]) > score(meanOf[x][truth]) ? y : x))
      : ""
    const beats =
      names.includes(model) &&
      !!best &&
      splits.every((s) => REC_METRICS.every((k) => s.models[model][truth][k] > s.models[best][truth][k]))
    verdict[truth] = { best_reference: best, default_beats_on_every_split: beats, served: beats ? model : best }
  }
  return {
    cutoffs: splits.map((s) => s.cutoff),
    test_days: plan.testDays,
    splits,
    mean: meanOf,
    default: model,
    verdict,
    comparisons,
  }
}

function score(m: Record<RecMetric, number>): number {
  return m["recall@20"] + m["ndcg@10"]
}

async function predictionSplits(lines: readonly PurchaseLine[], plan: SplitsPlan, resampler: CustomerResampler): Promise<NonNullable<SplitsReport["propensity"]>> {
  const evaluations: LifecycleEvaluation[] = []
  const out: NonNullable<SplitsReport["propensity"]>["splits"] = []
  const w = plan.windowDays * MS_PER_DAY
  for (const cutoff of plan.predictionCutoffs) {
    const t = plan.now()
    const e = await evaluateLifecycle(
      lines,
      { fitCutoff: cutoff - w, scoreCutoff: cutoff, end: cutoff + w },
      { models: plan.predictionModels, propensity: { seed: plan.seed, ...plan.propensity }, now: plan.now, keepScores: true }
    )
    evaluations.push(e)
    out.push({
      fit_cutoff: formatTimestamp(cutoff - w),
      cutoff: formatTimestamp(cutoff),
      end: formatTimestamp(cutoff + w),
      scored: e.scoredCustomers,
      buy_rate: e.scoredBuyRate,
      models: Object.fromEntries(e.results.map((r) => [r.model, { auc: r.auc, spearman: r.spearman, brier: r.brier, ece: r.ece, fit_seconds: r.fitSeconds }])),
    })
    plan.progress(`prediction ${formatTimestamp(cutoff).slice(0, 10)}: ${e.results.length} models in ${((plan.now() - t) / 1000).toFixed(1)} s`)
  }
  const names = plan.predictionModels.slice()
  const avg = (values: (number | null)[]) => (values.some((v) => v === null) ? null : mean(values as number[]))
  const meanOf = Object.fromEntries(
    names.map((n) => {
      const rows = out.map((s) => s.models[n])
      return [
        n,
        {
          auc: mean(rows.map((r) => r.auc)),
          spearman: mean(rows.map((r) => r.spearman)),
          brier: avg(rows.map((r) => r.brier)),
          ece: avg(rows.map((r) => r.ece)),
          fit_seconds: mean(rows.map((r) => r.fit_seconds)),
        },
      ]
    })
  )
  const references = PREDICTION_REFERENCES.filter((r) => names.includes(r))
  const comparisons: Comparison[] = []
  const verdict = {} as Record<PredMetric, { best_reference: string; default_beats_on_every_split: boolean }>
  for (const metric of ["auc", "spearman"] as PredMetric[]) {
    const model = metric === "auc" ? plan.defaults.buy : plan.defaults.spend
    const field = metric === "auc" ? "buy" : "spend"
    for (const reference of references) {
      if (reference === model || !names.includes(model)) continue
      const r = statisticDifferenceIntervals(
        evaluations.map((e) => {
          const scored = e.scored as NonNullable<LifecycleEvaluation["scored"]>
          const a = (e.results.find((x) => x.model === model)?.scores as { buy: Float64Array; spend: Float64Array })[field]
          const b = (e.results.find((x) => x.model === reference)?.scores as { buy: Float64Array; spend: Float64Array })[field]
          const y = metric === "auc" ? Float64Array.from(scored.labels.boughtAgain) : scored.labels.spend
          const stat = metric === "auc" ? rocAuc : (s: ArrayLike<number>, t: ArrayLike<number>) => spearman(t, s)
          return {
            ids: scored.customerIds,
            difference: (rows: Int32Array) => {
              const yy = Float64Array.from(rows, (i) => y[i])
              return stat(yy, Float64Array.from(rows, (i) => a[i])) - stat(yy, Float64Array.from(rows, (i) => b[i]))
            },
          }
        }),
        resampler
      )
      comparisons.push({ metric, model, reference, splits: r.splits, mean: r.mean })
    }
    const best = references.length ? references.reduce((x, y) => (meanOf[y][metric] > meanOf[x][metric] ? y : x)) : ""
    const beats = names.includes(model) && !!best && out.every((s) => s.models[model][metric] > s.models[best][metric])
    verdict[metric] = { best_reference: best, default_beats_on_every_split: beats }
  }
  return {
    cutoffs: out.map((s) => s.cutoff),
    window_days: plan.windowDays,
    splits: out,
    mean: meanOf,
    default: { buy: plan.defaults.buy, spend: plan.defaults.spend },
    verdict,
    comparisons,
  }
}

const f4 = (v: number | null) => (v === null || !Number.isFinite(v) ? "   -  " : v.toFixed(4))
const signed = (v: number) => (v >= 0 ? "+" : "") + v.toFixed(4)
const iv = (i: Interval) => `${signed(i.estimate)} [${signed(i.low)}, ${signed(i.high)}]`

/** The report as text tables: one row per model, one column per split and the mean. */
export function formatSplitsReport(r: SplitsReport): string {
  const out: string[] = []
  const rec = r.recommendation
  if (rec) {
    const head = rec.cutoffs.map((c) => c.slice(0, 10).padStart(10)).join(" ")
    for (const truth of ["all", "new"] as Truth[]) {
      for (const metric of REC_METRICS) {
        out.push(`\nrecommendation, truth "${truth}", ${metric} (${rec.test_days}-day test windows)`)
        out.push(`${"model".padEnd(22)} ${head}       mean`)
        for (const name of Object.keys(rec.mean)) {
          const cells = rec.splits.map((s) => f4(s.models[name][truth][metric]).padStart(10)).join(" ")
          out.push(`${name.padEnd(22)} ${cells} ${f4(rec.mean[name][truth][metric]).padStart(10)}`)
        }
      }
    }
    if (rec.splits.some((sp) => sp.cold_items)) {
      out.push(`\ncold items (products first sold in the test window), recall@20 / ndcg@10`)
      out.push(`${"model".padEnd(22)} ${rec.splits.map((sp) => sp.cutoff.slice(0, 10).padStart(17)).join(" ")}`)
      for (const name of ["random", "newest-first", "content"] as const) {
        out.push(`${name.padEnd(22)} ${rec.splits.map((sp) => (sp.cold_items ? `${f4(sp.cold_items.models[name]["recall@20"])} / ${f4(sp.cold_items.models[name]["ndcg@10"])}` : "-").padStart(17)).join(" ")}`)
      }
      out.push(`${"(products, users)".padEnd(22)} ${rec.splits.map((sp) => (sp.cold_items ? `${sp.cold_items.items}, ${sp.cold_items.users}` : "-").padStart(17)).join(" ")}`)
    }
    out.push(`\n${rec.default} minus each reference (95% bootstrap interval over customers, ${r.replicates} replicates)`)
    for (const c of rec.comparisons) {
      out.push(`${`${c.truth} ${c.metric} vs ${c.reference}`.padEnd(30)} ${c.splits.map(iv).join("  ")}  mean ${iv(c.mean)}`)
    }
    for (const truth of ["all", "new"] as Truth[]) {
      const v = rec.verdict[truth]
      out.push(`truth "${truth}": best reference ${v.best_reference}; ${rec.default} beats it on every split on both metrics: ${v.default_beats_on_every_split ? "yes" : "no"} -> served: ${v.served}`)
    }
  }
  const p = r.propensity
  if (p) {
    out.push(`\npurchase prediction (${p.window_days}-day windows, fit cutoff one window before each cutoff)`)
    out.push(`${"model".padEnd(22)} ${"cutoff".padEnd(10)}    AUC  Spearman   Brier     ECE   fit s`)
    const names = Object.keys(p.mean)
    for (const name of names) {
      for (const s of p.splits) {
        const m = s.models[name]
        out.push(`${name.padEnd(22)} ${s.cutoff.slice(0, 10)} ${f4(m.auc)}  ${f4(m.spearman)}  ${f4(m.brier)}  ${f4(m.ece)}  ${m.fit_seconds.toFixed(2).padStart(6)}`)
      }
      const m = p.mean[name]
      out.push(`${name.padEnd(22)} ${"mean".padEnd(10)} ${f4(m.auc)}  ${f4(m.spearman)}  ${f4(m.brier)}  ${f4(m.ece)}  ${m.fit_seconds.toFixed(2).padStart(6)}`)
    }
    out.push(`\ndefault (buy ${p.default.buy}, spend ${p.default.spend}) minus each reference (95% bootstrap interval over customers, ${r.replicates} replicates)`)
    for (const c of p.comparisons) {
      out.push(`${`${c.metric} ${c.model} vs ${c.reference}`.padEnd(36)} ${c.splits.map(iv).join("  ")}  mean ${iv(c.mean)}`)
    }
    for (const metric of ["auc", "spearman"] as PredMetric[]) {
      const v = p.verdict[metric]
      out.push(`${metric}: best reference ${v.best_reference}; default beats it on every split: ${v.default_beats_on_every_split ? "yes" : "no"}`)
    }
  }
  return `${out.join("\n")}\n`
}
