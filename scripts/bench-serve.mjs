#!/usr/bin/env node
/**
 * `npm run bench:serve [-- --runs 3 --rounds 5 --seconds 5 --connections 16 --customers 1000000
 *                          --sample 1000 --port 9300 --skip-demo-store --skip-synthetic --json]`
 *
 * Latency and throughput of `GET /store/recommendations?limit=10` for logged-in customers next
 * to Medusa's own `GET /store/products?limit=10`, under the same concurrent load, with the
 * same headers (publishable key and a customer's bearer token):
 *   A. the demo store (`npm run demo` with DEMO_NO_SERVER=1 into pz_bench_serve_demo, skipped
 *      when already seeded): real products, real trained personal lists for 800 customers;
 *   B. a copy of A (CREATE DATABASE ... TEMPLATE) plus N synthetic customers (default 1M) and a
 *      personal list of 100 published products for each in the active model version (the
 *      stored format, reasons like a training run's), bulk inserted with INSERT ... SELECT in
 *      batches, then VACUUM ANALYZE. Made once, then reused. Prints the list table's size per
 *      list (table and indexes).
 * For each store: `npx medusa start` (NODE_ENV=production, admin off, worker mode `server` so
 * scheduled jobs stay out of the measurement), wait for /health, warm up, then per run the two
 * routes alternate in short rounds (ABBA order) with autocannon at the same concurrency; every
 * request is for a random customer of a sample with a personal list (JWTs minted with the app's
 * secret). Per run and route: p50, p99 (over all of the run's responses) and req/s; then the
 * median of the runs and the ratios recommendations / core. Non-2xx responses, errors and
 * recommendation answers that are not the customer's personal list are counted and reported.
 * With --json the last line of stdout is `BENCH_SERVE_RESULT {...}`.
 */
import { DEMO_DB, KEY_TITLE, databaseExists, ensureDemoStore, pgServer, startServer, stopServer, waitForHealth, withClient } from "./lib/bench-server.mjs"
import { withSecrets } from "./lib/secrets.mjs"
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { createRequire } from "node:module"
import os from "node:os"
import { dirname, join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"
import jwt from "jsonwebtoken"
import pg from "pg"
import { mulberry32 } from "./lib/synthetic-store.mjs"
import { fillList } from "./lib/synthetic-lists.mjs"
import { registerTs } from "./lib/register-ts.mjs"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const require = createRequire(import.meta.url)
registerTs()
const { REASON_CODE, encodeList, indexWidth } = require(join(root, "src/ml/recommend/packed-lists.ts"))

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "16" },
    warmup: { type: "string", default: "10" },
    customers: { type: "string", default: "1000000" },
    sample: { type: "string", default: "1000" },
    port: { type: "string", default: "9300" },
    seed: { type: "string", default: "1" },
    "skip-demo-store": { type: "boolean", default: false },
    "skip-synthetic": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
})
const runs = Number(values.runs)
const rounds = Number(values.rounds)
const roundSeconds = Number(values.seconds)
const connections = Number(values.connections)
const syntheticCustomers = Number(values.customers)
const sampleSize = Number(values.sample)
const port = Number(values.port)
const random = mulberry32(Number(values.seed))

const server = pgServer
// The suffix names the generator version: a changed generator makes a new database.
const SYNTHETIC_DB = `pz_bench_serve_${syntheticCustomers}_g3`
const SEED_MARK = "bench_serve_seed"
const { JWT_SECRET, COOKIE_SECRET } = withSecrets()
const POOL_LISTS = 1000
const LIST_LENGTH = 100
const BATCH = 50_000
const ROUTES = {
  recommendations: "/store/recommendations?limit=10",
  core: "/store/products?limit=10",
}

const log = (message) => process.stderr.write(`bench: ${message}\n`)
const seconds = (since) => Math.round((Date.now() - since) / 100) / 10
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100)

/** The seed mark of store B (null while missing or unfinished). */
async function syntheticMark() {
  if (!(await databaseExists(SYNTHETIC_DB))) return null
  return withClient(SYNTHETIC_DB, async (c) => {
    const { rows } = await c.query(`SELECT metadata->$1 AS mark FROM store WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1`, [SEED_MARK])
    return rows[0]?.mark ?? null
  })
}

/**
 * Store B: a copy of the demo store plus `syntheticCustomers` customers with a personal list
 * each. Lists come from a pool of 1,000 distinct lists of 100 visible products (drawn in a
 * seeded order), so every row is a full-size list, with reasons like a training run's
 * (scripts/lib/synthetic-lists.mjs).
 */
