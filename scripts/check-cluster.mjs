#!/usr/bin/env node
/**
 * Cluster safety, end to end (too heavy for `npm test`): two Medusa worker processes of this
 * app share one database and Redis (event bus, workflow engine, locking), with the plugin's
 * segmentation and training jobs scheduled every minute. After a few minutes, every tick must
 * have produced exactly one segmentation run and one training run (Medusa's Redis workflow
 * engine schedules a job once per cluster), and no two runs of a kind may overlap in time.
 *
 *   node scripts/check-cluster.mjs [--minutes 3] [--without-redis]
 *
 * --without-redis is the control: the same two processes on the in-memory event bus, workflow
 * engine and locking each schedule the jobs themselves, and the "once per tick" check fails.
 *
 * Uses the database pz_cluster_check (dropped and created) and Redis database 14 (flushed) of
 * REDIS_URL's server (default redis://localhost:6379). Exits 1 when a check fails.
 */
import { withSecrets } from "./lib/secrets.mjs"
import { spawn } from "node:child_process"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import Redis from "ioredis"
import pg from "pg"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const { values } = parseArgs({ options: { minutes: { type: "string", default: "3" }, "without-redis": { type: "boolean", default: false } } })
const minutes = Number(values.minutes)
if (!(minutes >= 2)) {
  process.stderr.write("--minutes must be at least 2\n")
  process.exit(2)
}
const server = process.env.DATABASE_SERVER ?? "postgres://postgres@localhost:5432"
const dbUrl = `${server}/pz_cluster_check`
const redisUrl = new URL(process.env.REDIS_URL ?? "redis://localhost:6379")
redisUrl.pathname = "/14"
const log = (m) => process.stdout.write(`[cluster] ${m}\n`)

async function sql(url, text, params = []) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text, params)).rows
  } finally {
    await client.end()
  }
}

function run(args, env) {
  return new Promise((ok, fail) => {
    const child = spawn("npx", ["medusa", ...args], { cwd: root, env, stdio: "inherit" })
    child.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`npx medusa ${args.join(" ")} exited with ${code}`))))
  })
}

const env = {
  ...withSecrets(),
  DATABASE_URL: dbUrl,
  REDIS_URL: values["without-redis"] ? "" : redisUrl.toString(),
  MEDUSA_DISABLE_TELEMETRY: "true",
  MEDUSA_ADMIN_DISABLED: "true",
  MEDUSA_WORKER_MODE: "worker",
  LOG_LEVEL: "info",
  PERSONALIZATION_SCHEDULE_SEGMENTATION: "* * * * *",
  PERSONALIZATION_SCHEDULE_TRAINING: "* * * * *",
}

async function main() {
  await sql(`${server}/postgres`, "DROP DATABASE IF EXISTS pz_cluster_check WITH (FORCE)")
  await sql(`${server}/postgres`, "CREATE DATABASE pz_cluster_check")
  const redis = new Redis(redisUrl.toString())
  await redis.flushdb()
  await redis.quit()
  log("migrating")
  await run(["db:migrate"], env)

  // Each worker in its own process group, so that stopping it stops the processes it starts.
  const workers = [9301, 9302].map((port) => {
    const child = spawn(process.execPath, [resolve(root, "node_modules/.bin/medusa"), "start"], {
      cwd: root,
      env: { ...env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    })
    let out = ""
    child.stdout.on("data", (c) => (out += c))
    child.stderr.on("data", (c) => (out += c))
    return { port, child, output: () => out }
  })
  const stopAll = () =>
    workers.forEach((w) => {
      try {
        process.kill(-w.child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    })
  process.on("SIGINT", () => {
    stopAll()
    process.exit(130)
  })
  try {
    log(`two worker processes started (ports 9301, 9302); waiting ${minutes} minutes of every-minute schedules`)
    const started = Date.now()
    await new Promise((r) => setTimeout(r, minutes * 60_000 + 20_000))
    for (const w of workers) {
      if (w.child.exitCode !== null) throw new Error(`worker on port ${w.port} exited early:\n${w.output().slice(-3000)}`)
    }
    const checks = []
    for (const [table, kind] of [
      ["personalization_segmentation_run", "segmentation"],
      ["personalization_model_version", "training"],
    ]) {
      const rows = await sql(
        dbUrl,
        `SELECT id, status, started_at, finished_at, date_trunc('minute', started_at) AS tick FROM ${table} ORDER BY started_at`
      )
      const ticks = new Map()
      for (const r of rows) ticks.set(String(r.tick), (ticks.get(String(r.tick)) ?? 0) + 1)
      const repeated = [...ticks].filter(([, n]) => n > 1)
      let overlaps = 0
      for (let i = 1; i < rows.length; i++) if (rows[i].started_at < rows[i - 1].finished_at) overlaps++
      const expectedAtLeast = minutes - 1
      log(`${kind}: ${rows.length} runs in ${ticks.size} distinct minutes (${rows.map((r) => r.status).join(", ")}); ${repeated.length} minutes with more than one run; ${overlaps} overlaps`)
      checks.push([`${kind}: at least ${expectedAtLeast} ticks ran`, ticks.size >= expectedAtLeast])
      checks.push([`${kind}: once per tick`, repeated.length === 0])
      checks.push([`${kind}: no overlapping runs`, overlaps === 0])
    }
    log(`elapsed ${((Date.now() - started) / 1000).toFixed(0)} s`)
    for (const [name, ok] of checks) log(`${ok ? "ok  " : "FAIL"} ${name}`)
    if (checks.some(([, ok]) => !ok)) process.exitCode = 1
  } finally {
    stopAll()
  }
}

main().then(() => process.exit(process.exitCode ?? 0), (e) => {
  process.stderr.write(`[cluster] failed: ${e.message}\n`)
  process.exit(1)
})
