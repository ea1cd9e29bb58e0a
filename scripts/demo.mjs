#!/usr/bin/env node
/**
 * `npm run demo`: a real Medusa store with this plugin, seeded from the Online Retail sample
 * in data/online-retail-sample/ (UCI Online Retail, CC BY 4.0: see that folder's README).
 *
 *   1. creates the database if it is missing
 *   2. npx medusa db:migrate
 *   3. seeds the store (src/scripts/seed-demo.ts) unless the store says it is seeded already
 *   4. creates the admin user admin@example.com / supersecret (kept if it exists)
 *   5. rebuilds the plugin's feature tables (src/scripts/rebuild-features.ts), segments
 *      the customers (src/scripts/run-segmentation.ts: segments and their customer groups)
 *      and trains the recommenders (src/scripts/train-recommenders.ts: an active model
 *      version with precomputed lists). When the ledger is what the last segmentation and
 *      training saw (a fingerprint kept in the store's metadata) and both left results, they
 *      are reused instead: a restart costs seconds, not minutes. `--retrain` runs them anyway.
 *   6. starts `npx medusa develop` and prints the admin URL and login, a customer login,
 *      the publishable key and curl examples (the customer's recommendations among them)
 *
 * Running it again is safe: nothing is created twice, and the rebuild is idempotent.
 *
 * Flags: --retrain   segment and train even when the data has not changed.
 *
 * Environment:
 *   DATABASE_URL    PostgreSQL URL (default postgres://postgres@localhost:5432). Without a
 *                   database name, DEMO_DATABASE (default medusa_personalization_demo) is used.
 *   DEMO_NO_SERVER  1: stop after step 5 and print the details without starting the server
 *                   (tests, CI).
 *   PORT            the server's port (default 9000; Medusa reads it too).
 * Every medusa command runs with MEDUSA_DISABLE_TELEMETRY=true and this DATABASE_URL.
 */
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { appendFileSync, existsSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const ADMIN_EMAIL = "admin@example.com"
const ADMIN_PASSWORD = "supersecret"
const CUSTOMER_PASSWORD = "demo-password"
const KEY_TITLE = "Personalization demo"
const SEEDED_KEY = "personalization_demo_seeded_at"
/** Store metadata: the ledger's fingerprint when the demo last segmented and trained. */
const RUNS_FINGERPRINT_KEY = "personalization_demo_runs_fingerprint"
const retrain = process.argv.includes("--retrain") || process.env.DEMO_RETRAIN === "1"
const port = Number(process.env.PORT ?? 9000)
const baseUrl = `http://localhost:${port}`

function databaseUrl() {
  const url = new URL(process.env.DATABASE_URL ?? "postgres://postgres@localhost:5432")
  if (url.pathname === "" || url.pathname === "/") {
    url.pathname = `/${process.env.DEMO_DATABASE ?? "medusa_personalization_demo"}`
  }
  return url
}

const dbUrl = databaseUrl()
const dbName = decodeURIComponent(dbUrl.pathname.slice(1))
/** The URL as printed: without its password. */
const shownUrl = (() => {
  const url = new URL(dbUrl)
  if (url.password) url.password = "***"
  return url.toString()
})()
const env = {
  ...process.env,
  DATABASE_URL: dbUrl.toString(),
  MEDUSA_DISABLE_TELEMETRY: "true",
}

const log = (message) => process.stdout.write(`\n[demo] ${message}\n`)

/**
 * The dev app signs sessions and tokens with JWT_SECRET and COOKIE_SECRET and refuses to start
 * without them: on the first run the demo writes random ones into .env (which Medusa loads),
 * unless the environment already sets them.
 */
function ensureSecrets() {
  const file = join(root, ".env")
  const existing = existsSync(file) ? readFileSync(file, "utf8") : ""
  const missing = ["JWT_SECRET", "COOKIE_SECRET"].filter((name) => !process.env[name] && !new RegExp(`^${name}=.+`, "m").test(existing))
  if (!missing.length) return
  const lines = missing.map((name) => `${name}=${randomBytes(32).toString("hex")}`)
  appendFileSync(file, `${existing && !existing.endsWith("\n") ? "\n" : ""}${lines.join("\n")}\n`)
  log(`wrote random ${missing.join(" and ")} to .env`)
}
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`

/** Runs `npx medusa ...args`; resolves with its exit code and (when captured) its output. */
function medusa(args, { capture = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("npx", ["medusa", ...args], {
      cwd: root,
      env,
      stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    })
    let output = ""
    if (capture) {
      for (const stream of [child.stdout, child.stderr]) {
        stream.on("data", (chunk) => {
          output += chunk
          process.stdout.write(chunk)
        })
      }
    }
    child.on("error", reject)
    child.on("exit", (code, signal) => resolvePromise({ code: code ?? (signal ? 1 : 0), output }))
  })
}

async function step(title, args) {
  const started = Date.now()
  log(`${title}: npx medusa ${args.join(" ")}`)
  const { code } = await medusa(args)
  if (code !== 0) {
    throw new Error(`"npx medusa ${args.join(" ")}" exited with code ${code}`)
  }
  log(`${title}: done in ${seconds(started)}`)
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

async function ensureDatabase() {
  const adminUrl = new URL(dbUrl)
  adminUrl.pathname = "/postgres"
  await withClient(adminUrl, async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [dbName])
    if (rowCount) {
      log(`database "${dbName}" exists`)
      return
    }
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(dbName)}`)
    log(`database "${dbName}" created`)
  })
}

