/**
 * Customer features at a cutoff T from purchase lines, and what the customer did after T.
 * The seven base columns are the evaluation protocol's (docs/evaluation.md) ("Purchase propensity and future value"); an
 * order's time is the latest time of its lines (the reference groups lines by invoice and
 * takes the maximum date). Only lines with time < T are read for features, so a feature
 * never sees the future it is judged on. Segmentation and purchase prediction both read
 * their features here, so the two can never disagree on what "recency" or "spend" means.
 */
import { compareCodeUnits } from "../data/id-index"
import { type PurchaseColumns, customerIndexes, isPurchaseColumns, rowsByCustomer } from "../data/purchase-columns"
import type { PurchaseLine } from "../data/purchase-line"
import { MS_PER_DAY } from "../data/time"

/**
 * Base columns, always first and in this order (units in brackets):
 * - recency [whole days]: from the last order to T, rounded down; >= 0
 * - tenure [whole days]: from the first order to T, rounded down; >= recency
 * - invoices [orders]: distinct orders; >= 1
 * - spend [currency]: sum of line amounts
 * - averageInvoice [currency]: spend / invoices
 * - invoices90 [orders]: distinct orders at or after T - 90 days
 * - items [products]: distinct products
 */
export const BASE_CUSTOMER_FEATURES = ["recency", "tenure", "invoices", "spend", "averageInvoice", "invoices90", "items"] as const

/**
 * Extra columns, appended after the base ones when asked for (CustomerFeatureOptions.extras):
 * - meanInterval [days, fractional]: (last order - first order) / (invoices - 1); for a
 *   one-order customer, tenure (the gap to the next order is at least that long, and 0 would
 *   read as "buys all the time"). >= 0.
 * - trendDelta [orders, signed]: orders in [T - 90 d, T) minus orders in [T - 180 d, T - 90 d):
 *   positive when the customer is speeding up. Not log-transformed (it can be negative).
 * - previousRecency [whole days]: from the second-to-last order to T; tenure for one order.
 * - meanGap [days, fractional]: (tenure - recency) / (invoices - 1), from the rounded-down day
 *   counts (unlike meanInterval); 0 for one order. >= 0.
 * - overdue [ratio]: recency / (meanGap + 1): large when the usual interval has long passed.
 * - invoices30 [orders]: distinct orders at or after T - 30 days.
 * - spend90 [currency]: line amounts of the orders counted in invoices90.
 * - activeMonths [periods]: distinct 30-day periods before T (counted back from T) with an order.
 * - trendRatio [ratio, >= 0]: invoices90 / (expected orders in 90 days at the customer's
 *   lifetime rate), the rate being invoices / max(tenure, 90) days.
 * - intervalSpread [days, fractional]: standard deviation (n - 1) of the days between consecutive
 *   orders; 0 with fewer than three orders.
 * - recentGapRatio [ratio, >= 0]: mean of the last two gaps between orders / mean of all gaps:
 *   below 1 when the customer is speeding up; 1 with fewer than two orders.
 * All but trendDelta are >= 0, so log(1 + x) is defined for them.
 */
export const EXTRA_CUSTOMER_FEATURES = [
  "meanInterval",
  "trendDelta",
  "previousRecency",
  "meanGap",
  "overdue",
  "invoices30",
  "spend90",
  "activeMonths",
  "trendRatio",
  "intervalSpread",
  "recentGapRatio",
] as const

export type BaseCustomerFeature = (typeof BASE_CUSTOMER_FEATURES)[number]
export type ExtraCustomerFeature = (typeof EXTRA_CUSTOMER_FEATURES)[number]

/** The extras the segmentation command offers by default (its original two). */
export const SEGMENTATION_EXTRA_FEATURES: readonly ExtraCustomerFeature[] = ["meanInterval", "trendDelta"]

/** The extras tried for purchase prediction (not used by default: no better out of fold). */
export const LIFECYCLE_EXTRA_FEATURES: readonly ExtraCustomerFeature[] = [
  "previousRecency",
  "meanGap",
  "overdue",
  "invoices30",
  "spend90",
  "activeMonths",
  "trendRatio",
]

/** Columns that may be negative, hence never log1p-transformed. */
export const SIGNED_FEATURES: ReadonlySet<string> = new Set<string>(["trendDelta"])

export interface CustomerFeatureMatrix {
  /** Cutoff T, ms since the epoch. */
  readonly cutoff: number
  /** Customers with at least one line before T, sorted by id (UTF-16 code units). */
  readonly customerIds: readonly string[]
  /** Column names: BASE_CUSTOMER_FEATURES, then the requested extras in the requested order. */
  readonly names: readonly string[]
  /** Row-major customerIds.length x names.length, original units (not logged). */
  readonly values: Float64Array
}

export interface CustomerFeatureOptions {
  /** Extra columns to append after the base ones, in this order (see EXTRA_CUSTOMER_FEATURES). Default none. */
  extras?: readonly ExtraCustomerFeature[]
}

interface Order {
  time: number
  amount: number
}

