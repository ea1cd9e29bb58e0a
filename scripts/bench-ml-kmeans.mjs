#!/usr/bin/env node
/**
 * `node scripts/bench-ml-kmeans.mjs [--n 1000000,100000] [--d 8] [--k 8] [--n-init 10] [--seed 1]
 *                                   [--workers 2] [--repeat 3] [--no-sklearn] [--reference] [--dir /tmp]`
 *
 * Times src/ml/segmentation's k-means (restarts over worker threads) against scikit-learn's
 * KMeans(n_clusters=k, n_init, k-means++) on the SAME float64 matrix: a seeded Gaussian mixture
 * written to a binary file (row-major, little-endian) that both sides read. Prints, per size,
 * inertia of each side, inertia ratio (ours / sklearn; the goal is <= 1.001), wall-time ratio
 * (goal <= 1), iterations, and the load average before each timed run (the machine is shared).
 * The two sides run --repeat times, alternating (ours first in even rounds, scikit-learn first
 * in odd ones) so both see the same load; the time ratio reported is the median of the
 * per-round ratios, the times the medians of each side.
 * Our time includes starting the workers and copying the matrix to shared memory; neither
 * side's time includes reading the file. scikit-learn is skipped when
 * `/usr/bin/python3 -c "import sklearn"` fails. Every Python command runs without OPENBLAS_CORETYPE
 * and OPENBLAS_L2_SIZE (scripts/lib/python-reference.mjs), and the kernel threadpoolctl reports
 * is printed with scikit-learn's times. --reference also times the single-thread
 * plain Lloyd reference (slow) for one restart. --search also times the automatic choice of k
 * (segmentCustomersInWorkers over k = 2..8, 10 restarts each, silhouettes on a 4,000-row sample)
 * on the same matrix, ours only.
 *
 * Runs the TypeScript sources directly, transpiled on require by @swc/core (a dev dependency).
 */
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync, existsSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join, dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { registerTs } from "./lib/register-ts.mjs"
import { describePools, overridesSet, referenceEnv } from "./lib/python-reference.mjs"
import { parseArgs } from "node:util"

const require = createRequire(import.meta.url)
const root = join(dirname(fileURLToPath(import.meta.url)), "..")
registerTs()
const { runKMeansInWorkers } = require(join(root, "src/ml/segmentation/kmeans-pool.ts"))
const { kmeans } = require(join(root, "src/ml/segmentation/kmeans.ts"))
const { Rng } = require(join(root, "src/ml/random.ts"))
const { segmentCustomersInWorkers } = require(join(root, "src/ml/segmentation/segment.ts"))

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1000000,100000" },
    d: { type: "string", default: "8" },
    k: { type: "string", default: "8" },
    "n-init": { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
    workers: { type: "string" },
    "no-sklearn": { type: "boolean", default: false },
    reference: { type: "boolean", default: false },
    search: { type: "boolean", default: false },
    dir: { type: "string", default: tmpdir() },
    json: { type: "boolean", default: false },
    repeat: { type: "string", default: "3" },
  },
})
const d = Number(values.d)
const k = Number(values.k)
const nInit = Number(values["n-init"])
const seed = Number(values.seed)
const repeat = Number(values.repeat)
const workers = values.workers === undefined ? undefined : Number(values.workers)
const python = "/usr/bin/python3"
const haveSklearn = !values["no-sklearn"] && spawnSync(python, ["-c", "import sklearn"], { env: referenceEnv() }).status === 0
const overrides = overridesSet()
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")

/**
 * A Gaussian mixture that is not trivially separable: 8 components with centres drawn from
 * N(0, 1.5^2) per coordinate, unequal weights and per-component spreads in [0.6, 1.4].
 */
function mixture(n, d, seed) {
  const rng = new Rng(seed)
  const comps = 8
  const centres = Float64Array.from({ length: comps * d }, () => rng.normal(0, 1.5))
  const spread = Float64Array.from({ length: comps }, () => 0.6 + 0.8 * rng.next())
  const w = Array.from({ length: comps }, (_, c) => c + 1)
  const wsum = w.reduce((a, b) => a + b, 0)
  const x = new Float64Array(n * d)
  for (let i = 0; i < n; i++) {
    let r = rng.next() * wsum
    let c = 0
    while (r >= w[c]) r -= w[c++]
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c * d + j] + spread[c] * rng.normal()
  }
  return x
}

