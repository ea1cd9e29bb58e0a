#!/usr/bin/env node
/**
 * `npm run bench:lines [-- --lines 2000000,20000000 --stages objects,columns,training-columns,prediction --tree DIR --keep]`
 *
 * How the nightly runs read the ledger at scale: a seeded synthetic ledger of N lines (N/20
 * customers drawn with a skew, N/200 products with a stronger one, N/20 orders of 1 to 39
 * lines, over the last 700 days) is written straight into the plugin's personalization_order /
 * personalization_order_line tables of a scratch database (migrated once into a template), and
 * each stage of src/scripts/bench-lines.ts runs in its own `medusa exec` process:
 *   objects            loadPurchaseLines: one PurchaseLine object per line
 *   columns            loadPurchaseColumns: typed arrays with integer indexes
 *   training-objects   objects, then the training run in a worker (lines cloned into it)
 *   training-columns   columns, then the training run in a worker (buffers moved)
 *   prediction         the segmentation's purchase prediction for every customer
 * It prints per stage rows/s, bytes per line held, time and peak RSS (VmHWM: the process with its
 * worker thread), then the objects / columns ratios. `--tree DIR` runs the stages from another
 * checkout (with this script's src/scripts/bench-lines.ts copied in): the "before" figures.
 * Only the ledger tables are filled (the secondary indexes of the line table are dropped to
 * write faster; the readers use the primary keys), so Medusa's own tables stay empty. The
 * databases are dropped at the end unless --keep; a kept one is reused.
 */
import { spawnSync } from "node:child_process"
import { statfsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import pg from "pg"
import { withSecrets } from "./lib/secrets.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const { values } = parseArgs({
  options: {
    lines: { type: "string", default: "2000000,20000000" },
    stages: { type: "string", default: "objects,columns,training-columns,prediction" },
    tree: { type: "string", default: root },
    keep: { type: "boolean", default: false },
    "heap-mb": { type: "string", default: "16384" },
  },
})
const server = process.env.BENCH_PG_URL ?? "postgres://postgres@localhost:5432"
const TEMPLATE = "pz_bench_lines_template"
// Table, primary key and order rows, measured at about 190 bytes a line; twice that to be safe.
const DISK_PER_LINE = 400
const env = withSecrets({ ...process.env, MEDUSA_DISABLE_TELEMETRY: "true", LOG_LEVEL: "warn" })
const loadavg = () => spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout.split(" ").slice(0, 3).join(" ")

async function admin(sql) {
  const c = new pg.Client({ connectionString: `${server}/postgres` })
  await c.connect()
  try {
    return await c.query(sql)
  } finally {
    await c.end()
  }
}
const exists = async (name) => (await admin(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).rowCount > 0

function medusa(args, databaseUrl, cwd, extraEnv = {}) {
  const run = spawnSync("npx", ["medusa", ...args], { cwd, env: { ...env, ...extraEnv, DATABASE_URL: databaseUrl }, encoding: "utf8", maxBuffer: 1 << 26 })
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr)
    return null
  }
  return run.stdout
}

async function template() {
  if (await exists(TEMPLATE)) return
  await admin(`CREATE DATABASE ${TEMPLATE}`)
  process.stderr.write(`bench: migrating ${TEMPLATE}\n`)
  if (medusa(["db:migrate", "--skip-scripts"], `${server}/${TEMPLATE}`, root) === null) throw new Error("migration failed")
}