async function ensureSyntheticStore() {
  const mark = await syntheticMark()
  if (mark) {
    log(`store B: ${SYNTHETIC_DB} is seeded (reused; seeded in ${mark.total_seconds} s)`)
    return { ...mark, reused: true }
  }
  await withClient("postgres", async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${SYNTHETIC_DB}"`)
    log(`store B: CREATE DATABASE ${SYNTHETIC_DB} TEMPLATE ${DEMO_DB}`)
    await c.query(`CREATE DATABASE "${SYNTHETIC_DB}" TEMPLATE "${DEMO_DB}"`)
  })
  const started = Date.now()
  const timings = {}
  await withClient(SYNTHETIC_DB, async (c) => {
    // A bulk load: losing its last commits in a crash only means seeding again.
    await c.query(`SET synchronous_commit = off`)
    const version = (await c.query(`SELECT id FROM personalization_model_version WHERE status = 'active'`)).rows[0].id
    const channels = (
      await c.query(
        `SELECT ARRAY_AGG(DISTINCT pksc.sales_channel_id) AS ids FROM api_key k
         JOIN publishable_api_key_sales_channel pksc ON pksc.publishable_key_id = k.id AND pksc.deleted_at IS NULL
         WHERE k.title = $1 AND k.type = 'publishable' AND k.revoked_at IS NULL AND k.deleted_at IS NULL`,
        [KEY_TITLE]
      )
    ).rows[0].ids

    let t = Date.now()
    for (let start = 0; start < syntheticCustomers; start += BATCH * 2) {
      const end = Math.min(syntheticCustomers, start + BATCH * 2) - 1
      await c.query(
        `INSERT INTO customer (id, email, first_name, last_name, has_account)
         SELECT 'cus_bench' || lpad(i::text, 21, '0'), 'bench-' || i || '@example.com', 'Bench', 'Customer ' || i, true
         FROM generate_series($1::int, $2::int) AS i`,
        [start, end]
      )
    }
    timings.customers_seconds = seconds(t)
    log(`store B: ${syntheticCustomers} customers in ${timings.customers_seconds} s`)

    t = Date.now()
    // A pool of lists in the stored format (src/ml/recommend/packed-lists.ts: products as indexes
    // into the active version's product table, reason codes like a training run's personal lists,
    // anchored ones with their product), dealt out to the customers below.
    const { rows: visible } = await c.query(
      `SELECT mp.index FROM personalization_model_product mp
       JOIN product p ON p.id = mp.product_id AND p.status = 'published' AND p.deleted_at IS NULL
       WHERE mp.version_id = $1
         AND EXISTS (SELECT 1 FROM product_sales_channel psc
                     WHERE psc.product_id = p.id AND psc.deleted_at IS NULL AND psc.sales_channel_id = ANY ($2::text[]))
       ORDER BY mp.index`,
      [version, channels]
    )
    if (visible.length < LIST_LENGTH) throw new Error(`list pool: only ${visible.length} visible products in the version's table`)
    await c.query(`CREATE TEMP TABLE bench_pool (k int PRIMARY KEY, items bytea NOT NULL)`)
    const pool = Int32Array.from(visible, (r) => r.index)
    const list = { items: new Int32Array(LIST_LENGTH), codes: new Uint8Array(LIST_LENGTH), anchors: new Int32Array(LIST_LENGTH) }
    const tableSize = (await c.query(`SELECT COUNT(*)::int AS n FROM personalization_model_product WHERE version_id = $1`, [version])).rows[0].n
    const width = indexWidth(tableSize)
    for (let k = 0; k < POOL_LISTS; k++) {
      fillList(list, { random, reasonCode: REASON_CODE, pool })
      await c.query(`INSERT INTO bench_pool (k, items) VALUES ($1, $2)`, [k, Buffer.from(encodeList(list, width))])
    }
    for (let start = 0; start < syntheticCustomers; start += BATCH) {
      const end = Math.min(syntheticCustomers, start + BATCH) - 1
      await c.query(
        `INSERT INTO personalization_recommendation_list (version_id, kind, subject_id, items)
         SELECT $1, 'customer', s.customer_id, p.items
         FROM (SELECT i, 'cus_bench' || lpad(i::text, 21, '0') AS customer_id FROM generate_series($2::int, $3::int) AS i) s
         JOIN bench_pool p ON p.k = s.i % $4`,
        [version, start, end, POOL_LISTS]
      )
      if ((end + 1) % 200_000 === 0) log(`store B: lists ${end + 1}/${syntheticCustomers} (${seconds(t)} s)`)
    }
    await c.query(`UPDATE personalization_model_version SET lists = lists + $2 WHERE id = $1`, [version, syntheticCustomers])
    timings.lists_seconds = seconds(t)
    log(`store B: ${syntheticCustomers} lists in ${timings.lists_seconds} s`)

    // Autovacuum would get here soon in a live shop: statistics and the visibility map now.
    t = Date.now()
    await c.query(`VACUUM ANALYZE customer`)
    await c.query(`VACUUM ANALYZE personalization_recommendation_list`)
    timings.vacuum_analyze_seconds = seconds(t)
    const result = { customers: syntheticCustomers, lists: syntheticCustomers, ...timings, total_seconds: seconds(started) }
    await c.query(
      `UPDATE store SET metadata = COALESCE(metadata, '{}'::jsonb) || jsonb_build_object($1::text, $2::jsonb)
       WHERE id = (SELECT id FROM store WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1)`,
      [SEED_MARK, JSON.stringify(result)]
    )
    log(`store B: seeded in ${result.total_seconds} s`)
  })
  return { ...(await syntheticMark()), reused: false }
}

