import { fitFeatureTransform, applyFeatureTransform } from "../../features/feature-transform"
import { Rng } from "../../random"
import { PurchaseLine } from "../../data/purchase-line"
import { loadOnlineRetail } from "../../data/online-retail"
import { customerFeatures, selectColumns } from "../../features/customer-features"
import { SEGMENT_NAMES, describeSegments, formatMoney, meanRanks, percentileOf } from "../describe"
import { hungarian } from "../hungarian"
import { chooseK, distinctRows, segmentCustomers, segmentCustomersInWorkers } from "../segment"
import { silhouetteScore } from "../silhouette"

describe("hungarian", () => {
  it("solves a known 3 x 3 case", () => {
    const a = hungarian(Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]), 3, 3)
    expect(Array.from(a.rowToCol)).toEqual([1, 0, 2])
    expect(a.cost).toBe(5)
  })

  it("matches brute force on random square and rectangular matrices", () => {
    const rng = new Rng(1)
    const perms = (m: number, r: number): number[][] => {
      if (r === 0) return [[]]
      const out: number[][] = []
      for (const p of perms(m, r - 1)) for (let j = 0; j < m; j++) if (!p.includes(j)) out.push([...p, j])
      return out
    }
    for (let trial = 0; trial < 30; trial++) {
      const rows = 1 + rng.nextInt(5)
      const cols = 1 + rng.nextInt(5)
      const c = Float64Array.from({ length: rows * cols }, () => Math.round(rng.next() * 20))
      const a = hungarian(c, rows, cols)
      let best = Infinity
      if (rows <= cols) for (const p of perms(cols, rows)) best = Math.min(best, p.reduce((s, j, i) => s + c[i * cols + j], 0))
      else for (const p of perms(rows, cols)) best = Math.min(best, p.reduce((s, i, j) => s + c[i * cols + j], 0))
      expect(a.cost).toBe(best)
      const used = Array.from(a.rowToCol).filter((j) => j >= 0)
      expect(new Set(used).size).toBe(Math.min(rows, cols))
    }
  })
})

describe("silhouette", () => {
  it("matches a hand computation", () => {
    // 1-D points 0, 1 (cluster 0) and 4 (cluster 1): s(0) = (4 - 1) / 4, s(1) = (3 - 1) / 3, s(4) = 0 (alone).
    const s = silhouetteScore(Float64Array.from([0, 1, 4]), 1, Int32Array.from([0, 0, 1]), 2)
    expect(s).toBeCloseTo((3 / 4 + 2 / 3 + 0) / 3, 12)
  })
})

describe("segment names", () => {
  it("computes percentiles with ties split, and rounding noise counted as a tie", () => {
    const pop = Float64Array.from([1, 2, 2, 3])
    expect(percentileOf(pop, 1, 0, 2)).toBe(0.5)
    expect(percentileOf(pop, 1, 0, 10)).toBe(1)
    expect(percentileOf(pop, 1, 0, 2.0000000000000004)).toBe(0.5)
  })

  it("ranks segments by the mean of their ranks, ties averaged", () => {
    // Recency (lower is better), orders, spend: segment 0 is 1st, 1st, 2nd; segment 1 3rd, 3rd, 1st.
    const ranks = meanRanks([[5, 9, 200], [20, 3, 2], [900, 100, 1000]], [false, true, true])
    ;[4 / 3, 7 / 3, 7 / 3].forEach((v, c) => expect(ranks[c]).toBeCloseTo(v, 12))
    expect(meanRanks([[1, 1]], [true])).toEqual([1.5, 1.5])
  })

  it("rounds money for reading, in the shop's currency", () => {
    expect(formatMoney(7712.4, "GBP")).toBe("£7,700")
    expect(formatMoney(45.3, "EUR")).toBe("€45")
    expect(formatMoney(4.5, "USD")).toBe("US$4.50")
    expect(formatMoney(123456)).toBe("120,000")
    expect(formatMoney(12, "XYZ")).toMatch(/^XYZ\s12$/)
  })

  it("describes a centre with its numbers, rounded, with the currency and the buy probability", () => {
    const names = ["recency", "invoices", "spend"]
    const pop = Float64Array.from([1, 10, 1000, 2, 12, 1200, 300, 1, 20, 250, 1, 30])
    const out = describeSegments(Float64Array.from([7.6, 11, 7712, 275, 1, 25]), names, pop, [2, 2], {
      currency: "GBP",
      buyProbability: { segments: [0.814, 0.05], population: [0.8, 0.82, 0.04, 0.06], horizonDays: 90 },
    })
    expect(out[0].description).toBe("2 customers (50.0%): last ordered 8 days ago, 11 orders, spent £7,700 on average (£700 per order), 81% likely to order in the next 90 days")
    expect(out[1].description).toBe("2 customers (50.0%): last ordered 275 days ago, 1 order, spent £25 on average (£25 per order), 5% likely to order in the next 90 days")
  })
})

