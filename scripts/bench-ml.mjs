#!/usr/bin/env node
/**
 * `npm run bench:ml` = `node scripts/bench-ml.mjs [--only dev|synthetic|kmeans|purchase] [--lines 20000000]
 *   [--customers N] [--products 100000] [--small-lines 2000000] [--propensity-customers 5000]
 *   [--models a,b] [--seed 1] [--dev-file F] [--cutoff 2011-06-01] [--cache-dir /tmp] [--json]`
 *
 * Fit time and peak memory of every model of src/ml, each fit in its own child process (so that
 * one fit's garbage and peak do not hide another's), on (a) the development data at the cutoff
 * and (b) a seeded synthetic set (scripts/lib/synthetic-purchases.mjs; default 1M customers,
 * 100k products, 20M lines; --lines scales customers with it unless --customers is given).
 * Datasets are prepared once into a binary cache (typed arrays, no parsing) so that a fit
 * child's memory before the fit is the data alone. Per fit: wall time of fit() on the child's
 * main thread; peak RSS = the kernel's maxRSS of the child (getrusage), RSS just before the fit
 * (after a full GC), and their difference (what the fit itself added, at most); the bytes of
 * typed arrays in the serialized model. Models too slow at 20M lines on a 2-core machine run on
 * a --small-lines set (marked); models over their item limit print "skipped". k-means runs
 * through scripts/bench-ml-kmeans.mjs under /usr/bin/time for its peak RSS (without scikit-learn),
 * then, when Debian's python3-sklearn is installed, again against scikit-learn for the ratio.
 * Purchase prediction (src/ml/lifecycle/purchase-model.ts, the default) runs on seeded synthetic
 * customer bases of 100,000 and 1,000,000 customers (syntheticLifecycle: a BG/NBD-like purchase
 * process): fit on the default sample (50,000 customers, BG/NBD on 10,000 of them) plus scoring
 * every customer in batches of 10,000, in one child process each, timed together; and, for the
 * AUC the sample costs, the same with larger samples (all 100,000; 200,000 / 50,000 at 1M).
 * The machine may be shared: the 1-minute load average is printed before each fit.
 *
 * Runs the TypeScript sources directly, transpiled on require by @swc/core (a dev dependency).
 */
import { spawnSync } from "node:child_process"
import { OPENBLAS_OVERRIDES, describePools, referenceEnv } from "./lib/python-reference.mjs"
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs"
import { createRequire } from "node:module"
import { cpus, tmpdir, totalmem } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { registerTs } from "./lib/register-ts.mjs"
import { parseArgs } from "node:util"

import { readArrays, syntheticLifecycle, syntheticPropensitySet, syntheticPurchases, writeArrays } from "./lib/synthetic-purchases.mjs"

const require = createRequire(import.meta.url)
const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const self = fileURLToPath(import.meta.url)
const DAY = 86_400_000
/** EASE: ease.ts states about 4 minutes and 1 GB at 8,000 items (n^3, n^2): "above that, use item-kNN". */
const EASE_ITEM_LIMIT = 8000
/** Dense item-kNN: item-knn.ts says "keep to about 10,000 items" (4 n^2 bytes). */
const DENSE_KNN_ITEM_LIMIT = 10000

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    lines: { type: "string", default: "20000000" },
    customers: { type: "string" },
    products: { type: "string", default: "100000" },
    "small-lines": { type: "string", default: "2000000" },
    "propensity-customers": { type: "string", default: "5000" },
    models: { type: "string" },
    seed: { type: "string", default: "1" },
    "dev-file": { type: "string", default: join(root, "data/online-retail-dev/online-retail-dev.csv.gz") },
    cutoff: { type: "string", default: "2011-06-01" },
    "fit-cutoff": { type: "string", default: "2011-03-01" },
    "cache-dir": { type: "string", default: tmpdir() },
    json: { type: "boolean", default: false },
    child: { type: "string" },
  },
})

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0]
const mb = (bytes) => bytes / 2 ** 20

/** Bytes of typed arrays reachable from `v` (each buffer once). */
function typedBytes(v, seen = new Set()) {
  if (v === null || typeof v !== "object" || seen.has(v)) return 0
  seen.add(v)
  if (ArrayBuffer.isView(v)) return v.byteLength
  let s = 0
  for (const x of Object.values(v)) s += typedBytes(x, seen)
  return s
}

