#!/usr/bin/env node
/**
 * `npm run bench:loop [-- --port 9310 --idle-seconds 30 --interval-ms 200 --json]`
 *
 * Whether a training run leaves the server responsive. On the demo store (seeded once with
 * `npm run demo`, shared with bench:serve), `medusa start` runs in `shared` worker mode, so the
 * training runs in the very process that serves requests, with perf_hooks.monitorEventLoopDelay
 * preloaded into it (scripts/lib/loop-monitor.cjs). Two phases, each sending, every
 * `--interval-ms`, one `GET /health` and one logged-in `GET /store/recommendations?limit=10`
 * (fired on schedule, not after the previous answer):
 *   idle:     `--idle-seconds` with nothing else running;
 *   training: from POST /admin/personalization/models/train until the run has finished.
 * Prints, per phase, the event loop's largest delay and p99 of per-second maxima, and p50/p99/max
 * of both routes; the goals are a loop delay of at most 100 ms and a /health p99 of at most 200 ms
 * while training. With --json the last line is `BENCH_LOOP_RESULT {...}`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import os from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import jwt from "jsonwebtoken"
import { DEMO_DB, KEY_TITLE, ensureDemoStore, root, startServer, stopServer, waitForHealth, withClient } from "./lib/bench-server.mjs"
import { withSecrets } from "./lib/secrets.mjs"

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9310" },
    "idle-seconds": { type: "string", default: "30" },
    "interval-ms": { type: "string", default: "200" },
    json: { type: "boolean", default: false },
  },
})
const port = Number(values.port)
const interval = Number(values["interval-ms"])
const base = `http://localhost:${port}`
const log = (message) => process.stderr.write(`bench: ${message}\n`)
const secrets = withSecrets()

function quantile(sorted, q) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

function summary(latencies) {
  const ok = latencies.filter((l) => l.status === 200).map((l) => l.ms).sort((a, b) => a - b)
  const round = (x) => (x === null ? null : Math.round(x * 10) / 10)
  return { requests: latencies.length, failed: latencies.length - ok.length, p50_ms: round(quantile(ok, 0.5)), p99_ms: round(quantile(ok, 0.99)), max_ms: round(ok[ok.length - 1] ?? null) }
}

/** Fires both probes every `interval` ms until `until()` says stop; resolves with their latencies. */
async function probe(headers, until) {
  const health = []
  const store = []
  const inFlight = []
  const timed = async (url, init, into) => {
    const t = performance.now()
    try {
      const response = await fetch(url, init)
      await response.arrayBuffer()
      into.push({ ms: performance.now() - t, status: response.status })
    } catch {
      into.push({ ms: performance.now() - t, status: 0 })
    }
  }
  while (!(await until())) {
    inFlight.push(timed(`${base}/health`, {}, health), timed(`${base}/store/recommendations?limit=10`, { headers }, store))
    await new Promise((r) => setTimeout(r, interval))
  }
  await Promise.all(inFlight)
  return { health, store }
}

await ensureDemoStore({ ...process.env, ...secrets }, log)
const facts = await withClient(DEMO_DB, async (c) => {
  const key = (await c.query(`SELECT token FROM api_key WHERE title = $1 AND type = 'publishable' AND revoked_at IS NULL AND deleted_at IS NULL LIMIT 1`, [KEY_TITLE])).rows[0].token
  const customer = (
    await c.query(
      `SELECT l.subject_id FROM personalization_recommendation_list l
       JOIN personalization_model_version v ON v.id = l.version_id AND v.status = 'active'
       WHERE l.kind = 'customer' ORDER BY l.subject_id LIMIT 1`
    )
  ).rows[0].subject_id
  const lines = (await c.query(`SELECT COUNT(*)::int AS n FROM personalization_order_line`)).rows[0].n
  return { key, customer, lines }
})
const customerToken = jwt.sign(
  { actor_id: facts.customer, actor_type: "customer", auth_identity_id: `authid_${facts.customer}`, app_metadata: { customer_id: facts.customer } },
  secrets.JWT_SECRET,
  { expiresIn: "1h" }
)
const storeHeaders = { "x-publishable-api-key": facts.key, authorization: `Bearer ${customerToken}` }

