import {
  BASE_FEATURES,
  EXTRA_FEATURES,
  customerFeatures,
  featureColumn,
  fitStandardizer,
  futureBehaviour,
  logFeatures,
  standardize,
} from "../features"
import { DAY, T, line } from "./fixtures"

// Customer "a": order o1 100.5 days before T (two lines, the later one 100.25 days before), o2
// 10.5 days before; customer "b": one order 200 days before; "c" buys only after T.
const LINES = [
  line("a", "o1", "p1", 10, 100.5),
  line("a", "o1", "p2", 5, 100.25),
  line("a", "o2", "p1", 20, 10.5),
  line("b", "o3", "p3", 7, 200),
  line("c", "o4", "p1", 3, -1),
  line("a", "o5", "p9", 4, -91.9),
  line("a", "o6", "p9", 4, -92),
]

describe("customerFeatures", () => {
  it("computes the seven features by hand: whole days rounded down, order time = its latest line", () => {
    const f = customerFeatures(LINES, T)
    expect(f.customerIds).toEqual(["a", "b"])
    expect(f.names).toEqual([...BASE_FEATURES])
    // a: recency floor(10.5) = 10; tenure from o1's latest line floor(100.25) = 100; 2 orders;
    // spend 35; average 17.5; one order in the last 90 days; items p1, p2.
    expect(Array.from(f.values.subarray(0, 7))).toEqual([10, 100, 2, 35, 17.5, 1, 2])
    expect(Array.from(f.values.subarray(7, 14))).toEqual([200, 200, 1, 7, 7, 0, 1])
  })

  it("counts an order exactly 90 days before T in the last 90 days, one a minute earlier not", () => {
    const f = customerFeatures([line("a", "o1", "p1", 1, 90), line("a", "o2", "p1", 1, 90 + 1 / 1440)], T)
    expect(featureColumn(f, "invoices90")[0]).toBe(1)
    expect(featureColumn(f, "recency")[0]).toBe(90)
  })

  it("does not depend on line order", () => {
    const a = customerFeatures(LINES, T, { extras: true })
    const b = customerFeatures(LINES.slice().reverse(), T, { extras: true })
    expect(Array.from(b.values)).toEqual(Array.from(a.values))
  })

  it("adds the extra columns after the base seven", () => {
    const f = customerFeatures(LINES, T, { extras: true })
    expect(f.names).toEqual([...BASE_FEATURES, ...EXTRA_FEATURES])
    const row = Array.from(f.values.subarray(7, 14))
    // previousRecency 100, meanGap (100 - 10) / 1 = 90, overdue 10 / 91, invoices30 1,
    // spend90 20, activeMonths {0, 3} = 2, trend 1 / (90 x 2 / 100).
    expect(row[0]).toBe(100)
    expect(row[1]).toBe(90)
    expect(row[2]).toBeCloseTo(10 / 91, 12)
    expect(row.slice(3, 6)).toEqual([1, 20, 2])
    expect(row[6]).toBeCloseTo(100 / 180, 12)
    // A single order: previousRecency = tenure, meanGap 0, overdue = recency.
    expect(Array.from(f.values.subarray(14 + 7, 14 + 10))).toEqual([200, 0, 200])
  })
})

describe("futureBehaviour", () => {
  it("labels [start, end): spend summed, customers without lines get 0", () => {
    const y = futureBehaviour(LINES, ["a", "b", "c"], T, T + 92 * DAY)
    // a: o5 at T + 91.9 days is in, o6 at exactly T + 92 days is out.
    expect(Array.from(y.bought)).toEqual([1, 0, 1])
    expect(Array.from(y.spend)).toEqual([4, 0, 3])
  })
})

describe("standardisation", () => {
  it("uses population deviations (ddof 0) and leaves a constant column unscaled", () => {
    const x = Float64Array.from([1, 5, 3, 5])
    const s = fitStandardizer(x, 2)
    expect(Array.from(s.mean)).toEqual([2, 5])
    expect(Array.from(s.std)).toEqual([1, 1])
    expect(Array.from(standardize(x, s))).toEqual([-1, 0, 1, 0])
    expect(Array.from(logFeatures(Float64Array.from([0, Math.E - 1])))).toEqual([0, 1])
  })
})
