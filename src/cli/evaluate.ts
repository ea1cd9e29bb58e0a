/**
 * medusa-personalization evaluate: the top-N evaluation of docs/evaluation.md on an order file.
 *
 *   evaluate --data FILE --format online-retail|orders --cutoff T [--fit-cutoff T1] [--end E]
 *            [--seed N] [--models a,b,...] [--json] [--compare-reference]
 *   evaluate --data FILE --format ... --splits T,T,... [--test-days 92]
 *            [--prediction-splits T,T,... [--prediction-days 92]] [--bootstrap 1000] [--models a,b,...] [--json]
 *
 * T, T1 and E are "YYYY-MM-DD[ HH:MM:SS]" read as UTC: recommenders train before T and are
 * tested in [T, E) (E exclusive; default: all later lines). With --fit-cutoff, purchase
 * prediction is fitted at T1 with labels from [T1, T) and scored at T against [T, E).
 * Results go to stdout (a table, or with --json one JSON document and nothing else); progress
 * goes to stderr. --compare-reference checks the reference models against the evaluation protocol's (docs/evaluation.md)
 * development rows and exits 1 on a mismatch.
 *
 * With --splits and/or --prediction-splits (rolling-origin selection, docs/evaluation.md),
 * --cutoff, --fit-cutoff and --end are not used: each recommendation cutoff T is tested on
 * [T, T + test-days), each prediction cutoff T is fitted at T - prediction-days and judged on
 * [T, T + prediction-days); every split, the mean, and each default's difference from each
 * reference with a 95% bootstrap interval over customers are printed (evaluate-splits.ts).
 */


import { temporalSplit } from "../ml/data/split"
import { formatTimestamp, requireTimestamp } from "../ml/data/time"
import { type SplitMetrics, type TopNMetrics, evaluateSplit } from "../ml/evaluation/top-n"
import { type LifecycleEvaluation, evaluateLifecycle } from "../ml/lifecycle/evaluate"
import { AlsRecommender } from "../ml/recommend/als"
import { customerFeatures, futureLabels, selectColumns } from "../ml/features/customer-features"
import { applyFeatureTransform, fitFeatureTransform } from "../ml/features/feature-transform"
import { type SegmentationResult, segmentCustomersInWorkers } from "../ml/segmentation/segment"
import { behaviourBySegment } from "./segment"
import { useBackend } from "../ml/lifecycle/propensity"
import { BlendRecommender } from "../ml/recommend/blend"
import { BuyAgainRecommender } from "../ml/recommend/buy-again"
import { EaseRecommender } from "../ml/recommend/ease"
import { HybridRecommender } from "../ml/recommend/hybrid"
import { ItemKnnRecommender } from "../ml/recommend/item-knn"
import { MultVaeRecommender } from "../ml/recommend/mult-vae"
import { PopularityRecommender } from "../ml/recommend/popularity"
import type { Recommender } from "../ml/recommend/recommender"
import { Rp3BetaRecommender } from "../ml/recommend/rp3beta"
import { TrendingRecommender } from "../ml/recommend/trending"
import { LIFECYCLE_MODELS } from "../ml/lifecycle/evaluate"
import { coldItemsReport, formatSplitsReport, runSplits } from "./evaluate-splits"
import { type CliIo, checkCutoff, loadData, parseCommand } from "./io"
import { progressBar } from "./progress"
import { REFERENCE_ROWS } from "./reference-rows"

/** EASE as the hybrid's collaborative part has it: lambda 250, recency-weighted scoring. */
const RECENCY_EASE = { lambda: 250, scoreWeighting: { kind: "last-decay" as const, halfLifeDays: 60 } }

/**
 * Model name -> factory: the references (popularity, buy-again, item-knn, ease, als), then the
 * candidates of docs/evaluation.md. "recency-ease" is the hybrid's collaborative part alone
 * (what it serves for new items); "ease-250" EASE at the lambda the rolling splits chose.
 */