/** Everything a column needs from one customer's orders (sorted by time). */
interface CustomerSummary {
  cutoff: number
  orders: readonly Order[]
  spend: number
  recency: number
  tenure: number
  n90: number
  nPrev90: number
  n30: number
  spend90: number
  months: number
}

const days = (cutoff: number, t: number) => Math.floor((cutoff - t) / MS_PER_DAY)
const meanGap = (s: CustomerSummary) => (s.orders.length > 1 ? (s.tenure - s.recency) / (s.orders.length - 1) : 0)

const EXTRA_VALUE: Record<ExtraCustomerFeature, (s: CustomerSummary) => number> = {
  meanInterval: (s) => {
    const n = s.orders.length
    return n > 1 ? (s.orders[n - 1].time - s.orders[0].time) / MS_PER_DAY / (n - 1) : s.tenure
  },
  trendDelta: (s) => s.n90 - s.nPrev90,
  previousRecency: (s) => (s.orders.length > 1 ? days(s.cutoff, s.orders[s.orders.length - 2].time) : s.tenure),
  meanGap,
  overdue: (s) => s.recency / (meanGap(s) + 1),
  invoices30: (s) => s.n30,
  spend90: (s) => s.spend90,
  activeMonths: (s) => s.months,
  trendRatio: (s) => s.n90 / ((90 * s.orders.length) / Math.max(s.tenure, 90)),
  intervalSpread: (s) => {
    const g = gaps(s)
    if (g.length < 2) return 0
    const m = g.reduce((a, b) => a + b, 0) / g.length
    return Math.sqrt(g.reduce((a, v) => a + (v - m) ** 2, 0) / (g.length - 1))
  },
  recentGapRatio: (s) => {
    const g = gaps(s)
    const m = g.length ? g.reduce((a, b) => a + b, 0) / g.length : 0
    if (!(m > 0)) return 1
    const last = g.slice(-2)
    return last.reduce((a, b) => a + b, 0) / last.length / m
  },
}

/** Days between consecutive orders, in time order. */
function gaps(s: CustomerSummary): number[] {
  const out: number[] = []
  for (let k = 1; k < s.orders.length; k++) out.push((s.orders[k].time - s.orders[k - 1].time) / MS_PER_DAY)
  return out
}

/**
 * Features at `cutoff` (ms since the epoch) for every customer with a line before it.
 * Row order = sorted customer ids, and a customer's orders are summed in time order, so the
 * result does not depend on the order of `lines` (up to orders with equal times).
 * Throws on an unknown extra column name.
 */
export function customerFeatures(
  input: readonly PurchaseLine[] | PurchaseColumns,
  cutoff: number,
  options: CustomerFeatureOptions = {}
): CustomerFeatureMatrix {
  const extras = options.extras ?? []
  for (const name of extras) {
    if (!Object.prototype.hasOwnProperty.call(EXTRA_VALUE, name)) {
      throw new RangeError(`customerFeatures: no extra column "${name}" (have ${EXTRA_CUSTOMER_FEATURES.join(", ")})`)
    }
  }
  if (isPurchaseColumns(input)) return customerFeaturesFromColumns(input, cutoff, extras)
  const lines = input
  const orders = new Map<string, Map<string, Order>>()
  const items = new Map<string, Set<string>>()
  for (const l of lines) {
    if (!(l.time < cutoff)) continue
    let byOrder = orders.get(l.customerId)
    let bought = items.get(l.customerId)
    if (!byOrder || !bought) {
      orders.set(l.customerId, (byOrder = new Map()))
      items.set(l.customerId, (bought = new Set()))
    }
    const o = byOrder.get(l.orderId)
    if (o) {
      o.amount += l.amount
      if (l.time > o.time) o.time = l.time
    } else byOrder.set(l.orderId, { time: l.time, amount: l.amount })
    bought.add(l.productId)
  }
  const customerIds = Array.from(orders.keys()).sort(compareCodeUnits)
  const names: string[] = [...BASE_CUSTOMER_FEATURES, ...extras]
  const values = new Float64Array(customerIds.length * names.length)
  for (let r = 0; r < customerIds.length; r++) {
    const id = customerIds[r]
    writeRow(values, r * names.length, Array.from((orders.get(id) as Map<string, Order>).values()), (items.get(id) as Set<string>).size, cutoff, extras)
  }
  return { cutoff, customerIds, names, values }
}

/**
 * customerFeatures on columns: the same rows, the same sums in the same order (a customer's
 * orders in first-seen line order, each order's amounts in line order), no object per line.
 */
