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
 *   admin                integration-tests/admin/*.spec.ts (integration:admin): `npx medusa develop`
 *                        on a free port (not 9000) on the database the demo suite has just
 *                        seeded (or seeded here first when admin runs without demo), driven
 *                        with Chromium; the server is stopped by its process group at the end
 *   pack                 scripts/check-pack.mjs: build, npm pack, install the tarball, run its
 *                        CLI, build its admin extension in a host app
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
import { spawn, spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync } from "node:fs"
import { createServer } from "node:net"
import { hostname } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"

const suites = {
  unit: "unit",
  modules: "integration:modules",
  http: "integration:http",
  redis: "integration:redis",
  demo: null,
  admin: "integration:admin",
  pack: null,
}
/** The browser the http suite drives, and how to get it. */
const CHROMIUM = "/usr/bin/chromium"

const args = process.argv.slice(2)
const split = args.indexOf("--")
const names = (split === -1 ? args : args.slice(0, split)).filter((a) => !a.startsWith("-"))
const jestFlags = split === -1 ? args.filter((a) => a.startsWith("-")) : args.slice(split + 1)
for (const name of names) {
  if (!(name in suites)) {
    console.error(`unknown suite "${name}"; choose from ${Object.keys(suites).join(", ")}`)
    process.exit(2)
  }
}
// Suites run in the order of `suites` (admin after demo, on the database demo seeded).
const chosen = names.length ? Object.keys(suites).filter((name) => names.includes(name)) : Object.keys(suites)
const browserSuites = chosen.filter((name) => name === "http" || name === "admin")
if (browserSuites.length && !existsSync(CHROMIUM)) {
  const others = Object.keys(suites).filter((name) => name !== "http" && name !== "admin")
  console.error(
    `The ${browserSuites.join(" and ")} suite${browserSuites.length > 1 ? "s drive" : " drives"} Debian's Chromium at ${CHROMIUM}, which is not installed.\n` +
      `Install it with: sudo apt-get install -y chromium   (or run the other suites: npm test -- ${others.join(" ")})`
  )
  process.exit(2)
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")

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

const demoDatabaseUrl = `${pgServer}/pz_test_${run}_demo`
const demoEnv = {
  ...env,
  NODE_OPTIONS: process.env.NODE_OPTIONS ?? "",
  DEMO_NO_SERVER: "1",
  DATABASE_URL: demoDatabaseUrl,
}

/** `npm run demo` without the server on the run's demo database; with `check`, the CSV check too. */
function runDemoSuite({ check = true } = {}) {
  const scripts = [["scripts/demo.mjs"], ...(check ? [["scripts/check-demo-features.mjs", "--all"]] : [])]
  for (const script of scripts) {
    const result = spawnSync("node", script, { stdio: "inherit", env: demoEnv })
    if (result.status !== 0) return result.status ?? 1
  }
  return 0
}

/** A TCP port nobody listens on now (the kernel's choice), never 9000. */
async function freePort() {
  for (;;) {
    const port = await new Promise((resolvePort, reject) => {
      const server = createServer()
      server.once("error", reject)
      server.listen(0, () => {
        const { port } = server.address()
        server.close(() => resolvePort(port))
      })
    })
    if (port !== 9000) return port
  }
}

/** The admin suite's server: `npx medusa develop` in a process group of its own. */
let adminServer = null

/** Stops the admin server's whole process group (npx, medusa, its workers): TERM, then KILL. */
async function stopAdminServer() {
  const server = adminServer
  if (!server) return
  adminServer = null
  const signalGroup = (signal) => {
    try {
      process.kill(-server.pid, signal)
      return true
    } catch {
      return false // the group is gone
    }
  }
  if (!signalGroup("SIGTERM")) return
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250))
    if (!signalGroup(0)) return
  }
  signalGroup("SIGKILL")
}

/** Runs a command without blocking this process (so a signal can still stop the server). */
function runAsync(command, commandArgs, commandEnv) {
  return new Promise((resolveCode) => {
    const child = spawn(command, commandArgs, { stdio: "inherit", env: commandEnv })
    child.on("error", () => resolveCode(1))
    child.on("exit", (code, signal) => resolveCode(code ?? (signal ? 1 : 0)))
  })
}

