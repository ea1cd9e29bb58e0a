#!/usr/bin/env node
/**
 * `npm run bench:nightly [-- --size tenth|full|both --reuse --keep --seed N --stages a,b --in-place --generate-only --profile stage]`
 *
 * The nightly chain at a million customers (and at a tenth of that first):
 * 1. a migrated Medusa database, booted once (the app's loaders create the default store, its
 *    currency and sales channel), filled by the seeded generator of scripts/lib/synthetic-store.mjs:
 *      tenth: 100,000 customers, 10,000 products, 100,000 orders (about 2M lines)
 *      full:  1,000,000 customers, 100,000 products, 1,000,000 orders (about 20M lines)
 *    kept as a template database (`pz_nightly_<size>_s<seed>_g2`) when `--reuse` or `--keep`;
 * 2. the chain, each stage in its own `npx medusa exec` process as a worker runs the jobs
 *    (src/scripts/bench-nightly-stage.ts), on a copy of the template: rebuild cold, rebuild
 *    warm (every order read, as every rebuildFullEveryDays nights), rebuild changes (a day's
 *    unreported changes to 1% of the orders, then the nightly rebuild in changes mode),
 *    segmentation with purchase prediction, training with lists written, then `order.placed`
 *    handling on the full tables (a placement and a re-sync of an unchanged order);
 * 3. per stage: wall time, rows/s, peak RSS; the warm chain against 15 minutes, each process
 *    against 4 GB; the database size the plugin added; the list table per version.
 *
 * Before generating it prints the disk it will need and stops if `df` shows less free. Figures
 * print as each stage ends (a partial run still yields them), and one `NIGHTLY_RESULT {json}`
 * line at the end. Databases are dropped at the end unless --keep (all) or --reuse (the
 * template stays, the run copy goes).
 * `--in-place` runs the chain on the template itself (no copy: saves the disk and the copy's time).
 * `--generate-only` makes the template and stops.
 * `--profile <stage>` runs that stage with node's --cpu-prof into .bench-nightly-profiles/ (summarise a
 *   profile with `node scripts/profile-top.mjs <file>`).
 * `--stages rebuild-cold-pages` (not in the default chain) empties the tables and rebuilds them
 *   in pages mode, every page recomputing its own customers' aggregates: the reference the cold
 *   rebuild (bulk mode, chosen by itself on empty tables) is compared with in the same run.
 * `--stages training-parts` (not in the default chain) times two parts of training two ways in
 *   one process: the product strips with their own item-kNN fit and with the model's (checked
 *   equal), and the personal lists' "because you bought" (co-buyers counted) against a
 *   prototype that names the most similar own item from the model's item-kNN rows, on a sample
 *   of the store's customers (BENCH_REASONS_SAMPLE, default 2,000), with how often the two agree.
 * `--stages training,rebuild-changes,training-nightly` (training-nightly is not in the default
 *   chain) times the nightly job's training run after a full one and a day's changes: a refresh
 *   of the full run (training.fullRunEveryDays), which it checks it was; the night's chain with
 *   it is printed as warm_chain_refresh_night.
 * `--stages training-state,training-refresh` (not in the default chain) measures a prototype of a
 *   nightly training refresh: training-state fits the default recipe on the lines up to a week
 *   before the newest (a weekly full run) and keeps its item-kNN neighbour rows in a bench table;
 *   training-refresh reads them, refits the rest on today's lines and builds and writes the
 *   personal lists of 1% of the customers (BENCH_REFRESH_SHARE; those a night's changes touch)
 *   and the trending list, then (unless BENCH_REFRESH_COMPARE=0, untimed) compares those lists
 *   with the ones freshly fitted rows give. The chain is then also printed with the refresh in
 *   place of the training run (warm_chain_with_refresh).
 */
