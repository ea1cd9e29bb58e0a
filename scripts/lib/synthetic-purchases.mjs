/**
 * A seeded synthetic purchase history, generated straight into typed arrays (no CSV, no
 * per-line objects) in the layout src/ml fits on (`Interactions` of src/ml/data/interactions.ts):
 * events sorted by user, item, time (one per distinct user, item, order) and the users x items
 * strength CSR (distinct orders per pair). Each generated line is one (order, product) pair,
 * so lines = events.
 *
 * Shape: customer activity is log-normal (a few heavy buyers, many with one or two orders),
 * baskets of 1 + geometric(mean 3) products, product popularity Zipf-like (1 / (rank + 10)),
 * categories of 100 products (products / 100 of them): each customer has two favourite categories
 * (half of their lines), a quarter of lines re-buy one of their earlier products, the rest
 * follow global popularity. Orders fall uniformly over the two years before asOf.
 *
 * Also: writeArrays/readArrays, a binary cache (JSON header + 8-byte aligned typed arrays)
 * that a process maps back into typed-array views over one buffer, without parsing.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs"

const DAY = 86_400_000

/** mulberry32: small, seeded, good enough for test data. */
function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function lowerBound(cum, lo, hi, x) {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cum[mid] <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * @param {{customers: number, products: number, lines: number, seed?: number, asOf?: number}} o
 * @returns the Interactions fields plus `price` (per product) and `lines`.
 */
export function syntheticPurchases({ customers, products, lines, seed = 1, asOf = Date.UTC(2011, 11, 1) }) {
  const next = rng(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
  // Product p has popularity rank perm[p]; categories of ~100 products.
  const rank = new Int32Array(products)
  for (let i = 0; i < products; i++) rank[i] = i
  for (let i = products - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    const t = rank[i]
    rank[i] = rank[j]
    rank[j] = t
  }
  const weight = (p) => 1 / (rank[p] + 10)
  const globalCum = new Float64Array(products)
  for (let p = 0, s = 0; p < products; p++) globalCum[p] = s += weight(p)
  const nCat = Math.max(1, Math.round(products / 100))
  // Category c holds products c, c + nCat, ...: contiguous in catItems, with a cumulative weight.
  const catStart = new Int32Array(nCat + 1)
  for (let c = 0; c < nCat; c++) catStart[c + 1] = catStart[c] + Math.ceil((products - c) / nCat)
  const catItems = new Int32Array(products)
  const catCum = new Float64Array(products)
  for (let c = 0; c < nCat; c++) {
    let s = 0
    for (let k = catStart[c], p = c; p < products; p += nCat, k++) {
      catItems[k] = p
      catCum[k] = s += weight(p)
    }
  }
  const price = new Float32Array(products)
  for (let p = 0; p < products; p++) price[p] = Math.round(100 * Math.exp(1 + 0.8 * normal())) / 100

  // Lines per customer: log-normal shares of the total, at least 1, summing to `lines` exactly.
  const share = new Float64Array(customers)
  let total = 0
  for (let c = 0; c < customers; c++) total += share[c] = Math.exp(0.8 * normal())
  const perCustomer = new Int32Array(customers)
  let assigned = 0
  for (let c = 0; c < customers; c++) assigned += perCustomer[c] = Math.max(1, Math.floor((share[c] / total) * lines))
  for (let c = 0; assigned < lines; c = (c + 1) % customers) (perCustomer[c]++, assigned++)
  for (let c = 0; assigned > lines; c = (c + 1) % customers) if (perCustomer[c] > 1) (perCustomer[c]--, assigned--)

  const user = new Int32Array(lines)
  const item = new Int32Array(lines)
  const time = new Float64Array(lines)
  const indptr = new Int32Array(customers + 1)
  // Strength CSR is filled per user; its nnz is not known in advance, so grow-by-doubling.
  let indices = new Int32Array(Math.max(16, lines >>> 1))
  let data = new Float32Array(indices.length)
  let nnz = 0
  let w = 0
  const span = 730 * DAY
  const bufItem = new Int32Array(4096)
  const bufTime = new Float64Array(4096)
  let scratchItem = bufItem
  let scratchTime = bufTime
  const order = []
  for (let c = 0; c < customers; c++) {
    const n = perCustomer[c]
    if (n > scratchItem.length) ((scratchItem = new Int32Array(n)), (scratchTime = new Float64Array(n)))
    const fav1 = Math.floor(next() * nCat)
    const fav2 = Math.floor(next() * nCat)
    let k = 0
    while (k < n) {
      const basket = Math.min(n - k, 1 + Math.floor(Math.log(1 - next()) / Math.log(2 / 3)))
      const t = asOf - 1000 * Math.ceil((next() * span) / 1000)
      const start = k
      for (let b = 0; b < basket; b++) {
        let p = -1
        for (let attempt = 0; attempt < 6 && p < 0; attempt++) {
          const r = next()
          let q
          if (r < 0.25 && start > 0) q = scratchItem[Math.floor(next() * start)]
          else if (r < 0.75) {
            const cat = next() < 0.5 ? fav1 : fav2
            const lo = catStart[cat]
            const hi = catStart[cat + 1]
            const base = lo > 0 ? catCum[lo - 1] : 0
            q = catItems[Math.min(hi - 1, lowerBound(catCum, lo, hi, base + next() * (catCum[hi - 1] - base)))]
          } else q = Math.min(products - 1, lowerBound(globalCum, 0, products, next() * globalCum[products - 1]))
          let dup = false
          for (let j = start; j < k && !dup; j++) dup = scratchItem[j] === q
          if (!dup) p = q
        }
        if (p < 0) {
          // Six clashes in a row: any product not yet in the basket.
          do p = Math.floor(next() * products)
          while (scratchItem.subarray(start, k).includes(p))
        }
        scratchItem[k] = p
        scratchTime[k] = t
        k++
      }
    }
    order.length = n
    for (let j = 0; j < n; j++) order[j] = j
    order.sort((a, b) => scratchItem[a] - scratchItem[b] || scratchTime[a] - scratchTime[b])
    if (nnz + n > indices.length) {
      const grow = Math.max(indices.length * 2, nnz + n)
      const i2 = new Int32Array(grow)
      i2.set(indices.subarray(0, nnz))
      const d2 = new Float32Array(grow)
      d2.set(data.subarray(0, nnz))
      indices = i2
      data = d2
    }
    for (let j = 0; j < n; j++) {
      const a = order[j]
      user[w] = c
      item[w] = scratchItem[a]
      time[w] = scratchTime[a]
      w++
      if (j > 0 && scratchItem[a] === scratchItem[order[j - 1]]) data[nnz - 1]++
      else ((indices[nnz] = scratchItem[a]), (data[nnz] = 1), nnz++)
    }
    indptr[c + 1] = nnz
  }
  return {
    nUsers: customers,
    nItems: products,
    asOf,
    lines,
    strength: { nRows: customers, nCols: products, indptr, indices: indices.slice(0, nnz), data: data.slice(0, nnz) },
    events: { user, item, time },
    price,
  }
}

/**
 * The seven lifecycle features (src/ml/features/customer-features.ts, BASE_CUSTOMER_FEATURES order) at `cutoff`
 * from synthetic events (an order = a distinct (user, time); amount = product price), and the
 * label window [cutoff, end): for every user with an event before the cutoff, in user order.
 * `maxCustomers` keeps only the first customers (a smaller fit set).
 */
export function syntheticPropensitySet(s, cutoff, end, maxCustomers = Infinity) {
  const names = ["recency", "tenure", "invoices", "spend", "averageInvoice", "invoices90", "items"]
  const { item, time } = s.events
  const rows = []
  const values = []
  const bought = []
  const spend = []
  const times = []
  // events of user u are a contiguous run (sorted by user): walk them once.
  let e = 0
  const nEvents = s.events.user.length
  for (let u = 0; u < s.nUsers && rows.length < maxCustomers; u++) {
    const start = e
    while (e < nEvents && s.events.user[e] === u) e++
    times.length = 0
    let sp = 0
    let futureSpend = 0
    let items = 0
    let lastItem = -1
    for (let k = start; k < e; k++) {
      if (time[k] < cutoff) {
        times.push(time[k])
        sp += s.price[item[k]]
        if (item[k] !== lastItem) ((items++), (lastItem = item[k]))
      } else if (time[k] < end) futureSpend += s.price[item[k]]
    }
    if (times.length === 0) continue
    times.sort((a, b) => a - b)
    let invoices = 0
    let invoices90 = 0
    for (let k = 0; k < times.length; k++) {
      if (k === 0 || times[k] !== times[k - 1]) {
        invoices++
        if (times[k] >= cutoff - 90 * DAY) invoices90++
      }
    }
    const recency = Math.floor((cutoff - times[times.length - 1]) / DAY)
    const tenure = Math.floor((cutoff - times[0]) / DAY)
    rows.push(u)
    values.push(recency, tenure, invoices, sp, sp / invoices, invoices90, items)
    bought.push(futureSpend > 0 ? 1 : 0)
    spend.push(futureSpend)
  }
  return { names, values: Float64Array.from(values), bought: Uint8Array.from(bought), spend: Float64Array.from(spend) }
}

const TYPES = { Int32Array, Float32Array, Float64Array, Uint8Array }

/** Writes named typed arrays and a JSON-able `meta` to `file` (see readArrays). */
export function writeArrays(file, meta, arrays) {
  const sections = []
  let offset = 0
  for (const [name, a] of Object.entries(arrays)) {
    sections.push({ name, type: a.constructor.name, offset, length: a.length })
    offset += Math.ceil(a.byteLength / 8) * 8
  }
  let header = Buffer.from(JSON.stringify({ meta, sections }))
  const headerBytes = Math.ceil((8 + header.length) / 8) * 8
  const fd = openSync(file, "w")
  try {
    const head = Buffer.alloc(headerBytes)
    head.writeUInt32LE(header.length, 0)
    header.copy(head, 8)
    writeSync(fd, head)
    for (const a of Object.values(arrays)) {
      writeSync(fd, Buffer.from(a.buffer, a.byteOffset, a.byteLength))
      const pad = Math.ceil(a.byteLength / 8) * 8 - a.byteLength
      if (pad) writeSync(fd, Buffer.alloc(pad))
    }
  } finally {
    closeSync(fd)
  }
}

/** { meta, arrays } from a writeArrays file: typed-array views over one buffer, no copies. */
export function readArrays(file) {
  const buf = readFileSync(file)
  const len = buf.readUInt32LE(0)
  const { meta, sections } = JSON.parse(buf.subarray(8, 8 + len).toString())
  const base = buf.byteOffset + Math.ceil((8 + len) / 8) * 8
  if (base % 8 !== 0) throw new Error("readArrays: buffer not 8-byte aligned")
  const arrays = {}
  for (const s of sections) arrays[s.name] = new TYPES[s.type](buf.buffer, base + s.offset, s.length)
  return { meta, arrays }
}

/**
 * A seeded synthetic customer base for purchase prediction, generated as the BG/NBD story:
 * per customer a purchase rate lambda ~ Gamma(0.7, scale 1/60 per day), a dropout probability
 * after each purchase p ~ Beta(1, 6), a first purchase uniform over the 700 days before
 * `fitCutoff`, and an order value ~ 20 x lognormal(customer mean ~ N(0, 0.5), 0.4). Returns the
 * fit rows (features and repeat summaries at fitCutoff, outcome in [fitCutoff, fitCutoff + H)) and
 * the scored rows (at fitCutoff + H, outcome in the next H days) for the same customers, in the
 * layout of src/ml/lifecycle/purchase-model.ts (base features: recency, tenure, invoices, spend,
 * averageInvoice, invoices90, items, with items = invoices x 2).
 */
export function syntheticLifecycle({ customers, horizonDays = 90, seed = 1, fitCutoff = Date.UTC(2011, 8, 1) }) {
  const next = rng(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
  const gamma = (k) => {
    // Marsaglia and Tsang; k < 1 by the boost k + 1 and u^(1/k).
    if (k < 1) return gamma(k + 1) * Math.pow(next(), 1 / k)
    const d = k - 1 / 3
    const c = 1 / Math.sqrt(9 * d)
    for (;;) {
      let x
      let v
      do {
        x = normal()
        v = 1 + c * x
      } while (v <= 0)
      v = v * v * v
      if (Math.log(next()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v
    }
  }
  const H = horizonDays
  const day0 = Math.floor(fitCutoff / DAY)
  const names = ["recency", "tenure", "invoices", "spend", "averageInvoice", "invoices90", "items"]
  const make = () => ({ values: new Float64Array(customers * 7), summary: { x: new Float64Array(customers), tx: new Float64Array(customers), T: new Float64Array(customers), monetary: new Float64Array(customers) }, bought: new Uint8Array(customers), spend: new Float64Array(customers) })
  const fit = make()
  const scored = make()
  const days = []
  const amounts = []
  for (let c = 0; c < customers; c++) {
    const lambda = gamma(0.7) / 60
    const g1 = gamma(1)
    const p = g1 / (g1 + gamma(6))
    const mean = normal() * 0.5
    days.length = 0
    amounts.length = 0
    // Purchase days from the first one, until dropout or two windows after the fit cutoff.
    let t = day0 - 1 - Math.floor(next() * 700)
    const stop = day0 + 2 * H
    for (;;) {
      days.push(t)
      amounts.push(20 * Math.exp(mean + 0.4 * normal()))
      if (next() < p) break
      t += Math.max(1, Math.ceil(-Math.log(1 - next()) / lambda))
      if (t >= stop) break
    }
    for (const [rows, cutoffDay] of [[fit, day0], [scored, day0 + H]]) {
      let n = 0
      let sp = 0
      let n90 = 0
      let last = 0
      let future = 0
      let repeatSpend = 0
      for (let k = 0; k < days.length; k++) {
        if (days[k] < cutoffDay) {
          n++
          sp += amounts[k]
          if (days[k] >= cutoffDay - 90) n90++
          last = days[k]
          if (k > 0) repeatSpend += amounts[k]
        } else if (days[k] < cutoffDay + H) future += amounts[k]
      }
      rows.values.set([cutoffDay - last - 1, cutoffDay - days[0] - 1, n, sp, sp / n, n90, 2 * n], c * 7)
      rows.summary.x[c] = n - 1
      rows.summary.tx[c] = last - days[0]
      rows.summary.T[c] = cutoffDay - days[0]
      rows.summary.monetary[c] = n > 1 ? repeatSpend / (n - 1) : 0
      rows.bought[c] = future > 0 ? 1 : 0
      rows.spend[c] = future
    }
  }
  return { names, horizonDays: H, fit: { names, ...fit }, scored: { names, ...scored } }
}