/** Customers around planted centres (recency days, orders, spend), seeded, in group order. */
function planted(groups: { recency: number; invoices: number; spend: number; n: number }[], seed: number): Float64Array {
  const rng = new Rng(seed)
  const rows: number[] = []
  for (const g of groups) {
    for (let i = 0; i < g.n; i++) {
      const orders = g.invoices === 1 ? 1 : Math.max(1, Math.round(g.invoices * Math.exp(rng.normal(0, 0.1))))
      rows.push(g.recency * Math.exp(rng.normal(0, 0.1)), orders, g.spend * Math.exp(rng.normal(0, 0.1)))
    }
  }
  return Float64Array.from(rows)
}

function namesOfGroups(groups: Parameters<typeof planted>[0], options: Partial<Parameters<typeof segmentCustomers>[1]> = {}) {
  const names = ["recency", "invoices", "spend"]
  const raw = planted(groups, 1)
  const transform = fitFeatureTransform(raw, names, { log1p: names })
  const r = segmentCustomers(applyFeatureTransform(transform, raw), { transform, k: groups.length, seed: 1, ...options })
  let row = 0
  return groups.map((g) => {
    const s = r.segments[r.labels[row]]
    row += g.n
    return s
  })
}

describe("segment names on planted segments", () => {
  it("names five planted segments as they are", () => {
    const groups = [
      { recency: 5, invoices: 25, spend: 8000, n: 100 },
      { recency: 250, invoices: 1, spend: 60, n: 100 },
      { recency: 4, invoices: 1, spend: 50, n: 100 },
      { recency: 200, invoices: 12, spend: 4000, n: 100 },
      { recency: 30, invoices: 6, spend: 1500, n: 100 },
    ]
    expect(namesOfGroups(groups).map((s) => s.name)).toEqual(["Champions", "Lapsed one-time buyers", "New customers", "At risk", "Needs attention"])
  })

  it("names eight segments of a store where most customers bought once: unique, unnumbered, true", () => {
    // 800 of 900 customers bought once, at different times and for different amounts.
    const groups = [
      { recency: 3, invoices: 1, spend: 30, n: 150 },
      { recency: 5, invoices: 1, spend: 600, n: 100 },
      { recency: 60, invoices: 1, spend: 40, n: 150 },
      { recency: 150, invoices: 1, spend: 35, n: 150 },
      { recency: 160, invoices: 1, spend: 700, n: 100 },
      { recency: 300, invoices: 1, spend: 25, n: 150 },
      { recency: 7, invoices: 15, spend: 6000, n: 50 },
      { recency: 180, invoices: 8, spend: 2500, n: 50 },
    ]
    const segs = namesOfGroups(groups)
    expect(segs.map((s) => s.name)).toEqual([
      "New customers",
      "Promising",
      "Needs attention",
      "About to sleep",
      "Big one-time buyers",
      "Lost",
      "Champions",
      "Can't lose them",
    ])
    expect(new Set(segs.map((s) => s.name)).size).toBe(8)
    for (const s of segs) expect(s.name).not.toMatch(/\d/)
    // Names that promise repeat buying only on repeat buyers; "one-time" and "New" only on one-time buyers.
    for (const s of segs) {
      if (["Champions", "Loyal customers", "Regulars", "Can't lose them", "At risk"].includes(s.name)) expect(s.centre_original[1]).toBeGreaterThanOrEqual(1.5)
      if (/one-time|New customers/.test(s.name)) expect(s.centre_original[1]).toBeLessThan(1.5)
    }
  })

  it("gives Champions only to the segment ranking first on the mean rank, the buy probability included", () => {
    // Three strong segments. On recency, orders and spend, B ranks first (1st, 1st, 3rd).
    const groups = [
      { recency: 20, invoices: 15, spend: 9000, n: 100 },
      { recency: 6, invoices: 18, spend: 7000, n: 100 },
      { recency: 11, invoices: 16, spend: 8000, n: 100 },
      { recency: 200, invoices: 1, spend: 50, n: 200 },
    ]
    const champions = (segs: { name: string }[]) => segs.map((s, g) => (s.name === "Champions" ? g : -1)).filter((g) => g >= 0)
    expect(champions(namesOfGroups(groups))).toEqual([1])
    // With the predicted buy probability as a fourth measure, C (most likely to buy) ranks first.
    const p = new Float64Array(500)
    p.fill(0.3, 0, 100)
    p.fill(0.2, 100, 200)
    p.fill(0.9, 200, 300)
    p.fill(0.05, 300, 500)
    const withP = namesOfGroups(groups, { buyProbability: { values: p, horizonDays: 90 } })
    expect(champions(withP)).toEqual([2])
    expect(new Set(withP.map((s) => s.name)).size).toBe(4)
  })
})