import { spawn } from "node:child_process"
import { statfsSync } from "node:fs"
import { createRequire } from "node:module"
import os from "node:os"
import { parseArgs } from "node:util"
import pg from "pg"
import { withSecrets } from "./lib/secrets.mjs"
import { generateSyntheticStore } from "./lib/synthetic-store.mjs"

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "both" },
    reuse: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    seed: { type: "string", default: "1" },
    stages: { type: "string", default: "rebuild-cold,rebuild-warm,rebuild-changes,segmentation,training,order-placed" },
    profile: { type: "string" },
    "generate-only": { type: "boolean", default: false },
    "in-place": { type: "boolean", default: false },
  },
})
const SIZES = {
  tenth: { customers: 100_000, products: 10_000, orders: 100_000 },
  full: { customers: 1_000_000, products: 100_000, orders: 1_000_000 },
}
const sizes = values.size === "both" ? ["tenth", "full"] : [values.size]
if (!sizes.every((s) => SIZES[s])) throw new Error(`--size must be tenth, full or both (got ${values.size})`)
const seed = Number(values.seed)
const stages = values.stages.split(",").filter(Boolean)
const server = process.env.BENCH_PG_URL ?? "postgres://postgres@localhost:5432"
const env = withSecrets({ ...process.env, MEDUSA_DISABLE_TELEMETRY: "true", LOG_LEVEL: "warn" })
const GOAL_CHAIN_SECONDS = 15 * 60
const GOAL_RSS_MB = 4096
// Bytes of Medusa's tables per generated order before the tenth size has been measured (about
// 18 lines each; 5,000 orders of this generator took 102 MB with indexes), and of the plugin's
// tables per order after the chain (measured at tenth size: 1.92 GB for 100,000 orders, of
// which the ledger lines 1.29 GB and the customer-product pairs 0.51 GB).
const PRIOR_STORE_BYTES_PER_ORDER = 20_000
const PRIOR_PLUGIN_BYTES_PER_ORDER = 20_000
const GB = 1024 ** 3

const say = (line) => process.stdout.write(line + "\n")
const gb = (bytes) => (bytes / 1e9).toFixed(2)

async function admin(fn) {
  const c = new pg.Client({ connectionString: `${server}/postgres` })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}
async function onDb(name, fn) {
  const c = new pg.Client({ connectionString: `${server}/${name}` })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}
const exists = (name) => admin(async (c) => (await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount > 0)
const dropDb = (name) => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
const dbSize = (name) => admin(async (c) => Number((await c.query(`SELECT pg_database_size($1) AS b`, [name])).rows[0].b))
// The comment of a finished template holds its generation report: a template without one is incomplete.
const templateReport = (name) =>
  admin(async (c) => {
    const { rows } = await c.query(`SELECT shobj_description(oid, 'pg_database') AS d FROM pg_database WHERE datname = $1`, [name])
    try {
      return rows[0]?.d ? JSON.parse(rows[0].d) : null
    } catch {
      return null
    }
  })

function freeBytes() {
  // PostgreSQL's data directory is on this machine's root filesystem here; BENCH_DF_PATH names another.
  const s = statfsSync(process.env.BENCH_DF_PATH ?? "/")
  return s.bavail * s.bsize
}

function run(cmd, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => {
      err += d
      if (err.length > 200_000) err = err.slice(-100_000)
    })
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, out, err }))
  })
}

// Medusa's CLI, run by node itself so that node flags (the profiler's) can go before it.
const medusaCli = createRequire(import.meta.url).resolve("@medusajs/cli/cli.js")

async function medusa(args, databaseName, extraEnv = {}, nodeFlags = []) {
  const r = await run(process.execPath, [...nodeFlags, medusaCli, ...args], { DATABASE_URL: `${server}/${databaseName}`, ...extraEnv })
  if (r.code !== 0) {
    const tail = (r.out + r.err).split("\n").slice(-40).join("\n")
    throw Object.assign(new Error(`medusa ${args.join(" ")} failed (exit ${r.code ?? r.signal}):\n${tail}`), { output: r })
  }
  return r.out
}

function loadAverage() {
  return os.loadavg().map((x) => x.toFixed(2)).join(" ")
}

