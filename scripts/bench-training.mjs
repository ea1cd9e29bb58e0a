#!/usr/bin/env node
/**
 * Time of a training run's stages (src/ml/pipeline/training.ts: holdout evaluation, refit,
 * personal lists, product lists) on the demo sample, in this process (the plugin runs the
 * same function in a worker thread). Prints one line per stage and the total.
 *
 *   node scripts/bench-training.mjs [--data data/online-retail-sample/online-retail-sample.csv.gz]
 *
 * Runs the TypeScript sources directly, transpiled on require by @swc/core (a dev dependency).
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { cpus } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { registerTs } from "./lib/register-ts.mjs"
import { parseArgs } from "node:util"

const require = createRequire(import.meta.url)
const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const { values } = parseArgs({ options: { data: { type: "string", default: join(root, "data/online-retail-sample/online-retail-sample.csv.gz") } } })

registerTs()
const { loadOnlineRetail } = require(join(root, "src/ml/data/online-retail.ts"))
const { defaultRecipe, runTraining } = require(join(root, "src/ml/pipeline/training.ts"))

const { lines } = loadOnlineRetail(values.data)
const asOf = lines.reduce((m, l) => Math.max(m, l.time), 0) + 1
const products = new Set(lines.map((l) => l.productId)).size
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0]
process.stdout.write(`${lines.length} lines, ${products} products; ${cpus().length} cores, load ${load()}\n`)
const t0 = performance.now()
let last = t0
let lastStage = "split"
const result = runTraining(
  lines,
  { candidate: defaultRecipe(products), active: null, asOf, holdoutDays: 30, activeDays: 365, listSize: 100, relatedSize: 50, minTestCustomers: 20, margin: 0.01 },
  (_done, _total, stage) => {
    const now = performance.now()
    if (stage !== lastStage || now - last > 0) process.stdout.write(`  ${lastStage.padEnd(15)} ${((now - last) / 1000).toFixed(1)} s\n`)
    last = now
    lastStage = stage
  }
)
process.stdout.write(
  `total ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${load()}; ${result.decision.reason}; ${result.lists?.length ?? 0} lists\n`
)