/** Sizes, the publishable key and a random sample of customers with an active personal list. */
async function storeFacts(database) {
  return withClient(database, async (c) => {
    const key = (
      await c.query(
        `SELECT token FROM api_key WHERE title = $1 AND type = 'publishable' AND revoked_at IS NULL AND deleted_at IS NULL ORDER BY created_at LIMIT 1`,
        [KEY_TITLE]
      )
    ).rows[0].token
    const sizes = (
      await c.query(
        `SELECT (SELECT COUNT(*) FROM customer WHERE deleted_at IS NULL)::int AS customers,
                (SELECT COUNT(*) FROM product WHERE deleted_at IS NULL)::int AS products,
                (SELECT COUNT(*) FROM product WHERE deleted_at IS NULL AND status = 'published')::int AS published_products,
                (SELECT COUNT(*) FROM "order" WHERE deleted_at IS NULL)::int AS orders,
                (SELECT COUNT(*) FROM personalization_recommendation_list l
                 JOIN personalization_model_version v ON v.id = l.version_id AND v.status = 'active'
                 WHERE l.kind = 'customer')::int AS personal_lists,
                pg_size_pretty(pg_total_relation_size('personalization_recommendation_list')) AS list_table_size,
                ROUND(pg_total_relation_size('personalization_recommendation_list')::numeric / GREATEST(1, (SELECT COUNT(*) FROM personalization_recommendation_list)))::int AS list_table_bytes_per_row,
                (SELECT ROUND(AVG(octet_length(items)))::int FROM personalization_recommendation_list WHERE kind = 'customer') AS personal_list_bytes,
                pg_size_pretty(pg_database_size(current_database())) AS database_size`
      )
    ).rows[0]
    // Random over all customers with a list: hash order, so the sample follows --seed.
    const { rows } = await c.query(
      `SELECT l.subject_id FROM personalization_recommendation_list l
       JOIN personalization_model_version v ON v.id = l.version_id AND v.status = 'active'
       WHERE l.kind = 'customer'
       ORDER BY md5($2 || l.subject_id) LIMIT $1`,
      [sampleSize, String(values.seed)]
    )
    return { key, sizes, customers: rows.map((r) => r.subject_id) }
  })
}

/** Every Medusa feature flag this install defines, with its state for this run (env or default). */
function featureFlags() {
  const dir = join(dirname(require.resolve("@medusajs/medusa/package.json")), "dist/feature-flags")
  const flags = {}
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
    const flag = require(join(dir, file)).default
    if (!flag?.key) continue
    const env = process.env[flag.env_key]
    flags[flag.key] = { on: env !== undefined ? env === "true" : Boolean(flag.default_val), env_key: flag.env_key, from: env !== undefined ? "env" : "default" }
  }
  const envUsed = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("MEDUSA_FF_")))
  return { flags, env: envUsed }
}

/**
 * One autocannon round on one route: every request for a random sampled customer. Latencies
 * go into `into` (ms); counts of non-2xx, errors and non-personal answers too.
 */