/** The ledger of about `n` lines, seeded: the same n gives the same rows. */
async function fill(name, n) {
  // About 10 lines an order; the customer pool is drawn with a skew, so about N/20 of it buys.
  const orders = Math.round(n / 10)
  const customers = Math.round(n / 16)
  const products = Math.max(100, Math.round(n / 200))
  const c = new pg.Client({ connectionString: `${server}/${name}` })
  await c.connect()
  try {
    await c.query(`SET max_parallel_workers_per_gather = 0`)
    await c.query(`DROP INDEX IF EXISTS "IDX_personalization_order_line_order_id", "IDX_personalization_order_line_customer_id_product_id",
                   "IDX_personalization_order_line_product_id", "IDX_personalization_order_line_deleted_at"`)
    // A store currency, which the line reader needs to count amounts.
    await c.query(`INSERT INTO store (id, name) VALUES ('store_bench', 'bench') ON CONFLICT DO NOTHING`)
    await c.query(`INSERT INTO store_currency (id, currency_code, is_default, store_id) VALUES ('stocur_bench', 'eur', true, 'store_bench') ON CONFLICT DO NOTHING`)
    await c.query(`SELECT setseed(0.42)`)
    const started = Date.now()
    await c.query(`
      INSERT INTO personalization_order (id, customer_id, source_customer_id, placed_at, currency_code, status, counted, amount, item_quantity, version, raw_amount)
      SELECT 'order_' || lpad(o::text, 9, '0'), cus, cus, now() - random() * interval '700 days', 'eur', 'completed', true, 0, 0, 1, '{"value":"0","precision":20}'
      FROM (SELECT o, 'cus_' || lpad(floor(${customers} * power(random(), 1.6))::int::text, 8, '0') AS cus FROM generate_series(1, ${orders}) o) s`)
    await c.query(`
      INSERT INTO personalization_order_line (id, order_id, customer_id, product_id, quantity, amount, placed_at, raw_amount)
      SELECT 'line_' || lpad(o.n::text, 9, '0') || lpad(j::text, 3, '0'), o.id, o.customer_id,
             -- Half the lines from the skewed catalogue, half near the customer's own taste (a
             -- window of 200 products at a place fixed by the customer): learnable, as real baskets are.
             'prod_' || lpad((CASE WHEN random() < 0.5 THEN floor(${products} * power(random(), 2.5))
                                   ELSE (o.cn::bigint * 7919 + floor(200 * power(random(), 2))::bigint) % ${products} END)::int::text, 7, '0'),
             1 + floor(random() * 3)::int, round((1 + random() * 60)::numeric, 2), o.placed_at, '{"value":"0","precision":20}'
      FROM (SELECT id, customer_id, placed_at, substr(id, 7)::int AS n, substr(customer_id, 5)::int AS cn FROM personalization_order) o
      CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 19 + o.n * 0)::int) j`)
    await c.query(`ANALYZE personalization_order; ANALYZE personalization_order_line`)
    const { rows } = await c.query(`SELECT (SELECT count(*) FROM personalization_order_line)::int AS lines,
      (SELECT count(DISTINCT customer_id) FROM personalization_order)::int AS customers,
      (SELECT count(DISTINCT product_id) FROM personalization_order_line)::int AS products,
      pg_size_pretty(pg_database_size(current_database())) AS size`)
    process.stderr.write(`bench: wrote ${JSON.stringify(rows[0])} in ${Math.round((Date.now() - started) / 1000)} s\n`)
    return rows[0]
  } finally {
    await c.end()
  }
}

const sizes = values.lines.split(",").map(Number)
const stages = values.stages.split(",")
const tree = resolve(values.tree)
const free = statfsSync(root).bavail * statfsSync(root).bsize
const need = Math.max(...sizes) * DISK_PER_LINE
if (free < need * 1.5) {
  console.error(`bench: needs about ${(need / 1e9).toFixed(1)} GB free for ${Math.max(...sizes)} lines, ${(free / 1e9).toFixed(1)} GB free: stopping`)
  process.exit(1)
}
console.log(`bench:lines: sizes ${sizes.join(", ")}; stages ${stages.join(", ")}; tree ${tree}; needs about ${(need / 1e9).toFixed(1)} GB of disk`)
await template()
const all = []
for (const n of sizes) {
  const name = `pz_bench_lines_${n}_s42`
  let made = null
  if (!(await exists(name))) {
    await admin(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`)
    made = await fill(name, n)
  }
  // A kept template or database may predate newer migrations of this tree (an older tree, for
  // the "before" figures, runs on it as it is).
  if (tree === root && medusa(["db:migrate", "--skip-scripts"], `${server}/${name}`, root) === null) throw new Error("migration failed")
  for (const stage of stages) {
    const load = loadavg()
    const out = medusa(["exec", "./src/scripts/bench-lines.ts"], `${server}/${name}`, tree, {
      BENCH_LINES_STAGE: stage,
      NODE_OPTIONS: `--expose-gc --max-old-space-size=${values["heap-mb"]}`,
    })
    const line = out?.split("\n").find((l) => l.startsWith("BENCH_RESULT "))
    const r = line ? JSON.parse(line.slice("BENCH_RESULT ".length)) : { stage, failed: true }
    r.size = n
    r.load_before = load
    r.load_after = loadavg()
    all.push(r)
    console.log(JSON.stringify(r))
  }
  if (made) console.log(`ledger ${name}: ${JSON.stringify(made)}`)
  if (!values.keep) await admin(`DROP DATABASE ${name}`)
}
if (!values.keep) await admin(`DROP DATABASE IF EXISTS ${TEMPLATE}`)

console.log("\nsize | stage | lines | load s | rows/s | bytes/line | stage s | peak RSS MB")
for (const r of all) {
  const s = r.fit_seconds ?? r.seconds ?? 0
  console.log([r.size, r.stage, r.lines ?? r.customers ?? "-", r.load_seconds?.toFixed(1) ?? "-", r.rows_per_second ?? "-", r.bytes_per_line ?? "-", s.toFixed(1), r.failed ? "failed" : r.peak_rss_mb].join(" | "))
}
for (const n of sizes) {
  const o = all.find((r) => r.size === n && r.stage === "objects" && !r.failed)
  const c = all.find((r) => r.size === n && r.stage === "columns" && !r.failed)
  if (o && c) {
    console.log(
      `${n} lines: objects / columns = ${(o.bytes_per_line / c.bytes_per_line).toFixed(2)}x bytes per line, ` +
        `${(o.peak_rss_mb / c.peak_rss_mb).toFixed(2)}x peak RSS, ${(c.rows_per_second / o.rows_per_second).toFixed(2)}x rows/s (columns faster when > 1)`
    )
  }
}