// ---------------------------------------------------------------- datasets (cached, binary)

function syntheticSpec(lines) {
  const customers = args.customers ? Number(args.customers) : Math.round((1_000_000 * lines) / 20_000_000)
  return { customers, products: Number(args.products), lines, seed: Number(args.seed) }
}

function cacheFile(dataset) {
  if (dataset.kind === "dev") return join(args["cache-dir"], `bench-ml-dev-${args.cutoff}-${args["fit-cutoff"]}.bin`)
  const s = dataset.spec
  return join(args["cache-dir"], `bench-ml-synthetic-c${s.customers}-p${s.products}-l${s.lines}-s${s.seed}-pc${args["propensity-customers"]}.bin`)
}

/** Writes the dataset's cache file (in a child of its own: parsing the CSV is not cheap). */
function prepare(dataset) {
  const file = cacheFile(dataset)
  if (existsSync(file)) return file
  if (dataset.kind === "dev") {
    registerTs()
    const { loadOnlineRetail } = require(join(root, "src/ml/data/online-retail.ts"))
    const { temporalSplit } = require(join(root, "src/ml/data/split.ts"))
    const { requireTimestamp } = require(join(root, "src/ml/data/time.ts"))
    const { customerFeatures, futureLabels } = require(join(root, "src/ml/features/customer-features.ts"))
    const cutoff = requireTimestamp(args.cutoff, "--cutoff")
    const t1 = requireTimestamp(args["fit-cutoff"], "--fit-cutoff")
    const lines = loadOnlineRetail(args["dev-file"]).lines
    const split = temporalSplit(lines, cutoff)
    const tr = split.train
    const f1 = customerFeatures(lines, t1)
    const y1 = futureLabels(lines, f1.customerIds, t1, cutoff)
    const meta = { nUsers: tr.nUsers, nItems: tr.nItems, asOf: tr.asOf, lines: split.trainLines, names: f1.names, propensityCustomers: f1.customerIds.length }
    writeArrays(file, meta, {
      indptr: tr.strength.indptr, indices: tr.strength.indices, data: tr.strength.data,
      user: tr.events.user, item: tr.events.item, time: tr.events.time,
      pValues: f1.values, pBought: Uint8Array.from(y1.boughtAgain), pSpend: Float64Array.from(y1.spend),
    })
  } else {
    const s = syntheticPurchases(dataset.spec)
    const p = syntheticPropensitySet(s, s.asOf - 90 * DAY, s.asOf, Number(args["propensity-customers"]))
    const meta = { nUsers: s.nUsers, nItems: s.nItems, asOf: s.asOf, lines: s.lines, names: p.names, propensityCustomers: p.bought.length }
    writeArrays(file, meta, {
      indptr: s.strength.indptr, indices: s.strength.indices, data: s.strength.data,
      user: s.events.user, item: s.events.item, time: s.events.time,
      pValues: p.values, pBought: p.bought, pSpend: p.spend,
    })
  }
  return file
}

function loadDataset(file) {
  const { meta, arrays: a } = readArrays(file)
  const interactions = {
    nUsers: meta.nUsers, nItems: meta.nItems, asOf: meta.asOf,
    strength: { nRows: meta.nUsers, nCols: meta.nItems, indptr: a.indptr, indices: a.indices, data: a.data },
    events: { user: a.user, item: a.item, time: a.time },
  }
  const propensity = { names: meta.names, values: a.pValues, bought: a.pBought, spend: a.pSpend }
  return { meta, interactions, propensity }
}

// ---------------------------------------------------------------- child: one fit

/** One purchase-model run: fit on a sample, score everyone in batches; AUC on the scored window. */
function runPurchaseChild(spec) {
  registerTs()
  const { fitPurchaseModel, scorePurchaseModel } = require(join(root, "src/ml/lifecycle/purchase-model.ts"))
  const { rocAuc } = require(join(root, "src/ml/evaluation/auc.ts"))
  const data = syntheticLifecycle({ customers: spec.customers, seed: Number(args.seed) })
  global.gc()
  const rssBefore = process.memoryUsage().rss
  const t = performance.now()
  const model = fitPurchaseModel(data.fit, { horizonDays: data.horizonDays, ...spec.options })
  const fitSeconds = (performance.now() - t) / 1000
  const n = data.scored.bought.length
  const buy = new Float32Array(n)
  for (let s = 0; s < n; s += 10_000) buy.set(scorePurchaseModel(model, data.scored, s, Math.min(n, s + 10_000)).buy, s)
  const seconds = (performance.now() - t) / 1000
  const peak = process.resourceUsage().maxRSS * 1024
  process.stdout.write(JSON.stringify({
    seconds, fitSeconds, scoreSeconds: seconds - fitSeconds, auc: rocAuc(data.scored.bought, buy),
    peakRssMb: mb(peak), rssBeforeMb: mb(rssBefore), fitExtraMb: mb(peak - rssBefore), modelMb: mb(typedBytes(model)),
    fitted: model.fitted,
  }) + "\n")
}

