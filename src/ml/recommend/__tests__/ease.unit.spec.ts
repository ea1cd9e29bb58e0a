import { toDense } from "../../data/csr"
import { inverseGaussJordan } from "../../linalg/cholesky"
import { Rng } from "../../random"
import { fromJsonSafe, toJsonSafe } from "../../serialize"
import { EaseRecommender, gram } from "../ease"
import type { SerializedModel } from "../recommender"
import { BINARY } from "../weighting"
import { checkerboard, interactions } from "./fixtures"

describe("EaseRecommender", () => {
  it("matches the closed form for two items: B[0][1] = c / (G00 + lambda)", () => {
    // Item 0 bought by users 0, 1, 2; item 1 by users 1, 2: G = [[3, 2], [2, 2]], c = 2.
    const data = interactions(3, 2, [
      [0, 0],
      [1, 0],
      [2, 0],
      [1, 1],
      [2, 1],
    ])
    const m = new EaseRecommender({ lambda: 1 }).fit(data)
    const b = m.itemWeights()
    expect(b[0]).toBe(0)
    expect(b[3]).toBe(0)
    expect(b[1]).toBeCloseTo(2 / 4, 6)
    expect(b[2]).toBeCloseTo(2 / 3, 6)
    // User 0 owns item 0 only: scores = row 0 of B.
    expect(Array.from(m.scores(0))).toEqual([0, b[1]])
  })

  it("equals the textbook formula with a Gauss-Jordan inverse on random data", () => {
    const rng = new Rng(9)
    const buys: [number, number][] = []
    for (let u = 0; u < 30; u++) for (let i = 0; i < 11; i++) if (rng.next() < 0.3) buys.push([u, i])
    const data = interactions(30, 11, buys)
    const n = 11
    const lambda = 3
    const x = toDense(data.strength).map((v) => (v > 0 ? 1 : 0))
    const g = new Float64Array(n * n)
    for (let u = 0; u < 30; u++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] += x[u * n + i] * x[u * n + j]
    expect(Array.from(gram(data, BINARY))).toEqual(Array.from(g))
    for (let i = 0; i < n; i++) g[i * n + i] += lambda
    const p = inverseGaussJordan(g, n)
    const m = new EaseRecommender({ lambda }).fit(data)
    const b = m.itemWeights()
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const want = i === j ? 0 : -p[i * n + j] / p[j * n + j]
        expect(Math.abs(b[i * n + j] - want)).toBeLessThan(1e-6 * (1 + Math.abs(want)))
      }
    }
    for (let u = 0; u < 30; u++) {
      const s = m.scores(u)
      for (let j = 0; j < n; j++) {
        let want = 0
        for (let i = 0; i < n; i++) want += x[u * n + i] * b[i * n + j]
        expect(s[j]).toBeCloseTo(want, 12)
      }
    }
  })

  it("recommends the missing item of the user's checkerboard block, never the other block", () => {
    const { data, missing } = checkerboard()
    const m = new EaseRecommender({ lambda: 0.5 }).fit(data)
    for (let u = 0; u < 6; u++) {
      const owned = Array.from(data.strength.indices.subarray(data.strength.indptr[u], data.strength.indptr[u + 1]))
      expect(m.recommend(u, 1, owned)[0]).toBe(missing[u])
      const s = m.scores(u)
      for (let i = 1 - (u % 2); i < 6; i += 2) expect(s[i]).toBe(0)
    }
  })

  it("survives a serialization round trip", () => {
    const { data } = checkerboard()
    const m = new EaseRecommender({ lambda: 2, scoreWeighting: { kind: "last-decay", halfLifeDays: 30 } }).fit(data)
    const s = fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(m.serialize())))) as SerializedModel
    const back = EaseRecommender.deserialize(s)
    expect(back.options).toEqual(m.options)
    for (let u = 0; u < 6; u++) expect(Array.from(back.scores(u))).toEqual(Array.from(m.scores(u)))
    expect(() => EaseRecommender.deserialize({ ...s, version: 99 })).toThrow(/unsupported version 99/)
    expect(() => new EaseRecommender({ lambda: 0 })).toThrow(RangeError)
  })
})
