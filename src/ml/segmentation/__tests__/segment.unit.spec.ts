import { fitFeatureTransform, applyFeatureTransform } from "../../features/feature-transform"
import { Rng } from "../../random"
import { describeSegments, percentileOf, segmentName } from "../describe"
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
  it("follows the rules", () => {
    expect(segmentName({ recent: 0.9, frequent: 0.9, spending: 0.9 })).toBe("Champions")
    expect(segmentName({ recent: 0.5, frequent: 0.65, spending: 0.5 })).toBe("Loyal")
    expect(segmentName({ recent: 0.5, frequent: 0.3, spending: 0.8 })).toBe("Big spenders")
    expect(segmentName({ recent: 0.8, frequent: 0.2, spending: 0.2 })).toBe("New")
    expect(segmentName({ recent: 0.3, frequent: 0.6, spending: 0.4 })).toBe("At risk")
    expect(segmentName({ recent: 0.1, frequent: 0.2, spending: 0.2 })).toBe("Lost")
    expect(segmentName({ recent: 0.3, frequent: 0.2, spending: 0.2 })).toBe("Hibernating")
  })

  it("computes percentiles with ties split", () => {
    const pop = Float64Array.from([1, 2, 2, 3])
    expect(percentileOf(pop, 1, 0, 2)).toBe(0.5)
    expect(percentileOf(pop, 1, 0, 10)).toBe(1)
  })

  it("describes centres with their numbers and keeps names unique", () => {
    const names = ["recency", "invoices", "spend"]
    const pop = Float64Array.from([1, 10, 1000, 2, 12, 1200, 300, 1, 20, 250, 1, 30, 100, 3, 200])
    // Two lapsed one-order centres (same rule name) and one champion.
    const centres = Float64Array.from([1.5, 11, 1100, 300, 1, 20, 250, 1, 30])
    const out = describeSegments(centres, names, pop, [2, 1, 1])
    expect(out[0].name).toBe("Champions")
    expect(out[0].description).toBe("2 customers (50.0%); typically bought 11 times, last 1.5 days ago, spent 1,100 in total (100 per order)")
    expect(out[1].name).not.toBe(out[2].name)
    expect(out[1].name.startsWith("Lost") || out[1].name.startsWith("Hibernating")).toBe(true)
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
    const previous = first.segments.map((s) => ({ id: s.id, name: `${s.name} (kept)`, centre_original: s.centre_original }))
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
      expect(now.name).toBe(`${was.name} (kept)`)
    }
    // One more segment than before: four continue, the new one gets the next id.
    const third = segmentCustomers(x2, { transform: t2, k: 5, nInit: 2, seed: 9, previous })
    expect(third.segments.filter((s) => s.previous_id !== null).length).toBe(4)
    expect(third.segments.filter((s) => s.previous_id === null).map((s) => s.id)).toEqual(["seg-5"])
    expect(new Set(third.segments.map((s) => s.name)).size).toBe(5)
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
