/**
 * A segment campaign's outcome report: per arm, what its customers bought in the campaign
 * window; the uplift of treatment over control in conversion and in revenue per customer, each
 * with a 95% interval, the revenue uplift also CUPED-adjusted by each customer's revenue in the
 * same length of time before the window; the incremental revenue; the smallest uplift the
 * campaign can detect; and the cumulative figures per day for a chart.
 *
 * Revenue is the plugin's ledger amount (line spend after discounts, without tax and shipping,
 * less returns) of counted orders in the report's currency; orders in other currencies count as
 * orders and buyers but add no revenue. The discount given is reported beside the revenue, never
 * subtracted from it again.
 */
import { cupedDifference, type CupedResult, type Interval, meanDifference, minimumDetectableEffect, moments, pooledProportionSe, proportionDifference } from "./uplift"

export type Arm = "treatment" | "control"

export type ReportOrder = {
  customer_id: string
  /** Milliseconds since the epoch. */
  placed_at: number
  currency_code: string
  amount: number
  promotion_ids: string[]
  discount_total: number
}

export type ReportInput = {
  members: { customer_id: string; arm: Arm }[]
  /** Counted orders of the members placed in [start, observedUntil). */
  orders: ReportOrder[]
  /** Each member's revenue (report currency) in [start - (observedUntil - start), start). */
  preRevenue: Map<string, number>
  start: number
  /** The end of what is measured: the campaign's end, or now while it runs. */
  observedUntil: number
  currencyCode: string
  promotionId: string | null
}

export type ArmSummary = {
  customers: number
  buyers: number
  conversion_rate: number
  orders: number
  revenue: number
  revenue_per_customer: number
  /** Orders that used the campaign's promotion, and the discount they got (report currency). */
  promotion_orders: number
  discount: number
  /** Revenue per customer in the pre-period (the CUPED covariate). */
  pre_revenue_per_customer: number
}

export type UpliftFigure = Interval & {
  /** The smallest true uplift the campaign detects with 80% power at alpha 0.05, at its size. */
  minimum_detectable: number
}

export type CampaignDay = { day: string; arm: Arm; customers: number; buyers: number; orders: number; revenue: number }

export type CampaignReport = {
  currency_code: string
  window: { starts_at: string; observed_until: string; days: number; pre_period_starts_at: string }
  arms: Record<Arm, ArmSummary>
  /** Null when an arm is empty (a control share of 0): nothing can be measured. */
  uplift: {
    conversion_rate: UpliftFigure
    revenue_per_customer: UpliftFigure
    revenue_per_customer_cuped: UpliftFigure & Pick<CupedResult, "theta" | "variance_reduction">
    /** Uplift in revenue per customer (CUPED) x treated customers, with its interval. */
    incremental_revenue: { estimate: number; low: number; high: number }
  } | null
  /** Why `uplift` is null. */
  unmeasurable_reason: string | null
  days: CampaignDay[]
}

const DAY = 86_400_000
const dayOf = (ms: number) => new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 10)

