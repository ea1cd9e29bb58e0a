/**
 * Shared by the benchmarks that start the dev app: the seeded demo store they measure on, and
 * starting, waiting for and stopping `medusa start` in a process group of its own.
 */
import { spawn, spawnSync } from "node:child_process"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
export const pgServer = process.env.BENCH_PG_URL ?? "postgres://postgres@localhost:5432"
/** The demo store the benchmarks share (seeded once, then reused). */
export const DEMO_DB = "pz_bench_serve_demo"
export const KEY_TITLE = "Personalization demo"

export async function withClient(database, fn) {
  const client = new pg.Client({ connectionString: `${pgServer}/${database}` })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export const databaseExists = (name) =>
  withClient("postgres", async (c) => (await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount > 0)

/** The demo store is ready when it has the demo key and an active version with personal lists. */
export async function demoReady() {
  if (!(await databaseExists(DEMO_DB))) return false
  return withClient(DEMO_DB, async (c) => {
    const { rows } = await c.query(`SELECT to_regclass('public.personalization_model_version') IS NOT NULL AS migrated`)
    if (!rows[0].migrated) return false
    const ready = await c.query(
      `SELECT EXISTS (SELECT 1 FROM api_key WHERE title = $1 AND type = 'publishable' AND revoked_at IS NULL AND deleted_at IS NULL)
          AND EXISTS (SELECT 1 FROM personalization_recommendation_list l
                      JOIN personalization_model_version v ON v.id = l.version_id AND v.status = 'active'
                      WHERE l.kind = 'customer') AS ready`,
      [KEY_TITLE]
    )
    return ready.rows[0].ready
  })
}

/** Seeds and trains the demo store with `npm run demo` (DEMO_NO_SERVER=1) unless it is ready. */
export async function ensureDemoStore(env, log) {
  if (await demoReady()) {
    log(`demo store: ${DEMO_DB} is seeded and trained (reused)`)
    return { reused: true }
  }
  log(`demo store: npm run demo into ${DEMO_DB} (DEMO_NO_SERVER=1)`)
  const started = Date.now()
  const run = spawnSync("node", [join(root, "scripts/demo.mjs")], {
    cwd: root,
    env: { ...env, DATABASE_URL: `${pgServer}/${DEMO_DB}`, DEMO_NO_SERVER: "1", MEDUSA_DISABLE_TELEMETRY: "true" },
    stdio: ["ignore", process.stderr, process.stderr],
  })
  if (run.status !== 0 || !(await demoReady())) throw new Error(`the demo seed of ${DEMO_DB} failed`)
  return { reused: false, seed_seconds: Math.round((Date.now() - started) / 100) / 10 }
}

/** `npx medusa start` on `database` with `env` added, in its own process group (stopping it stops npx and node under it). */
export function startServer(database, port, env) {
  const child = spawn("npx", ["medusa", "start"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `${pgServer}/${database}`, MEDUSA_DISABLE_TELEMETRY: "true", PORT: String(port), ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (output = (output + chunk).slice(-20_000)))
  child.output = () => output
  return child
}

export function stopServer(child) {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((r) => {
    child.on("exit", r)
    try {
      process.kill(-child.pid, "SIGTERM")
    } catch {
      r()
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {}
    }, 10_000).unref()
  })
}

export async function waitForHealth(child, port, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`http://localhost:${port}/health`)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 1000))
  }
  throw new Error(`the server did not answer /health:\n${child.output()}`)
}
