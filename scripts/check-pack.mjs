#!/usr/bin/env node
/**
 * The package as npm would publish it: `medusa plugin:build`, `npm pack`, install the tarball
 * into an empty project (peer dependencies left out: the CLI needs none of Medusa), then run
 * the packaged `medusa-personalization` command on the shipped demo sample.
 * `node scripts/check-pack.mjs` (exit 1 on any failure).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const sample = join(root, "data/online-retail-sample/online-retail-sample.csv.gz")
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true" } })

const work = mkdtempSync(join(tmpdir(), "pz-pack-"))
try {
  run("npx", ["medusa", "plugin:build"], root)
  const tarball = run("npm", ["pack", "--pack-destination", work], root).trim().split("\n").pop()
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "pack-check", private: true }))
  run("npm", ["install", "--no-audit", "--no-fund", "--legacy-peer-deps", join(work, tarball)], work)

  const help = run("npx", ["medusa-personalization", "--help"], work)
  if (!help.includes("recommend")) throw new Error(`--help does not list the commands:\n${help}`)
  const out = JSON.parse(
    run("npx", ["medusa-personalization", "recommend", "--data", sample, "--customer", "13047", "--n", "3", "--json"], work)
  )
  if (out.recommendations.length !== 3 || !out.recommendations.every((r) => r.reason && r.reason.text)) {
    throw new Error(`unexpected recommendations: ${JSON.stringify(out)}`)
  }
  let failed = false
  try {
    run("npx", ["medusa-personalization", "evaluate", "--cutoff", "2011-06-01"], work)
  } catch (error) {
    failed = error.status === 2
  }
  if (!failed) throw new Error("bad input did not exit with code 2")
  console.log(`pack check: ${tarball} installs and its CLI runs (help, recommend, exit code 2 on bad input)`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
