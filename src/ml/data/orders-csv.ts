import { parse } from "csv-parse/sync"

import type { PurchaseLine } from "./purchase-line"
import { readTextFile } from "./read-text"
import { requireTimestamp } from "./time"

const COLUMNS = ["order_id", "customer_id", "product_id", "quantity", "unit_price", "created_at"] as const

export interface OrdersCsvParseResult {
  lines: PurchaseLine[]
  rowsRead: number
  /** Rows dropped: no customer or product, or quantity <= 0 (returns, corrections). */
  rowsDropped: number
  /** Product titles from the optional `product_title` column: each product's most frequent one. */
  titles: Map<string, string>
}

/**
 * Parses a generic orders export with a header naming (in any order) order_id, customer_id,
 * product_id, quantity, unit_price, created_at, and optionally product_title; one row per order
 * line. created_at is
 * "YYYY-MM-DD[ HH:MM[:SS]]" (read as UTC) or ISO 8601 with a zone. unit_price may be 0
 * (gifts, full discounts). Throws with the row number on an unreadable number or date, because
 * a silently skipped malformed export gives models that look fine and are wrong.
 */
export function parseOrdersCsv(text: string): OrdersCsvParseResult {
  const rows: string[][] = parse(text, { bom: true, skip_empty_lines: true, trim: true })
  if (rows.length === 0) return { lines: [], rowsRead: 0, rowsDropped: 0, titles: new Map() }
  const header = rows[0].map((h) => h.toLowerCase())
  const col = COLUMNS.map((c) => {
    const i = header.indexOf(c)
    if (i < 0) throw new Error(`orders CSV: missing column "${c}" (header: ${rows[0].join(",")})`)
    return i
  })
  const [cOrder, cCustomer, cProduct, cQty, cPrice, cTime] = col
  const cTitle = header.indexOf("product_title")
  const titleCounts = new Map<string, Map<string, number>>()
  const lines: PurchaseLine[] = []
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]
    const where = `orders CSV row ${r + 1}`
    const quantity = Number(row[cQty])
    const price = Number(row[cPrice])
    if (row[cQty] === "" || !Number.isFinite(quantity)) throw new RangeError(`${where}: bad quantity "${row[cQty]}"`)
    if (row[cPrice] === "" || !Number.isFinite(price) || price < 0) {
      throw new RangeError(`${where}: bad unit_price "${row[cPrice]}"`)
    }
    const time = requireTimestamp(row[cTime], `${where} created_at`)
    if (cTitle >= 0 && row[cProduct] !== "" && row[cTitle]) {
      let counts = titleCounts.get(row[cProduct])
      if (!counts) titleCounts.set(row[cProduct], (counts = new Map()))
      counts.set(row[cTitle], (counts.get(row[cTitle]) ?? 0) + 1)
    }
    if (row[cCustomer] === "" || row[cProduct] === "" || !(quantity > 0)) continue
    lines.push({
      orderId: row[cOrder],
      customerId: row[cCustomer],
      productId: row[cProduct],
      quantity,
      amount: quantity * price,
      time,
    })
  }
  const rowsRead = rows.length - 1
  const titles = new Map<string, string>()
  for (const [product, counts] of titleCounts) {
    // The most frequent title; ties go to the one seen first (Map keeps insertion order).
    let best = ""
    let bestCount = 0
    for (const [title, n] of counts) if (n > bestCount) [best, bestCount] = [title, n]
    titles.set(product, best)
  }
  return { lines, rowsRead, rowsDropped: rowsRead - lines.length, titles }
}

/** Reads and parses an orders CSV file (plain or gzip) at `path`. */
export function loadOrdersCsv(path: string): OrdersCsvParseResult {
  return parseOrdersCsv(readTextFile(path))
}