export function buildCampaignReport(input: ReportInput): CampaignReport {
  const { start, observedUntil, currencyCode, promotionId } = input
  const length = Math.max(0, observedUntil - start)
  const index = new Map<string, number>()
  const arms: Arm[] = []
  for (const m of input.members) {
    index.set(m.customer_id, arms.length)
    arms.push(m.arm)
  }
  const n = arms.length
  const revenue = new Float64Array(n)
  const bought = new Uint8Array(n)
  const firstBuy = new Float64Array(n).fill(Infinity)
  const pre = new Float64Array(n)
  for (const [customer, value] of input.preRevenue) {
    const i = index.get(customer)
    if (i !== undefined) pre[i] = value
  }
  const empty = (): ArmSummary => ({
    customers: 0, buyers: 0, conversion_rate: 0, orders: 0, revenue: 0, revenue_per_customer: 0, promotion_orders: 0, discount: 0, pre_revenue_per_customer: 0,
  })
  const summary: Record<Arm, ArmSummary> = { treatment: empty(), control: empty() }
  const orderTimes: { arm: Arm; at: number; amount: number }[] = []
  for (const o of input.orders) {
    const i = index.get(o.customer_id)
    if (i === undefined || o.placed_at < start || o.placed_at >= observedUntil) continue
    const arm = summary[arms[i]]
    const amount = o.currency_code === currencyCode ? o.amount : 0
    arm.orders++
    revenue[i] += amount
    bought[i] = 1
    firstBuy[i] = Math.min(firstBuy[i], o.placed_at)
    if (promotionId && o.promotion_ids.includes(promotionId)) {
      arm.promotion_orders++
      if (o.currency_code === currencyCode) arm.discount += o.discount_total
    }
    orderTimes.push({ arm: arms[i], at: o.placed_at, amount })
  }

  const split = (values: ArrayLike<number>, arm: Arm) => {
    const out: number[] = []
    for (let i = 0; i < n; i++) if (arms[i] === arm) out.push(values[i])
    return Float64Array.from(out)
  }
  const y = { treatment: split(revenue, "treatment"), control: split(revenue, "control") }
  const x = { treatment: split(pre, "treatment"), control: split(pre, "control") }
  for (const arm of ["treatment", "control"] as const) {
    const s = summary[arm]
    s.customers = y[arm].length
    s.buyers = split(bought, arm).reduce((a, b) => a + b, 0)
    s.revenue = y[arm].reduce((a, b) => a + b, 0)
    s.conversion_rate = s.customers ? s.buyers / s.customers : 0
    s.revenue_per_customer = s.customers ? s.revenue / s.customers : 0
    s.pre_revenue_per_customer = s.customers ? x[arm].reduce((a, b) => a + b, 0) / s.customers : 0
  }

  const t = summary.treatment
  const c = summary.control
  let uplift: CampaignReport["uplift"] = null
  let unmeasurable: string | null = null
  if (!t.customers || !c.customers) {
    unmeasurable = !c.customers
      ? "The control arm is empty (control share 0, or every control customer left): nothing can be measured."
      : "The treated arm is empty: nothing can be measured."
  } else {
    const conversion = proportionDifference(t.buyers, t.customers, c.buyers, c.customers)
    const plain = meanDifference(moments(y.treatment), moments(y.control))
    const cuped = cupedDifference(y.treatment, x.treatment, y.control, x.control)
    uplift = {
      conversion_rate: { ...conversion, minimum_detectable: minimumDetectableEffect(pooledProportionSe(t.buyers, t.customers, c.buyers, c.customers)) },
      revenue_per_customer: { ...plain, minimum_detectable: minimumDetectableEffect(plain.se) },
      revenue_per_customer_cuped: { ...cuped, minimum_detectable: minimumDetectableEffect(cuped.se) },
      incremental_revenue: { estimate: cuped.estimate * t.customers, low: cuped.low * t.customers, high: cuped.high * t.customers },
    }
  }

  return {
    currency_code: currencyCode,
    window: {
      starts_at: new Date(start).toISOString(),
      observed_until: new Date(observedUntil).toISOString(),
      days: length / DAY,
      pre_period_starts_at: new Date(start - length).toISOString(),
    },
    arms: summary,
    uplift,
    unmeasurable_reason: unmeasurable,
    days: dailySeries(start, observedUntil, arms, firstBuy, orderTimes, summary),
  }
}

/** Cumulative customers who bought, orders and revenue per arm at the end of each UTC day. */
function dailySeries(
  start: number,
  until: number,
  arms: Arm[],
  firstBuy: Float64Array,
  orders: { arm: Arm; at: number; amount: number }[],
  summary: Record<Arm, ArmSummary>
): CampaignDay[] {
  if (until <= start) return []
  const firstDay = Math.floor(start / DAY)
  const lastDay = Math.floor((until - 1) / DAY)
  const span = lastDay - firstDay + 1
  const perDay = { treatment: { buyers: new Float64Array(span), orders: new Float64Array(span), revenue: new Float64Array(span) }, control: { buyers: new Float64Array(span), orders: new Float64Array(span), revenue: new Float64Array(span) } }
  for (let i = 0; i < arms.length; i++) if (firstBuy[i] !== Infinity) perDay[arms[i]].buyers[Math.floor(firstBuy[i] / DAY) - firstDay]++
  for (const o of orders) {
    const d = Math.floor(o.at / DAY) - firstDay
    perDay[o.arm].orders[d]++
    perDay[o.arm].revenue[d] += o.amount
  }
  const out: CampaignDay[] = []
  for (const arm of ["treatment", "control"] as const) {
    let buyers = 0
    let orderCount = 0
    let revenue = 0
    for (let d = 0; d < span; d++) {
      buyers += perDay[arm].buyers[d]
      orderCount += perDay[arm].orders[d]
      revenue += perDay[arm].revenue[d]
      out.push({ day: dayOf((firstDay + d) * DAY), arm, customers: summary[arm].customers, buyers, orders: orderCount, revenue })
    }
  }
  return out
}