function customerFeaturesFromColumns(c: PurchaseColumns, cutoff: number, extras: readonly ExtraCustomerFeature[]): CustomerFeatureMatrix {
  const { start, rows } = rowsByCustomer(c, Number.NEGATIVE_INFINITY, cutoff)
  const customerIds: string[] = []
  for (let j = 0; j < c.customerIds.length; j++) if (start[j + 1] > start[j]) customerIds.push(c.customerIds[j])
  const names: string[] = [...BASE_CUSTOMER_FEATURES, ...extras]
  const values = new Float64Array(customerIds.length * names.length)
  // Scratch over all orders and products, reset per customer: no map per customer.
  const slot = new Int32Array(c.orderIds.length).fill(-1)
  const seen = new Int32Array(c.productIds.length).fill(-1)
  for (let j = 0, r = 0; j < c.customerIds.length; j++) {
    if (start[j + 1] === start[j]) continue
    const list: Order[] = []
    let distinct = 0
    for (let p = start[j]; p < start[j + 1]; p++) {
      const k = rows[p]
      const o = c.order[k]
      if (slot[o] < 0) {
        slot[o] = list.length
        list.push({ time: c.time[k], amount: c.amount[k] })
      } else {
        const order = list[slot[o]]
        order.amount += c.amount[k]
        if (c.time[k] > order.time) order.time = c.time[k]
      }
      if (seen[c.product[k]] !== j) {
        seen[c.product[k]] = j
        distinct++
      }
    }
    for (let p = start[j]; p < start[j + 1]; p++) slot[c.order[rows[p]]] = -1
    writeRow(values, r * names.length, list, distinct, cutoff, extras)
    r++
  }
  return { cutoff, customerIds, names, values }
}

/** One customer's row at `row` of `values` from their orders (in first-seen order) and distinct products. */
function writeRow(values: Float64Array, row: number, orders: Order[], distinctItems: number, cutoff: number, extras: readonly ExtraCustomerFeature[]): void {
  const t90 = cutoff - 90 * MS_PER_DAY
  const t180 = cutoff - 180 * MS_PER_DAY
  const t30 = cutoff - 30 * MS_PER_DAY
  // Time order (stable for ties): previousRecency needs it, and it fixes the summation order
  // of spend, so floating-point sums do not depend on the order of the input lines.
  const list = orders.sort((a, b) => a.time - b.time)
  const n = list.length
  let spend = 0
  let n90 = 0
  let nPrev90 = 0
  let n30 = 0
  let spend90 = 0
  const months = new Set<number>()
  for (const o of list) {
    spend += o.amount
    if (o.time >= t90) {
      n90++
      spend90 += o.amount
    } else if (o.time >= t180) nPrev90++
    if (o.time >= t30) n30++
    months.add(Math.floor(days(cutoff, o.time) / 30))
  }
  const recency = days(cutoff, list[n - 1].time)
  const tenure = days(cutoff, list[0].time)
  values[row] = recency
  values[row + 1] = tenure
  values[row + 2] = n
  values[row + 3] = spend
  values[row + 4] = spend / n
  values[row + 5] = n90
  values[row + 6] = distinctItems
  if (extras.length) {
    const s: CustomerSummary = { cutoff, orders: list, spend, recency, tenure, n90, nPrev90, n30, spend90, months: months.size }
    for (let e = 0; e < extras.length; e++) values[row + 7 + e] = EXTRA_VALUE[extras[e]](s)
  }
}

export interface FutureLabels {
  /** 1 when the customer has any line in [start, end), else 0. */
  readonly boughtAgain: Uint8Array
  /** Sum of line amounts in [start, end) [currency]; 0 for customers who do not buy. */
  readonly spend: Float64Array
}

/**
 * Labels for `customerIds` (in that order) from the lines in [start, end), both ms since the
 * epoch; with the evaluation protocol's (docs/evaluation.md) horizon H, end = start + H days. Lines of other customers are
 * ignored.
 */
export function futureLabels(lines: readonly PurchaseLine[] | PurchaseColumns, customerIds: readonly string[], start: number, end: number): FutureLabels {
  const boughtAgain = new Uint8Array(customerIds.length)
  const spend = new Float64Array(customerIds.length)
  if (isPurchaseColumns(lines)) {
    // Row of each column customer; amounts added in line order, as below.
    const rowOf = new Int32Array(lines.customerIds.length).fill(-1)
    customerIndexes(lines, customerIds).forEach((j, r) => {
      if (j >= 0) rowOf[j] = r
    })
    for (let k = 0; k < lines.length; k++) {
      const t = lines.time[k]
      if (!(t >= start && t < end)) continue
      const i = rowOf[lines.customer[k]]
      if (i < 0) continue
      boughtAgain[i] = 1
      spend[i] += lines.amount[k]
    }
    return { boughtAgain, spend }
  }
  const index = new Map(customerIds.map((id, i) => [id, i]))
  for (const l of lines) {
    if (!(l.time >= start && l.time < end)) continue
    const i = index.get(l.customerId)
    if (i === undefined) continue
    boughtAgain[i] = 1
    spend[i] += l.amount
  }
  return { boughtAgain, spend }
}

/** The columns `names` of `f`, in that order, as a new row-major matrix. Throws on an unknown name. */
export function selectColumns(f: Pick<CustomerFeatureMatrix, "names" | "values">, names: readonly string[]): Float64Array {
  const idx = names.map((name) => {
    const j = f.names.indexOf(name)
    if (j < 0) throw new RangeError(`selectColumns: no column "${name}" (have ${f.names.join(", ")})`)
    return j
  })
  const d = f.names.length
  const n = f.values.length / d
  const out = new Float64Array(n * names.length)
  for (let i = 0; i < n; i++) for (let c = 0; c < idx.length; c++) out[i * idx.length + c] = f.values[i * d + idx[c]]
  return out
}
