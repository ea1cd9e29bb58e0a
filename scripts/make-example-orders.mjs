#!/usr/bin/env node
/**
 * `node scripts/make-example-orders.mjs`: writes data/example/orders.csv.gz, the small order file
 * the command line's README examples run on (and that ships in the package): the generic
 * "orders" format (order_id, customer_id, product_id, quantity, unit_price, created_at,
 * product_title) made from the demo sample's cleaned lines of 250 customers drawn with a seeded
 * shuffle (mulberry32, seed 7). Deterministic: the same sample gives the same file.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { registerTs } from "./lib/register-ts.mjs"
import { mulberry32 } from "./lib/synthetic-store.mjs"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
registerTs()
const require = createRequire(import.meta.url)
const { readTextFile } = require(join(root, "src/ml/data/read-text.ts"))
const { parse } = require("csv-parse/sync")

const CUSTOMERS = 250
const rows = parse(readTextFile(join(root, "data/online-retail-sample/online-retail-sample.csv.gz")), { columns: true, skip_empty_lines: true })
const ids = [...new Set(rows.map((r) => r.CustomerID))].sort()
const random = mulberry32(7)
for (let i = ids.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1))
  ;[ids[i], ids[j]] = [ids[j], ids[i]]
}
const chosen = new Set(ids.slice(0, CUSTOMERS))
const csv = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
const out = ["order_id,customer_id,product_id,quantity,unit_price,created_at,product_title"]
for (const r of rows) {
  if (!chosen.has(r.CustomerID)) continue
  out.push([r.InvoiceNo, `cus_${r.CustomerID.replace(/\.0$/, "")}`, `prod_${r.StockCode}`, r.Quantity, r.UnitPrice, r.InvoiceDate, r.Description.trim()].map(csv).join(","))
}
const file = join(root, "data/example/orders.csv.gz")
mkdirSync(dirname(file), { recursive: true })
writeFileSync(file, gzipSync(`${out.join("\n")}\n`, { level: 9, mtime: 0 }))
process.stdout.write(`${file}: ${out.length - 1} lines of ${CUSTOMERS} customers\n`)
