#!/usr/bin/env node
/**
 * `npm run bench:rebuild [-- --orders 100000 --seed 1 --skip-demo --skip-synthetic]`
 * 1. the demo store (DEMO_DATABASE_URL, default postgres://postgres@localhost:5432/medusa_personalization_demo),
 *    when `npm run demo` has seeded it;
 * 2. a synthetic store of N orders (default 100,000, about 20 lines each) made by the seeded
 *    generator in scripts/lib/synthetic-store.mjs into its own database (created and migrated
 *    on first use, then reused).
 * Runs src/scripts/bench-rebuild.ts in each and prints its figures.
 */
import { withSecrets } from "./lib/secrets.mjs"
import { spawnSync } from "node:child_process"
import { parseArgs } from "node:util"
import pg from "pg"
import { generateSyntheticStore } from "./lib/synthetic-store.mjs"

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "100000" },
    seed: { type: "string", default: "1" },
    "skip-demo": { type: "boolean", default: false },
    "skip-synthetic": { type: "boolean", default: false },
  },
})
const orders = Number(values.orders)
const server = process.env.BENCH_PG_URL ?? "postgres://postgres@localhost:5432"
const env = withSecrets({ ...process.env, MEDUSA_DISABLE_TELEMETRY: "true", LOG_LEVEL: "warn" })

async function databaseState(name) {
  const admin = new pg.Client({ connectionString: `${server}/postgres` })
  await admin.connect()
  try {
    const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount > 0
    if (!exists) return { exists: false, orders: 0 }
  } finally {
    await admin.end()
  }
  const db = new pg.Client({ connectionString: `${server}/${name}` })
  await db.connect()
  try {
    const { rows } = await db.query(`SELECT to_regclass('public.order') IS NOT NULL AS migrated`)
    if (!rows[0].migrated) return { exists: true, orders: 0 }
    const count = await db.query(`SELECT COUNT(*)::int AS n FROM "order"`)
    return { exists: true, orders: count.rows[0].n }
  } finally {
    await db.end()
  }
}

function medusa(args, databaseUrl) {
  const run = spawnSync("npx", ["medusa", ...args], { env: { ...env, DATABASE_URL: databaseUrl }, encoding: "utf8" })
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr)
    throw new Error(`medusa ${args.join(" ")} failed`)
  }
  return run.stdout
}

function bench(label, databaseUrl) {
  process.stderr.write(`bench: ${label} ...\n`)
  const out = medusa(["exec", "./src/scripts/bench-rebuild.ts"], databaseUrl)
  const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "))
  const result = JSON.parse(line.slice("BENCH_RESULT ".length))
  console.log(`\n## ${label}`)
  console.log(JSON.stringify(result, null, 2))
  return result
}

const results = {}
if (!values["skip-demo"]) {
  const demoUrl = process.env.DEMO_DATABASE_URL ?? `${server}/medusa_personalization_demo`
  const name = new URL(demoUrl).pathname.slice(1)
  const state = await databaseState(name)
  if (state.orders > 0) {
    results.demo = bench(`demo store (${state.orders} orders)`, demoUrl)
  } else {
    console.log("demo store not seeded: run `npm run demo` first to include it (skipped)")
  }
}

if (values["skip-synthetic"]) {
  process.exit(0)
}

// The suffix names the generator version: a changed generator makes a new database.
const name = `pz_bench_synthetic_${orders}_s${values.seed}_g4`
const url = `${server}/${name}`
const state = await databaseState(name)
if (state.orders !== orders) {
  if (state.exists) {
    const admin = new pg.Client({ connectionString: `${server}/postgres` })
    await admin.connect()
    await admin.query(`DROP DATABASE "${name}"`)
    await admin.end()
  }
  const admin = new pg.Client({ connectionString: `${server}/postgres` })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  process.stderr.write(`bench: migrating ${name}\n`)
  medusa(["db:migrate", "--skip-scripts"], url)
  const started = Date.now()
  const made = await generateSyntheticStore({
    databaseUrl: url,
    orders,
    seed: Number(values.seed),
    progress: (done, total) => done % 10000 === 0 && process.stderr.write(`bench: generated ${done}/${total} orders\n`),
  })
  process.stderr.write(`bench: generated ${JSON.stringify(made)} in ${Math.round((Date.now() - started) / 1000)} s\n`)
}
results.synthetic = bench(`synthetic store (${orders} orders, seed ${values.seed})`, url)
