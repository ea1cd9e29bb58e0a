import { fromJsonSafe, toJsonSafe } from "../../serialize"
import { Rng } from "../../random"
import { IdIndex } from "../../data/id-index"
import { ItemKnnRecommender, remapSimilarities } from "../item-knn"
import type { SerializedModel } from "../recommender"
import { checkerboard, interactions } from "./fixtures"

const roundTrip = (s: SerializedModel) => fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(s)))) as SerializedModel

describe("ItemKnnRecommender", () => {
  it("computes cosine similarities by hand", () => {
    // Item 0: users {0, 1}; item 1: users {0, 1, 2}; item 2: users {2}.
    const data = interactions(3, 3, [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
      [2, 1],
      [2, 2],
    ])
    const m = new ItemKnnRecommender().fit(data)
    const f = Math.fround
    expect(m.similarity(0, 1)).toBe(f(f(2 / f(Math.SQRT2)) / f(Math.sqrt(3))))
    expect(m.similarity(0, 1)).toBeCloseTo(2 / Math.sqrt(6), 6)
    expect(m.similarity(1, 2)).toBeCloseTo(1 / Math.sqrt(3), 6)
    expect(m.similarity(0, 2)).toBe(0)
    expect(m.similarity(1, 1)).toBe(0)
    // User 2 owns items 1 and 2: scores = S[1] + S[2].
    expect(Array.from(m.scores(2))).toEqual([m.similarity(1, 0), m.similarity(2, 1), m.similarity(1, 2)].map(f))
  })

  it("recommends the missing item of the user's checkerboard block", () => {
    const { data, missing } = checkerboard()
    const m = new ItemKnnRecommender().fit(data)
    for (let u = 0; u < 6; u++) {
      const owned = Array.from(data.strength.indices.subarray(data.strength.indptr[u], data.strength.indptr[u + 1]))
      expect(m.recommend(u, 1, owned)[0]).toBe(missing[u])
      // Items of the other parity never score.
      const s = m.scores(u)
      for (let i = 1 - (u % 2); i < 6; i += 2) expect(s[i]).toBe(0)
    }
    expect(Array.from(m.similarItems(0, 2))).toEqual([2, 4])
  })

  it("sparse top-k with k >= every neighbour equals the dense model; small k keeps the best", () => {
    const rng = new Rng(1)
    const buys: [number, number][] = []
    for (let u = 0; u < 40; u++) for (let i = 0; i < 15; i++) if (rng.next() < 0.25) buys.push([u, i])
    const data = interactions(40, 15, buys)
    const dense = new ItemKnnRecommender().fit(data)
    const sparse = new ItemKnnRecommender({ neighbours: 14 }).fit(data)
    for (let u = 0; u < 40; u++) expect(Array.from(sparse.scores(u))).toEqual(Array.from(dense.scores(u)))
    // Sparse neighbour lists ranked alone, padded with similarity-0 items by index: the dense lists.
    for (let i = 0; i < 15; i++) for (const n of [1, 5, 14, 20]) expect(Array.from(sparse.similarItems(i, n))).toEqual(Array.from(dense.similarItems(i, n)))
    const top2 = new ItemKnnRecommender({ neighbours: 2 }).fit(data)
    for (let i = 0; i < 15; i++) {
      const best = Array.from(dense.similarItems(i, 2))
      expect(Array.from(top2.similarItems(i, 2))).toEqual(best)
      expect(top2.similarity(i, Array.from(dense.similarItems(i, 3))[2])).toBe(0)
    }
  })

  it("lists an item's nearest items with their similarities, best first, without the zeros, dense and sparse alike", () => {
    const rng = new Rng(3)
    const buys: [number, number][] = []
    for (let u = 0; u < 30; u++) for (let i = 0; i < 20; i++) if (rng.next() < 0.15) buys.push([u, i])
    const data = interactions(30, 20, buys)
    const dense = new ItemKnnRecommender().fit(data)
    const sparse = new ItemKnnRecommender({ neighbours: 8 }).fit(data)
    let shorter = 0
    for (let i = 0; i < 20; i++) {
      for (const [m, n] of [[dense, 5], [sparse, 5], [dense, 8], [sparse, 8]] as const) {
        const near = m.nearest(i, n)
        const positive = Array.from(dense.similarItems(i, n)).filter((j) => dense.similarity(i, j) > 0)
        expect(Array.from(near.items)).toEqual(positive)
        expect(Array.from(near.values)).toEqual(positive.map((j) => m.similarity(i, j)))
        if (positive.length < n) shorter++
      }
    }
    expect(shorter).toBeGreaterThan(0)
  })

  it("survives a serialization round trip, dense and sparse", () => {
    const { data } = checkerboard()
    for (const opts of [{}, { neighbours: 1 }]) {
      const m = new ItemKnnRecommender(opts).fit(data)
      const back = ItemKnnRecommender.deserialize(roundTrip(m.serialize()))
      for (let u = 0; u < 6; u++) expect(Array.from(back.scores(u))).toEqual(Array.from(m.scores(u)))
    }
    expect(() => new ItemKnnRecommender({ neighbours: 0 })).toThrow(RangeError)
  })
})