async function runChild(spec) {
  if (spec.purchase) return runPurchaseChild(spec)
  if (spec.prepare) {
    prepare(spec.dataset)
    process.stdout.write(JSON.stringify({ ok: true }) + "\n")
    return
  }
  registerTs()
  const { meta, interactions, propensity } = loadDataset(spec.file)
  let fit
  if (spec.model === "propensity") {
    const { fitPropensity } = require(join(root, "src/ml/lifecycle/propensity.ts"))
    // Load TF.js and its wasm backend before the clock starts, as a long-lived worker would.
    await require(join(root, "src/ml/lifecycle/propensity.ts")).useBackend("wasm")
    fit = () => fitPropensity(propensity, spec.options)
  } else {
    const { createRecommender } = require(join(root, "src/ml/worker/registry.ts"))
    fit = () => createRecommender(spec.model, spec.options).fit(interactions).serialize()
  }
  global.gc()
  const rssBefore = process.memoryUsage().rss
  const peakBefore = process.resourceUsage().maxRSS * 1024
  const t = performance.now()
  const model = await fit()
  const seconds = (performance.now() - t) / 1000
  const peak = process.resourceUsage().maxRSS * 1024
  const out = {
    seconds,
    peakRssMb: mb(peak),
    rssBeforeMb: mb(rssBefore),
    fitExtraMb: mb(peak - rssBefore),
    // The kernel's peak is over the whole process: when the fit never rose above the loading
    // peak, its own peak is only known to be at most that.
    peakFromLoading: peak === peakBefore,
    modelMb: mb(typedBytes(model)),
    users: meta.nUsers, items: meta.nItems, lines: meta.lines, pairs: interactions.strength.indices.length,
    propensityCustomers: meta.propensityCustomers,
  }
  if (spec.model === "propensity") out.validationAuc = model.validation.auc
  process.stdout.write(JSON.stringify(out) + "\n")
}

function child(spec) {
  const p = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=16384", self, "--child", JSON.stringify(spec), ...forwarded()], {
    encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24,
  })
  if (p.status !== 0) return { error: `child exited with ${p.status ?? p.signal}` }
  return JSON.parse(p.stdout.trim().split("\n").pop())
}

/** Options the child needs to rebuild the same dataset paths. */
function forwarded() {
  const keys = ["dev-file", "cutoff", "fit-cutoff", "cache-dir", "products", "seed", "propensity-customers"]
  const out = keys.flatMap((k) => [`--${k}`, String(args[k])])
  if (args.customers) out.push("--customers", args.customers)
  return out
}

// ---------------------------------------------------------------- plan

const HYBRID_KNN = { collaborative: { model: "item-knn", options: { neighbours: 100 } } }
const PROPENSITY = { seed: 0 }
/** name, model, options, item limit, whether it needs the small synthetic set. */
const MODELS = [
  { name: "popularity (floor)", model: "popularity" },
  { name: "buy-again", model: "buy-again" },
  { name: "trending", model: "trending" },
  { name: "item-knn sparse top-100", model: "item-knn", options: { neighbours: 100 } },
  { name: "item-knn dense", model: "item-knn", limit: DENSE_KNN_ITEM_LIMIT },
  { name: "ease (lambda 500)", model: "ease", options: { lambda: 500 }, limit: EASE_ITEM_LIMIT },
  { name: "als 64 factors, 15 iterations (cg)", model: "als", options: { factors: 64, iterations: 15 }, small: true },
  { name: "als 64 factors, 1 iteration (cg)", model: "als", options: { factors: 64, iterations: 1 }, syntheticOnly: true },
  { name: "hybrid (default: ease)", model: "hybrid", limit: EASE_ITEM_LIMIT },
  { name: "hybrid (item-knn top-100)", model: "hybrid", options: HYBRID_KNN, syntheticOnly: true },
  { name: "purchase prediction network (20 nets, wasm)", model: "propensity", options: PROPENSITY },
]

