#!/usr/bin/env node
/**
 * `node scripts/propensity-oof.mjs [data] [oof|dev]`: the purchase-prediction network against
 * the evaluation protocol's (docs/evaluation.md) logistic regression, and their logit average, on the fit data alone ("oof":
 * 5 outer customer folds of the population at T1 = 2011-03-01, labels from [T1, 2011-06-01);
 * each fold fits the default network ensemble and the logistic regression on the other four)
 * or on the development split ("dev": fit at T1, score at 2011-06-01, outcome to 2011-09-01,
 * seeds 0-2). Prints AUCs as JSON. About 2.5 minutes ("oof") on 2 cores.
 * data: default data/online-retail-dev/online-retail-dev.csv.gz
 *
 * Runs the TypeScript sources directly, transpiled on require by @swc/core (a dev dependency).
 */
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { registerTs } from "./lib/register-ts.mjs"

const require = createRequire(import.meta.url)
const root = join(dirname(fileURLToPath(import.meta.url)), "..")
registerTs()
const ml = (path) => require(join(root, "src/ml", path))
const { loadOnlineRetail } = ml("data/online-retail.ts")
const { lifecyclePopulation, propensityTrainingSet } = ml("lifecycle/evaluate.ts")
const { fitPropensity, scorePropensity } = ml("lifecycle/propensity.ts")
const { fitLogistic, predictLogistic } = ml("lifecycle/references.ts")
const { fitFeatureTransform, applyFeatureTransform } = ml("features/feature-transform.ts")
const { rocAuc } = ml("evaluation/auc.ts")
const { Rng } = ml("random.ts")

const file = resolve(process.argv[2] || join(root, "data/online-retail-dev/online-retail-dev.csv.gz"))
const mode = process.argv[3] ?? "oof"
if (!["oof", "dev"].includes(mode)) throw new Error(`mode must be oof or dev, got ${mode}`)
const { lines } = loadOnlineRetail(file)
const T1 = Date.UTC(2011, 2, 1)
const T2 = Date.UTC(2011, 5, 1)
const E = Date.UTC(2011, 8, 1)

const logit = (p) => {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6)
  return Math.log(q / (1 - q))
}
/** Equal-weight average of the two models' logits. */
const blend = (a, b) => Float64Array.from(a, (v, i) => 0.5 * (logit(v) + logit(b[i])))

/** the evaluation protocol's (docs/evaluation.md) logistic regression: log(1 + x) of every column, standardised on the fit rows. */
function logistic(fit, bought, scored) {
  const t = fitFeatureTransform(fit.values, fit.names, { log1p: fit.names })
  const m = fitLogistic(applyFeatureTransform(t, fit.values), fit.names.length, bought)
  return predictLogistic(m, applyFeatureTransform(t, scored.values))
}

/** The given rows of a feature matrix. */
function rowsOf(f, rows) {
  const d = f.names.length
  const values = new Float64Array(rows.length * d)
  rows.forEach((r, i) => values.set(f.values.subarray(r * d, r * d + d), i * d))
  return { names: f.names, values }
}

if (mode === "oof") {
  const { features, labels } = lifecyclePopulation(lines, T1, T2)
  const n = features.customerIds.length
  const rng = new Rng(7)
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  const K = 5
  const net = new Float64Array(n)
  const lr = new Float64Array(n)
  for (let f = 0; f < K; f++) {
    const test = order.filter((_, i) => i % K === f)
    const train = order.filter((_, i) => i % K !== f)
    const fit = rowsOf(features, train)
    const held = rowsOf(features, test)
    const bought = train.map((r) => labels.boughtAgain[r])
    const spend = train.map((r) => labels.spend[r])
    const model = await fitPropensity({ names: fit.names, values: fit.values, bought, spend }, { seed: f })
    const s = scorePropensity(model, held)
    const l = logistic(fit, bought, held)
    test.forEach((r, i) => {
      net[r] = s.buy[i]
      lr[r] = l[i]
    })
    console.error(`fold ${f + 1}/${K}`)
  }
  const y = labels.boughtAgain
  console.log(JSON.stringify({ mode, customers: n, net: rocAuc(y, net), logistic: rocAuc(y, lr), blend: rocAuc(y, blend(net, lr)) }))
} else {
  const fit = lifecyclePopulation(lines, T1, T2)
  const scored = lifecyclePopulation(lines, T2, E)
  const y = scored.labels.boughtAgain
  const lr = logistic(fit.features, fit.labels.boughtAgain, scored.features)
  for (const seed of [0, 1, 2]) {
    const s = scorePropensity(await fitPropensity(propensityTrainingSet(fit), { seed }), scored.features)
    console.log(JSON.stringify({ mode, seed, net: rocAuc(y, s.buy), logistic: rocAuc(y, lr), blend: rocAuc(y, blend(s.buy, lr)) }))
  }
}
