#!/usr/bin/env node
/**
 * Proof that the plugin's feature tables are exact on the demo store: recomputes, from the
 * shipped sample CSV alone, what the tables must hold for a seeded random sample of
 * customers and compares it with `personalization_customer_features` and
 * `personalization_customer_product`. Exits 1 on any mismatch.
 *
 *   DATABASE_URL=postgres://postgres@localhost:5432/medusa_personalization_demo \
 *     node scripts/check-demo-features.mjs [--all]
 *
 * DATABASE_URL is resolved as in scripts/demo.mjs (no database name: DEMO_DATABASE, default
 * medusa_personalization_demo). CHECK_CUSTOMERS (default 50) customers are drawn with
 * CHECK_SEED (default 7); --all checks every customer of the sample.
 *
 * Expected values, per customer (CSV lines cleaned as in docs/evaluation.md, one order per invoice):
 *   order_count = money_order_count = distinct invoices (every demo order is in GBP)
 *   first/last_order_at = earliest/latest invoice time (an invoice's time is its earliest line),
 *                         read as UTC and shifted by the whole days the seed recorded in the
 *                         store metadata (checked against the newest invoice's order)
 *   total_spend = sum of Quantity x UnitPrice (no tax, discounts or returns in the demo)
 *   average_order_value = total_spend / order_count, rounded to 4 decimals as the plugin stores it
 *   item_quantity = sum of Quantity; distinct_products = distinct StockCodes
 * and per (customer, product): distinct invoices, quantity, first and last purchase time.
 * Customers map to Medusa by email (customer-<CustomerID>@example.com), products by variant SKU
 * (= StockCode). Money is compared exactly in millionths (tolerance 1e-6).
 */
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { gunzipSync } from "node:zlib"
import { parse } from "csv-parse/sync"
import pg from "pg"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const SAMPLE = join(root, "data/online-retail-sample/online-retail-sample.csv.gz")
const SHIFT_KEY = "personalization_demo_shift_days"
const DAY_MS = 86_400_000
const all = process.argv.includes("--all")
const sampleSize = Number(process.env.CHECK_CUSTOMERS ?? 50)
const seed = Number(process.env.CHECK_SEED ?? 7)

const url = new URL(process.env.DATABASE_URL ?? "postgres://postgres@localhost:5432")
if (url.pathname === "" || url.pathname === "/") {
  url.pathname = `/${process.env.DEMO_DATABASE ?? "medusa_personalization_demo"}`
}

function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A decimal string as an exact integer number of millionths. */
function micros(text) {
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(text).trim())
  if (!match) throw new Error(`not a decimal: ${text}`)
  const [, sign, whole, fraction = ""] = match
  const digits = fraction.padEnd(6, "0")
  if (digits.length > 6 && /[1-9]/.test(digits.slice(6))) throw new Error(`more than 6 decimals: ${text}`)
  const value = BigInt(whole || "0") * 1_000_000n + BigInt(digits.slice(0, 6))
  return sign ? -value : value
}
const showMicros = (m) => (Number(m) / 1e6).toFixed(6)

// --- expected values from the CSV ---------------------------------------------------------
const STOCK_CODE = /^\d{5}[A-Z]{0,2}$/
const records = parse(gunzipSync(readFileSync(SAMPLE)), { columns: true, skip_empty_lines: true })
const lines = []
for (const r of records) {
  const code = r.StockCode.trim().toUpperCase()
  const customer = r.CustomerID.trim().replace(/\.0$/, "")
  if (!customer || r.InvoiceNo.startsWith("C") || !(Number(r.Quantity) > 0) || !(Number(r.UnitPrice) > 0) || !STOCK_CODE.test(code)) {
    continue
  }
  lines.push({
    invoice: r.InvoiceNo.trim(),
    code,
    customer,
    quantity: Number(r.Quantity),
    price: micros(r.UnitPrice),
    time: Date.parse(r.InvoiceDate.trim().replace(" ", "T") + "Z"),
  })
}
const invoiceTime = new Map()
for (const l of lines) invoiceTime.set(l.invoice, Math.min(invoiceTime.get(l.invoice) ?? Infinity, l.time))
const newestInvoice = [...invoiceTime].reduce((best, e) => (e[1] > best[1] ? e : best))

