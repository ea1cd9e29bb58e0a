/**
 * Customer features at a cutoff T from purchase lines, and what the customer did after T.
 * The seven base columns are EVALUATION.md's ("Purchase propensity and future value"); an
 * order's time is the latest time of its lines (the reference groups lines by invoice and
 * takes the maximum date). Only lines with time < T are read for features, so a feature
 * never sees the future it is judged on.
 */
import { compareCodeUnits } from "../data/id-index"
import type { PurchaseLine } from "../data/purchase-line"
import { MS_PER_DAY } from "../data/time"

/**
 * Base columns, in this order (units in brackets):
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
 * Extra columns, after the base ones:
 * - meanInterval [days, fractional]: (last order - first order) / (invoices - 1); for a
 *   one-order customer, tenure (the gap to the next order is at least that long, and 0 would
 *   read as "buys all the time"). >= 0.
 * - trend [orders, signed]: orders in [T - 90 d, T) minus orders in [T - 180 d, T - 90 d):
 *   positive when the customer is speeding up. Not log-transformed (it can be negative).
 */
export const EXTRA_CUSTOMER_FEATURES = ["meanInterval", "trend"] as const

/** Columns that may be negative, hence never log1p-transformed. */
export const SIGNED_FEATURES: ReadonlySet<string> = new Set(["trend"])

export interface CustomerFeatureMatrix {
  /** Cutoff T, ms since the epoch. */
  readonly cutoff: number
  /** Customers with at least one line before T, sorted by id (UTF-16 code units). */
  readonly customerIds: readonly string[]
  /** Column names. */
  readonly names: readonly string[]
  /** Row-major customerIds.length x names.length, original units. */
  readonly values: Float64Array
}

export interface CustomerFeatureOptions {
  /** Append EXTRA_CUSTOMER_FEATURES. Default false. */
  extras?: boolean
}

interface Order {
  time: number
  amount: number
}

/**
 * Features at `cutoff` (ms since the epoch) for every customer with a line before it.
 * Row order = sorted customer ids, so the result does not depend on the order of `lines`.
 */
export function customerFeatures(lines: readonly PurchaseLine[], cutoff: number, options: CustomerFeatureOptions = {}): CustomerFeatureMatrix {
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
  const names: string[] = [...BASE_CUSTOMER_FEATURES, ...(options.extras ? EXTRA_CUSTOMER_FEATURES : [])]
  const d = names.length
  const values = new Float64Array(customerIds.length * d)
  const t90 = cutoff - 90 * MS_PER_DAY
  const t180 = cutoff - 180 * MS_PER_DAY
  for (let r = 0; r < customerIds.length; r++) {
    const id = customerIds[r]
    let first = Infinity
    let last = -Infinity
    let spend = 0
    let n = 0
    let n90 = 0
    let nPrev90 = 0
    for (const o of (orders.get(id) as Map<string, Order>).values()) {
      n++
      spend += o.amount
      if (o.time < first) first = o.time
      if (o.time > last) last = o.time
      if (o.time >= t90) n90++
      else if (o.time >= t180) nPrev90++
    }
    const recency = Math.floor((cutoff - last) / MS_PER_DAY)
    const tenure = Math.floor((cutoff - first) / MS_PER_DAY)
    const row = r * d
    values[row] = recency
    values[row + 1] = tenure
    values[row + 2] = n
    values[row + 3] = spend
    values[row + 4] = spend / n
    values[row + 5] = n90
    values[row + 6] = (items.get(id) as Set<string>).size
    if (options.extras) {
      values[row + 7] = n > 1 ? (last - first) / MS_PER_DAY / (n - 1) : tenure
      values[row + 8] = n90 - nPrev90
    }
  }
  return { cutoff, customerIds, names, values }
}

export interface FutureLabels {
  /** 1 when the customer has any line in [start, end), else 0. */
  readonly boughtAgain: Uint8Array
  /** Sum of line amounts in [start, end) [currency]; 0 for customers who do not buy. */
  readonly spend: Float64Array
}

/**
 * Labels for `customerIds` (in that order) from the lines in [start, end), both ms since the
 * epoch; with EVALUATION.md's horizon H, end = start + H days. Lines of other customers are
 * ignored.
 */
export function futureLabels(lines: readonly PurchaseLine[], customerIds: readonly string[], start: number, end: number): FutureLabels {
  const index = new Map(customerIds.map((id, i) => [id, i]))
  const boughtAgain = new Uint8Array(customerIds.length)
  const spend = new Float64Array(customerIds.length)
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
