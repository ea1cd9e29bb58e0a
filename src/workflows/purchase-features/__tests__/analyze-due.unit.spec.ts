import { ANALYZE_AFTER_ORDERS, analyzeDue } from "../steps/rebuild-purchase-features"

describe("analyzeDue", () => {
  it("analyzes a growing ledger after the first 10,000 orders written, then each time the orders written have doubled", () => {
    const due: number[] = []
    let last = 0
    for (let written = 0; written <= 1_000_000; written += 1000) {
      if (analyzeDue(written, last)) {
        due.push(written)
        last = written
      }
    }
    expect(ANALYZE_AFTER_ORDERS).toBe(10_000)
    expect(due).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000])
  })

  it("leaves a warm rebuild that writes little alone", () => {
    expect(analyzeDue(0, 0)).toBe(false)
    expect(analyzeDue(9_999, 0)).toBe(false)
  })
})
