/**
 * Purchase lines as columns: one typed array per field and integer customer, product and order
 * indexes, instead of one PurchaseLine object per line. An object line costs about 200 bytes
 * (three strings and a hidden class); a column line costs 32 bytes plus its share of the id
 * tables, so 20M lines fit in well under a gigabyte, and every buffer can move to a worker
 * thread without a copy (packColumns / unpackColumns).
 */
import { type CsrMatrix, binarize, csrFromTriples } from "./csr"
import { IdIndex, compareCodeUnits } from "./id-index"
import type { Interactions, PurchaseEvents } from "./interactions"
import type { PurchaseLine } from "./purchase-line"
import type { TemporalSplit, TestTruth } from "./split"

export interface PurchaseColumns {
  readonly length: number
  /** Index into customerIds, per line. */
  readonly customer: Int32Array
  /** Index into productIds, per line. */
  readonly product: Int32Array
  /** Index into orderIds, per line. */
  readonly order: Int32Array
  /** ms since the epoch. */
  readonly time: Float64Array
  /** float8 in the ledger: kept as doubles so that sums equal the object path's. */
  readonly amount: Float64Array
  readonly quantity: Int32Array
  /** Distinct customers, sorted by code unit: an index is the position in IdIndex.fromIds of every line's customer. */
  readonly customerIds: readonly string[]
  /** Distinct products, sorted the same way. */
  readonly productIds: readonly string[]
  /** Distinct orders in first-seen line order (the order of basketsFromLines' rows). */
  readonly orderIds: readonly string[]
}

/** Appends lines into doubling typed arrays, interning ids; finish() sorts the customer and product tables. */
export class PurchaseColumnsBuilder {
  private n = 0
  private customer = new Int32Array(1024)
  private product = new Int32Array(1024)
  private order = new Int32Array(1024)
  private time = new Float64Array(1024)
  private amount = new Float64Array(1024)
  private quantity = new Int32Array(1024)
  private readonly customers = new Map<string, number>()
  private readonly products = new Map<string, number>()
  private readonly orders = new Map<string, number>()

  get length(): number {
    return this.n
  }

  push(line: PurchaseLine): void {
    if (this.n === this.customer.length) this.grow()
    const k = this.n++
    this.customer[k] = intern(this.customers, line.customerId)
    this.product[k] = intern(this.products, line.productId)
    this.order[k] = intern(this.orders, line.orderId)
    this.time[k] = line.time
    this.amount[k] = line.amount
    this.quantity[k] = line.quantity
  }

  private grow(): void {
    const cap = this.customer.length * 2
    const bigger = <T extends Int32Array | Float64Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(cap)
      b.set(a)
      return b
    }
    this.customer = bigger(this.customer, Int32Array)
    this.product = bigger(this.product, Int32Array)
    this.order = bigger(this.order, Int32Array)
    this.time = bigger(this.time, Float64Array)
    this.amount = bigger(this.amount, Float64Array)
    this.quantity = bigger(this.quantity, Int32Array)
  }

  /** The columns, arrays trimmed to length (each on its own buffer, so each can be transferred). The builder is spent. */
  finish(): PurchaseColumns {
    const n = this.n
    const customer = this.customer.slice(0, n)
    const product = this.product.slice(0, n)
    const customerIds = sortAndRemap(this.customers, customer)
    const productIds = sortAndRemap(this.products, product)
    const orderIds = Array.from(this.orders.keys())
    const out: PurchaseColumns = {
      length: n,
      customer,
      product,
      order: this.order.slice(0, n),
      time: this.time.slice(0, n),
      amount: this.amount.slice(0, n),
      quantity: this.quantity.slice(0, n),
      customerIds,
      productIds,
      orderIds,
    }
    this.customers.clear()
    this.products.clear()
    this.orders.clear()
    this.customer = this.product = this.order = this.quantity = new Int32Array(0)
    this.time = this.amount = new Float64Array(0)
    this.n = 0
    return out
  }
}

function intern(table: Map<string, number>, id: string): number {
  let i = table.get(id)
  if (i === undefined) table.set(id, (i = table.size))
  return i
}

/** Sorted ids of `table`, with `column` rewritten in place from first-seen to sorted indexes. */
function sortAndRemap(table: Map<string, number>, column: Int32Array): string[] {
  const ids = Array.from(table.keys())
  const order = Int32Array.from(ids.keys()).sort((a, b) => compareCodeUnits(ids[a], ids[b]))
  const rank = new Int32Array(ids.length)
  for (let r = 0; r < order.length; r++) rank[order[r]] = r
  for (let k = 0; k < column.length; k++) column[k] = rank[column[k]]
  return Array.from(order, (i) => ids[i])
}

