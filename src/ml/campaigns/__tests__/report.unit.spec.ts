import { buildCampaignReport, type ReportOrder } from "../report"
import { cupedDifference } from "../uplift"

const at = (iso: string) => new Date(iso).getTime()
const order = (customer_id: string, iso: string, amount: number, extra: Partial<ReportOrder> = {}): ReportOrder => ({
  customer_id, placed_at: at(iso), currency_code: "eur", amount, promotion_ids: [], discount_total: 0, ...extra,
})

const members = [
  { customer_id: "t1", arm: "treatment" as const },
  { customer_id: "t2", arm: "treatment" as const },
  { customer_id: "t3", arm: "treatment" as const },
  { customer_id: "c1", arm: "control" as const },
  { customer_id: "c2", arm: "control" as const },
]

describe("a segment campaign's report", () => {
  const report = buildCampaignReport({
    members,
    orders: [
      order("t1", "2026-01-01T10:00:00Z", 100, { promotion_ids: ["promo_1"], discount_total: 10 }),
      order("t1", "2026-01-02T09:00:00Z", 50),
      // Another currency: an order and a buyer, no revenue.
      order("t2", "2026-01-02T12:00:00Z", 30, { currency_code: "usd" }),
      order("c1", "2026-01-01T05:00:00Z", 40),
      // At the window's end (excluded) and by a non-member (ignored).
      order("t3", "2026-01-03T00:00:00Z", 70),
      order("x9", "2026-01-01T12:00:00Z", 500),
    ],
    preRevenue: new Map([["t1", 20], ["c1", 10], ["x9", 99]]),
    start: at("2026-01-01T00:00:00Z"),
    observedUntil: at("2026-01-03T00:00:00Z"),
    currencyCode: "eur",
    promotionId: "promo_1",
  })

  it("sums each arm's customers, buyers, orders, revenue, promotion use and discount", () => {
    expect(report.arms.treatment).toEqual({
      customers: 3, buyers: 2, conversion_rate: 2 / 3, orders: 3, revenue: 150, revenue_per_customer: 50,
      promotion_orders: 1, discount: 10, pre_revenue_per_customer: 20 / 3,
    })
    expect(report.arms.control).toEqual({
      customers: 2, buyers: 1, conversion_rate: 0.5, orders: 1, revenue: 40, revenue_per_customer: 20,
      promotion_orders: 0, discount: 0, pre_revenue_per_customer: 5,
    })
    expect(report.window).toEqual({
      starts_at: "2026-01-01T00:00:00.000Z", observed_until: "2026-01-03T00:00:00.000Z", days: 2, pre_period_starts_at: "2025-12-30T00:00:00.000Z",
    })
  })

  it("gives the uplifts, the CUPED estimate and the incremental revenue from them", () => {
    const u = report.uplift!
    expect(u.conversion_rate.estimate).toBeCloseTo(2 / 3 - 1 / 2, 12)
    expect(u.revenue_per_customer.estimate).toBeCloseTo(30, 12)
    const cuped = cupedDifference([150, 0, 0], [20, 0, 0], [40, 0], [10, 0])
    expect(u.revenue_per_customer_cuped.estimate).toBeCloseTo(cuped.estimate, 12)
    expect(u.revenue_per_customer_cuped.theta).toBeCloseTo(cuped.theta, 12)
    expect(u.incremental_revenue.estimate).toBeCloseTo(cuped.estimate * 3, 12)
    expect(u.incremental_revenue.low).toBeCloseTo(cuped.low * 3, 12)
    // Five customers: far from significant, and the detectable uplift is large.
    expect(u.conversion_rate.significant).toBe(false)
    expect(u.revenue_per_customer.minimum_detectable).toBeGreaterThan(30)
  })

  it("keeps cumulative figures per arm and UTC day for the chart", () => {
    expect(report.days).toEqual([
      { day: "2026-01-01", arm: "treatment", customers: 3, buyers: 1, orders: 1, revenue: 100 },
      { day: "2026-01-02", arm: "treatment", customers: 3, buyers: 2, orders: 3, revenue: 150 },
      { day: "2026-01-01", arm: "control", customers: 2, buyers: 1, orders: 1, revenue: 40 },
      { day: "2026-01-02", arm: "control", customers: 2, buyers: 1, orders: 1, revenue: 40 },
    ])
  })

  it("says that nothing can be measured without a control arm", () => {
    const empty = buildCampaignReport({
      members: members.filter((m) => m.arm === "treatment"),
      orders: [],
      preRevenue: new Map(),
      start: at("2026-01-01T00:00:00Z"),
      observedUntil: at("2026-01-02T00:00:00Z"),
      currencyCode: "eur",
      promotionId: null,
    })
    expect(empty.uplift).toBeNull()
    expect(empty.unmeasurable_reason).toMatch(/control arm is empty/)
  })

  it("has no days before the window starts", () => {
    const early = buildCampaignReport({ members, orders: [], preRevenue: new Map(), start: at("2026-02-01T00:00:00Z"), observedUntil: at("2026-02-01T00:00:00Z"), currencyCode: "eur", promotionId: null })
    expect(early.days).toEqual([])
    expect(early.window.days).toBe(0)
  })
})