describe("kept neighbour rows (a training refresh)", () => {
  it("withSimilarities on the same data recommends exactly as the fit whose rows it keeps", () => {
    const { data } = checkerboard()
    const fitted = new ItemKnnRecommender({ neighbours: 2 }).fit(data)
    const kept = ItemKnnRecommender.withSimilarities({ neighbours: 2 }, data, fitted.similarityRows!)
    for (let u = 0; u < data.nUsers; u++) {
      expect(Array.from(kept.recommend(u, 4))).toEqual(Array.from(fitted.recommend(u, 4)))
      expect(kept.neighbourScores(u)).toEqual(fitted.neighbourScores(u))
    }
    expect(() => ItemKnnRecommender.withSimilarities({}, data, fitted.similarityRows!)).toThrow(/neighbours option/)
    expect(new ItemKnnRecommender().fit(data).similarityRows).toBeNull()
  })

  it("remapSimilarities moves rows to another item order: a product sold since gets an empty row, one gone leaves every row, indices stay increasing", () => {
    // Rows under ids x, y, z: x~y 0.5, x~z 0.25, y~z 0.75 (symmetric).
    const rows = {
      nRows: 3,
      nCols: 3,
      indptr: Int32Array.from([0, 2, 4, 6]),
      indices: Int32Array.from([1, 2, 0, 2, 0, 1]),
      data: Float32Array.from([0.5, 0.25, 0.5, 0.75, 0.25, 0.75]),
    }
    // Today: "new" sorts first, y is gone, and z now comes before x... as an index of its own.
    const to = IdIndex.fromIds(["new", "x", "z"])
    const m = remapSimilarities(["x", "y", "z"], rows, to)
    const row = (i: number) => Array.from(m.indices.subarray(m.indptr[i], m.indptr[i + 1]), (j, t) => [to.id(j), m.data[m.indptr[i] + t]])
    expect(row(to.indexOf("new"))).toEqual([])
    expect(row(to.indexOf("x"))).toEqual([["z", 0.25]])
    expect(row(to.indexOf("z"))).toEqual([["x", 0.25]])
    // A reversed order: each row's indices are re-sorted.
    const reversed = { size: 3, indexOf: (id: string) => ["z", "y", "x"].indexOf(id) }
    const r = remapSimilarities(["x", "y", "z"], rows, reversed)
    expect(Array.from(r.indices)).toEqual([1, 2, 0, 2, 0, 1])
    expect(Array.from(r.data)).toEqual([0.75, 0.25, 0.75, 0.5, 0.25, 0.5])
    expect(() => remapSimilarities(["x", "y"], rows, to)).toThrow(/3 x 3 rows for 2 ids/)
  })
})