/** Columns of `lines`, in their order. */
export function columnsFromLines(lines: Iterable<PurchaseLine>): PurchaseColumns {
  const b = new PurchaseColumnsBuilder()
  for (const l of lines) b.push(l)
  return b.finish()
}

export function isPurchaseColumns(x: readonly PurchaseLine[] | PurchaseColumns): x is PurchaseColumns {
  return !Array.isArray(x) && (x as PurchaseColumns).customer instanceof Int32Array
}

/**
 * Line `k` as an object, for the consumers that still read PurchaseLine (the evaluation CLI):
 * call it on bounded inputs only, that is what the columns avoid.
 */
export function lineAt(c: PurchaseColumns, k: number): PurchaseLine {
  return {
    orderId: c.orderIds[c.order[k]],
    customerId: c.customerIds[c.customer[k]],
    productId: c.productIds[c.product[k]],
    quantity: c.quantity[k],
    amount: c.amount[k],
    time: c.time[k],
  }
}

/** Columns with their id tables each joined into one string: a message of six buffers and three strings. */
export type PackedColumns = Omit<PurchaseColumns, "customerIds" | "productIds" | "orderIds"> & {
  customerIds: string
  productIds: string
  orderIds: string
}

const SEP = "\n"

/**
 * The columns as one structured-clone-friendly value: its typed arrays go in the transfer list
 * (transferableBuffers finds them; after the move the caller's arrays are detached) and the id
 * tables travel as three strings, one copy each, instead of a million small strings.
 */
export function packColumns(c: PurchaseColumns): PackedColumns {
  const join = (ids: readonly string[], what: string) => {
    for (const id of ids) if (id.includes(SEP)) throw new RangeError(`packColumns: a ${what} id holds a newline: ${JSON.stringify(id)}`)
    return ids.join(SEP)
  }
  return { ...c, customerIds: join(c.customerIds, "customer"), productIds: join(c.productIds, "product"), orderIds: join(c.orderIds, "order") }
}

/**
 * The columns with their typed arrays copied once into shared memory: worker threads given them
 * read the same memory (a structured clone shares a SharedArrayBuffer), none copies the lines.
 */
export function shareColumns<C extends PurchaseColumns | PackedColumns>(c: C): C {
  function share<A extends Int32Array | Float64Array>(a: A, Kind: new (buffer: SharedArrayBuffer) => A): A {
    const shared = new Kind(new SharedArrayBuffer(a.byteLength))
    shared.set(a)
    return shared
  }
  return {
    ...c,
    customer: share(c.customer, Int32Array),
    product: share(c.product, Int32Array),
    order: share(c.order, Int32Array),
    time: share(c.time, Float64Array),
    amount: share(c.amount, Float64Array),
    quantity: share(c.quantity, Int32Array),
  }
}

export function unpackColumns(p: PackedColumns): PurchaseColumns {
  const split = (s: string) => (s.length ? s.split(SEP) : [])
  return { ...p, customerIds: split(p.customerIds), productIds: split(p.productIds), orderIds: split(p.orderIds) }
}

/** Column index (customer or product) -> model index, or -1 for one left out. */
export interface IndexMap {
  readonly of: Int32Array
  readonly index: IdIndex
}

/**
 * The customers and the products of the lines with time < before, as model indexes: since the
 * column tables are sorted, their subset in index order is sorted too, so the model index is
 * what IdIndex.fromIds of those lines gives.
 */
export function seenBefore(c: PurchaseColumns, before: number): { users: IndexMap; items: IndexMap; lines: number } {
  const u = new Uint8Array(c.customerIds.length)
  const i = new Uint8Array(c.productIds.length)
  let lines = 0
  for (let k = 0; k < c.length; k++) {
    if (!(c.time[k] < before)) continue
    u[c.customer[k]] = 1
    i[c.product[k]] = 1
    lines++
  }
  return { users: maskMap(u, c.customerIds), items: maskMap(i, c.productIds), lines }
}

function maskMap(mask: Uint8Array, ids: readonly string[]): IndexMap {
  const of = new Int32Array(mask.length).fill(-1)
  const kept: string[] = []
  for (let j = 0; j < mask.length; j++) if (mask[j]) of[j] = kept.push(ids[j]) - 1
  return { of, index: IdIndex.fromSorted(kept) }
}

/**
 * Rows k with time < before whose customer and product are both mapped, grouped by model user
 * (counting sort, stable: within a user the rows keep their order). `start` has nUsers + 1 entries.
 */
