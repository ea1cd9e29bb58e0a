import type { PurchaseLine } from "../../data/purchase-line"
import { MS_PER_DAY, requireTimestamp } from "../../data/time"
import { customerFeatures, futureLabels, selectColumns } from "../customer-features"
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

  it("adds mean interval and trend", () => {
    const f = customerFeatures(lines, T, { extras: true })
    expect(f.names.slice(7)).toEqual(["meanInterval", "trend"])
    const a = (at("2011-05-31 12:00:00") - at("2011-01-01 09:30:00")) / MS_PER_DAY / 2
    // a: o2 and o3 in [2011-03-03, T), o1 in [2010-12-03, 2011-03-03): trend 2 - 1.
    expect(f.values[7]).toBeCloseTo(a, 12)
    expect(f.values[8]).toBe(1)
    // b: one order -> meanInterval = tenure; its order is 181 days back, outside both windows.
    expect(f.values[9 + 7]).toBe(180)
    expect(f.values[9 + 8]).toBe(0)
  })

  it("does not depend on line order and ignores lines at or after T", () => {
    const f1 = customerFeatures(lines, T, { extras: true })
    const f2 = customerFeatures(lines.slice().reverse(), T, { extras: true })
    expect(f2.customerIds).toEqual(f1.customerIds)
    expect(Array.from(f2.values)).toEqual(Array.from(f1.values))
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
  const names = ["recency", "trend"]
  // recency e^0-1 = 0, e^2-1: log1p gives 0 and 2 -> mean 1, std 1; trend -1, 3 -> mean 1, std 2.
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