const work = mkdtempSync(join(os.tmpdir(), "pz-bench-loop-"))
const monitorFile = join(work, "loop.jsonl")
const child = startServer(DEMO_DB, port, {
  NODE_ENV: "production",
  MEDUSA_ADMIN_DISABLED: "true",
  MEDUSA_WORKER_MODE: "shared",
  LOG_LEVEL: "error",
  ...secrets,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${join(root, "scripts/lib/loop-monitor.cjs")}`].filter(Boolean).join(" "),
  LOOP_MONITOR_FILE: monitorFile,
})
try {
  await waitForHealth(child, port)
  const login = await fetch(`${base}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@example.com", password: "supersecret" }),
  })
  if (!login.ok) throw new Error(`admin login failed: ${login.status}`)
  const admin = { authorization: `Bearer ${(await login.json()).token}`, "content-type": "application/json" }
  // Warm up: the first requests load code and fill caches.
  for (let i = 0; i < 20; i++) await fetch(`${base}/store/recommendations?limit=10`, { headers: storeHeaders }).then((r) => r.arrayBuffer())

  log(`idle for ${values["idle-seconds"]} s`)
  const idleStart = Date.now()
  const idleEnd = idleStart + Number(values["idle-seconds"]) * 1000
  const idle = await probe(storeHeaders, async () => Date.now() >= idleEnd)

  log("training")
  const trainStart = Date.now()
  const queued = await (await fetch(`${base}/admin/personalization/models/train`, { method: "POST", headers: admin, body: "{}" })).json()
  let version = null
  let lastCheck = 0
  const training = await probe(storeHeaders, async () => {
    if (Date.now() - lastCheck < 1000) return false
    lastCheck = Date.now()
    version = (await (await fetch(`${base}/admin/personalization/models/${queued.version_id}`, { headers: admin })).json()).version
    return !["queued", "running"].includes(version.status)
  })
  const trainEnd = Date.now()

  const seconds = readFileSync(monitorFile, "utf8").trim().split("\n").map((l) => JSON.parse(l))
  const loopOf = (from, to) => {
    const maxima = seconds.filter((s) => s.at > from && s.at <= to + 1000).map((s) => s.max_ms).sort((a, b) => a - b)
    return { seconds: maxima.length, max_ms: Math.round((maxima[maxima.length - 1] ?? 0) * 10) / 10, p99_of_second_maxima_ms: Math.round((quantile(maxima, 0.99) ?? 0) * 10) / 10 }
  }
  const result = {
    machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    load_before: os.loadavg().map((x) => Math.round(x * 100) / 100),
    store: { database: DEMO_DB, purchase_lines: facts.lines },
    interval_ms: interval,
    idle: { seconds: Math.round((idleEnd - idleStart) / 1000), event_loop: loopOf(idleStart, idleEnd), health: summary(idle.health), store_recommendations: summary(idle.store) },
    training: {
      seconds: Math.round((trainEnd - trainStart) / 100) / 10,
      version: version && { id: version.id, status: version.status, lists: version.lists, reason: version.reason },
      event_loop: loopOf(trainStart, trainEnd),
      health: summary(training.health),
      store_recommendations: summary(training.store),
    },
  }
  result.goals = {
    event_loop_max_at_most_100_ms: result.training.event_loop.max_ms <= 100,
    health_p99_at_most_200_ms: (result.training.health.p99_ms ?? Infinity) <= 200,
  }
  const row = (name, phase) =>
    `${name.padEnd(9)} loop max ${String(phase.event_loop.max_ms).padStart(6)} ms | /health p50 ${phase.health.p50_ms} p99 ${phase.health.p99_ms} max ${phase.health.max_ms} ms | store p50 ${phase.store_recommendations.p50_ms} p99 ${phase.store_recommendations.p99_ms} max ${phase.store_recommendations.max_ms} ms | failed ${phase.health.failed + phase.store_recommendations.failed}`
  process.stdout.write(`${row("idle", result.idle)}\n${row("training", result.training)}\n`)
  process.stdout.write(`training: ${result.training.seconds} s, version ${version?.status} (${version?.lists} lists); goals: ${JSON.stringify(result.goals)}\n`)
  if (values.json) process.stdout.write(`BENCH_LOOP_RESULT ${JSON.stringify(result)}\n`)
} finally {
  await stopServer(child)
  rmSync(work, { recursive: true, force: true })
}
