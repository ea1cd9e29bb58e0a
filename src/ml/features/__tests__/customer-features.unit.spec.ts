import type { PurchaseLine } from "../../data/purchase-line"
import { MS_PER_DAY, requireTimestamp } from "../../data/time"
import {
  BASE_CUSTOMER_FEATURES,
  EXTRA_CUSTOMER_FEATURES,
  LIFECYCLE_EXTRA_FEATURES,
  SEGMENTATION_EXTRA_FEATURES,
  customerFeatures,
  futureLabels,
  selectColumns,
} from "../customer-features"
import {
  applyFeatureTransform,
  deserializeFeatureTransform,
  fitFeatureTransform,
  inverseFeatureTransform,
  serializeFeatureTransform,
} from "../feature-transform"

const T = requireTimestamp("2011-06-01")
const at = (s: string) => requireTimestamp(s)
const line = (orderId: string, customerId: string, productId: string, amount: number, time: string): PurchaseLine => ({
  orderId,
  customerId,
  productId,
  quantity: 1,
  amount,
  time: at(time),
})

// Customer "a": orders o1 (2011-01-01, two lines, 30), o2 (2011-04-15 23:00, 20),
// o3 (2011-05-31 12:00, 50). Customer "b": one order (2010-12-02 10:00, 7.5).
// Lines on or after T only count for the labels.
const lines: PurchaseLine[] = [
  line("o3", "a", "p1", 50, "2011-05-31 12:00:00"),
  line("o1", "a", "p1", 10, "2011-01-01 09:00:00"),
  line("o1", "a", "p2", 20, "2011-01-01 09:30:00"),
  line("o2", "a", "p3", 20, "2011-04-15 23:00:00"),
  line("o4", "b", "p2", 7.5, "2010-12-02 10:00:00"),
  line("o5", "a", "p9", 100, "2011-06-01 00:00:00"),
  line("o6", "c", "p9", 5, "2011-06-10 00:00:00"),
  line("o7", "a", "p9", 1, "2011-09-01 00:00:00"),
]

describe("customerFeatures", () => {
  it("computes the seven base features by hand", () => {
    const f = customerFeatures(lines, T)
    expect(f.customerIds).toEqual(["a", "b"])
    expect(f.names).toEqual(["recency", "tenure", "invoices", "spend", "averageInvoice", "invoices90", "items"])
    // a: last order 2011-05-31 12:00 -> 0.5 days -> 0; first 2011-01-01 09:30 (latest line of o1) -> 150.6 -> 150;
    // 3 orders, 100 spend, 33.33 per order; orders since 2011-03-03: o2, o3 -> 2; items p1, p2, p3.
    // b: 2010-12-02 10:00 -> 180.58 days -> 180 for both; 1 order, 7.5; none in 90 days; 1 item.
    expect(Array.from(f.values)).toEqual([0, 150, 3, 100, 100 / 3, 2, 3, 180, 180, 1, 7.5, 7.5, 0, 1])
  })

  it("adds mean interval and trendDelta", () => {
    const f = customerFeatures(lines, T, { extras: SEGMENTATION_EXTRA_FEATURES })
    expect(f.names.slice(7)).toEqual(["meanInterval", "trendDelta"])
    const a = (at("2011-05-31 12:00:00") - at("2011-01-01 09:30:00")) / MS_PER_DAY / 2
    // a: o2 and o3 in [2011-03-03, T), o1 in [2010-12-03, 2011-03-03): trendDelta 2 - 1.
    expect(f.values[7]).toBeCloseTo(a, 12)
    expect(f.values[8]).toBe(1)
    // b: one order -> meanInterval = tenure; its order is 181 days back, outside both windows.
    expect(f.values[9 + 7]).toBe(180)
    expect(f.values[9 + 8]).toBe(0)
  })

  it("does not depend on line order and ignores lines at or after T", () => {
    const f1 = customerFeatures(lines, T, { extras: EXTRA_CUSTOMER_FEATURES })
    const f2 = customerFeatures(lines.slice().reverse(), T, { extras: EXTRA_CUSTOMER_FEATURES })
    expect(f2.customerIds).toEqual(f1.customerIds)
    expect(Array.from(f2.values)).toEqual(Array.from(f1.values))
  })

  it("computes the spread and the recent trend of the gaps between orders by hand", () => {
    const f = customerFeatures(lines, T, { extras: ["intervalSpread", "recentGapRatio"] })
    // a: o1 at 2011-01-01 09:30 (its latest line), o2 at 2011-04-15 23:00, o3 at 2011-05-31 12:00.
    const g1 = (at("2011-04-15 23:00:00") - at("2011-01-01 09:30:00")) / MS_PER_DAY
    const g2 = (at("2011-05-31 12:00:00") - at("2011-04-15 23:00:00")) / MS_PER_DAY
    const m = (g1 + g2) / 2
    const spread = Math.sqrt(((g1 - m) ** 2 + (g2 - m) ** 2) / 1)
    expect(f.values[7]).toBeCloseTo(spread, 10)
    // The last two gaps are all of a's gaps: ratio 1. b has one order: spread 0, ratio 1.
    expect(f.values[8]).toBeCloseTo(1, 12)
    expect([f.values[16], f.values[17]]).toEqual([0, 1])
  })

  it("appends the requested extras in the requested order and rejects unknown ones", () => {
    const all = customerFeatures(lines, T, { extras: EXTRA_CUSTOMER_FEATURES })
    const some = customerFeatures(lines, T, { extras: ["trendRatio", "meanInterval"] })
    expect(some.names).toEqual([...BASE_CUSTOMER_FEATURES, "trendRatio", "meanInterval"])
    expect(Array.from(some.values)).toEqual(Array.from(selectColumns(all, some.names)))
    expect(() => customerFeatures(lines, T, { extras: ["trend" as never] })).toThrow(/no extra column "trend"/)
  })

  it("labels [T, T + H): bought again and spend", () => {
    const y = futureLabels(lines, ["a", "b"], T, T + 92 * MS_PER_DAY)
    expect(Array.from(y.boughtAgain)).toEqual([1, 0])
    expect(Array.from(y.spend)).toEqual([100, 0])
  })

  it("selects columns by name", () => {
    const f = customerFeatures(lines, T)
    expect(Array.from(selectColumns(f, ["spend", "recency"]))).toEqual([100, 0, 7.5, 180])
    expect(() => selectColumns(f, ["nope"])).toThrow(/no column "nope"/)
  })
})