function rowsByUser(c: PurchaseColumns, users: IndexMap, items: IndexMap, before: number): { start: Int32Array; rows: Int32Array } {
  const nUsers = users.index.size
  const start = new Int32Array(nUsers + 1)
  for (let k = 0; k < c.length; k++) {
    if (!(c.time[k] < before)) continue
    const u = users.of[c.customer[k]]
    if (u >= 0 && items.of[c.product[k]] >= 0) start[u + 1]++
  }
  for (let u = 0; u < nUsers; u++) start[u + 1] += start[u]
  const next = start.slice(0, nUsers)
  const rows = new Int32Array(start[nUsers])
  for (let k = 0; k < c.length; k++) {
    if (!(c.time[k] < before)) continue
    const u = users.of[c.customer[k]]
    if (u >= 0 && items.of[c.product[k]] >= 0) rows[next[u]++] = k
  }
  return { start, rows }
}

/**
 * interactionsFromLines on columns: the same events and strength for the lines with
 * time < before (default all) whose customer and product the maps keep. Grouped by user first
 * (O(lines)), then each user's few rows are sorted, so no sort over all lines is needed.
 */
export function interactionsFromColumns(c: PurchaseColumns, users: IndexMap, items: IndexMap, asOf: number, before = Number.POSITIVE_INFINITY): Interactions {
  const { start, rows } = rowsByUser(c, users, items, before)
  const nUsers = users.index.size
  const eu = new Int32Array(rows.length)
  const ei = new Int32Array(rows.length)
  const et = new Float64Array(rows.length)
  let m = 0
  const seg: number[] = []
  const ev: number[] = []
  for (let u = 0; u < nUsers; u++) {
    seg.length = 0
    for (let p = start[u]; p < start[u + 1]; p++) seg.push(rows[p])
    // By item, order, time: the first row of each (item, order) run carries its earliest time.
    seg.sort((a, b) => items.of[c.product[a]] - items.of[c.product[b]] || c.order[a] - c.order[b] || c.time[a] - c.time[b])
    ev.length = 0
    for (let s = 0; s < seg.length; s++) {
      const a = seg[s]
      if (s > 0) {
        const b = seg[s - 1]
        if (c.product[a] === c.product[b] && c.order[a] === c.order[b]) continue
      }
      ev.push(a)
    }
    ev.sort((a, b) => items.of[c.product[a]] - items.of[c.product[b]] || c.time[a] - c.time[b])
    for (const a of ev) {
      eu[m] = u
      ei[m] = items.of[c.product[a]]
      et[m] = c.time[a]
      m++
    }
  }
  const events: PurchaseEvents = { user: eu.slice(0, m), item: ei.slice(0, m), time: et.slice(0, m) }
  const strength = csrFromTriples(nUsers, items.index.size, events.user, events.item)
  return { nUsers, nItems: items.index.size, strength, events, asOf }
}

/** temporalSplit on columns: the same split of the lines, without a PurchaseLine. */
export function temporalSplitColumns(c: PurchaseColumns, cutoff: number, end = Number.POSITIVE_INFINITY): TemporalSplit {
  const { users, items, lines: trainLines } = seenBefore(c, cutoff)
  const train = interactionsFromColumns(c, users, items, cutoff, cutoff)
  // Test pairs (user, item) of known users and items in [cutoff, end), grouped by user.
  const nUsers = users.index.size
  const count = new Int32Array(nUsers + 1)
  let testLines = 0
  for (let k = 0; k < c.length; k++) {
    const t = c.time[k]
    if (!(t >= cutoff && t < end)) continue
    testLines++
    const u = users.of[c.customer[k]]
    if (u >= 0 && items.of[c.product[k]] >= 0) count[u + 1]++
  }
  for (let u = 0; u < nUsers; u++) count[u + 1] += count[u]
  const next = count.slice(0, nUsers)
  const pairItems = new Int32Array(count[nUsers])
  for (let k = 0; k < c.length; k++) {
    const t = c.time[k]
    if (!(t >= cutoff && t < end)) continue
    const u = users.of[c.customer[k]]
    const i = items.of[c.product[k]]
    if (u >= 0 && i >= 0) pairItems[next[u]++] = i
  }
  const all = { users: [] as number[], indptr: [0], items: [] as number[] }
  const fresh = { users: [] as number[], indptr: [0], items: [] as number[] }
  const { indptr, indices } = train.strength
  for (let u = 0; u < nUsers; u++) {
    if (count[u + 1] === count[u]) continue
    const s = Array.from(new Set(pairItems.subarray(count[u], count[u + 1]))).sort((a, b) => a - b)
    all.users.push(u)
    for (const i of s) all.items.push(i)
    all.indptr.push(all.items.length)
    const before = new Set(indices.subarray(indptr[u], indptr[u + 1]))
    const n = s.filter((i) => !before.has(i))
    if (n.length > 0) {
      fresh.users.push(u)
      for (const i of n) fresh.items.push(i)
      fresh.indptr.push(fresh.items.length)
    }
  }
  const toTruth = (t: typeof all): TestTruth => ({ users: Int32Array.from(t.users), indptr: Int32Array.from(t.indptr), items: Int32Array.from(t.items) })
  return { cutoff, end, users: users.index, items: items.index, train, truthAll: toTruth(all), truthNew: toTruth(fresh), trainLines, testLines }
}

