#!/usr/bin/env node
/**
 * `npm test`: every suite, one after the other, on the real PostgreSQL and Redis.
 *   unit                 src/**\/__tests__/*.unit.spec.ts          (no services)
 *   integration:modules  src/modules/*\/__tests__/*.spec.ts         (PostgreSQL, module test runner)
 *   integration:http     integration-tests/http/*.spec.ts          (PostgreSQL, the whole app)
 *   integration:redis    integration-tests/redis/*.spec.ts         (PostgreSQL + Redis modules, Redis db 15)
 *   demo                 `npm run demo` without the server on a fresh database (pz_test_demo),
 *                        then scripts/check-demo-features.mjs --all: the demo seeds, and the
 *                        plugin's tables match the shipped CSV for every customer
 *   pack                 scripts/check-pack.mjs: build, npm pack, install the tarball, run its CLI
 * `npm test -- unit http` runs only the named suites. Extra jest flags go after `--`.
 * Environment: DB_HOST (default localhost; never 127.0.0.1, which turns on SSL in Medusa's
 * test runners), DB_USERNAME (postgres), DB_PASSWORD (empty), TEST_REDIS_URL
 * (redis://localhost:6379/15; the suite flushes that database).
 */
import { spawnSync } from "node:child_process"

const suites = {
  unit: "unit",
  modules: "integration:modules",
  http: "integration:http",
  redis: "integration:redis",
  demo: null,
  pack: null,
}

const args = process.argv.slice(2)
const split = args.indexOf("--")
const names = (split === -1 ? args : args.slice(0, split)).filter((a) => !a.startsWith("-"))
const jestFlags = split === -1 ? args.filter((a) => a.startsWith("-")) : args.slice(split + 1)
const chosen = names.length ? names : Object.keys(suites)
for (const name of chosen) {
  if (!(name in suites)) {
    console.error(`unknown suite "${name}"; choose from ${Object.keys(suites).join(", ")}`)
    process.exit(2)
  }
}

const env = {
  ...process.env,
  DB_HOST: process.env.DB_HOST ?? "localhost",
  DB_USERNAME: process.env.DB_USERNAME ?? "postgres",
  DB_PASSWORD: process.env.DB_PASSWORD ?? "",
  MEDUSA_DISABLE_TELEMETRY: "true",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--experimental-vm-modules"].filter(Boolean).join(" "),
}
delete env.REDIS_URL

function runDemoSuite() {
  const server = process.env.TEST_PG_URL ?? `postgres://${env.DB_USERNAME}@${env.DB_HOST}:5432`
  const demoEnv = { ...env, NODE_OPTIONS: process.env.NODE_OPTIONS ?? "", DEMO_NO_SERVER: "1",
    DATABASE_URL: `${server}/pz_test_demo` }
  const dropScript = `const pg = require("pg"); const c = new pg.Client({ connectionString: process.argv[1] });
    c.connect().then(() => c.query("DROP DATABASE IF EXISTS pz_test_demo WITH (FORCE)")).then(() => c.end())
      .catch((e) => { console.error(e.message); process.exit(1) })`
  const drop = spawnSync("node", ["-e", dropScript, `${server}/postgres`], { stdio: "inherit" })
  if (drop.status !== 0) return 1
  for (const script of [["scripts/demo.mjs"], ["scripts/check-demo-features.mjs", "--all"]]) {
    const run = spawnSync("node", script, { stdio: "inherit", env: demoEnv })
    if (run.status !== 0) return run.status ?? 1
  }
  return 0
}

let failed = []
for (const name of chosen) {
  if (name === "pack") {
    console.log(`\n=== pack (the published package and its CLI) ===`)
    if (spawnSync("node", ["scripts/check-pack.mjs"], { stdio: "inherit", env }).status !== 0) failed.push(name)
    continue
  }
  if (name === "demo") {
    console.log(`\n=== demo (seed a fresh store, check its tables against the CSV) ===`)
    if (runDemoSuite() !== 0) failed.push(name)
    continue
  }
  const suiteEnv = { ...env, TEST_TYPE: suites[name] }
  if (name === "redis") {
    suiteEnv.REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://localhost:6379/15"
  }
  console.log(`\n=== ${name} (${suites[name]}) ===`)
  const run = spawnSync("npx", ["jest", "--runInBand", "--forceExit", "--silent", ...jestFlags], {
    stdio: "inherit",
    env: suiteEnv,
  })
  if (run.status !== 0) {
    failed.push(name)
  }
}

if (failed.length) {
  console.error(`\nfailed suites: ${failed.join(", ")}`)
  process.exit(1)
}
console.log(`\nall suites passed: ${chosen.join(", ")}`)