describe("feature transform", () => {
  const names = ["recency", "trendDelta"]
  // recency e^0-1 = 0, e^2-1: log1p gives 0 and 2 -> mean 1, std 1; trendDelta -1, 3 -> mean 1, std 2.
  const x = Float64Array.from([0, -1, Math.expm1(2), 3])

  it("logs the chosen columns and standardises with population deviations", () => {
    const t = fitFeatureTransform(x, names, { log1p: ["recency"] })
    expect(t.log1p).toEqual([true, false])
    expect(Array.from(t.mean)).toEqual([1, 1])
    expect(Array.from(t.std)).toEqual([1, 2])
    const z = applyFeatureTransform(t, x)
    expect(Array.from(z).map((v) => Number(v.toFixed(12)))).toEqual([-1, -1, 1, 1])
    const back = inverseFeatureTransform(t, z)
    back.forEach((v, i) => expect(v).toBeCloseTo(x[i], 12))
  })

  it("gives a constant column std 1 and rejects a log of <= -1", () => {
    const t = fitFeatureTransform(Float64Array.from([5, 5]), ["c"])
    expect(Array.from(t.std)).toEqual([1])
    expect(Array.from(applyFeatureTransform(t, Float64Array.from([5, 7])))).toEqual([0, 2])
    const x2 = Float64Array.from([1, 5, 3, 5])
    const t2 = fitFeatureTransform(x2, ["a", "b"])
    expect(Array.from(t2.mean)).toEqual([2, 5])
    expect(Array.from(t2.std)).toEqual([1, 1])
    expect(Array.from(applyFeatureTransform(t2, x2))).toEqual([-1, 0, 1, 0])
    const logged = fitFeatureTransform(Float64Array.from([0, Math.E - 1]), ["a"], { log1p: ["a"] })
    expect(Array.from(logged.mean)).toEqual([0.5])
    expect(() => fitFeatureTransform(Float64Array.from([-1]), ["c"], { log1p: ["c"] })).toThrow(/cannot log1p/)
  })

  it("round-trips through JSON exactly", () => {
    const t = fitFeatureTransform(Float64Array.from([0.1, 7, 3.3, -2, 9.9, 0]), names, { log1p: ["recency"] })
    const back = deserializeFeatureTransform(JSON.parse(JSON.stringify(serializeFeatureTransform(t))))
    expect(back.names).toEqual(t.names)
    expect(back.log1p).toEqual(t.log1p)
    expect(Array.from(back.mean)).toEqual(Array.from(t.mean))
    expect(Array.from(back.std)).toEqual(Array.from(t.std))
    const probe = Float64Array.from([4, 1])
    expect(Array.from(applyFeatureTransform(back, probe))).toEqual(Array.from(applyFeatureTransform(t, probe)))
    expect(() => deserializeFeatureTransform({ ...serializeFeatureTransform(t), format: 99 })).toThrow(/format/)
  })
})