function main() {
  if (args.child) return runChild(JSON.parse(args.child))
  const only = args.only
  if (only && !["dev", "synthetic", "kmeans", "purchase"].includes(only)) throw new Error(`--only must be dev, synthetic, kmeans or purchase, got ${only}`)
  const pick = args.models ? new Set(args.models.split(",")) : null
  const lines = Number(args.lines)
  const small = Math.min(lines, Number(args["small-lines"]))
  const datasets = []
  if (!only || only === "dev") datasets.push({ label: "dev", kind: "dev" })
  if (!only || only === "synthetic") {
    datasets.push({ label: `synthetic ${lines.toLocaleString("en")} lines`, kind: "synthetic", spec: syntheticSpec(lines) })
    if (small < lines) datasets.push({ label: `synthetic ${small.toLocaleString("en")} lines`, kind: "synthetic", spec: syntheticSpec(small), small: true })
  }
  const rows = []
  const print = (r) => {
    rows.push(r)
    if (args.json) return
    const where = `${r.dataset} | ${r.model}`
    if (r.skipped) console.log(`${where} | skipped: ${r.skipped}`)
    else if (r.error) console.log(`${where} | error: ${r.error} (load ${r.load})`)
    else {
      const peak = `${r.peakFromLoading ? "<= " : ""}${r.peakRssMb.toFixed(0)} MB`
      console.log(`${where} | fit ${r.seconds < 1 ? r.seconds.toFixed(3) : r.seconds.toFixed(1)} s | peak RSS ${peak}${Number.isNaN(r.rssBeforeMb) ? "" : ` (before fit ${r.rssBeforeMb.toFixed(0)} MB, +${r.fitExtraMb.toFixed(0)} MB) | model `}${Number.isNaN(r.modelMb) ? "" : r.modelMb < 1 ? `${(r.modelMb * 1024).toFixed(0)} KB` : `${r.modelMb.toFixed(1)} MB`} | load ${r.load}${r.note ? ` | ${r.note}` : ""}`)
    }
  }
  console.error(`machine: ${cpus().length} x ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`)
  for (const ds of datasets) {
    const models = MODELS.filter((m) => (!pick || pick.has(m.model) || pick.has(m.name)) && !(m.syntheticOnly && ds.kind === "dev"))
    const wanted = models.filter((m) => ds.kind === "dev" || (ds.small ? m.small : !m.small))
    if (wanted.length === 0) continue
    const t = performance.now()
    const prep = child({ prepare: true, dataset: ds })
    if (prep.error) throw new Error(`preparing ${ds.label}: ${prep.error}`)
    console.error(`${ds.label}: data ready in ${((performance.now() - t) / 1000).toFixed(1)} s (${cacheFile(ds)})`)
    const file = cacheFile(ds)
    const { meta } = readArraysMeta(file)
    const desc = `${ds.label} (${meta.nUsers.toLocaleString("en")} customers, ${meta.nItems.toLocaleString("en")} products)`
    for (const m of wanted) {
      if (m.limit !== undefined && meta.nItems > m.limit) {
        print({ dataset: desc, model: m.name, skipped: `${meta.nItems} items > limit ${m.limit}` })
        continue
      }
      const load = loadavg()
      console.error(`  ${m.name} (load ${load}) ...`)
      const r = child({ file, model: m.model, options: m.options })
      let note = ds.small ? `measured on the ${ds.label} set: too slow at ${lines.toLocaleString("en")} lines here` : ""
      if (m.model === "propensity" && ds.kind === "synthetic") note = `fit on the first ${meta.propensityCustomers.toLocaleString("en")} customers (labels: last 90 days)`
      if (m.model === "propensity" && ds.kind === "dev") note = `fit at ${args["fit-cutoff"]} (${meta.propensityCustomers} customers), labels to ${args.cutoff}; out-of-fold AUC ${r.validationAuc?.toFixed(4)}`
      print({ dataset: desc, model: m.name, load, note, ...r })
    }
  }
  if (!only || only === "purchase") {
    const runs = [
      { customers: 100_000, label: "default sample (50,000; BG/NBD 10,000)", options: {} },
      { customers: 100_000, label: "all 100,000 (BG/NBD 100,000)", options: { sampleSize: 100_000, bgnbdSampleSize: 100_000 } },
      { customers: 1_000_000, label: "default sample (50,000; BG/NBD 10,000)", options: {} },
      { customers: 1_000_000, label: "larger sample (200,000; BG/NBD 50,000)", options: { sampleSize: 200_000, bgnbdSampleSize: 50_000 } },
    ]
    for (const run of runs) {
      const load = loadavg()
      console.error(`  purchase model, ${run.customers} customers, ${run.label} (load ${load}) ...`)
      const r = child({ purchase: true, customers: run.customers, options: run.options })
      print({
        dataset: `synthetic customer base ${run.customers.toLocaleString("en")} (lifecycle)`,
        model: `purchase model fit + score all, ${run.label}`,
        load,
        ...r,
        note: r.error ? "" : `fit ${r.fitSeconds.toFixed(2)} s + score ${r.scoreSeconds.toFixed(2)} s; AUC on the next 90 days ${r.auc.toFixed(4)}`,
      })
    }
  }
  if (!only || only === "kmeans") {
    for (const n of [100_000, 1_000_000]) {
      const load = loadavg()
      console.error(`  k-means ${n} x 8 (load ${load}) ...`)
      const p = spawnSync("/usr/bin/time", ["-f", "maxrss_kb=%M", process.execPath, join(root, "scripts/bench-ml-kmeans.mjs"), "--n", String(n), "--no-sklearn", "--json"], { encoding: "utf8", maxBuffer: 1 << 24 })
      const rss = /maxrss_kb=(\d+)/.exec(p.stderr)
      if (p.status !== 0 || !rss) {
        print({ dataset: `k-means ${n.toLocaleString("en")} x 8`, model: "k-means k=8, 10 restarts", error: p.stderr.trim().split("\n").pop(), load })
        continue
      }
      const k = JSON.parse(p.stdout.slice(p.stdout.indexOf("[")))[0]
      let vsSklearn = "scikit-learn not installed (apt-get install python3-sklearn)"
      if (spawnSync("/usr/bin/python3", ["-c", "import sklearn"], { env: referenceEnv() }).status === 0) {
        // A separate run, so that the peak RSS above is ours alone: 3 alternating rounds.
        const q = spawnSync(process.execPath, [join(root, "scripts/bench-ml-kmeans.mjs"), "--n", String(n), "--repeat", "3", "--json"], { encoding: "utf8", maxBuffer: 1 << 24 })
        if (q.status === 0) {
          const c = JSON.parse(q.stdout.slice(q.stdout.indexOf("[")))[0]
          vsSklearn = `vs scikit-learn ${c.sklearnSeconds.toFixed(2)} s (ours ${c.oursSeconds.toFixed(2)} s in the same rounds; scikit-learn's kernel: ${describePools(c.sklearn[0].pools)}, run without ${OPENBLAS_OVERRIDES.join(" and ")}): time ratio ${c.timeRatio.toFixed(3)}, inertia ratio ${c.inertiaRatio.toFixed(6)}`
        } else vsSklearn = `scikit-learn run failed: ${q.stderr.trim().split("\n").pop()}`
      }
      print({
        dataset: `k-means ${n.toLocaleString("en")} x 8 (Gaussian mixture)`, model: "k-means k=8, 10 restarts, 2 workers",
        seconds: k.oursSeconds, peakRssMb: Number(rss[1]) / 1024, rssBeforeMb: Number.NaN, fitExtraMb: Number.NaN, modelMb: Number.NaN,
        load: k.ours[0].load.split(" ")[0], note: `via scripts/bench-ml-kmeans.mjs; peak includes making the ${(n * 8 * 8 / 2 ** 20).toFixed(0)} MB matrix, its shared copy and each worker's WebAssembly copy; ${vsSklearn}`,
      })
    }
  }
  if (args.json) console.log(JSON.stringify(rows, null, 2))
}

/** The header of a writeArrays file, without reading its arrays. */
function readArraysMeta(file) {
  const fd = openSync(file, "r")
  try {
    const head = Buffer.alloc(8)
    readSync(fd, head, 0, 8, 0)
    const json = Buffer.alloc(head.readUInt32LE(0))
    readSync(fd, json, 0, json.length, 8)
    return JSON.parse(json.toString())
  } finally {
    closeSync(fd)
  }
}

await main()
