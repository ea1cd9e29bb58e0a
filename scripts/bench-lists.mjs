#!/usr/bin/env node
/**
 * `npm run bench:lists [-- --customers 1000000 --products 100000 --items 100 --versions 1
 *                         --order shuffled|sorted --sample 1000 --seed 1 --keep --json]`
 *
 * What one kept model version of personal lists takes in PostgreSQL, written the way a training
 * run writes them: the recommendations module alone (no app, `initModules` with the module's own
 * migrations) in a fresh database `pz_bench_lists`, a model version with a product table of
 * --products products, then --customers personal lists of --items items each, encoded by
 * PackedListWriter in batches of LIST_BATCH_SIZE (what the training worker hands over) and
 * stored by `writeListBatch`, the module's bulk write path. Items are Zipf-like draws of the
 * products; reasons follow a seeded mix like a training run's personal lists (REASON_MIX of
 * scripts/lib/synthetic-lists.mjs; because_you_bought and new_like_purchased carry their anchor
 * product), ids are Medusa-shaped (`cus_` + 26 characters). --versions N
 * writes N versions one after the other (as N kept versions), then VACUUM ANALYZE as autovacuum
 * would soon do.
 * Prints: the list bytes per row, per version the write time and rate, and then
 * pg_total_relation_size of the list table (heap, TOAST, each index) and of the product table,
 * divided by the rows and per version; and the read path (`getActiveList` of the active version
 * for --sample random customers, one after the other: p50 and p99). The database is dropped at
 * the end unless --keep. With --json the last line of stdout is `BENCH_LISTS_RESULT {...}`.
 */
import { spawnSync } from "node:child_process"
import { createRequire } from "node:module"
import os from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { pgServer, root, withClient } from "./lib/bench-server.mjs"
import { registerTs } from "./lib/register-ts.mjs"
import { REASON_MIX, fillList } from "./lib/synthetic-lists.mjs"
import { mulberry32 } from "./lib/synthetic-store.mjs"

const require = createRequire(import.meta.url)
registerTs()

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "1000000" },
    products: { type: "string", default: "100000" },
    items: { type: "string", default: "100" },
    versions: { type: "string", default: "1" },
    sample: { type: "string", default: "1000" },
    order: { type: "string", default: "shuffled" },
    seed: { type: "string", default: "1" },
    keep: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
})
const customers = Number(values.customers)
const productCount = Number(values.products)
const listItems = Number(values.items)
const versions = Number(values.versions)
const sampleSize = Math.min(Number(values.sample), customers)
const random = mulberry32(Number(values.seed))
const DB = "pz_bench_lists"
const url = `${pgServer}/${DB}`
const log = (message) => process.stderr.write(`bench: ${message}\n`)
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100)

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
/** A Medusa-shaped id (prefix_ + a 26-character ULID): time part from `i`, random part seeded. */
function entityId(prefix, i) {
  let s = ""
  let t = 1_733_000_000_000 + i
  for (let k = 0; k < 10; k++) (s = CROCKFORD[t % 32] + s), (t = Math.floor(t / 32))
  for (let k = 0; k < 16; k++) s += CROCKFORD[Math.floor(random() * 32)]
  return `${prefix}_${s}`
}

const { initModules } = require("@medusajs/test-utils")
const { TestDatabaseUtils } = require("@medusajs/test-utils")
const { MikroORM } = require("@medusajs/framework/mikro-orm/postgresql")
const { ContainerRegistrationKeys, Modules } = require("@medusajs/framework/utils")
const { RECOMMENDATIONS_MODULE } = require(join(root, "src/modules/recommendations/index.ts"))
const { PackedListWriter, REASON_CODE, indexWidth } = require(join(root, "src/ml/recommend/packed-lists.ts"))
const { LIST_BATCH_SIZE } = require(join(root, "src/ml/pipeline/training.ts"))

async function listTableSizes(rows) {
  return withClient(DB, async (c) => {
    const table = "personalization_recommendation_list"
    const { rows: idx } = await c.query(
      `SELECT i.indexrelid::regclass::text AS name, pg_relation_size(i.indexrelid)::bigint AS bytes
       FROM pg_index i WHERE i.indrelid = $1::regclass ORDER BY 1`,
      [table]
    )
    const [s] = (
      await c.query(
        `SELECT pg_total_relation_size($1::regclass)::bigint AS total, pg_relation_size($1::regclass)::bigint AS heap,
                COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0)::bigint AS toast, pg_indexes_size($1::regclass)::bigint AS indexes,
                (SELECT AVG(octet_length(items)) FROM ${table})::float AS items_bytes,
                (SELECT COUNT(*) FROM ${table})::int AS rows,
                pg_total_relation_size('personalization_model_product')::bigint AS product_table
         FROM pg_class c WHERE c.oid = $1::regclass`,
        [table]
      )
    ).rows
    const n = Number(s.rows)
    if (n !== rows) throw new Error(`expected ${rows} list rows, found ${n}`)
    const per = (b) => Math.round((Number(b) / n) * 10) / 10
    return {
      rows: n,
      items_bytes: Math.round(s.items_bytes * 10) / 10,
      total_bytes: Number(s.total),
      heap_bytes: Number(s.heap),
      toast_bytes: Number(s.toast),
      index_bytes: Number(s.indexes),
      per_row: { total: per(s.total), heap: per(s.heap), toast: per(s.toast), indexes: per(s.indexes) },
      indexes: Object.fromEntries(idx.map((r) => [r.name, { bytes: Number(r.bytes), per_row: per(r.bytes) }])),
      product_table_bytes: Number(s.product_table),
    }
  })
}