/** RFM-like customers in four planted groups (original units), seeded. */
function customers(seed: number) {
  const rng = new Rng(seed)
  const groups = [
    { recency: 5, invoices: 20, spend: 5000 },
    { recency: 200, invoices: 1, spend: 100 },
    { recency: 10, invoices: 1, spend: 80 },
    { recency: 150, invoices: 10, spend: 2500 },
  ]
  const rows: number[] = []
  for (const g of groups) {
    for (let i = 0; i < 150; i++) {
      rows.push(g.recency * Math.exp(rng.normal(0, 0.1)), Math.max(1, Math.round(g.invoices * Math.exp(rng.normal(0, 0.1)))), g.spend * Math.exp(rng.normal(0, 0.1)))
    }
  }
  return Float64Array.from(rows)
}

describe("segmentCustomers", () => {
  const names = ["recency", "invoices", "spend"]
  const raw = customers(1)
  const transform = fitFeatureTransform(raw, names, { log1p: names })
  const x = applyFeatureTransform(transform, raw)

  it("finds the four planted groups, names them, and reports the search", () => {
    const r = segmentCustomers(x, { transform, nInit: 3, seed: 1 })
    expect(r.k).toBe(4)
    expect(r.search.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8])
    expect(r.segments.map((s) => s.size).sort()).toEqual([150, 150, 150, 150])
    const byName = new Map(r.segments.map((s) => [s.name, s]))
    expect(byName.get("Champions")?.centre_original[1]).toBeGreaterThan(15)
    expect(new Set(r.segments.map((s) => s.name)).size).toBe(4)
    // Rows 0..149 are the planted champions.
    expect(r.segments[r.labels[0]].name).toBe("Champions")
  })

  it("chooses k by the silhouette floor, not the plain maximum", () => {
    const rows = [0.44, 0.36, 0.355, 0.328, 0.28, 0.281, 0.281].map((s, i) => ({ k: i + 2, silhouette: s, inertia: 0, iterations: 1 }))
    expect(chooseK(rows, "silhouette")).toBe(2)
    // Best at k >= 4 is 0.355 (k = 4); k = 5 is within 0.05 of it, k = 6..8 are not.
    expect(chooseK(rows, "silhouette-floor")).toBe(5)
    expect(chooseK(rows, "silhouette-floor", 4, 0.01)).toBe(4)
    expect(chooseK(rows.slice(0, 2), "silhouette-floor")).toBe(3)
  })

  it("keeps ids and names of the previous run", () => {
    const first = segmentCustomers(x, { transform, k: 4, nInit: 2, seed: 1 })
    const previous = first.segments.map((s) => ({ id: s.id, name: s.name, centre_original: s.centre_original }))
    // New customers from the same groups, another seed: labels come out in another order.
    const raw2 = customers(2)
    const t2 = fitFeatureTransform(raw2, names, { log1p: names })
    const x2 = applyFeatureTransform(t2, raw2)
    const second = segmentCustomers(x2, { transform: t2, k: 4, nInit: 2, seed: 9, previous })
    // Rows 0, 150, 300, 450 start the planted groups: each keeps its earlier id and name.
    for (const row of [0, 150, 300, 450]) {
      const was = first.segments[first.labels[row]]
      const now = second.segments[second.labels[row]]
      expect(now.id).toBe(was.id)
      expect(now.name).toBe(was.name)
    }
    // One more segment than before: four continue, the new one gets the next id.
    const third = segmentCustomers(x2, { transform: t2, k: 5, nInit: 2, seed: 9, previous })
    expect(third.segments.filter((s) => s.previous_id !== null).length).toBe(4)
    expect(third.segments.filter((s) => s.previous_id === null).map((s) => s.id)).toEqual(["seg-5"])
    expect(new Set(third.segments.map((s) => s.name)).size).toBe(5)
    // An admin's own name stays; a numbered rule name from an older release does not.
    const renamed = previous.map((s, i) => ({ ...s, name: i === 0 ? "VIP wholesale" : i === 1 ? "Champions 3" : s.name }))
    const fourth = segmentCustomers(x2, { transform: t2, k: 4, nInit: 2, seed: 9, previous: renamed })
    const given = fourth.segments.map((s) => s.name)
    expect(given).toContain("VIP wholesale")
    expect(given).not.toContain("Champions 3")
  })

  it("keeps k unless the new k wins by the margin", () => {
    const rows = [0.44, 0.36, 0.355, 0.328, 0.33, 0.293, 0.3].map((s, i) => ({ k: i + 2, silhouette: s, inertia: 0, iterations: 1 }))
    // Floor: best at k >= 4 is 0.355; k = 8 (0.300) is 0.055 below: out at tolerance 0.05, in with a margin of 0.03.
    expect(chooseK(rows, "silhouette-floor")).toBe(6)
    expect(chooseK(rows, "silhouette-floor", 4, 0.05, { k: 8, margin: 0.03 })).toBe(8)
    expect(chooseK(rows, "silhouette-floor", 4, 0.05, { k: 8, margin: 0 })).toBe(6)
    // Plain maximum: k = 3 stays unless k = 2 is better by more than the margin.
    expect(chooseK(rows, "silhouette", 4, 0.05, { k: 3, margin: 0.1 })).toBe(3)
    expect(chooseK(rows, "silhouette", 4, 0.05, { k: 3, margin: 0.05 })).toBe(2)
  })

  it("gives the same result in worker threads", async () => {
    const a = segmentCustomers(x, { transform, kRange: [3, 5], nInit: 2, seed: 4 })
    const b = await segmentCustomersInWorkers(x, { transform, kRange: [3, 5], nInit: 2, seed: 4, workers: 2 })
    expect(b.k).toBe(a.k)
    expect(b.search).toEqual(a.search)
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels))
    expect(b.segments).toEqual(a.segments)
  })
})