/**
 * basketsFromLines on columns: orders x items (the map's indexes), 1 where the order holds the
 * item, over the lines with time < before; rows are orders in first-seen line order.
 */
export function basketsFromColumns(c: PurchaseColumns, items: IndexMap, before = Number.POSITIVE_INFINITY): CsrMatrix {
  const row = new Int32Array(c.orderIds.length).fill(-1)
  let nOrders = 0
  let m = 0
  for (let k = 0; k < c.length; k++) if (c.time[k] < before && items.of[c.product[k]] >= 0) m++
  const rows = new Int32Array(m)
  const cols = new Int32Array(m)
  m = 0
  for (let k = 0; k < c.length; k++) {
    if (!(c.time[k] < before)) continue
    const i = items.of[c.product[k]]
    if (i < 0) continue
    const o = c.order[k]
    if (row[o] < 0) row[o] = nOrders++
    rows[m] = row[o]
    cols[m] = i
    m++
  }
  return binarize(csrFromTriples(nOrders, items.index.size, rows, cols))
}

/** Per model user, their last `n` distinct products (model item indexes), newest first (ties: earlier line first), over lines with time < before. */
export function recentDistinctItemsFromColumns(c: PurchaseColumns, users: IndexMap, items: IndexMap, n: number, before = Number.POSITIVE_INFINITY): (number[] | undefined)[] {
  const { start, rows } = rowsByUser(c, users, items, before)
  const out: (number[] | undefined)[] = new Array(users.index.size)
  const seg: number[] = []
  for (let u = 0; u < users.index.size; u++) {
    if (start[u + 1] === start[u]) continue
    seg.length = 0
    for (let p = start[u]; p < start[u + 1]; p++) seg.push(rows[p])
    seg.sort((a, b) => c.time[b] - c.time[a] || a - b)
    const list: number[] = []
    for (const k of seg) {
      if (list.length >= n) break
      const i = items.of[c.product[k]]
      if (!list.includes(i)) list.push(i)
    }
    out[u] = list
  }
  return out
}

/**
 * Rows k with from <= time < to, grouped by column customer index (counting sort, stable: a
 * customer's rows keep their line order). `start` has customerIds.length + 1 entries.
 */
export function rowsByCustomer(c: PurchaseColumns, from = Number.NEGATIVE_INFINITY, to = Number.POSITIVE_INFINITY): { start: Int32Array; rows: Int32Array } {
  const n = c.customerIds.length
  const start = new Int32Array(n + 1)
  for (let k = 0; k < c.length; k++) if (c.time[k] >= from && c.time[k] < to) start[c.customer[k] + 1]++
  for (let j = 0; j < n; j++) start[j + 1] += start[j]
  const next = start.slice(0, n)
  const rows = new Int32Array(start[n])
  for (let k = 0; k < c.length; k++) if (c.time[k] >= from && c.time[k] < to) rows[next[c.customer[k]]++] = k
  return { start, rows }
}

/**
 * Column customer index of each of `ids` (-1 for one not in the columns): a merge when `ids`
 * are sorted (the feature rows are), else a lookup table.
 */
export function customerIndexes(c: PurchaseColumns, ids: readonly string[]): Int32Array {
  const out = new Int32Array(ids.length).fill(-1)
  let sorted = true
  for (let r = 1; r < ids.length && sorted; r++) sorted = compareCodeUnits(ids[r - 1], ids[r]) < 0
  if (sorted) {
    for (let r = 0, j = 0; r < ids.length; r++) {
      while (j < c.customerIds.length && compareCodeUnits(c.customerIds[j], ids[r]) < 0) j++
      if (j < c.customerIds.length && c.customerIds[j] === ids[r]) out[r] = j
    }
    return out
  }
  const at = new Map(c.customerIds.map((id, j) => [id, j]))
  ids.forEach((id, r) => (out[r] = at.get(id) ?? -1))
  return out
}