export const MODELS: Record<string, () => Recommender> = {
  popularity: () => new PopularityRecommender(),
  "buy-again": () => new BuyAgainRecommender(),
  "item-knn": () => new ItemKnnRecommender(),
  ease: () => new EaseRecommender({ lambda: 500 }),
  trending: () => new TrendingRecommender(),
  als: () => new AlsRecommender(),
  "ease-250": () => new EaseRecommender({ lambda: 250 }),
  rp3beta: () => new Rp3BetaRecommender({ alpha: 0.5, beta: 0.6, neighbours: 100 }),
  "ease+item-knn": () => new BlendRecommender({ parts: [{ model: "ease", options: RECENCY_EASE, weight: 1 }, { model: "item-knn", weight: 0.25 }] }),
  "ease+als": () => new BlendRecommender({ parts: [{ model: "ease", options: RECENCY_EASE, weight: 1 }, { model: "als", weight: 0.25 }] }),
  "mult-vae": () => new MultVaeRecommender(),
  "recency-ease": () => new HybridRecommender({ ownWeight: 0 }),
  hybrid: () => new HybridRecommender(),
}

/** Models run when --models is not given: all but the neural one (minutes per fit; ask for it by name). */
export const DEFAULT_MODELS = Object.keys(MODELS).filter((name) => name !== "mult-vae")

/** Makes the TF.js wasm backend active when a neural recommender is among `names` (its fit needs it). */
async function prepareModels(names: readonly string[]): Promise<void> {
  if (names.includes("mult-vae")) await useBackend("wasm")
}

/** What the plugin serves by default. */
export const DEFAULT_RECOMMENDER = "hybrid"
/**
 * The served purchase prediction: purchase-model.ts (chosen on the rolling splits: the cheapest
 * model within noise of the best; its buy ranking is the logistic regression's, calibrated).
 */
export const DEFAULT_PROPENSITY = { buy: "purchase-model", spend: "purchase-model" } as const

export interface EvaluateIo extends CliIo {
  /** Monotonic milliseconds for fit timings; defaults to performance.now. */
  now?: () => number
  /**
   * Product texts by product id for the cold-items truth, or null without them; replaceable in
   * tests. By default an Online Retail file gives its Description column, an orders file none.
   */
  loadTexts?: (path: string, format: string) => ReadonlyMap<string, string> | null
}

/**
 * Lines and product texts of the data file (parsed once for both): an Online Retail file's
 * Description column gives the texts, an orders file none (its titles name products only).
 */
function loadEvaluationData(io: EvaluateIo, path: string, format: string) {
  const data = loadData(io, path, format)
  const texts: ReadonlyMap<string, string> | null = io.loadTexts ? io.loadTexts(path, format) : format === "online-retail" && data.titles.size ? data.titles : null
  return { lines: data.lines, texts }
}

export interface ModelResult extends SplitMetrics {
  model: string
  fitSeconds: number
  evaluateSeconds: number
}

const USAGE =
  "usage: medusa-personalization evaluate --data FILE --format online-retail|orders --cutoff YYYY-MM-DD " +
  "[--fit-cutoff YYYY-MM-DD] [--end YYYY-MM-DD] [--seed N] [--models " + Object.keys(MODELS).join(",") + "] [--json] [--compare-reference]\n" +
  "       medusa-personalization evaluate --data FILE --format online-retail|orders --splits YYYY-MM-DD,... [--test-days 92] " +
  "[--prediction-splits YYYY-MM-DD,... [--prediction-days 92]] [--bootstrap 1000] [--seed N] [--models a,b,...] [--json]"


