#!/usr/bin/env node
/**
 * What a per-pair "bought together" table would cost on an Online Retail file (default: the
 * development data): orders, order-product lines, pair upserts L(L-1)/2 and distinct pairs.
 * `node scripts/measure-pair-table.mjs [FILE.csv.gz]`
 */
import { parse } from "csv-parse"
import fs from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import zlib from "node:zlib"

// The default is the repository's own copy, wherever the script is run from.
const file = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "data/online-retail-dev/online-retail-dev.csv.gz")
const product = /^\d{5}[A-Z]{0,2}$/
const orders = new Map()
const input = fs.createReadStream(file).pipe(file.endsWith(".gz") ? zlib.createGunzip() : new (await import("node:stream")).PassThrough())
for await (const r of input.pipe(parse({ columns: true }))) {
  const code = r.StockCode.trim().toUpperCase()
  if (!r.CustomerID || r.InvoiceNo.startsWith("C") || !(Number(r.Quantity) > 0) || !(Number(r.UnitPrice) > 0) || !product.test(code)) continue
  if (!orders.has(r.InvoiceNo)) orders.set(r.InvoiceNo, new Set())
  orders.get(r.InvoiceNo).add(code)
}
let lines = 0
let upserts = 0
const pairs = new Set()
for (const codes of orders.values()) {
  const sorted = [...codes].sort()
  lines += sorted.length
  upserts += (sorted.length * (sorted.length - 1)) / 2
  for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) pairs.add(`${sorted[i]}|${sorted[j]}`)
}
console.log(JSON.stringify({ orders: orders.size, lines, products_per_order: +(lines / orders.size).toFixed(1), pair_upserts: upserts, distinct_pairs: pairs.size }))