describe("stability across runs (demo sample)", () => {
  it("keeps k, keys and names when two customers leave, two join and 1% new customers arrive", () => {
    const { lines } = loadOnlineRetail(`${__dirname}/../../../../data/online-retail-sample/online-retail-sample.csv.gz`)
    const asOf = Date.UTC(2011, 8, 1)
    const columns = ["recency", "invoices", "spend"]
    const segment = (l: readonly PurchaseLine[], extra: Partial<Parameters<typeof segmentCustomers>[1]> = {}) => {
      const f = customerFeatures(l, asOf)
      const raw = selectColumns(f, columns)
      const transform = fitFeatureTransform(raw, columns, { log1p: columns })
      return { f, r: segmentCustomers(applyFeatureTransform(transform, raw), { transform, seed: 0, ...extra }) }
    }
    const first = segment(lines)
    const ids = first.f.customerIds
    // Two customers leave; two others' histories join under new ids; 8 new customers (1%) place
    // the first order of 8 existing customers in the last 30 days.
    const gone = new Set([ids[10], ids[500]])
    const next: PurchaseLine[] = lines.filter((l) => !gone.has(l.customerId))
    for (const id of [ids[20], ids[600]]) for (const l of lines.filter((x) => x.customerId === id)) next.push({ ...l, customerId: `${id}-b`, orderId: `${l.orderId}-b` })
    for (let n = 0; n < 8; n++) {
      const own = lines.filter((l) => l.customerId === ids[37 + 97 * n])
      for (const l of own.filter((x) => x.orderId === own[0].orderId)) next.push({ ...l, customerId: `new-${n}`, orderId: `new-${n}`, time: asOf - (2 + 3.5 * n) * 86_400_000 })
    }
    const previous = first.r.segments.map((s) => ({ id: s.id, name: s.name, centre_original: s.centre_original }))
    const second = segment(next, { previous, previousK: first.r.k })
    expect(second.r.k).toBe(first.r.k)
    expect(second.r.segments.map((s) => s.id).sort()).toEqual(first.r.segments.map((s) => s.id).sort())
    for (const s of second.r.segments) {
      const was = first.r.segments.find((p) => p.id === s.id)
      expect(s.previous_id).toBe(s.id)
      expect(s.name).toBe(was?.name)
    }
    // A customer who stayed keeps their segment.
    const keyOf = (r: typeof first, id: string) => r.r.segments[r.r.labels[r.f.customerIds.indexOf(id)]].id
    const stayed = ids.filter((id) => !gone.has(id))
    const moved = stayed.filter((id) => keyOf(first, id) !== keyOf(second, id)).length
    expect(moved / stayed.length).toBeLessThan(0.05)
  })
})

describe("small or repetitive populations", () => {
  it("never makes more segments than there are distinct customers", () => {
    // Six customers, two distinct feature rows (three copies each).
    const rows = [0, 0, 0, 5, 5, 5].flatMap((v) => [v, v + 1])
    const matrix = Float64Array.from(rows)
    const transform = fitFeatureTransform(matrix, ["a", "b"])
    const result = segmentCustomers(applyFeatureTransform(transform, matrix), { transform, seed: 1 })
    expect(result.k).toBe(2)
    expect(result.segments.map((s) => s.size).sort()).toEqual([3, 3])
    expect(distinctRows(matrix, 2, 8)).toBe(2)
    expect(distinctRows(matrix, 2, 1)).toBe(1)
  })
})