const mb = (b) => `${(b / 1e6).toFixed(1)} MB`
const uptimeStart = spawnSync("uptime", { encoding: "utf8" }).stdout.trim()
log(`uptime at start: ${uptimeStart}`)
await withClient("postgres", async (c) => {
  await c.query(`DROP DATABASE IF EXISTS "${DB}"`)
  await c.query(`CREATE DATABASE "${DB}"`)
})

let app
try {
  // The module's migrations, as `medusa db:migrate` applies them.
  const migrations = join(root, "src/modules/recommendations/migrations")
  const orm = await MikroORM.init({
    ...TestDatabaseUtils.getMikroOrmConfig({ mikroOrmEntities: [], pathToMigrations: migrations, clientUrl: url }),
    discovery: { warnWhenNoEntities: false },
  })
  try {
    await orm.getMigrator().up()
  } finally {
    await orm.close()
  }
  app = await initModules({
    databaseConfig: { clientUrl: url },
    modulesConfig: { [RECOMMENDATIONS_MODULE]: { resolve: join(root, "src/modules/recommendations"), options: { database: { clientUrl: url } } } },
    injectedDependencies: { [ContainerRegistrationKeys.LOGGER]: console, [Modules.EVENT_BUS]: { emit: async () => undefined } },
    cwd: root,
  })
  const service = app.medusaApp.modules[RECOMMENDATIONS_MODULE]

  const productIds = Array.from({ length: productCount }, (_, i) => entityId("prod", i))
  const customerIds = Array.from({ length: customers }, (_, i) => entityId("cus", i))
  // The order lists are written in decides how full the primary key's pages are: ids in
  // ascending order fill each page before splitting it (about 96 bytes an entry), ids in no
  // order split pages half full (about 170). A training run writes customers in the order they
  // first bought (not their ids' order), so "shuffled" is the default.
  if (values.order === "shuffled") {
    for (let i = customerIds.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[customerIds[i], customerIds[j]] = [customerIds[j], customerIds[i]]
    }
  } else if (values.order !== "sorted") throw new Error(`--order must be sorted or shuffled, not ${values.order}`)
  const width = indexWidth(productCount)
  const perVersion = []
  let lastVersion = null
  let itemsBytes = 0
  for (let v = 0; v < versions; v++) {
    const [version] = await service.createModelVersions([{ status: "running" }])
    const t0 = performance.now()
    const buyers = Int32Array.from({ length: productCount }, () => Math.floor(random() * 5000))
    await service.writeProductTable(version.id, { ids: productIds, buyers, recentBuyers: buyers.map((b) => b >> 3) })
    const productSeconds = (performance.now() - t0) / 1000
    const writer = new PackedListWriter("customer", width)
    let encodeMs = 0
    let writeMs = 0
    let written = 0
    const items = new Int32Array(listItems)
    const codes = new Uint8Array(listItems)
    const anchors = new Int32Array(listItems)
    const started = performance.now()
    let versionBytes = 0
    for (let u = 0; u < customers; u++) {
      const te = performance.now()
      fillList({ items, codes, anchors }, { random, reasonCode: REASON_CODE, products: productCount })
      writer.add(customerIds[u], { items, codes, anchors })
      encodeMs += performance.now() - te
      if (writer.count >= LIST_BATCH_SIZE || u === customers - 1) {
        const batch = writer.take()
        itemsBytes += batch.bytes.byteLength
        versionBytes += batch.bytes.byteLength
        const tw = performance.now()
        written += await service.writeListBatch(version.id, batch)
        writeMs += performance.now() - tw
      }
      if ((u + 1) % 200_000 === 0) log(`version ${v + 1}: ${u + 1} lists (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    }
    await service.markVersionBuilt(version.id, written)
    const seconds = (performance.now() - started) / 1000
    const row = {
      version: version.id,
      lists: written,
      product_table_seconds: Math.round(productSeconds * 100) / 100,
      encode_seconds: Math.round(encodeMs / 10) / 100,
      write_seconds: Math.round(writeMs / 10) / 100,
      total_seconds: Math.round(seconds * 100) / 100,
      lists_per_s_write: Math.round(written / (writeMs / 1000)),
      mb_per_s_write: Math.round((versionBytes / 1e6 / (writeMs / 1000)) * 10) / 10,
      load: load(),
    }
    perVersion.push(row)
    lastVersion = version.id
    log(`version ${v + 1}: ${written} lists written in ${row.write_seconds} s (${row.lists_per_s_write} lists/s; encoding ${row.encode_seconds} s, product table ${row.product_table_seconds} s), load ${row.load.join(" ")}`)
  }
  await service.activateVersion(lastVersion)

  let t = performance.now()
  await withClient(DB, (c) => c.query(`VACUUM ANALYZE personalization_recommendation_list`))
  const vacuumSeconds = (performance.now() - t) / 1000
  const sizes = await listTableSizes(customers * versions)

  // The read path at this size: the active version's list of random customers, one at a time.
  const latencies = []
  await service.getActiveList("customer", customerIds[0]) // the product table, read once per process
  for (let s = 0; s < sampleSize; s++) {
    const id = customerIds[Math.floor(random() * customers)]
    t = performance.now()
    const list = await service.getActiveList("customer", id)
    latencies.push(performance.now() - t)
    if (!list || list.items.length !== listItems) throw new Error(`read back ${id}: ${list ? list.items.length : "no"} items`)
  }
  latencies.sort((a, b) => a - b)
  const q = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] * 100) / 100

  const perVersionBytes = sizes.total_bytes / versions
  // The goal is for a million lists: at a smaller --customers, what a million of these rows take.
  const perMillionBytes = sizes.per_row.total * 1e6
  const result = {
    customers,
    products: productCount,
    items: listItems,
    versions,
    order: values.order,
    reason_mix: REASON_MIX,
    index_width: width,
    list_bytes: Math.round((itemsBytes / (customers * versions)) * 10) / 10,
    writes: perVersion,
    vacuum_analyze_seconds: Math.round(vacuumSeconds * 10) / 10,
    sizes,
    per_version_bytes: perVersionBytes,
    per_million_lists_bytes: perMillionBytes,
    goal_1gb_per_million_met: perMillionBytes <= 1e9,
    read: { sample: sampleSize, p50_ms: q(0.5), p99_ms: q(0.99) },
    uptime_start: uptimeStart,
    uptime_end: spawnSync("uptime", { encoding: "utf8" }).stdout.trim(),
  }
  console.log(`${customers} personal lists of ${listItems} items x ${versions} version(s), written in ${values.order} customer id order; ${productCount} products (${width}-byte indexes)`)
  console.log(`reasons: ${Object.entries(REASON_MIX).map(([n, s]) => `${n} ${(s * 100).toFixed(0)}%`).join(", ")}; stored list ${result.list_bytes} bytes on average`)
  for (const [i, w] of perVersion.entries()) {
    console.log(`version ${i + 1}: ${w.lists} lists, writeListBatch ${w.write_seconds} s = ${w.lists_per_s_write} lists/s (${w.mb_per_s_write} MB/s of list bytes); encoding ${w.encode_seconds} s; load ${w.load.join(" ")}`)
  }
  console.log(`list table: ${mb(sizes.total_bytes)} for ${sizes.rows} rows = ${sizes.per_row.total} bytes a list (heap ${sizes.per_row.heap}, TOAST ${sizes.per_row.toast}, indexes ${sizes.per_row.indexes})`)
  for (const [name, s] of Object.entries(sizes.indexes)) console.log(`  index ${name}: ${mb(s.bytes)}, ${s.per_row} bytes a row`)
  console.log(`per kept version: ${mb(perVersionBytes)} of lists + ${mb(sizes.product_table_bytes / versions)} product table; a million such lists: ${(perMillionBytes / 1e9).toFixed(3)} GB (goal <= 1 GB: ${result.goal_1gb_per_million_met ? "met" : "NOT met"})`)
  console.log(`getActiveList, ${sampleSize} random customers one at a time: p50 ${result.read.p50_ms} ms, p99 ${result.read.p99_ms} ms; VACUUM ANALYZE ${result.vacuum_analyze_seconds} s`)
  log(`uptime at end: ${result.uptime_end}`)
  if (values.json) console.log(`BENCH_LISTS_RESULT ${JSON.stringify(result)}`)
} finally {
  await app?.shutdown()
  if (!values.keep) await withClient("postgres", (c) => c.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`))
}
// The module app's shutdown leaves handles open (its connection pool's timers): the bench is done.
process.exit(0)
