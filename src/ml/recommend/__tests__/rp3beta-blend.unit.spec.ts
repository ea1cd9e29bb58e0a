import { Rng } from "../../random"
import { fromJsonSafe, toJsonSafe } from "../../serialize"
import { BlendRecommender } from "../blend"
import { EaseRecommender } from "../ease"
import { ItemKnnRecommender } from "../item-knn"
import type { SerializedModel } from "../recommender"
import { Rp3BetaRecommender } from "../rp3beta"
import { checkerboard, interactions } from "./fixtures"

/** Slow reference: dense W = (P_iu^alpha)(P_ui^alpha) / buyers^beta, diagonal 0, top k per row. */
function denseRp3(nUsers: number, nItems: number, rows: number[][], alpha: number, beta: number, k: number): number[][] {
  const buyers = Array.from({ length: nItems }, (_, i) => rows.filter((r) => r.includes(i)).length)
  const w: number[][] = []
  for (let i = 0; i < nItems; i++) {
    const row = new Array(nItems).fill(0)
    for (let u = 0; u < nUsers; u++) {
      if (!rows[u].includes(i)) continue
      for (const j of rows[u]) row[j] += (1 / buyers[i]) ** alpha * (1 / rows[u].length) ** alpha
    }
    for (let j = 0; j < nItems; j++) row[j] = j === i || buyers[j] === 0 ? 0 : row[j] / buyers[j] ** beta
    const keep = new Set(
      row
        .map((v, j) => [v, j])
        .filter(([v]) => v > 0)
        .sort((a, b) => b[0] - a[0] || a[1] - b[1])
        .slice(0, k)
        .map(([, j]) => j)
    )
    w.push(row.map((v, j) => (keep.has(j) ? v : 0)))
  }
  return w
}

describe("Rp3BetaRecommender", () => {
  it("computes the walk by hand on three users", () => {
    // u0 {0, 1}, u1 {1, 2}, u2 {1}; buyers: item 0: 1, item 1: 3, item 2: 1.
    const data = interactions(3, 3, [
      [0, 0],
      [0, 1],
      [1, 1],
      [1, 2],
      [2, 1],
    ])
    const m = new Rp3BetaRecommender({ alpha: 1, beta: 1 }).fit(data)
    // Row of item 1: via u0 to item 0, (1/3)(1/2) / 1; via u1 to item 2, the same.
    const s = m.scores(2)
    expect(s[0]).toBeCloseTo(1 / 6, 7)
    expect(s[1]).toBe(0)
    expect(s[2]).toBeCloseTo(1 / 6, 7)
    // User 0 {0, 1}: W_01 = 1 x 1/2 / 3, W_10 = 1/6, W_12 = 1/6, W_02 = 0.
    expect(Array.from(m.scores(0)).map((v) => +v.toFixed(7))).toEqual([+(1 / 6).toFixed(7), +(1 / 6).toFixed(7), +(1 / 6).toFixed(7)])
    expect(Array.from(m.similarItems(1, 2))).toEqual([0, 2])
  })

  it("equals the dense reference on random data, with and without truncation", () => {
    const rng = new Rng(7)
    const nUsers = 30
    const nItems = 12
    const rows: number[][] = []
    const buys: [number, number][] = []
    for (let u = 0; u < nUsers; u++) {
      const set = new Set<number>()
      const m = 1 + rng.nextInt(5)
      while (set.size < m) set.add(rng.nextInt(nItems))
      rows.push(Array.from(set).sort((a, b) => a - b))
      for (const i of set) buys.push([u, i])
    }
    const data = interactions(nUsers, nItems, buys)
    for (const k of [nItems, 3]) {
      const ref = denseRp3(nUsers, nItems, rows, 0.5, 0.6, k)
      const m = new Rp3BetaRecommender({ alpha: 0.5, beta: 0.6, neighbours: k }).fit(data)
      for (let u = 0; u < nUsers; u++) {
        const expected = new Array(nItems).fill(0)
        for (const i of rows[u]) ref[i].forEach((v, j) => (expected[j] += v))
        Array.from(m.scores(u)).forEach((v, j) => expect(v).toBeCloseTo(expected[j], 6))
      }
    }
  })

  it("survives a serialization round trip", () => {
    const { data } = checkerboard()
    const m = new Rp3BetaRecommender().fit(data)
    const back = Rp3BetaRecommender.deserialize(fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(m.serialize())))) as SerializedModel)
    for (let u = 0; u < 6; u++) expect(Array.from(back.scores(u))).toEqual(Array.from(m.scores(u)))
    expect(() => new Rp3BetaRecommender({ alpha: 0 })).toThrow(/alpha/)
  })
})

describe("BlendRecommender", () => {
  it("sums each part's scores divided by the user's largest score of that part", () => {
    const { data, missing } = checkerboard()
    const parts = [
      { model: "ease" as const, options: { lambda: 0.5 }, weight: 1 },
      { model: "item-knn" as const, weight: 0.25 },
    ]
    const m = new BlendRecommender({ parts }).fit(data)
    const ease = new EaseRecommender({ lambda: 0.5 }).fit(data)
    const knn = new ItemKnnRecommender().fit(data)
    for (let u = 0; u < 6; u++) {
      const a = ease.scores(u)
      const b = knn.scores(u)
      const ma = Math.max(...a)
      const mb = Math.max(...b)
      Array.from(m.scores(u)).forEach((v, i) => expect(v).toBeCloseTo(a[i] / ma + (0.25 * b[i]) / mb, 12))
      const own = Array.from(data.strength.indices.subarray(data.strength.indptr[u], data.strength.indptr[u + 1]))
      expect(m.recommend(u, 1, own)[0]).toBe(missing[u])
    }
    const back = BlendRecommender.deserialize(fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(m.serialize())))) as SerializedModel)
    for (let u = 0; u < 6; u++) expect(Array.from(back.scores(u))).toEqual(Array.from(m.scores(u)))
    expect(() => new BlendRecommender({ parts: [] })).toThrow(/at least one/)
  })
})
