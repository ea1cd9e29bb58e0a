import { compareCodeUnits } from "../data/id-index"
import type { PurchaseLine } from "../data/purchase-line"
import { MS_PER_DAY } from "../data/time"

/**
 * EVALUATION.md's seven lifecycle features at a cutoff T, in this column order. From the lines
 * before T only; an order's time is the latest time of its lines.
 * - recency: whole days from the customer's last order to T, rounded down (>= 0)
 * - tenure: whole days from the first order to T, rounded down (>= recency)
 * - invoices: distinct orders (>= 1)
 * - spend: sum of line amounts (shop currency)
 * - averageInvoice: spend / invoices
 * - invoices90: distinct orders at or after T - 90 days
 * - items: distinct products
 */
export const BASE_FEATURES = ["recency", "tenure", "invoices", "spend", "averageInvoice", "invoices90", "items"] as const

/**
 * Optional extra columns (after the base seven), all >= 0 so that log(1 + x) is defined:
 * - previousRecency: whole days from the second-to-last order to T (tenure when only one order)
 * - meanGap: mean days between consecutive orders, (tenure - recency) / (invoices - 1); 0 for one order
 * - overdue: recency / (meanGap + 1): large when the usual interval has long passed
 * - invoices30: distinct orders in the last 30 days
 * - spend90: line amounts in the last 90 days
 * - activeMonths: distinct 30-day periods before T (counted back from T) with an order
 * - trend: invoices90 / (expected orders in 90 days at the customer's lifetime rate), the rate
 *   being invoices / max(tenure, 90) days
 */
export const EXTRA_FEATURES = ["previousRecency", "meanGap", "overdue", "invoices30", "spend90", "activeMonths", "trend"] as const

export interface CustomerFeatures {
  /** Cutoff T in ms since the epoch. */
  readonly cutoff: number
  /** Customers with at least one line before T, sorted by id (code units). */
  readonly customerIds: readonly string[]
  /** Column names: BASE_FEATURES, then EXTRA_FEATURES when asked for. */
  readonly names: readonly string[]
  /** Raw (not logged) values, row-major customers x names.length. */
  readonly values: Float64Array
}

export interface FeatureOptions {
  /** Add EXTRA_FEATURES after the base seven; default false. */
  extras?: boolean
}

interface Order {
  time: number
  amount: number
}

/**
 * Features at `cutoff` (ms) of every customer with a line before it (the population at T).
 * Row order = customer ids sorted, so results do not depend on the order of `lines`.
 */
export function customerFeatures(lines: readonly PurchaseLine[], cutoff: number, options: FeatureOptions = {}): CustomerFeatures {
  const orders = new Map<string, Map<string, Order>>()
  const items = new Map<string, Set<string>>()
  for (const l of lines) {
    if (!(l.time < cutoff)) continue
    let byOrder = orders.get(l.customerId)
    if (!byOrder) {
      orders.set(l.customerId, (byOrder = new Map()))
      items.set(l.customerId, new Set())
    }
    const o = byOrder.get(l.orderId)
    if (o) {
      o.amount += l.amount
      if (l.time > o.time) o.time = l.time
    } else {
      byOrder.set(l.orderId, { time: l.time, amount: l.amount })
    }
    ;(items.get(l.customerId) as Set<string>).add(l.productId)
  }
  const customerIds = Array.from(orders.keys()).sort(compareCodeUnits)
  const names: string[] = [...BASE_FEATURES, ...(options.extras ? EXTRA_FEATURES : [])]
  const d = names.length
  const values = new Float64Array(customerIds.length * d)
  const days = (t: number) => Math.floor((cutoff - t) / MS_PER_DAY)
  customerIds.forEach((id, r) => {
    const list = Array.from((orders.get(id) as Map<string, Order>).values()).sort((a, b) => a.time - b.time)
    const n = list.length
    let spend = 0
    let inv90 = 0
    let inv30 = 0
    let spend90 = 0
    const months = new Set<number>()
    for (const o of list) {
      spend += o.amount
      if (o.time >= cutoff - 90 * MS_PER_DAY) {
        inv90++
        spend90 += o.amount
      }
      if (o.time >= cutoff - 30 * MS_PER_DAY) inv30++
      months.add(Math.floor(days(o.time) / 30))
    }
    const recency = days(list[n - 1].time)
    const tenure = days(list[0].time)
    const row = r * d
    values[row] = recency
    values[row + 1] = tenure
    values[row + 2] = n
    values[row + 3] = spend
    values[row + 4] = spend / n
    values[row + 5] = inv90
    values[row + 6] = (items.get(id) as Set<string>).size
    if (options.extras) {
      const meanGap = n > 1 ? (tenure - recency) / (n - 1) : 0
      values[row + 7] = n > 1 ? days(list[n - 2].time) : tenure
      values[row + 8] = meanGap
      values[row + 9] = recency / (meanGap + 1)
      values[row + 10] = inv30
      values[row + 11] = spend90
      values[row + 12] = months.size
      values[row + 13] = inv90 / ((90 * n) / Math.max(tenure, 90))
    }
  })
  return { cutoff, customerIds, names, values }
}

