#!/usr/bin/env node
/**
 * Time of a training run's stages (src/ml/pipeline/training.ts: holdout evaluation, refit,
 * personal lists, product lists) on the demo sample, in this process (the plugin runs the
 * same function in a worker thread). Prints one line per stage and the total.
 *
 *   node scripts/bench-training.mjs [--data data/online-retail-sample/online-retail-sample.csv.gz] [--no-texts]
 *
 * The file's Description column gives the product texts (as titles), as the store run reads
 * them from Medusa; --no-texts trains without any.
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
const { values } = parseArgs({
  options: {
    data: { type: "string", default: join(root, "data/online-retail-sample/online-retail-sample.csv.gz") },
    // Without product texts, as a store whose products have no titles would train.
    "no-texts": { type: "boolean", default: false },
  },
})

registerTs()
const { loadOnlineRetail } = require(join(root, "src/ml/data/online-retail.ts"))
const { defaultRecipe, runTraining } = require(join(root, "src/ml/pipeline/training.ts"))
const { REASON_CODE, decodeList } = require(join(root, "src/ml/recommend/packed-lists.ts"))

const { lines, descriptions } = loadOnlineRetail(values.data)
// The product texts the store run reads from Medusa; an Online Retail file has the Description column as title.
const texts = values["no-texts"] ? [] : Array.from(descriptions.keys()).sort().map((id) => ({ id, title: descriptions.get(id) }))
const asOf = lines.reduce((m, l) => Math.max(m, l.time), 0) + 1
const products = new Set(lines.map((l) => l.productId)).size
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0]
process.stdout.write(`${lines.length} lines, ${products} products sold, ${texts.length} product texts; ${cpus().length} cores, load ${load()}\n`)
const t0 = performance.now()
let last = t0
let lastStage = "split"
const run = runTraining(
  lines,
  { candidate: defaultRecipe(products), active: null, asOf, holdoutDays: 30, activeDays: 365, listSize: 100, relatedSize: 50, minTestCustomers: 20, margin: 0.01 },
  (_done, _total, stage) => {
    const now = performance.now()
    if (stage !== lastStage || now - last > 0) process.stdout.write(`  ${lastStage.padEnd(15)} ${((now - last) / 1000).toFixed(1)} s\n`)
    last = now
    lastStage = stage
  },
  texts
)
// A generator: the plugin's worker hands each output over; here they are only counted.
let step = run.next()
let coldPicks = 0
while (!step.done) {
  const out = step.value
  if (out.type === "lists" && out.batch.kind === "customer") {
    for (let i = 0; i < out.batch.subjects.length; i++) {
      const { codes } = decodeList(out.batch.bytes.subarray(out.batch.offsets[i], out.batch.offsets[i + 1]))
      for (const c of codes) if (c === REASON_CODE.new_like_purchased) coldPicks++
    }
  }
  step = run.next()
}
const summary = step.value
const lists = summary.lists ? Object.entries(summary.lists).map(([k, v]) => `${v} ${k}`).join(", ") : "no lists"
process.stdout.write(`total ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${load()}; ${summary.decision.reason}; ${lists}; ${coldPicks} cold-item picks in personal lists\n`)