// The purchase-prediction fixture, in days before T (fractional allowed; negative = after T).
// Customer "a": order o1 100.5 days before T (two lines, the later one 100.25 days before), o2
// 10.5 days before; customer "b": one order 200 days before; "c" buys only after T.
describe("customerFeatures, purchase-prediction extras", () => {
  const DAY = MS_PER_DAY
  const before = (customerId: string, orderId: string, productId: string, amount: number, daysBefore: number): PurchaseLine => ({
    orderId,
    customerId,
    productId,
    quantity: 1,
    amount,
    time: T - daysBefore * DAY,
  })
  const LINES = [
    before("a", "o1", "p1", 10, 100.5),
    before("a", "o1", "p2", 5, 100.25),
    before("a", "o2", "p1", 20, 10.5),
    before("b", "o3", "p3", 7, 200),
    before("c", "o4", "p1", 3, -1),
    before("a", "o5", "p9", 4, -91.9),
    before("a", "o6", "p9", 4, -92),
  ]

  it("computes the seven features by hand: whole days rounded down, order time = its latest line", () => {
    const f = customerFeatures(LINES, T)
    expect(f.customerIds).toEqual(["a", "b"])
    expect(f.names).toEqual([...BASE_CUSTOMER_FEATURES])
    // a: recency floor(10.5) = 10; tenure from o1's latest line floor(100.25) = 100; 2 orders;
    // spend 35; average 17.5; one order in the last 90 days; items p1, p2.
    expect(Array.from(f.values.subarray(0, 7))).toEqual([10, 100, 2, 35, 17.5, 1, 2])
    expect(Array.from(f.values.subarray(7, 14))).toEqual([200, 200, 1, 7, 7, 0, 1])
  })

  it("counts an order exactly 90 days before T in the last 90 days, one a minute earlier not", () => {
    const f = customerFeatures([before("a", "o1", "p1", 1, 90), before("a", "o2", "p1", 1, 90 + 1 / 1440)], T)
    expect(Array.from(selectColumns(f, ["invoices90", "recency"]))).toEqual([1, 90])
  })

  it("does not depend on line order", () => {
    const a = customerFeatures(LINES, T, { extras: EXTRA_CUSTOMER_FEATURES })
    const b = customerFeatures(LINES.slice().reverse(), T, { extras: EXTRA_CUSTOMER_FEATURES })
    expect(Array.from(b.values)).toEqual(Array.from(a.values))
  })

  it("adds the purchase-prediction extras after the base seven", () => {
    const f = customerFeatures(LINES, T, { extras: LIFECYCLE_EXTRA_FEATURES })
    expect(f.names).toEqual([...BASE_CUSTOMER_FEATURES, ...LIFECYCLE_EXTRA_FEATURES])
    expect(f.names.slice(7)).toEqual(["previousRecency", "meanGap", "overdue", "invoices30", "spend90", "activeMonths", "trendRatio"])
    const row = Array.from(f.values.subarray(7, 14))
    // previousRecency 100, meanGap (100 - 10) / 1 = 90, overdue 10 / 91, invoices30 1,
    // spend90 20, activeMonths {0, 3} = 2, trendRatio 1 / (90 x 2 / 100).
    expect(row[0]).toBe(100)
    expect(row[1]).toBe(90)
    expect(row[2]).toBeCloseTo(10 / 91, 12)
    expect(row.slice(3, 6)).toEqual([1, 20, 2])
    expect(row[6]).toBeCloseTo(100 / 180, 12)
    // A single order: previousRecency = tenure, meanGap 0, overdue = recency.
    expect(Array.from(f.values.subarray(14 + 7, 14 + 10))).toEqual([200, 0, 200])
  })

  it("labels [start, end): spend summed, customers without lines get 0", () => {
    const y = futureLabels(LINES, ["a", "b", "c"], T, T + 92 * DAY)
    // a: o5 at T + 91.9 days is in, o6 at exactly T + 92 days is out.
    expect(Array.from(y.boughtAgain)).toEqual([1, 0, 1])
    expect(Array.from(y.spend)).toEqual([4, 0, 3])
  })
})
