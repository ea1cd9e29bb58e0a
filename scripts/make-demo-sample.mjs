#!/usr/bin/env node
/**
 * Draws the demo sample shipped in data/online-retail-sample/ from the development part of
 * the UCI Online Retail data (CC BY 4.0, see that folder's README for the attribution).
 *
 *   node scripts/make-demo-sample.mjs [source.csv.gz] [customers]
 *
 * source    default data/online-retail-dev/online-retail-dev.csv.gz
 * customers default 800 (SAMPLE_CUSTOMERS); the seed is SAMPLE_SEED (default 2011)
 *
 * Lines are cleaned as in docs/evaluation.md (a CustomerID, InvoiceNo not starting with "C",
 * Quantity > 0, UnitPrice > 0, StockCode upper-cased and trimmed matching ^\d{5}[A-Z]{0,2}$).
 * Customers are drawn uniformly at random (seeded Fisher-Yates over the sorted ids), so the
 * sample keeps the data's mix of one-time and repeat buyers; every cleaned line of a drawn
 * customer is kept, byte for byte, in the original order and column format. The output is
 * deterministic: same source, seed and size give the same file.
 */
import { parse } from "csv-parse/sync"
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { gunzipSync, gzipSync } from "node:zlib"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const source = resolve(process.argv[2] || join(root, "data/online-retail-dev/online-retail-dev.csv.gz"))
const customerCount = Number(process.argv[3] || process.env.SAMPLE_CUSTOMERS || 800)
const seed = Number(process.env.SAMPLE_SEED ?? 2011)
const out = join(root, "data/online-retail-sample/online-retail-sample.csv.gz")

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const STOCK_CODE = /^\d{5}[A-Z]{0,2}$/
const isClean = (r) =>
  r.CustomerID.trim() !== "" &&
  !r.InvoiceNo.startsWith("C") &&
  Number(r.Quantity) > 0 &&
  Number(r.UnitPrice) > 0 &&
  STOCK_CODE.test(r.StockCode.trim().toUpperCase())

const text = gunzipSync(readFileSync(source)).toString("utf8")
const header = text.slice(0, text.indexOf("\n")).replace(/\r$/, "")
// raw: keep each record's exact text, so the sample is a byte-for-byte subset of the source.
const records = parse(text, { columns: true, raw: true, skip_empty_lines: true })

const byCustomer = new Map()
for (const { record, raw } of records) {
  if (!isClean(record)) continue
  const lines = byCustomer.get(record.CustomerID) ?? []
  lines.push({ record, raw: raw.replace(/\r?\n$/, "") })
  byCustomer.set(record.CustomerID, lines)
}

const ids = [...byCustomer.keys()].sort()
const random = mulberry32(seed)
for (let i = ids.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1))
  ;[ids[i], ids[j]] = [ids[j], ids[i]]
}
const picked = new Set(ids.slice(0, customerCount))

const kept = []
for (const { record, raw } of records) {
  if (picked.has(record.CustomerID) && isClean(record)) kept.push({ record, raw: raw.replace(/\r?\n$/, "") })
}

const invoices = new Set(kept.map((l) => l.record.InvoiceNo))
const products = new Set(kept.map((l) => l.record.StockCode.trim().toUpperCase()))
const invoicesPerCustomer = new Map()
for (const { record } of kept) {
  const set = invoicesPerCustomer.get(record.CustomerID) ?? new Set()
  set.add(record.InvoiceNo)
  invoicesPerCustomer.set(record.CustomerID, set)
}
const oneTime = [...invoicesPerCustomer.values()].filter((s) => s.size === 1).length
const dates = kept.map((l) => l.record.InvoiceDate).sort()

const body = [header, ...kept.map((l) => l.raw)].join("\n") + "\n"
const gz = gzipSync(body, { level: 9 })
writeFileSync(out, gz)

process.stdout.write(
  JSON.stringify(
    {
      source,
      seed,
      customers: picked.size,
      one_time_customers: oneTime,
      repeat_customers: picked.size - oneTime,
      invoices: invoices.size,
      lines: kept.length,
      products: products.size,
      first_invoice: dates[0],
      last_invoice: dates[dates.length - 1],
      out,
      bytes: gz.length,
    },
    null,
    2
  ) + "\n"
)