/** Creates, migrates, boots and fills the template of a size; returns its generation report. */
async function makeTemplate(size, name) {
  const shape = SIZES[size]
  await dropDb(name)
  await admin((c) => c.query(`CREATE DATABASE "${name}"`))
  say(`[${size}] migrating ${name} ...`)
  await medusa(["db:migrate", "--skip-scripts"], name)
  await medusa(["exec", "./src/scripts/bench-nightly-stage.ts"], name, { BENCH_NIGHTLY_STAGE: "boot" })
  const before = await dbSize(name)
  say(`[${size}] generating ${JSON.stringify(shape)} (seed ${seed}), load ${loadAverage()} ...`)
  const started = Date.now()
  let lastPrint = 0
  const made = await generateSyntheticStore({
    databaseUrl: `${server}/${name}`,
    ...shape,
    seed,
    end: startOfToday(),
    progress: (done, total, stats) => {
      if (Date.now() - lastPrint > 30_000 || done === total) {
        lastPrint = Date.now()
        say(`[${size}]   ${done}/${total} orders, ${stats.lines} lines, ${stats.lines_per_second} lines/s, load ${loadAverage()}`)
      }
    },
  })
  const after = await dbSize(name)
  const report = {
    ...made,
    seed,
    wall_seconds: Math.round((Date.now() - started) / 1000),
    store_bytes: after - before,
    bytes_per_order: Math.round((after - before) / made.orders),
    load_average: loadAverage(),
    at: new Date().toISOString(),
  }
  await admin((c) => c.query(`COMMENT ON DATABASE "${name}" IS '${JSON.stringify(report).replace(/'/g, "''")}'`))
  say(`[${size}] generated in ${report.wall_seconds} s: ${JSON.stringify(report)}`)
  return report
}

const startOfToday = () => {
  const now = new Date()
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
}

/**
 * Moves a kept store's orders (and customers' sign-up times) forward so that its last day is
 * today: the purchase prediction labels the days before its as-of date (now), so a store whose
 * orders ended months ago has no one buying again in that window and fits nothing. Days only,
 * so weekdays and the spacing of orders stay as generated.
 */
async function shiftToToday(size, name, report) {
  const end = Date.parse(report.end ?? "2026-01-01T00:00:00.000Z")
  const days = Math.floor((startOfToday() - end) / 86_400_000)
  if (days < 1) return report
  const t = Date.now()
  await onDb(name, async (c) => {
    await c.query("SET synchronous_commit = off")
    await c.query(`UPDATE "order" SET created_at = created_at + $1 * interval '1 day', updated_at = updated_at + $1 * interval '1 day'`, [days])
    await c.query(`UPDATE customer SET created_at = created_at + $1 * interval '1 day'`, [days])
    await c.query(`VACUUM ANALYZE "order"`)
  })
  const shifted = { ...report, end: new Date(startOfToday()).toISOString(), shifted_days: (report.shifted_days ?? 0) + days }
  await admin((c) => c.query(`COMMENT ON DATABASE "${name}" IS '${JSON.stringify(shifted).replace(/'/g, "''")}'`))
  say(`[${size}] moved the kept store ${days} days forward (its orders now end today) in ${Math.round((Date.now() - t) / 1000)} s`)
  return shifted
}

async function pluginTableSizes(name) {
  return onDb(name, async (c) => {
    const { rows } = await c.query(
      `SELECT relname AS table, pg_total_relation_size(oid) AS bytes, reltuples::bigint AS rows_estimate FROM pg_class
       WHERE relkind = 'r' AND relname LIKE 'personalization_%' ORDER BY pg_total_relation_size(oid) DESC`
    )
    return rows.map((r) => ({ table: r.table, bytes: Number(r.bytes), rows_estimate: Number(r.rows_estimate) }))
  })
}