export interface FutureBehaviour {
  /** 1 when the customer has any line in [start, end), else 0. */
  readonly bought: Uint8Array
  /** Sum of line amounts in [start, end); 0 for customers who do not buy. */
  readonly spend: Float64Array
}

/** Labels of `customerIds` (in that order) from the lines in [start, end) (ms). */
export function futureBehaviour(lines: readonly PurchaseLine[], customerIds: readonly string[], start: number, end: number): FutureBehaviour {
  const index = new Map(customerIds.map((id, i) => [id, i]))
  const bought = new Uint8Array(customerIds.length)
  const spend = new Float64Array(customerIds.length)
  for (const l of lines) {
    if (!(l.time >= start && l.time < end)) continue
    const i = index.get(l.customerId)
    if (i === undefined) continue
    bought[i] = 1
    spend[i] += l.amount
  }
  return { bought, spend }
}

/** Column `name` of `f` as a new array; throws when there is no such column. */
export function featureColumn(f: CustomerFeatures, name: string): Float64Array {
  const j = f.names.indexOf(name)
  if (j < 0) throw new RangeError(`featureColumn: no column "${name}" (have ${f.names.join(", ")})`)
  const d = f.names.length
  const n = f.customerIds.length
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = f.values[i * d + j]
  return out
}

/** Per-column mean and standard deviation (population, ddof 0, like scikit-learn's StandardScaler). */
export interface Standardizer {
  readonly mean: Float64Array
  readonly std: Float64Array
}

/** log(1 + x) of every value (all features are >= 0), row-major like the input. */
export function logFeatures(values: Float64Array): Float64Array {
  return values.map(Math.log1p)
}

/** Column means and deviations of a row-major n x d matrix; a constant column gets std 1. */
export function fitStandardizer(x: Float64Array, d: number): Standardizer {
  const n = x.length / d
  const mean = new Float64Array(d)
  const std = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]
  for (let j = 0; j < d; j++) mean[j] /= n
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j] - mean[j]
      std[j] += v * v
    }
  }
  // scikit-learn also leaves a zero-variance column unscaled.
  for (let j = 0; j < d; j++) std[j] = std[j] > 0 ? Math.sqrt(std[j] / n) : 1
  return { mean, std }
}

/** (x - mean) / std per column, as a new array. */
export function standardize(x: Float64Array, s: Standardizer): Float64Array {
  const d = s.mean.length
  const out = new Float64Array(x.length)
  for (let k = 0; k < x.length; k++) {
    const j = k % d
    out[k] = (x[k] - s.mean[j]) / s.std[j]
  }
  return out
}