function round(path, { key, tokens }, into, duration = roundSeconds) {
  return new Promise((resolvePromise, reject) => {
    const instance = autocannon(
      {
        url: `http://localhost:${port}`,
        connections,
        duration,
        requests: [
          {
            method: "GET",
            path,
            setupRequest: (req) => {
              req.headers = { ...req.headers, "x-publishable-api-key": key, authorization: `Bearer ${tokens[Math.floor(random() * tokens.length)]}` }
              return req
            },
            // res.json writes `list` first: a prefix check, no parse on the load generator.
            onResponse: (status, body) => {
              if (path === ROUTES.recommendations && status < 300 && !body.startsWith(`{"list":"personal"`)) into.nonPersonal++
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error)
        into.seconds += result.duration
        into.errors += result.errors
        into.timeouts += result.timeouts
        resolvePromise(result)
      }
    )
    instance.on("response", (_client, status, _bytes, responseTime) => {
      into.latencies.push(responseTime)
      if (status < 200 || status >= 300) into.non2xx++
    })
  })
}

const emptyTally = () => ({ latencies: [], seconds: 0, non2xx: 0, errors: 0, timeouts: 0, nonPersonal: 0 })
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
const round2 = (x) => Math.round(x * 100) / 100
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function summarize(t) {
  const sorted = Float64Array.from(t.latencies).sort()
  return {
    requests: sorted.length,
    p50_ms: round2(percentile(sorted, 50)),
    p99_ms: round2(percentile(sorted, 99)),
    req_per_s: round2(sorted.length / t.seconds),
    non2xx: t.non2xx,
    errors: t.errors,
    timeouts: t.timeouts,
    non_personal: t.nonPersonal,
  }
}

/** Checks one answer of each route before timing anything: a benchmark of errors is worthless. */
async function sanityCheck(target) {
  const headers = { "x-publishable-api-key": target.key, authorization: `Bearer ${target.tokens[0]}` }
  const rec = await fetch(`http://localhost:${port}${ROUTES.recommendations}`, { headers })
  const recBody = await rec.json()
  const core = await fetch(`http://localhost:${port}${ROUTES.core}`, { headers })
  const coreBody = await core.json()
  if (rec.status !== 200 || recBody.list !== "personal" || recBody.count !== 10 || core.status !== 200 || coreBody.products?.length !== 10) {
    throw new Error(`sanity check failed: recommendations ${rec.status} ${JSON.stringify(recBody).slice(0, 300)}; products ${core.status}`)
  }
  return { recommendations_bytes: JSON.stringify(recBody).length, core_bytes: JSON.stringify(coreBody).length }
}

async function benchStore(label, database, seed) {
  const facts = await storeFacts(database)
  const tokens = facts.customers.map((id) =>
    jwt.sign({ actor_id: id, actor_type: "customer", auth_identity_id: `authid_${id}`, app_metadata: { customer_id: id } }, JWT_SECRET, {
      expiresIn: "1d",
    })
  )
  const target = { key: facts.key, tokens }
  log(`${label}: ${JSON.stringify(facts.sizes)}; sample of ${tokens.length} customers`)
  const loadStart = load()
  const bootStarted = Date.now()
  const child = startServer(database, port, {
    NODE_ENV: "production",
    MEDUSA_ADMIN_DISABLED: "true",
    MEDUSA_WORKER_MODE: "server",
    LOG_LEVEL: "error",
    JWT_SECRET,
    COOKIE_SECRET,
  })
  try {
    await waitForHealth(child, port)
    const bootSeconds = seconds(bootStarted)
    log(`${label}: server up in ${bootSeconds} s`)
    const sizes = await sanityCheck(target)
    log(`${label}: warm-up ${values.warmup} s per route`)
    for (const name of ["recommendations", "core"]) await round(ROUTES[name], target, emptyTally(), Number(values.warmup))
    const perRun = []
    for (let run = 1; run <= runs; run++) {
      const tally = { recommendations: emptyTally(), core: emptyTally() }
      for (let r = 0; r < rounds; r++) {
        // ABBA: neither route always goes first after the other's load.
        const order = r % 2 === 0 ? ["recommendations", "core"] : ["core", "recommendations"]
        for (const name of order) await round(ROUTES[name], target, tally[name])
      }
      const result = {
        run,
        load: load(),
        recommendations: summarize(tally.recommendations),
        core: summarize(tally.core),
      }
      result.ratio_p50 = round2(result.recommendations.p50_ms / result.core.p50_ms)
      result.ratio_p99 = round2(result.recommendations.p99_ms / result.core.p99_ms)
      perRun.push(result)
      const line = (n) =>
        `${n.padEnd(15)} p50 ${String(result[n].p50_ms).padStart(7)} ms  p99 ${String(result[n].p99_ms).padStart(7)} ms  ${String(result[n].req_per_s).padStart(7)} req/s  (${result[n].requests} requests, non-2xx ${result[n].non2xx}, errors ${result[n].errors}${n === "recommendations" ? `, non-personal ${result[n].non_personal}` : ""})`
      console.log(`\n## ${label}: run ${run}/${runs} (load ${result.load.join(" ")})`)
      console.log(line("recommendations"))
      console.log(line("core"))
      console.log(`ratio recommendations/core: p50 ${result.ratio_p50}, p99 ${result.ratio_p99}`)
    }
    const med = {}
    for (const name of ["recommendations", "core"]) {
      med[name] = {}
      for (const m of ["p50_ms", "p99_ms", "req_per_s"]) med[name][m] = median(perRun.map((r) => r[name][m]))
    }
    med.ratio_p50 = round2(med.recommendations.p50_ms / med.core.p50_ms)
    med.ratio_p99 = round2(med.recommendations.p99_ms / med.core.p99_ms)
    med.ratio_req_per_s = round2(med.recommendations.req_per_s / med.core.req_per_s)
    const problems = {
      non2xx: perRun.reduce((s, r) => s + r.recommendations.non2xx + r.core.non2xx, 0),
      errors: perRun.reduce((s, r) => s + r.recommendations.errors + r.core.errors + r.recommendations.timeouts + r.core.timeouts, 0),
      non_personal: perRun.reduce((s, r) => s + r.recommendations.non_personal, 0),
    }
    console.log(`\n## ${label}: median of ${runs} runs`)
    console.log(`| route | p50 ms | p99 ms | req/s |\n|---|---|---|---|`)
    for (const name of ["recommendations", "core"]) console.log(`| ${ROUTES[name]} | ${med[name].p50_ms} | ${med[name].p99_ms} | ${med[name].req_per_s} |`)
    console.log(
      `ratio recommendations/core: p99 ${med.ratio_p99} (goal <= 1.1: ${med.ratio_p99 <= 1.1 ? "met" : "NOT met"}), p50 ${med.ratio_p50}, req/s ${med.ratio_req_per_s}`
    )
    console.log(`non-2xx ${problems.non2xx}, errors+timeouts ${problems.errors}, non-personal ${problems.non_personal}`)
    return {
      label,
      database,
      seed,
      sizes: facts.sizes,
      sample: tokens.length,
      response_bytes: sizes,
      boot_seconds: bootSeconds,
      load_start: loadStart,
      load_end: load(),
      runs: perRun,
      median: med,
      goal_p99_ratio_met: med.ratio_p99 <= 1.1,
      problems,
    }
  } finally {
    await stopServer(child)
  }
}

const startedAt = new Date().toISOString()
const uptimeStart = spawnSync("uptime", { encoding: "utf8" }).stdout.trim()
log(`uptime at start: ${uptimeStart}`)
const flags = featureFlags()
log(`feature flags: ${JSON.stringify(flags)}`)

const stores = []
const demoSeed = await ensureDemoStore({ ...process.env, JWT_SECRET, COOKIE_SECRET }, log)
const synthSeed = values["skip-synthetic"] ? null : await ensureSyntheticStore()
if (!values["skip-demo-store"]) stores.push(await benchStore("A: demo store", DEMO_DB, demoSeed))
if (synthSeed) stores.push(await benchStore(`B: demo store + ${syntheticCustomers} synthetic customers`, SYNTHETIC_DB, synthSeed))

const uptimeEnd = spawnSync("uptime", { encoding: "utf8" }).stdout.trim()
log(`uptime at end: ${uptimeEnd}`)
const summary = {
  started_at: startedAt,
  finished_at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  uptime_start: uptimeStart,
  uptime_end: uptimeEnd,
  options: { runs, rounds, round_seconds: roundSeconds, connections, warmup_seconds: Number(values.warmup), sample: sampleSize, seed: Number(values.seed) },
  routes: ROUTES,
  server: { command: "npx medusa start", NODE_ENV: "production", MEDUSA_WORKER_MODE: "server", MEDUSA_ADMIN_DISABLED: "true", LOG_LEVEL: "error", redis: Boolean(process.env.REDIS_URL) },
  feature_flags: flags,
  stores,
}
if (values.json) console.log(`BENCH_SERVE_RESULT ${JSON.stringify(summary)}`)
