#!/usr/bin/env node
/**
 * Summarise a V8 CPU profile (the `.cpuprofile` files node's `--cpu-prof` writes, as
 * `npm run bench:nightly -- --profile <stage>` does into .bench-nightly-profiles/).
 *
 *   node scripts/profile-top.mjs <file.cpuprofile> [--top 25] [--from s --to s] [--match text]
 *
 * Prints the profile's span, then the functions with the most self time (time spent in the
 * function's own code) and with the most total time (its own code and what it called), each as
 * seconds and share of the sampled time, with file and line. `--from`/`--to` (seconds from the
 * profile's start) keep only the samples of that window, to look at one phase of a long stage;
 * `--match` keeps the total-time rows whose name or file contains the text.
 */
import { readFileSync } from "node:fs"
import path from "node:path"
import { parseArgs } from "node:util"

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: "string", default: "25" },
    from: { type: "string" },
    to: { type: "string" },
    match: { type: "string" },
  },
})
if (positionals.length !== 1) {
  console.error("usage: node scripts/profile-top.mjs <file.cpuprofile> [--top N] [--from s --to s] [--match text]")
  process.exit(2)
}
/** A number option, or exit 2 naming it. */
function numberOption(name, fallback) {
  if (values[name] === undefined) return fallback
  const x = Number(values[name])
  if (!Number.isFinite(x) || x < 0 || (name === "top" && !Number.isInteger(x))) {
    console.error(`--${name} must be a ${name === "top" ? "whole number" : "number of seconds"} >= 0, got "${values[name]}"`)
    process.exit(2)
  }
  return x
}
const top = numberOption("top")
const from = numberOption("from", -Infinity / 1e6) * 1e6
const to = numberOption("to", Infinity / 1e6) * 1e6
const profile = JSON.parse(readFileSync(positionals[0], "utf8"))

const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

// Time per sample: the next sample's delta (V8 records the delta before each sample).
const self = new Map()
let t = 0
let sampled = 0
const deltas = profile.timeDeltas
for (let i = 0; i < profile.samples.length; i++) {
  t += deltas[i]
  const dt = i + 1 < deltas.length ? deltas[i + 1] : 0
  if (t < from || t > to) continue
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt)
  sampled += dt
}

const where = (n) => {
  const f = n.callFrame
  const file = f.url ? path.relative(process.cwd(), f.url.replace(/^file:\/\//, "")) : ""
  return `${f.functionName || "(anonymous)"} ${file ? `${file}:${f.lineNumber + 1}` : ""}`.trim()
}

// Self time per function (nodes of one function at different stacks summed), and total time:
// each sample counts once for every distinct function on its stack.
const selfBy = new Map()
const totalBy = new Map()
for (const [id, us] of self) {
  const n = nodes.get(id)
  selfBy.set(where(n), (selfBy.get(where(n)) ?? 0) + us)
  const seen = new Set()
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = where(nodes.get(cur))
    if (seen.has(key)) continue
    seen.add(key)
    totalBy.set(key, (totalBy.get(key) ?? 0) + us)
  }
}

const span = (profile.endTime - profile.startTime) / 1e6
const print = (title, map, filter = () => true) => {
  console.log(`\n${title}`)
  const rows = [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, top)
  for (const [k, us] of rows) console.log(`${(us / 1e6).toFixed(1).padStart(9)} s ${((100 * us) / sampled).toFixed(1).padStart(5)}%  ${k}`)
}
console.log(`${positionals[0]}: ${span.toFixed(1)} s profiled, ${(sampled / 1e6).toFixed(1)} s in the window, ${profile.samples.length} samples`)
print("self time", selfBy)
const skip = new Set(["(root)", "(program)", "(idle)", "(garbage collector)"])
print("total time", totalBy, (k) => !skip.has(k) && (!values.match || k.includes(values.match)))
