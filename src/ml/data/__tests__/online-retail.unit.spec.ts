import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"

import { loadOnlineRetail, parseOnlineRetailCsv } from "../online-retail"

const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
const ROWS = [
  '536365,85123A,"WHITE HANGING HEART, T-LIGHT",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom', // kept
  "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom", // exact duplicate: kept
  "536366, 84029g ,lower case and spaces,2,2010-12-01 09:00:00,1.25,13047.0,United Kingdom", // kept as 84029G
  "536367,22633,no customer,6,2010-12-01 09:01:00,1.85,,United Kingdom", // no CustomerID
  "C536368,22633,cancellation,-1,2010-12-01 09:02:00,1.85,13047.0,United Kingdom", // cancellation
  "536369,22633,zero quantity,0,2010-12-01 09:03:00,1.85,13047.0,United Kingdom", // Quantity <= 0
  "536370,22633,free,1,2010-12-01 09:04:00,0,13047.0,United Kingdom", // UnitPrice <= 0
  "536371,POST,postage,1,2010-12-01 09:05:00,18,13047.0,France", // fee, not a product
  "536372,85123ABC,three letters,1,2010-12-01 09:06:00,1,13047.0,France", // suffix longer than 2
  "536373,8512,four digits,1,2010-12-01 09:07:00,1,13047.0,France", // too short
  "536374,90210,plain code,3,2011-06-01 00:00:00,0.5,12345,Spain", // kept, customer without .0
]
const CSV = [HEADER, ...ROWS].join("\n") + "\n"

describe("parseOnlineRetailCsv", () => {
  it("applies the evaluation protocol's (docs/evaluation.md) cleaning rules exactly", () => {
    const { lines, rowsRead, rowsDropped } = parseOnlineRetailCsv(CSV)
    expect(rowsRead).toBe(11)
    expect(rowsDropped).toBe(7)
    expect(lines.map((l) => [l.orderId, l.productId, l.customerId])).toEqual([
      ["536365", "85123A", "17850"],
      ["536365", "85123A", "17850"],
      ["536366", "84029G", "13047"],
      ["536374", "90210", "12345"],
    ])
  })

  it("keeps each product code's most frequent description (ties: the first seen), from any row", () => {
    const { descriptions } = parseOnlineRetailCsv(CSV + "536375,22633,zero quantity,2,2010-12-01 10:00:00,1.85,13047.0,United Kingdom\n")
    expect(Object.fromEntries(descriptions)).toEqual({
      "85123A": "WHITE HANGING HEART, T-LIGHT",
      "84029G": "lower case and spaces",
      "22633": "zero quantity",
      "90210": "plain code",
    })
  })

  it("computes amounts and reads times as UTC", () => {
    const { lines } = parseOnlineRetailCsv(CSV)
    expect(lines[0].quantity).toBe(6)
    expect(lines[0].amount).toBeCloseTo(15.3, 12)
    expect(lines[2].amount).toBe(2.5)
    expect(lines[3].time).toBe(Date.UTC(2011, 5, 1))
  })

  it("finds columns by name and fails on a missing one", () => {
    const reordered = "CustomerID,InvoiceNo,StockCode,Quantity,UnitPrice,InvoiceDate\n17850.0,1,22633,2,3,2011-01-01 10:00:00\n"
    expect(parseOnlineRetailCsv(reordered).lines[0]).toEqual({
      orderId: "1",
      customerId: "17850",
      productId: "22633",
      quantity: 2,
      amount: 6,
      time: Date.UTC(2011, 0, 1, 10),
    })
    expect(() => parseOnlineRetailCsv("InvoiceNo,StockCode\n1,2\n")).toThrow(/missing column "Quantity"/)
  })

  it("reads plain and gzip files alike", () => {
    const dir = mkdtempSync(join(tmpdir(), "online-retail-"))
    try {
      writeFileSync(join(dir, "a.csv"), CSV)
      writeFileSync(join(dir, "a.csv.gz"), gzipSync(CSV))
      expect(loadOnlineRetail(join(dir, "a.csv.gz"))).toEqual(loadOnlineRetail(join(dir, "a.csv")))
      expect(loadOnlineRetail(join(dir, "a.csv.gz")).lines).toHaveLength(4)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