/** The seed's completion mark in the store's metadata (null before the first seed). */
function seededAt() {
  return withClient(dbUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT metadata->>$1 AS seeded_at FROM store WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1`,
      [SEEDED_KEY]
    )
    return rows[0]?.seeded_at ?? null
  })
}

function adminExists() {
  return withClient(dbUrl, async (client) => {
    const { rowCount } = await client.query(
      `SELECT 1 FROM "user" WHERE email = $1 AND deleted_at IS NULL`,
      [ADMIN_EMAIL]
    )
    return rowCount > 0
  })
}

async function createAdmin() {
  if (await adminExists()) {
    log(`admin user ${ADMIN_EMAIL} exists`)
    return
  }
  log(`admin user: npx medusa user -e ${ADMIN_EMAIL} -p ${ADMIN_PASSWORD}`)
  const { code, output } = await medusa(["user", "-e", ADMIN_EMAIL, "-p", ADMIN_PASSWORD], { capture: true })
  if (code !== 0 && !/already exists/i.test(output)) {
    throw new Error(`"npx medusa user" exited with code ${code}`)
  }
}

/** What the banner shows: the demo key, the customer with the most orders, table sizes. */
function demoDetails() {
  return withClient(dbUrl, async (client) => {
    const key = await client.query(
      `SELECT token FROM api_key
       WHERE title = $1 AND type = 'publishable' AND revoked_at IS NULL AND deleted_at IS NULL
       ORDER BY created_at LIMIT 1`,
      [KEY_TITLE]
    )
    const customer = await client.query(
      `SELECT c.email, COUNT(o.id)::int AS orders FROM customer c
       JOIN "order" o ON o.customer_id = c.id AND o.deleted_at IS NULL
       WHERE c.has_account AND c.deleted_at IS NULL AND c.email LIKE 'customer-%@example.com'
       GROUP BY c.email ORDER BY COUNT(o.id) DESC, c.email LIMIT 1`
    )
    const counts = await client.query(
      `SELECT (SELECT COUNT(*) FROM product WHERE deleted_at IS NULL)::int AS products,
              (SELECT COUNT(*) FROM customer WHERE deleted_at IS NULL)::int AS customers,
              (SELECT COUNT(*) FROM "order" WHERE deleted_at IS NULL)::int AS orders,
              (SELECT COUNT(*) FROM personalization_customer_features)::int AS customer_features,
              (SELECT COUNT(*) FROM personalization_customer_product)::int AS customer_products,
              (SELECT COUNT(*) FROM personalization_segment WHERE run_id = (
                 SELECT id FROM personalization_segmentation_run WHERE status = 'completed'
                 ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1))::int AS segments`
    )
    const model = await client.query(
      `SELECT v.id, (SELECT COUNT(*) FROM personalization_recommendation_list l WHERE l.version_id = v.id AND l.kind = 'customer')::int AS customers
       FROM personalization_model_version v WHERE v.status = 'active'`
    )
    const region = await client.query(`SELECT default_region_id AS id FROM store WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1`)
    return {
      key: key.rows[0]?.token ?? null,
      customer: customer.rows[0] ?? null,
      counts: counts.rows[0],
      model: model.rows[0] ?? null,
      region: region.rows[0]?.id ?? null,
    }
  })
}

function banner({ key, customer, counts, model, region }) {
  const keyText = key ?? "(none: was the store seeded?)"
  // Prices need a region: every example asks in the demo's.
  const regionQuery = region ? `&region_id=${region}` : ""
  const lines = [
    "",
    "=".repeat(78),
    " medusa-plugin-personalization demo",
    "=".repeat(78),
    ` Database:        ${shownUrl}`,
    ` Store data:      ${counts.products} products, ${counts.customers} customers, ${counts.orders} orders`,
    ` Plugin tables:   ${counts.customer_features} customer feature rows, ${counts.customer_products} customer-product rows`,
    ` Segments:        ${counts.segments} (each with its customer group: Customers > Customer Groups)`,
    model
      ? ` Recommendations: model version ${model.id}, personal lists for ${model.customers} customers`
      : " Recommendations: no active model version (the routes serve trending products)",
    ` Admin:           ${baseUrl}/app   login ${ADMIN_EMAIL} / ${ADMIN_PASSWORD}`,
    ` Personalization: ${baseUrl}/app/personalization   (segments, predictions, runs, models; widgets on customer, product and group pages)`,
    customer
      ? ` Customer login:  ${customer.email} / ${CUSTOMER_PASSWORD}   (${customer.orders} orders)`
      : " Customer login:  (none)",
    ` Publishable key: ${keyText}`,
    ` Region:          ${region ?? "(none)"}`,
    "",
    " Try:",
    `   curl -H "x-publishable-api-key: ${keyText}" "${baseUrl}/store/products?limit=3${regionQuery}"`,
  ]
  lines.push(`   curl -H "x-publishable-api-key: ${keyText}" "${baseUrl}/store/recommendations?limit=5${regionQuery}"   # trending`)
  lines.push("", " The storefront widget on a demo page (add &product_id=prod_... for a product's strips):")
  lines.push(`   ${baseUrl}/personalization/storefront-demo?key=${encodeURIComponent(keyText)}${regionQuery}`)
  if (customer) {
    lines.push(
      "",
      " The customer's own recommendations (log in, then ask with the token):",
      `   TOKEN=$(curl -s -X POST ${baseUrl}/auth/customer/emailpass -H "content-type: application/json" \\`,
      `        -d '{"email":"${customer.email}","password":"${CUSTOMER_PASSWORD}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`,
      `   curl -H "x-publishable-api-key: ${keyText}" -H "authorization: Bearer $TOKEN" \\`,
      `        "${baseUrl}/store/recommendations?limit=5&fields=id,title,*variants.calculated_price${regionQuery}"`
    )
  }
  lines.push("=".repeat(78), "")
  process.stdout.write(lines.join("\n") + "\n")
}

/** What the segmentation and training runs see of the data: every ledger order as it counts. */
function ledgerFingerprint() {
  return withClient(dbUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT md5(COALESCE(string_agg(id || ':' || customer_id || ':' || counted || ':' || amount::text || ':' || placed_at::text, ',' ORDER BY id), '')) AS f
       FROM personalization_order`
    )
    return rows[0].f
  })
}

/** The last runs, when they saw this fingerprint and left results (a completed segmentation, an active version with lists). */
function reusableRuns(fingerprint) {
  return withClient(dbUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT (SELECT metadata->>$1 FROM store WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1) AS fingerprint,
              (SELECT id FROM personalization_segmentation_run WHERE status = 'completed' ORDER BY finished_at DESC NULLS LAST LIMIT 1) AS run,
              (SELECT id FROM personalization_model_version WHERE status = 'active' AND lists > 0 LIMIT 1) AS version`,
      [RUNS_FINGERPRINT_KEY]
    )
    const r = rows[0]
    return r.fingerprint === fingerprint && r.run && r.version ? r : null
  })
}