async function listSizes(name) {
  return onDb(name, async (c) => {
    const { rows } = await c.query(
      `SELECT version_id, kind, COUNT(*)::int AS lists,
              SUM(pg_column_size(l.*))::bigint AS row_bytes, SUM(octet_length(items))::bigint AS items_bytes
       FROM personalization_recommendation_list l GROUP BY version_id, kind ORDER BY version_id, kind`
    )
    const total = Number(
      (await c.query(`SELECT pg_total_relation_size('personalization_recommendation_list') AS b`)).rows[0].b
    )
    const all = rows.reduce((s, r) => s + r.lists, 0)
    return {
      table_total_bytes: total,
      versions: rows.map((r) => ({
        version_id: r.version_id,
        kind: r.kind,
        lists: r.lists,
        row_bytes: Number(r.row_bytes),
        bytes_per_list_row: Math.round(Number(r.row_bytes) / r.lists),
        items_bytes_per_list: Math.round(Number(r.items_bytes) / r.lists),
        // The table with its indexes (and TOAST), shared out by rows.
        table_bytes_share: Math.round((total * r.lists) / Math.max(1, all)),
      })),
    }
  })
}

/**
 * Where a stage's time goes on the database side, cheaply: pg_stat_activity of the run database
 * sampled once a second while the stage runs, tallied by state and statement (the first 90
 * characters). "idle in transaction" is the process working in JavaScript inside a
 * transaction; a stage whose samples are mostly idle spends its time in the process itself.
 */
