#!/usr/bin/env node
/**
 * `npm test`: every suite, one after the other, on the real PostgreSQL and Redis.
 *   unit                 src/**\/__tests__/*.unit.spec.ts          (no services)
 *   integration:modules  src/modules/*\/__tests__/*.spec.ts         (PostgreSQL, module test runner)
 *   integration:http     integration-tests/http/*.spec.ts          (PostgreSQL, the whole app, Chromium)
 *   integration:redis    integration-tests/redis/*.spec.ts         (PostgreSQL + Redis modules)
 *   demo                 `npm run demo` without the server on a fresh database, then
 *                        scripts/check-demo-features.mjs --all: the demo seeds, and the
 *                        plugin's tables match the shipped CSV for every customer
 *   pack                 scripts/check-pack.mjs: build, npm pack, install the tarball, run its CLI
 * `npm test -- unit http` runs only the named suites. Extra jest flags go after `--`.
 *
 * Runs share a machine safely: every database a run creates is named after a token unique to
 * the run (PZ_TEST_RUN) and dropped at the end; the Redis suite takes a Redis database only
 * after marking it as its own (a key set with NX and a TTL, never database 0), and moves to
 * another free one when a run on the same server holds it.
 *
 * Environment: DB_HOST (default localhost; never 127.0.0.1, which turns on SSL in Medusa's
 * test runners), DB_USERNAME (postgres), DB_PASSWORD (empty), TEST_REDIS_URL (a Redis server,
 * default redis://localhost:6379; its database number, if any, is the first one tried).
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { hostname } from "node:os"
import pg from "pg"

const suites = {
  unit: "unit",
  modules: "integration:modules",
  http: "integration:http",
  redis: "integration:redis",
  demo: null,
  pack: null,
}
/** The browser the http suite drives, and how to get it. */
const CHROMIUM = "/usr/bin/chromium"

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
if (chosen.includes("http") && !existsSync(CHROMIUM)) {
  console.error(
    `The http suite drives Debian's Chromium at ${CHROMIUM}, which is not installed.\n` +
      `Install it with: sudo apt-get install -y chromium   (or run the other suites: npm test -- unit modules redis demo pack)`
  )
  process.exit(2)
}

const run = `r${Date.now().toString(36)}${process.pid.toString(36)}`
const env = {
  ...process.env,
  DB_HOST: process.env.DB_HOST ?? "localhost",
  DB_USERNAME: process.env.DB_USERNAME ?? "postgres",
  DB_PASSWORD: process.env.DB_PASSWORD ?? "",
  PZ_TEST_RUN: run,
  MEDUSA_DISABLE_TELEMETRY: "true",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--experimental-vm-modules"].filter(Boolean).join(" "),
}
delete env.REDIS_URL
const pgServer = process.env.TEST_PG_URL ?? `postgres://${env.DB_USERNAME}${env.DB_PASSWORD ? `:${env.DB_PASSWORD}` : ""}@${env.DB_HOST}:5432`

async function withPg(fn) {
  const client = new pg.Client({ connectionString: `${pgServer}/postgres` })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Drops every database this run created (its names start with pz_test_<run>_). */
async function dropRunDatabases() {
  await withPg(async (client) => {
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`pz_test_${run}_%`])
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`)
  })
}

/**
 * Takes a Redis database for this run: the first of TEST_REDIS_URL's database (default 15),
 * then 14, 13 ... 1 whose marker key can be set with NX (an hour's TTL, renewed while the suite
 * runs). Returns the URL and a release function, or null with the reason.
 */
async function claimRedisDatabase() {
  const { default: Redis } = await import("ioredis")
  const base = new URL(process.env.TEST_REDIS_URL ?? "redis://localhost:6379")
  const first = Number(base.pathname.slice(1)) || 15
  const candidates = [first, ...Array.from({ length: 15 }, (_, i) => 15 - i).filter((n) => n !== first)]
  const marker = "personalization:test-run"
  const owner = `${run} ${hostname()} pid ${process.pid}`
  for (const db of candidates) {
    const url = new URL(base)
    url.pathname = `/${db}`
    const redis = new Redis(url.toString(), { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await redis.connect()
    } catch (error) {
      redis.disconnect()
      return { error: `Redis at ${base.host} did not answer (${error.message}); start it or set TEST_REDIS_URL` }
    }
    if ((await redis.set(marker, owner, "EX", 3600, "NX")) === "OK") {
      const renew = setInterval(() => redis.expire(marker, 3600).catch(() => undefined), 60_000)
      return {
        url: url.toString(),
        marker,
        release: async () => {
          clearInterval(renew)
          if ((await redis.get(marker)) === owner) await redis.del(marker)
          await redis.quit()
        },
      }
    }
    const holder = await redis.get(marker)
    console.log(`Redis database ${db} is taken by another test run (${holder}); trying the next`)
    await redis.quit()
  }
  return { error: "every Redis database from 1 to 15 is taken by another test run" }
}

function runDemoSuite() {
  const demoEnv = {
    ...env,
    NODE_OPTIONS: process.env.NODE_OPTIONS ?? "",
    DEMO_NO_SERVER: "1",
    DATABASE_URL: `${pgServer}/pz_test_${run}_demo`,
  }
  for (const script of [["scripts/demo.mjs"], ["scripts/check-demo-features.mjs", "--all"]]) {
    const result = spawnSync("node", script, { stdio: "inherit", env: demoEnv })
    if (result.status !== 0) return result.status ?? 1
  }
  return 0
}

const failed = []
try {
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
    let release = null
    if (name === "redis") {
      const claim = await claimRedisDatabase()
      if (claim.error) {
        console.error(`\n=== redis: not run: ${claim.error} ===`)
        failed.push(name)
        continue
      }
      suiteEnv.REDIS_URL = claim.url
      suiteEnv.PZ_REDIS_MARKER = claim.marker
      release = claim.release
      console.log(`\n=== redis (integration:redis) on ${claim.url} ===`)
    } else {
      console.log(`\n=== ${name} (${suites[name]}) ===`)
    }
    try {
      const result = spawnSync("npx", ["jest", "--runInBand", "--forceExit", "--silent", ...jestFlags], { stdio: "inherit", env: suiteEnv })
      if (result.status !== 0) failed.push(name)
    } finally {
      await release?.()
    }
  }
} finally {
  await dropRunDatabases()
}

if (failed.length) {
  console.error(`\nfailed suites: ${failed.join(", ")}`)
  process.exit(1)
}
console.log(`\nall suites passed: ${chosen.join(", ")}`)