const median = (a) => {
  const s = [...a].sort((p, q) => p - q)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const fmt = (a) => a.map((v) => v.toFixed(2)).join(", ")

async function runOurs(x) {
  const load = loadavg()
  const t = performance.now()
  const r = await runKMeansInWorkers(x, d, { k, nInit, seed, workers })
  return { seconds: (performance.now() - t) / 1000, inertia: r.inertia, iterations: r.iterations, load }
}

function runSklearn(file, n) {
  const load = loadavg()
  const p = spawnSync(python, [join(root, "src/ml/segmentation/bench/sklearn-kmeans.py"), file, String(n), String(d), String(k), String(nInit), "0"], { encoding: "utf8", env: referenceEnv() })
  if (p.status !== 0) throw new Error(`sklearn run failed: ${p.stderr}`)
  const s = JSON.parse(p.stdout.trim().split("\n").pop())
  return { seconds: s.seconds, inertia: s.inertia, iterations: s.n_iter, pools: s.pools, versions: { sklearn: s.sklearn, numpy: s.numpy }, load }
}

const s0pools = (row) => row.sklearn[0].pools
const rows = []
for (const n of values.n.split(",").map(Number)) {
  const file = join(values.dir, `bench-kmeans-${n}x${d}-seed${seed}.f64`)
  let x
  if (existsSync(file)) {
    const b = readFileSync(file)
    x = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
  } else {
    x = mixture(n, d, seed)
    writeFileSync(file, Buffer.from(x.buffer))
  }
  const row = { n, d, k, nInit, repeat, ours: [], sklearn: [], timeRatios: [] }
  // Alternate the two sides (ours first in even rounds, scikit-learn first in odd ones) so
  // both see the same load on average; each round's ratio compares neighbouring runs.
  for (let r = 0; r < repeat; r++) {
    let o, s
    if (haveSklearn && r % 2 === 1) {
      s = runSklearn(file, n)
      o = await runOurs(x)
    } else {
      o = await runOurs(x)
      if (haveSklearn) s = runSklearn(file, n)
    }
    row.ours.push(o)
    if (s) {
      row.sklearn.push(s)
      row.timeRatios.push(o.seconds / s.seconds)
    }
  }
  row.oursSeconds = median(row.ours.map((o) => o.seconds))
  row.oursInertia = row.ours[0].inertia
  row.oursIterations = row.ours[0].iterations
  if (row.ours.some((o) => o.inertia !== row.oursInertia)) throw new Error("ours: inertia differs between runs with the same seed")
  if (values.reference) {
    row.loadReference = loadavg()
    let t = performance.now()
    const ref = kmeans(x, d, { k, nInit: 1, seed, reference: true })
    row.referenceOneRestartSeconds = (performance.now() - t) / 1000
    t = performance.now()
    const fast = kmeans(x, d, { k, nInit: 1, seed })
    row.fastOneRestartOneThreadSeconds = (performance.now() - t) / 1000
    row.referenceVsFastInertia = ref.inertia / fast.inertia
  }
  if (values.search) {
    // Identity transform: the matrix is already the standardised space.
    const names = Array.from({ length: d }, (_, j) => `f${j}`)
    const transform = { names, log1p: names.map(() => false), mean: new Float64Array(d), std: new Float64Array(d).fill(1) }
    row.loadSearch = loadavg()
    const t = performance.now()
    const r = await segmentCustomersInWorkers(x, { transform, kRange: [2, 8], nInit, seed, workers })
    row.searchSeconds = (performance.now() - t) / 1000
    row.search = r.search.map((q) => ({ k: q.k, silhouette: Number(q.silhouette.toFixed(4)), iterations: q.iterations }))
    row.searchChosenK = r.k
  }
  if (haveSklearn) {
    const s = row.sklearn
    row.sklearnVersions = { sklearn: s[0].versions.sklearn, numpy: s[0].versions.numpy }
    row.sklearnKernels = s[0].pools.map((q) => ({ lib: q.lib, api: q.api, threads: q.threads, architecture: q.arch ?? null }))
    row.envOverridesUnset = overrides
    row.sklearnSeconds = median(s.map((q) => q.seconds))
    row.sklearnInertia = s[0].inertia
    row.sklearnIterations = s[0].iterations
    row.sklearnPools = s[0].pools.map((q) => `${q.lib}:${q.threads}${q.arch ? `:${q.arch}` : ""}`).join(",")
    row.inertiaRatio = row.oursInertia / row.sklearnInertia
    row.timeRatio = median(row.timeRatios)
  }
  rows.push(row)
  if (!values.json) {
    console.log(`n=${n} d=${d} k=${k} n_init=${nInit}, ${repeat} alternating round(s)`)
    console.log(`  ours:    median ${row.oursSeconds.toFixed(2)} s [${fmt(row.ours.map((o) => o.seconds))}], inertia ${row.oursInertia.toFixed(3)}, ${row.oursIterations} iterations (load before each: ${row.ours.map((o) => o.load).join(" | ")})`)
    if (values.search) console.log(`  automatic k (2..8, ${nInit} restarts each, silhouette sample 4000): ${row.searchSeconds.toFixed(2)} s, chose k=${row.searchChosenK}; silhouettes ${row.search.map((q) => `k=${q.k}: ${q.silhouette}`).join(", ")} (load ${row.loadSearch})`)
    if (values.reference) console.log(`  one restart, one thread: plain Lloyd ${row.referenceOneRestartSeconds.toFixed(2)} s, Hamerly ${row.fastOneRestartOneThreadSeconds.toFixed(2)} s, inertia ratio ${row.referenceVsFastInertia} (load ${row.loadReference})`)
    if (haveSklearn) {
      console.log(`  scikit-learn ${row.sklearnVersions.sklearn}, numpy ${row.sklearnVersions.numpy}; threadpoolctl: ${describePools(s0pools(row))}; unset for its command: ${overrides.length ? overrides.join(" ") : "none (neither was set)"}`)
      console.log(`  sklearn: median ${row.sklearnSeconds.toFixed(2)} s [${fmt(row.sklearn.map((o) => o.seconds))}], inertia ${row.sklearnInertia.toFixed(3)}, ${row.sklearnIterations} iterations [${row.sklearnPools}] (load before each: ${row.sklearn.map((o) => o.load).join(" | ")})`)
      console.log(`  inertia ratio ${row.inertiaRatio.toFixed(6)} (goal <= 1.001), time ratio per round [${row.timeRatios.map((v) => v.toFixed(3)).join(", ")}], median ${row.timeRatio.toFixed(3)} (goal <= 1)`)
    }
  }
}
if (values.json) console.log(JSON.stringify(rows, null, 2))