const customers = new Map()
for (const l of lines) {
  const c = customers.get(l.customer) ?? { invoices: new Set(), spend: 0n, quantity: 0, products: new Map() }
  c.invoices.add(l.invoice)
  c.spend += BigInt(l.quantity) * l.price
  c.quantity += l.quantity
  const p = c.products.get(l.code) ?? { invoices: new Set(), quantity: 0 }
  p.invoices.add(l.invoice)
  p.quantity += l.quantity
  c.products.set(l.code, p)
  customers.set(l.customer, c)
}
const pairCount = [...customers.values()].reduce((n, c) => n + c.products.size, 0)

const ids = [...customers.keys()].sort()
const random = mulberry32(seed)
for (let i = ids.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1))
  ;[ids[i], ids[j]] = [ids[j], ids[i]]
}
const checked = all ? ids : ids.slice(0, sampleSize)

// --- what the database holds -----------------------------------------------------------------
const client = new pg.Client({ connectionString: url.toString() })
await client.connect()
const problems = []
const problem = (text) => problems.push(text)
let pairsChecked = 0
try {
  const store = await client.query(
    `SELECT metadata->>$1 AS shift FROM store WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1`,
    [SHIFT_KEY]
  )
  const shift = Number(store.rows[0]?.shift ?? NaN)
  if (!Number.isInteger(shift)) {
    throw new Error(`the store has no "${SHIFT_KEY}" metadata: was it seeded by src/scripts/seed-demo.ts?`)
  }
  const at = (time) => time + shift * DAY_MS
  const newest = await client.query(
    `SELECT created_at FROM "order" WHERE metadata->>'online_retail_invoice' = $1 AND deleted_at IS NULL`,
    [newestInvoice[0]]
  )
  if (newest.rows[0]?.created_at.getTime() !== at(newestInvoice[1])) {
    problem(`newest invoice ${newestInvoice[0]}: order created_at ${newest.rows[0]?.created_at.toISOString()} != ${new Date(at(newestInvoice[1])).toISOString()}`)
  }

  const emails = checked.map((id) => `customer-${id}@example.com`)
  const customerRows = await client.query(
    `SELECT id, email FROM customer WHERE email = ANY($1) AND has_account AND deleted_at IS NULL`,
    [emails]
  )
  const medusaCustomer = new Map(customerRows.rows.map((r) => [r.email, r.id]))
  const codes = [...new Set(checked.flatMap((id) => [...customers.get(id).products.keys()]))]
  const variantRows = await client.query(
    `SELECT sku, product_id FROM product_variant WHERE sku = ANY($1) AND deleted_at IS NULL`,
    [codes]
  )
  const medusaProduct = new Map(variantRows.rows.map((r) => [r.sku, r.product_id]))
  const codeOf = new Map(variantRows.rows.map((r) => [r.product_id, r.sku]))

  const featureRows = await client.query(
    `SELECT customer_id, first_order_at, last_order_at, order_count, money_order_count,
            total_spend::text AS total_spend, average_order_value::text AS average_order_value,
            currency_code, item_quantity, distinct_products
     FROM personalization_customer_features WHERE customer_id = ANY($1)`,
    [[...medusaCustomer.values()]]
  )
  const features = new Map(featureRows.rows.map((r) => [r.customer_id, r]))
  const pairRows = await client.query(
    `SELECT id, customer_id, product_id, order_count, quantity, first_purchased_at, last_purchased_at
     FROM personalization_customer_product WHERE customer_id = ANY($1)`,
    [[...medusaCustomer.values()]]
  )
  const pairs = new Map(pairRows.rows.map((r) => [`${r.customer_id}:${r.product_id}`, r]))

  for (const id of checked) {
    const expected = customers.get(id)
    const email = `customer-${id}@example.com`
    const customerId = medusaCustomer.get(email)
    if (!customerId) {
      problem(`customer ${id}: no Medusa customer ${email}`)
      continue
    }
    const f = features.get(customerId)
    if (!f) {
      problem(`customer ${id} (${customerId}): no personalization_customer_features row`)
      continue
    }
    const times = [...expected.invoices].map((i) => invoiceTime.get(i))
    const orders = expected.invoices.size
    // ROUND(total / orders, 4) in millionths, half away from zero (positive amounts: half up).
    const aov = ((expected.spend * 2n + BigInt(orders) * 100n) / (BigInt(orders) * 200n)) * 100n
    const compare = (field, actual, wanted, show = String) => {
      if (actual !== wanted) problem(`customer ${id} ${field}: table ${show(actual)}, CSV ${show(wanted)}`)
    }
    const iso = (ms) => new Date(ms).toISOString()
    compare("order_count", f.order_count, orders)
    compare("money_order_count", f.money_order_count, orders)
    compare("first_order_at", f.first_order_at.getTime(), at(Math.min(...times)), iso)
    compare("last_order_at", f.last_order_at.getTime(), at(Math.max(...times)), iso)
    compare("currency_code", f.currency_code, "gbp")
    compare("item_quantity", f.item_quantity, expected.quantity)
    compare("distinct_products", f.distinct_products, expected.products.size)
    const spend = micros(f.total_spend)
    if ((spend > expected.spend ? spend - expected.spend : expected.spend - spend) > 1n) {
      problem(`customer ${id} total_spend: table ${f.total_spend}, CSV ${showMicros(expected.spend)}`)
    }
    const average = micros(f.average_order_value)
    if ((average > aov ? average - aov : aov - average) > 1n) {
      problem(`customer ${id} average_order_value: table ${f.average_order_value}, CSV ${showMicros(aov)}`)
    }

    const seen = new Set()
    for (const [code, p] of expected.products) {
      pairsChecked += 1
      const productId = medusaProduct.get(code)
      if (!productId) {
        problem(`product ${code}: no Medusa variant with this SKU`)
        continue
      }
      const key = `${customerId}:${productId}`
      seen.add(key)
      const row = pairs.get(key)
      if (!row) {
        problem(`customer ${id} product ${code}: no personalization_customer_product row ${key}`)
        continue
      }
      const productTimes = [...p.invoices].map((i) => invoiceTime.get(i))
      const comparePair = (field, actual, wanted, show = String) => {
        if (actual !== wanted) problem(`customer ${id} product ${code} ${field}: table ${show(actual)}, CSV ${show(wanted)}`)
      }
      comparePair("order_count", row.order_count, p.invoices.size)
      comparePair("quantity", row.quantity, p.quantity)
      comparePair("first_purchased_at", row.first_purchased_at.getTime(), at(Math.min(...productTimes)), iso)
      comparePair("last_purchased_at", row.last_purchased_at.getTime(), at(Math.max(...productTimes)), iso)
    }
    for (const row of pairRows.rows) {
      if (row.customer_id === customerId && !seen.has(row.id)) {
        problem(`customer ${id}: unexpected personalization_customer_product row for ${codeOf.get(row.product_id) ?? row.product_id}`)
      }
    }
  }

  // Whole-table sizes: one feature row per sampled customer, one ledger order per invoice.
  const totals = await client.query(
    `SELECT (SELECT COUNT(*) FROM personalization_customer_features)::int AS customers,
            (SELECT COUNT(*) FROM personalization_order)::int AS orders,
            (SELECT COUNT(*) FROM personalization_customer_product)::int AS pairs`
  )
  const t = totals.rows[0]
  if (t.customers !== customers.size) problem(`personalization_customer_features has ${t.customers} rows, CSV ${customers.size} customers`)
  if (t.orders !== invoiceTime.size) problem(`personalization_order has ${t.orders} rows, CSV ${invoiceTime.size} invoices`)
  if (t.pairs !== pairCount) problem(`personalization_customer_product has ${t.pairs} rows, CSV ${pairCount} customer-product pairs`)

  process.stdout.write(
    `check-demo-features: ${url.toString()}\n` +
      `  sample: ${customers.size} customers, ${invoiceTime.size} invoices, ${lines.length} lines; orders shifted by ${shift} days\n` +
      `  checked ${checked.length} customers (seed ${seed}${all ? ", all" : ""}) and ${pairsChecked} customer-product rows; ` +
      `table sizes ${t.customers} customers, ${t.orders} orders, ${t.pairs} pairs\n`
  )
} finally {
  await client.end()
}

if (problems.length) {
  process.stdout.write(`  MISMATCHES: ${problems.length}\n`)
  for (const text of problems.slice(0, 30)) process.stdout.write(`  - ${text}\n`)
  if (problems.length > 30) process.stdout.write(`  ... and ${problems.length - 30} more\n`)
  process.exit(1)
}
process.stdout.write("  OK: every compared value matches\n")