/**
 * The admin suite: boots the demo store's dev server (admin included) on a free port with the
 * backend URL following that port (medusa-config.ts derives it from PORT), waits for /health,
 * runs the browser specs against it, and stops the server whatever happened.
 */
async function runAdminSuite({ seeded }) {
  if (!seeded) {
    console.log(`\n=== admin: seeding the demo store first (npm run demo without the server) ===`)
    if (runDemoSuite({ check: false }) !== 0) {
      console.error("admin: not run: the demo seed failed")
      return 1
    }
  }
  const port = await freePort()
  const baseUrl = `http://localhost:${port}`
  // A dot-folder: `medusa develop` restarts the server on any change in the repository except
  // in dot-folders, node_modules, dist, static, private, src/admin and .medusa.
  const artifacts = join(root, "integration-tests/admin/.artifacts")
  mkdirSync(artifacts, { recursive: true })
  const serverEnv = {
    ...demoEnv,
    PORT: String(port),
    NODE_ENV: "development",
    MEDUSA_ADMIN_DISABLED: "false",
    // The demo writes secrets to .env; a run on a checkout without one still boots.
    JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(24).toString("hex"),
    COOKIE_SECRET: process.env.COOKIE_SECRET ?? randomBytes(24).toString("hex"),
  }
  // The backend URL and CORS then follow PORT (medusa-config.ts derives them from it).
  for (const name of ["MEDUSA_BACKEND_URL", "ADMIN_CORS", "AUTH_CORS", "STORE_CORS", "HMR_PORT"]) delete serverEnv[name]
  console.log(`\n=== admin (integration:admin) against npx medusa develop on ${baseUrl} ===`)
  const started = Date.now()
  const child = spawn("npx", ["medusa", "develop"], { cwd: root, env: serverEnv, stdio: ["ignore", "inherit", "inherit"], detached: true })
  adminServer = child
  let exited = null
  child.on("exit", (code, signal) => {
    exited = { code, signal }
  })
  try {
    let healthy = false
    while (!healthy && !exited && Date.now() - started < 10 * 60_000) {
      try {
        healthy = (await fetch(`${baseUrl}/health`)).ok
      } catch {
        // not listening yet
      }
      if (!healthy) await new Promise((r) => setTimeout(r, 1000))
    }
    if (!healthy) {
      console.error(
        exited
          ? `admin: the server exited before it was healthy (code ${exited.code}, signal ${exited.signal})`
          : `admin: the server did not answer ${baseUrl}/health within 10 minutes`
      )
      return 1
    }
    console.log(`admin: server healthy on ${baseUrl} after ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${child.pid})`)
    return await runAsync("npx", ["jest", "--runInBand", "--forceExit", ...jestFlags], {
      ...env,
      TEST_TYPE: suites.admin,
      PZ_ADMIN_URL: baseUrl,
      PZ_ADMIN_ARTIFACTS: artifacts,
      DATABASE_URL: demoDatabaseUrl,
    })
  } finally {
    await stopAdminServer()
  }
}

// Ctrl-C or a kill still stops the admin server and drops this run's databases.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    console.error(`\n${signal}: stopping the admin server and dropping this run's databases`)
    await stopAdminServer()
    await dropRunDatabases().catch(() => undefined)
    process.exit(130)
  })
}

const failed = []
let demoSeeded = false
try {
  for (const name of chosen) {
    if (name === "pack") {
      console.log(`\n=== pack (the published package and its CLI) ===`)
      if (spawnSync("node", ["scripts/check-pack.mjs"], { stdio: "inherit", env }).status !== 0) failed.push(name)
      continue
    }
    if (name === "demo") {
      console.log(`\n=== demo (seed a fresh store, check its tables against the CSV) ===`)
      const status = runDemoSuite()
      if (status !== 0) failed.push(name)
      else demoSeeded = true
      continue
    }
    if (name === "admin") {
      // After a failed demo suite the database may be half seeded: seed (idempotently) again.
      if ((await runAdminSuite({ seeded: demoSeeded })) !== 0) failed.push(name)
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
  await stopAdminServer()
  await dropRunDatabases()
}

if (failed.length) {
  console.error(`\nfailed suites: ${failed.join(", ")}`)
  process.exit(1)
}
console.log(`\nall suites passed: ${chosen.join(", ")}`)
