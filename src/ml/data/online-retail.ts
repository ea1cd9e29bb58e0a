import { parse } from "csv-parse/sync"

import type { PurchaseLine } from "./purchase-line"
import { readTextFile } from "./read-text"
import { requireTimestamp } from "./time"

/** A stock code that is a product (not a fee or adjustment such as POST, D, M, DOT). */
const PRODUCT_CODE = /^\d{5}[A-Z]{0,2}$/

const COLUMNS = ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"] as const

export interface OnlineRetailParseResult {
  lines: PurchaseLine[]
  /** Data rows read (header excluded). */
  rowsRead: number
  /** Rows dropped by the cleaning rules. */
  rowsDropped: number
  /**
   * Product text per cleaned stock code (of any row with a product code, kept or not): its most
   * frequent `Description`, trimmed (ties: the first seen); empty without a Description column.
   */
  descriptions: Map<string, string>
}

/**
 * Parses the UCI Online Retail CSV (columns InvoiceNo, StockCode, Description, Quantity,
 * InvoiceDate, UnitPrice, CustomerID, Country; order free) and applies the evaluation protocol's (docs/evaluation.md)
 * cleaning: keep a row with a CustomerID, an InvoiceNo not starting with "C", Quantity > 0,
 * UnitPrice > 0 and an upper-cased, trimmed StockCode matching /^\d{5}[A-Z]{0,2}$/.
 * Customer id = CustomerID without a trailing ".0"; amount = Quantity x UnitPrice; exact
 * duplicate rows are kept. InvoiceDate "YYYY-MM-DD HH:MM:SS" is read as UTC.
 * Throws on a missing column or an unreadable date in a kept row.
 */
export function parseOnlineRetailCsv(text: string): OnlineRetailParseResult {
  const rows: string[][] = parse(text, { bom: true, relax_column_count: false, skip_empty_lines: true })
  if (rows.length === 0) return { lines: [], rowsRead: 0, rowsDropped: 0, descriptions: new Map() }
  const header = rows[0].map((h) => h.trim())
  const col: Record<(typeof COLUMNS)[number], number> = Object.fromEntries(
    COLUMNS.map((c) => {
      const i = header.indexOf(c)
      if (i < 0) throw new Error(`Online Retail CSV: missing column "${c}"`)
      return [c, i]
    })
  ) as Record<(typeof COLUMNS)[number], number>

  const lines: PurchaseLine[] = []
  const descriptionColumn = header.indexOf("Description")
  const texts = new Map<string, Map<string, number>>()
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r]
    if (descriptionColumn >= 0) {
      const code = row[col.StockCode].toUpperCase().trim()
      const text = row[descriptionColumn].trim()
      if (text && PRODUCT_CODE.test(code)) {
        let c = texts.get(code)
        if (!c) texts.set(code, (c = new Map()))
        c.set(text, (c.get(text) ?? 0) + 1)
      }
    }
    const customer = row[col.CustomerID].trim()
    if (customer === "") continue
    const invoice = row[col.InvoiceNo].trim()
    if (invoice.startsWith("C")) continue
    const quantity = Number(row[col.Quantity])
    // NaN fails both comparisons, so an unreadable number drops the row like a bad value.
    if (!(quantity > 0)) continue
    const price = Number(row[col.UnitPrice])
    if (!(price > 0)) continue
    const code = row[col.StockCode].toUpperCase().trim()
    if (!PRODUCT_CODE.test(code)) continue
    lines.push({
      orderId: invoice,
      customerId: customer.replace(/\.0$/, ""),
      productId: code,
      quantity,
      amount: quantity * price,
      time: requireTimestamp(row[col.InvoiceDate], `Online Retail CSV row ${r + 1} InvoiceDate`),
    })
  }
  const rowsRead = rows.length - 1
  const descriptions = new Map<string, string>()
  for (const [code, c] of texts) {
    let best = ""
    let bestCount = 0
    // Map iteration follows insertion order, so ties keep the first description seen.
    for (const [text, count] of c) if (count > bestCount) ((best = text), (bestCount = count))
    descriptions.set(code, best)
  }
  return { lines, rowsRead, rowsDropped: rowsRead - lines.length, descriptions }
}

/** Reads and parses an Online Retail CSV file (plain or gzip) at `path`. */
export function loadOnlineRetail(path: string): OnlineRetailParseResult {
  return parseOnlineRetailCsv(readTextFile(path))
}