function recordFingerprint(fingerprint) {
  return withClient(dbUrl, (client) =>
    client.query(
      `UPDATE store SET metadata = COALESCE(metadata, '{}'::jsonb) || jsonb_build_object($1::text, $2::text)
       WHERE id = (SELECT id FROM store WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1)`,
      [RUNS_FINGERPRINT_KEY, fingerprint]
    )
  )
}

async function waitForHealth(child, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`${baseUrl}/health`)
      if (response.ok) return true
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 2000))
  }
  return false
}

async function main() {
  const started = Date.now()
  ensureSecrets()
  log(`database ${shownUrl}`)
  await ensureDatabase()
  await step("migrations", ["db:migrate"])

  const seeded = await seededAt()
  if (seeded) {
    log(`store already seeded at ${seeded}: skipping the seed`)
  } else {
    await step("seed", ["exec", "./src/scripts/seed-demo.ts"])
  }
  await createAdmin()
  await step("feature rebuild", ["exec", "./src/scripts/rebuild-features.ts"])
  const fingerprint = await ledgerFingerprint()
  const reusable = retrain ? null : await reusableRuns(fingerprint)
  if (reusable) {
    log(`data unchanged since the last runs: reusing segmentation run ${reusable.run} and model version ${reusable.version} (npm run demo -- --retrain runs them again)`)
  } else {
    await step("segmentation", ["exec", "./src/scripts/run-segmentation.ts"])
    await step("recommender training", ["exec", "./src/scripts/train-recommenders.ts"])
    await recordFingerprint(fingerprint)
  }

  const details = await demoDetails()
  log(`ready in ${seconds(started)}`)
  banner(details)

  if (process.env.DEMO_NO_SERVER === "1" || process.env.DEMO_NO_SERVER === "true") {
    log("DEMO_NO_SERVER is set: not starting the server")
    return
  }

  log("starting the server: npx medusa develop (Ctrl-C stops it; the admin build takes a minute or two)")
  const child = spawn("npx", ["medusa", "develop"], { cwd: root, env, stdio: "inherit" })
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => child.kill(signal))
  }
  const exited = new Promise((r) => child.on("exit", (code, signal) => r(code ?? (signal ? 0 : 1))))
  if (await waitForHealth(child, 15 * 60_000)) {
    banner(details)
  }
  process.exitCode = await exited
}

main().catch((error) => {
  process.stderr.write(`\n[demo] failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