function sampleActivity(database) {
  const client = new pg.Client({ connectionString: `${server}/postgres` })
  const tally = new Map()
  let samples = 0
  let stopped = false
  const ready = client.connect().catch(() => (stopped = true))
  const timer = setInterval(async () => {
    if (stopped) return
    try {
      await ready
      const { rows } = await client.query(
        `SELECT state, wait_event_type AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q
         FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        [database]
      )
      samples++
      for (const r of rows) {
        const key = r.state === "active" ? `active${r.wait ? ` (wait ${r.wait})` : ""}: ${r.q}` : r.state === "idle" ? "idle" : `${r.state}: ${r.q}`
        tally.set(key, (tally.get(key) ?? 0) + 1)
      }
    } catch {
      // A sample lost to a busy server is only a sample.
    }
  }, 1000)
  return async () => {
    clearInterval(timer)
    stopped = true
    await client.end().catch(() => undefined)
    const top = [...tally.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)
    return { samples, top: top.map(([what, n]) => ({ share_of_samples: Math.round((100 * n) / Math.max(1, samples)) / 100, what })) }
  }
}

/** A stage's own work: rebuild-changes also times the day's writes and a check, which a night does not. */
const stageSeconds = (s) => s.result?.rebuild_seconds ?? s.seconds

function rowsPerSecond(stage, result, seconds, shape) {
  const r = result.result ?? {}
  if (stage.startsWith("rebuild")) return { orders_per_second: Math.round((r.orders ?? 0) / seconds), lines_per_second: Math.round((shape.lines ?? 0) / seconds) }
  if (stage === "segmentation") return { customers_per_second: Math.round((r.customers ?? 0) / seconds) }
  if (stage === "training") return { lines_per_second: Math.round((shape.lines ?? 0) / seconds), lists_per_second: Math.round((r.lists ?? 0) / seconds) }
  if (stage === "training-state") return { lines_per_second: Math.round((r.lines ?? 0) / seconds) }
  if (stage === "training-refresh") return { lines_per_second: Math.round((r.lines ?? 0) / seconds), lists_per_second: r.lists_per_second ?? 0 }
  return {}
}

async function benchSize(size) {
  const shape = SIZES[size]
  const template = `pz_nightly_${size}_s${seed}_g2`
  const runDb = `pz_nightly_${size}_s${seed}_run`
  const out = { size, shape, stages: {}, machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / GB) } }

  // Disk: the store, a copy of it for the run (unless the run uses the template itself), the plugin tables.
  const measured = (await templateReport(`pz_nightly_tenth_s${seed}_g2`))?.bytes_per_order
  const perOrder = measured ?? PRIOR_STORE_BYTES_PER_ORDER
  let report = values.reuse ? await templateReport(template) : null
  const storeBytes = report ? 0 : perOrder * shape.orders
  const copyBytes = perOrder * shape.orders
  const pluginBytes = PRIOR_PLUGIN_BYTES_PER_ORDER * shape.orders
  const free = freeBytes()
  const copy = !values["in-place"] && storeBytes + copyBytes + pluginBytes <= free * 0.9
  const need = storeBytes + (copy ? copyBytes : 0) + pluginBytes
  say(
    `[${size}] disk: needs about ${gb(need)} GB (store ${gb(storeBytes)}${report ? " (kept template)" : ""}, ` +
      `run copy ${copy ? gb(copyBytes) : "none"}, plugin tables ${gb(pluginBytes)}; ${perOrder} B/order ` +
      `${measured ? "measured at tenth size" : "prior estimate"}); free ${gb(free)} GB`
  )
  if (need > free * 0.9) {
    throw new Error(`[${size}] not enough disk: about ${gb(need)} GB needed, ${gb(free)} GB free (keeping 10% spare). Free space or run --size tenth.`)
  }
  if (!copy) say(`[${size}] ${values["in-place"] ? "--in-place" : "no room for a copy of the template"}: the chain runs on the kept store itself (the cold rebuild empties its feature tables; runs and versions of earlier benches stay)`)

  if (!report) report = await makeTemplate(size, template)
  else {
    say(`[${size}] reusing ${template}: ${JSON.stringify(report)}`)
    report = await shiftToToday(size, template, report)
  }
  out.generation = report
  if (values["generate-only"]) return out

  let target = template
  if (copy) {
    await dropDb(runDb)
    const t = Date.now()
    await admin((c) => c.query(`CREATE DATABASE "${runDb}" TEMPLATE "${template}"`))
    say(`[${size}] copied the template in ${Math.round((Date.now() - t) / 1000)} s`)
    target = runDb
  }
  // A kept template predates the plugin's newer migrations, if any: apply them (a no-op otherwise).
  await medusa(["db:migrate", "--skip-scripts"], target)
  const sizeBefore = await dbSize(target)
  const pluginBefore = (await pluginTableSizes(target)).reduce((s, t) => s + t.bytes, 0)
  const shapeWithLines = { ...shape, lines: report.lines }

  // A live shop's autovacuum analyzes the plugin's tables between the nightly jobs (a rebuild
  // empties and refills them). Where it is off, as on this bench machine, the planner would read
  // freshly filled tables as empty (a sequential scan and hash join per keyset page of the line
  // reader: 3 s a page at tenth size): analyze them after each stage instead, timed apart.
  const autovacuum = await onDb(target, async (c) => (await c.query(`SHOW autovacuum`)).rows[0].autovacuum)
  out.autovacuum = autovacuum
  if (autovacuum !== "on") say(`[${size}] autovacuum is ${autovacuum}: the plugin's tables are analyzed after each stage (as autovacuum would between jobs)`)
  for (const stage of stages) {
    const extra = { BENCH_NIGHTLY_STAGE: stage }
    // Node refuses --cpu-prof in NODE_OPTIONS: the flags go on the stage's command line. One sample
    // each 10 ms (not node's 1 ms): a stage runs for many minutes at full size, and the profiler's
    // memory must not move the stage's peak RSS.
    const profile = values.profile === stage ? ["--cpu-prof", "--cpu-prof-interval", "10000", "--cpu-prof-dir", ".bench-nightly-profiles"] : []
    say(`[${size}] ${stage} ... (load ${loadAverage()})`)
    const wall = Date.now()
    const stopSampling = sampleActivity(target)
    try {
      const text = await medusa(["exec", "./src/scripts/bench-nightly-stage.ts"], target, extra, profile)
      const line = text.split("\n").find((l) => l.startsWith("NIGHTLY_STAGE "))
      const r = JSON.parse(line.slice("NIGHTLY_STAGE ".length))
      r.process_wall_seconds = Math.round((Date.now() - wall) / 100) / 10
      r.load_average_after = loadAverage()
      Object.assign(r, rowsPerSecond(stage, r, r.seconds, shapeWithLines))
      r.database_activity = await stopSampling()
      out.stages[stage] = r
      say(`[${size}] ${stage}: ${r.seconds} s, peak RSS ${r.peak_rss_mb} MB, ${JSON.stringify(rowsPerSecond(stage, r, r.seconds, shapeWithLines))} ${JSON.stringify(r.result)}`)
      if (r.result?.status && !["completed", "active"].includes(r.result.status)) say(`[${size}]   (status ${r.result.status}: ${r.result.reason ?? ""})`)
      say(`[${size}]   database activity: ${JSON.stringify(r.database_activity)}`)
    } catch (e) {
      await stopSampling()
      out.stages[stage] = { failed: true, seconds_until_failure: Math.round((Date.now() - wall) / 1000), error: String(e.message).slice(0, 4000) }
      say(`[${size}] ${stage} FAILED after ${out.stages[stage].seconds_until_failure} s: ${e.message}`)
    }
    if (autovacuum !== "on") {
      const t = Date.now()
      await onDb(target, async (c) => {
        const { rows } = await c.query(`SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE 'personalization_%'`)
        for (const { relname } of rows) await c.query(`ANALYZE "${relname}"`)
      })
      out.stages[stage].analyze_after_seconds = Math.round((Date.now() - t) / 100) / 10
      say(`[${size}]   analyzed the plugin's tables in ${out.stages[stage].analyze_after_seconds} s`)
    }
  }

  // A night's chain: the nightly rebuild reads the day's changes (rebuild-changes), and every
  // rebuildFullEveryDays nights every order (rebuild-warm); the first is the goal's chain.
  const chain = (rebuild) => {
    const parts = [rebuild, "segmentation", "training"].map((s) => out.stages[s])
    if (!parts.every((s) => s && !s.failed)) return null
    const total = parts.reduce((a, s) => a + stageSeconds(s), 0)
    return { rebuild, seconds: Math.round(total), goal_seconds: GOAL_CHAIN_SECONDS, met: total <= GOAL_CHAIN_SECONDS }
  }
  out.warm_chain = chain("rebuild-changes") ?? chain("rebuild-warm")
  out.warm_chain_full_read = chain("rebuild-warm")
  // The same night with the refresh prototype in place of the training run (its own timed work, not the untimed comparison).
  const refresh = out.stages["training-refresh"]
  const rebuildNight = [out.stages["rebuild-changes"], out.stages["rebuild-warm"]].find((s) => s && !s.failed)
  if (refresh && !refresh.failed && rebuildNight && out.stages.segmentation && !out.stages.segmentation.failed) {
    const total = stageSeconds(rebuildNight) + stageSeconds(out.stages.segmentation) + refresh.result.refresh_seconds
    out.warm_chain_with_refresh = { rebuild: rebuildNight === out.stages["rebuild-changes"] ? "rebuild-changes" : "rebuild-warm", seconds: Math.round(total), goal_seconds: GOAL_CHAIN_SECONDS, met: total <= GOAL_CHAIN_SECONDS }
  }
  // A night between full runs as the jobs run it: the changes-mode rebuild, segmentation, and the job's training run (a refresh).
  const nightly = ["rebuild-changes", "segmentation", "training-nightly"].map((s) => out.stages[s])
  if (nightly.every((s) => s && !s.failed)) {
    const total = nightly.reduce((a, s) => a + stageSeconds(s), 0)
    out.warm_chain_refresh_night = { rebuild: "rebuild-changes", seconds: Math.round(total), goal_seconds: GOAL_CHAIN_SECONDS, met: total <= GOAL_CHAIN_SECONDS }
  }
  const rss = Object.values(out.stages).filter((s) => !s.failed).map((s) => s.peak_rss_mb)
  out.peak_rss_mb = rss.length ? Math.max(...rss) : null
  out.rss_goal_met = rss.length ? out.peak_rss_mb <= GOAL_RSS_MB : null
  const [bulk, pages] = [out.stages["rebuild-cold"], out.stages["rebuild-cold-pages"]]
  if (bulk && pages && !bulk.failed && !pages.failed) {
    out.cold_bulk_to_pages = Math.round((bulk.seconds / pages.seconds) * 1000) / 1000
    say(`[${size}] cold rebuild: ${bulk.result.mode} mode ${bulk.seconds} s, pages mode ${pages.seconds} s: ${out.cold_bulk_to_pages}x`)
  }
  const placed = out.stages["order-placed"]?.result?.handling_ms
  if (placed) out.order_placed_p99_goal_met = placed.p99 <= 60
  const tables = await pluginTableSizes(target)
  out.database = {
    size_before_bytes: sizeBefore,
    size_after_bytes: await dbSize(target),
    plugin_tables_bytes: tables.reduce((s, t) => s + t.bytes, 0) - pluginBefore,
    plugin_tables: tables.filter((t) => t.bytes > 1_000_000),
  }
  out.database.added_bytes = out.database.size_after_bytes - out.database.size_before_bytes
  out.lists = await listSizes(target)
  const [changes, full] = [out.stages["rebuild-changes"], out.stages["rebuild-warm"]]
  if (changes && full && !changes.failed && !full.failed) {
    out.changes_to_full_read = Math.round((stageSeconds(changes) / full.seconds) * 1000) / 1000
    say(`[${size}] nightly rebuild: changes mode ${stageSeconds(changes)} s (${changes.result.changed_orders} orders changed), every order read ${full.seconds} s: ${out.changes_to_full_read}x`)
  }
  say(`[${size}] warm chain: ${out.warm_chain ? `${out.warm_chain.seconds} s with ${out.warm_chain.rebuild} against ${GOAL_CHAIN_SECONDS} s (${out.warm_chain.met ? "met" : "not met"})` : "incomplete"}; ` +
    `peak RSS ${out.peak_rss_mb} MB against ${GOAL_RSS_MB} MB; database +${gb(out.database.added_bytes)} GB (plugin tables ${gb(out.database.plugin_tables_bytes)} GB)`)
  if (out.warm_chain_refresh_night) {
    const w = out.warm_chain_refresh_night
    say(`[${size}] a night between full runs (rebuild-changes + segmentation + training-nightly, the job's refresh): ${w.seconds} s against ${GOAL_CHAIN_SECONDS} s (${w.met ? "met" : "not met"})`)
  }
  if (out.warm_chain_with_refresh) {
    const w = out.warm_chain_with_refresh
    say(`[${size}] warm chain with the training refresh: ${w.seconds} s with ${w.rebuild} against ${GOAL_CHAIN_SECONDS} s (${w.met ? "met" : "not met"})`)
  }
  const [trained, refreshed] = [out.stages.training, out.stages["training-refresh"]]
  if (trained && refreshed && !trained.failed && !refreshed.failed) {
    out.refresh_to_training = Math.round((refreshed.result.refresh_seconds / stageSeconds(trained)) * 1000) / 1000
    say(`[${size}] training refresh ${refreshed.result.refresh_seconds} s, full training run ${stageSeconds(trained)} s: ${out.refresh_to_training}x`)
  }
  say(`[${size}] lists: ${JSON.stringify(out.lists)}`)

  if (copy && !values.keep) await dropDb(runDb)
  if (!values.keep && !values.reuse) await dropDb(template)
  return out
}

const results = { started_at: new Date().toISOString(), load_average_at_start: loadAverage(), sizes: {} }
for (const size of sizes) {
  try {
    results.sizes[size] = await benchSize(size)
  } catch (e) {
    say(`[${size}] stopped: ${e.message}`)
    results.sizes[size] = { error: e.message }
    process.exitCode = 1
    break
  }
}
results.finished_at = new Date().toISOString()
say(`NIGHTLY_RESULT ${JSON.stringify(results)}`)