/** Runs the command; resolves to the process exit code (0 ok, 1 reference mismatch, 2 usage). */
export async function runEvaluate(argv: string[], io: EvaluateIo): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      data: { type: "string" },
      format: { type: "string", default: "online-retail" },
      cutoff: { type: "string" },
      "fit-cutoff": { type: "string" },
      end: { type: "string" },
      seed: { type: "string", default: "0" },
      models: { type: "string" },
      json: { type: "boolean", default: false },
      "compare-reference": { type: "boolean", default: false },
      splits: { type: "string" },
      "test-days": { type: "string", default: "92" },
      "prediction-splits": { type: "string" },
      "prediction-days": { type: "string", default: "92" },
      bootstrap: { type: "string", default: "1000" },
    },
    USAGE,
    io,
    ["data"]
  )
  if ("exit" in parsed) return parsed.exit
  const { values } = parsed
  if (values.splits !== undefined || values["prediction-splits"] !== undefined) return runSplitsCommand(values, io)
  if (values.cutoff === undefined) {
    io.stderr(`--cutoff is required\n${USAGE}\n`)
    return 2
  }
  const cutoffText: string = values.cutoff
  const format = values.format as string
  if (format !== "online-retail" && format !== "orders") {
    io.stderr(`--format must be online-retail or orders, got "${format}"\n`)
    return 2
  }
  const seed = Number(values.seed)
  if (!Number.isInteger(seed)) {
    io.stderr(`--seed must be an integer, got "${values.seed}"\n`)
    return 2
  }
  const names = values.models ? values.models.split(",").map((s) => s.trim()) : DEFAULT_MODELS
  const unknown = names.filter((n) => !MODELS[n])
  if (unknown.length) {
    io.stderr(`unknown model(s): ${unknown.join(", ")}; known: ${Object.keys(MODELS).join(", ")}\n`)
    return 2
  }
  await prepareModels(names)
  let cutoff: number
  let end: number
  let fitCutoff: number | null
  try {
    cutoff = requireTimestamp(cutoffText, "--cutoff")
    end = values.end ? requireTimestamp(values.end, "--end") : Number.POSITIVE_INFINITY
    fitCutoff = values["fit-cutoff"] ? requireTimestamp(values["fit-cutoff"], "--fit-cutoff") : null
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`)
    return 2
  }
  if (fitCutoff !== null && !(fitCutoff < cutoff)) {
    io.stderr(`--fit-cutoff must be before --cutoff\n`)
    return 2
  }
  if (!(end > cutoff)) {
    io.stderr(`--end must be after --cutoff\n`)
    return 2
  }
  const now = io.now ?? (() => performance.now())
  const progress = (msg: string) => io.stderr(`${msg}\n`)

  let t = now()
  const { lines, texts } = loadEvaluationData(io, values.data, format)
  checkCutoff(lines, cutoff, "--cutoff", { needLater: true })
  if (fitCutoff !== null) checkCutoff(lines, fitCutoff, "--fit-cutoff")
  progress(`loaded ${lines.length} cleaned lines in ${((now() - t) / 1000).toFixed(1)} s`)
  const split = temporalSplit(lines, cutoff, end)
  const s = split.train.strength
  const summary = {
    data: values.data,
    format,
    cutoff: formatTimestamp(cutoff),
    end: Number.isFinite(end) ? formatTimestamp(end) : null,
    seed,
    trainLines: split.trainLines,
    testLines: split.testLines,
    users: split.users.size,
    items: split.items.size,
    pairs: s.indptr[s.nRows],
    testUsersAll: split.truthAll.users.length,
    testUsersNew: split.truthNew.users.length,
  }
  progress(
    `train: ${summary.users} users, ${summary.items} items, ${summary.pairs} pairs; test users all=${summary.testUsersAll} new=${summary.testUsersNew}`
  )

  const results: ModelResult[] = []
  for (const name of names) {
    t = now()
    const bar = progressBar(name, io.stderr, { tty: io.tty ?? false, now })
    const model = MODELS[name]().fit(split.train, { onProgress: (done, total, stage) => bar.update(done, total, stage) })
    bar.done()
    const fitSeconds = (now() - t) / 1000
    t = now()
    const metrics = evaluateSplit((u) => model.scores(u), split)
    const evaluateSeconds = (now() - t) / 1000
    results.push({ model: name, fitSeconds, evaluateSeconds, ...metrics })
    progress(`${name}: fit ${fitSeconds.toFixed(1)} s, evaluation ${evaluateSeconds.toFixed(1)} s`)
  }

  // Cold items: products first sold in [T, E) (the test window; to the data's end without --end).
  const lastTime = lines.reduce((max, l) => Math.max(max, l.time), Number.NEGATIVE_INFINITY)
  const cold = texts ? coldItemsReport(lines, texts, cutoff, Number.isFinite(end) ? end : lastTime + 1, seed) : null

  let lifecycle: LifecycleEvaluation | null = null
  if (fitCutoff !== null) {
    t = now()
    lifecycle = await evaluateLifecycle(
      lines,
      { fitCutoff, scoreCutoff: cutoff, end: Number.isFinite(end) ? end : lastTime + 1 },
      { propensity: { seed }, now }
    )
    progress(`purchase prediction: ${lifecycle.results.length} models in ${((now() - t) / 1000).toFixed(1)} s`)
  }

  // Segmentation at T on log(1 + recency, invoices, spend), standardised (docs/evaluation.md), and
  // how its segments differ in [T, E).
  t = now()
  const features = customerFeatures(lines, cutoff)
  const columns = ["recency", "invoices", "spend"]
  const transform = fitFeatureTransform(selectColumns(features, columns), columns, { log1p: columns })
  const segmentation: SegmentationResult = await segmentCustomersInWorkers(
    applyFeatureTransform(transform, selectColumns(features, columns)),
    { transform, seed }
  )
  const future = futureLabels(lines, features.customerIds, cutoff, end)
  const behaviour = behaviourBySegment(segmentation.labels, segmentation.k, future.boughtAgain, future.spend)
  progress(`segmentation: k=${segmentation.k} in ${((now() - t) / 1000).toFixed(1)} s`)

  const mismatches: string[] = []
  if (values["compare-reference"]) {
    for (const r of results) {
      const ref = REFERENCE_ROWS[r.model]
      if (!ref) continue
      const got = rowOf(r)
      got.forEach((v, k) => {
        if (v.toFixed(4) !== ref[k].toFixed(4)) mismatches.push(`${r.model} column ${k + 1}: got ${v.toFixed(4)}, reference ${ref[k].toFixed(4)}`)
      })
    }
  }

  if (values.json) {
    const report = {
      cutoff: summary.cutoff,
      fit_cutoff: fitCutoff === null ? null : formatTimestamp(fitCutoff),
      end: summary.end,
      seed,
      data: summary.data,
      format,
      recommendation: {
        default: DEFAULT_RECOMMENDER,
        n_users: { all: summary.testUsersAll, new: summary.testUsersNew },
        train: { users: summary.users, items: summary.items, pairs: summary.pairs, lines: summary.trainLines },
        models: Object.fromEntries(
          results.map((r) => [
            r.model,
            { all: metricsJson(r.all), new: metricsJson(r.new), fit_seconds: r.fitSeconds },
          ])
        ),
        cold_items: cold,
      },
      propensity: lifecycle && {
        default: DEFAULT_PROPENSITY,
        population: { fit: lifecycle.fitCustomers, scored: lifecycle.scoredCustomers, scored_buy_rate: lifecycle.scoredBuyRate },
        models: Object.fromEntries(
          lifecycle.results.map((r) => [r.model, { auc: r.auc, spearman: r.spearman, brier: r.brier, ece: r.ece, fit_seconds: r.fitSeconds }])
        ),
      },
      segmentation: {
        k: segmentation.k,
        criterion: segmentation.criterion,
        silhouette: segmentation.silhouette,
        inertia: segmentation.inertia,
        segments: segmentation.segments.map((segment) => ({
          id: segment.id,
          name: segment.name,
          description: segment.description,
          size: segment.size,
          buy_rate: behaviour[segment.label].buyAgainRate,
          mean_spend: behaviour[segment.label].meanFutureSpend,
        })),
      },
      ...(values["compare-reference"] ? { reference_mismatches: mismatches } : {}),
    }
    io.stdout(`${JSON.stringify(report, null, 2)}\n`)
  } else {
    io.stdout(`model         | all: R@20   NDCG@10 HR@10  cov@20 | new: R@20   NDCG@10 HR@10  cov@20 | fit s\n`)
    for (const r of results) {
      const v = rowOf(r).map((x) => x.toFixed(4))
      io.stdout(`${r.model.padEnd(13)} | ${v.slice(0, 4).join(" ")} | ${v.slice(4).join(" ")} | ${r.fitSeconds.toFixed(1)}\n`)
    }
    if (cold) {
      io.stdout(`\ncold items (${cold.items} products first sold after the cutoff, ${cold.users} customers) | R@20   NDCG@10\n`)
      for (const [name, m] of Object.entries(cold.models)) io.stdout(`${name.padEnd(13)} | ${m["recall@20"].toFixed(4)} ${m["ndcg@10"].toFixed(4)}\n`)
    }
    io.stdout(`\nsegments (k=${segmentation.k}, silhouette ${segmentation.silhouette.toFixed(3)}) | size | buys again | mean spend\n`)
    for (const segment of segmentation.segments) {
      const b = behaviour[segment.label]
      io.stdout(`${segment.name.padEnd(40)} | ${String(segment.size).padStart(5)} | ${b.buyAgainRate.toFixed(3)} | ${b.meanFutureSpend.toFixed(0)}\n`)
    }
    if (lifecycle) {
      io.stdout(`\npurchase prediction  | AUC    | Spearman | Brier  | ECE    | fit s\n`)
      const f = (v: number | null) => (v === null ? "  -   " : v.toFixed(4))
      for (const r of lifecycle.results) io.stdout(`${r.model.padEnd(20)} | ${r.auc.toFixed(4)} | ${r.spearman.toFixed(4)}   | ${f(r.brier)} | ${f(r.ece)} | ${r.fitSeconds.toFixed(2)}\n`)
    }
    if (values["compare-reference"]) {
      io.stdout(mismatches.length ? `reference mismatches:\n${mismatches.join("\n")}\n` : "reference rows reproduced to 4 decimals\n")
    }
  }
  return mismatches.length ? 1 : 0
}

/** The --splits form of the command (see the module comment). */
async function runSplitsCommand(
  values: { data: string; format?: string; models?: string; seed?: string; json?: boolean; splits?: string; "test-days"?: string; "prediction-splits"?: string; "prediction-days"?: string; bootstrap?: string },
  io: EvaluateIo
): Promise<number> {
  const format = values.format ?? "online-retail"
  const fail = (message: string) => {
    io.stderr(`${message}\n`)
    return 2
  }
  if (format !== "online-retail" && format !== "orders") return fail(`--format must be online-retail or orders, got "${format}"`)
  const int = (name: string, text: string | undefined, min: number): number | string => {
    const v = Number(text)
    return Number.isInteger(v) && v >= min ? v : `--${name} must be an integer >= ${min}, got "${text}"`
  }
  const seed = int("seed", values.seed ?? "0", Number.MIN_SAFE_INTEGER)
  const testDays = int("test-days", values["test-days"], 1)
  const windowDays = int("prediction-days", values["prediction-days"], 1)
  const replicates = int("bootstrap", values.bootstrap, 1)
  for (const v of [seed, testDays, windowDays, replicates]) if (typeof v === "string") return fail(v)
  const dates = (name: string, text: string | undefined): number[] => {
    if (text === undefined) return []
    return text.split(",").map((d) => requireTimestamp(d.trim(), `--${name}`))
  }
  let cutoffs: number[]
  let predictionCutoffs: number[]
  try {
    cutoffs = dates("splits", values.splits)
    predictionCutoffs = dates("prediction-splits", values["prediction-splits"])
  } catch (e) {
    return fail((e as Error).message)
  }
  const names = values.models ? values.models.split(",").map((s) => s.trim()) : DEFAULT_MODELS
  const unknown = names.filter((n) => !MODELS[n])
  if (unknown.length) return fail(`unknown model(s): ${unknown.join(", ")}; known: ${Object.keys(MODELS).join(", ")}`)
  await prepareModels(names)
  const now = io.now ?? (() => performance.now())
  const t = now()
  const { lines, texts } = loadEvaluationData(io, values.data, format)
  for (const c of [...cutoffs, ...predictionCutoffs]) checkCutoff(lines, c, "--splits / --prediction-splits", { needLater: true })
  io.stderr(`loaded ${lines.length} cleaned lines in ${((now() - t) / 1000).toFixed(1)} s\n`)
  const report = await runSplits(lines, {
    cutoffs,
    testDays: testDays as number,
    predictionCutoffs,
    windowDays: windowDays as number,
    recommenders: Object.fromEntries(names.map((n) => [n, MODELS[n]])),
    predictionModels: LIFECYCLE_MODELS,
    defaults: { recommender: DEFAULT_RECOMMENDER, buy: DEFAULT_PROPENSITY.buy, spend: DEFAULT_PROPENSITY.spend },
    replicates: replicates as number,
    seed: seed as number,
    texts,
    now,
    progress: (m) => io.stderr(`${m}\n`),
  })
  io.stdout(values.json ? `${JSON.stringify({ data: values.data, format, splits: report }, null, 2)}\n` : formatSplitsReport(report))
  return 0
}

function metricsJson(m: TopNMetrics) {
  return { "recall@20": m.recall20, "ndcg@10": m.ndcg10, "hr@10": m.hr10, "coverage@20": m.coverage20 }
}

function rowOf(r: SplitMetrics): number[] {
  return [r.all, r.new].flatMap((m) => [m.recall20, m.ndcg10, m.hr10, m.coverage20])
}

if (require.main === module) {
  const args = process.argv.slice(2)
  // Accept both "evaluate --data ..." (as the medusa-personalization subcommand) and "--data ...".
  if (args[0] === "evaluate") args.shift()
  runEvaluate(args, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    tty: process.stderr.isTTY,
  }).then((code) => (process.exitCode = code))
}
