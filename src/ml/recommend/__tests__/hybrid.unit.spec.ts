import { fromJsonSafe, toJsonSafe } from "../../serialize"
import { HybridRecommender, newArrivals } from "../hybrid"
import type { SerializedModel } from "../recommender"
import { topK } from "../top-k"
import { TrendingRecommender } from "../trending"
import { checkerboard, interactions } from "./fixtures"

describe("TrendingRecommender", () => {
  // Item 0: 3 buyers long ago, item 1: 2 buyers in the last 30 days (one twice), item 2: 1 recent.
  const data = interactions(4, 3, [
    [0, 0, 100],
    [1, 0, 200],
    [2, 0, 300],
    [0, 1, 5],
    [0, 1, 10],
    [1, 1, 29],
    [3, 2, 1],
    [3, 0, 31],
  ])

  it("counts distinct recent buyers", () => {
    const m = new TrendingRecommender({ windowDays: 30 }).fit(data)
    expect(Array.from(m.recentBuyers())).toEqual([0, 2, 1])
    expect(Array.from(m.recommend(0, 3))).toEqual([1, 2, 0])
    expect(Array.from(new TrendingRecommender({ windowDays: 31 }).fit(data).recentBuyers())).toEqual([1, 2, 1])
    expect(() => new TrendingRecommender({ windowDays: 0 })).toThrow(RangeError)
  })
})

describe("HybridRecommender", () => {
  it("equals its collaborative part plus trend when ownWeight is 0, and ranks own items first when it is large", () => {
    const { data } = checkerboard()
    const collab = new HybridRecommender({ ownWeight: 0, collaborative: { model: "ease", options: { lambda: 0.5 } } }).fit(data)
    const strong = new HybridRecommender({ ownWeight: 100, collaborative: { model: "ease", options: { lambda: 0.5 } } }).fit(data)
    for (let u = 0; u < 6; u++) {
      expect(Array.from(collab.scores(u))).toEqual(Array.from(collab.collaborativeScores(u)))
      const owned = Array.from(data.strength.indices.subarray(data.strength.indptr[u], data.strength.indptr[u + 1]))
      expect(Array.from(strong.recommend(u, 2)).sort()).toEqual(owned.sort())
    }
  })

  it("computes the buy-again part by hand", () => {
    // User 0 bought item 0 twice (60 and 120 days ago) and item 1 once (60 days ago); user 1
    // bought item 1 once. Item 0: 1 buyer, 1 repeater; item 1: 2 buyers, 0 repeaters.
    const data = interactions(2, 2, [
      [0, 0, 60],
      [0, 0, 120],
      [0, 1, 60],
      [1, 1, 60],
    ])
    const m = new HybridRecommender({
      collaborative: { model: "item-knn" },
      trendWeight: 0,
      newItemWeight: 0,
      ownWeight: 1,
      ownRecencyWeight: 0.5,
      ownHalfLifeDays: 60,
      repeatRateWeight: 2,
      ownPopularityWeight: 0.5,
    }).fit(data)
    const s = m.scores(0)
    // Cosine(item 0, item 1) = 1 / (1 x sqrt 2); user 0 owns both, so the scaled collaborative
    // part is 1 for each.
    const own0 = Math.log(3) + 0.5 * 0.5 + (2 * 2) / 3 + (0.5 * Math.log(2)) / Math.log(3)
    const own1 = Math.log(2) + 0.5 * 0.5 + (2 * 1) / 4 + 0.5
    expect(s[0]).toBeCloseTo(1 + Math.fround(own0), 6)
    expect(s[1]).toBeCloseTo(1 + Math.fround(own1), 6)
  })

  it("computes the new-arrivals prior and the own trend term by hand", () => {
    // Item 0 first sold 10 days ago, 2 buyers; item 1 first sold 40 days ago, 1 buyer; item 2 never.
    const data = interactions(3, 3, [
      [0, 0, 10],
      [1, 0, 5],
      [2, 1, 40],
    ])
    const a = Math.exp(-10 / 20) * Math.log(3)
    const b = Math.exp(-40 / 20) * Math.log(2)
    const fresh = newArrivals(data, 20)
    expect(fresh[0]).toBe(1)
    expect(fresh[1]).toBeCloseTo(b / a, 15)
    expect(fresh[2]).toBe(0)
    // Collaborative part alone (ownWeight 0, no trend): scaled item-kNN plus 0.3 x fresh.
    const m = new HybridRecommender({ collaborative: { model: "item-knn" }, trendWeight: 0, ownWeight: 0, newItemWeight: 0.3 }).fit(data)
    expect(Array.from(m.scores(2))).toEqual([0.3, 0.3 * (b / a), 0].map((v) => expect.closeTo(v, 12)))
    // Own trend: user 1 bought item 0 five days ago, its only recent buyer set is {0, 1} (trend 1).
    const base = { collaborative: { model: "item-knn" as const }, trendWeight: 0, newItemWeight: 0 }
    const with05 = new HybridRecommender({ ...base, ownTrendWeight: 0.5 }).fit(data).scores(1)
    const without = new HybridRecommender({ ...base, ownTrendWeight: 0 }).fit(data).scores(1)
    expect(with05[0] - without[0]).toBeCloseTo(0.5, 6)
  })

  it("reads a version 1 model with both priors off", () => {
    const { data } = checkerboard()
    const m = new HybridRecommender({ collaborative: { model: "ease", options: { lambda: 1 } }, newItemWeight: 0, ownTrendWeight: 0 }).fit(data)
    const s = m.serialize()
    const v1 = { ...s, version: 1, options: { ...(s.options as object), newItemWeight: undefined, ownTrendWeight: undefined } } as SerializedModel
    delete v1.fresh
    const back = HybridRecommender.deserialize(v1)
    for (let u = 0; u < 6; u++) expect(Array.from(back.scores(u))).toEqual(Array.from(m.scores(u)))
  })

  it("survives a serialization round trip", () => {
    const { data } = checkerboard()
    const m = new HybridRecommender({ collaborative: { model: "ease", options: { lambda: 1 } } }).fit(data)
    const back = HybridRecommender.deserialize(fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(m.serialize())))) as SerializedModel)
    for (let u = 0; u < 6; u++) expect(Array.from(back.scores(u))).toEqual(Array.from(m.scores(u)))
    expect(Array.from(back.similarItems(0, 2))).toEqual(Array.from(m.similarItems(0, 2)))
    expect(() => new HybridRecommender({ ownWeight: -1 })).toThrow(/ownWeight/)
  })

  it("ranks only the neighbours, own items and best priors with a sparse item-kNN, and returns exactly what scoring every item returns", () => {
    // A seeded random store with a few popular items, many ties (binary data) and items nobody
    // near a user bought, at sizes where the priors and the neighbours both decide places.
    let seed = 7
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const nUsers = 80
    const nItems = 60
    const buys: [number, number, number][] = []
    for (let u = 0; u < nUsers; u++) {
      const k = 1 + Math.floor(rand() * 6)
      for (let b = 0; b < k; b++) buys.push([u, Math.floor(rand() < 0.3 ? rand() * 6 : rand() * nItems), Math.floor(rand() * 90)])
    }
    const data = interactions(nUsers, nItems, buys)
    let checked = 0
    for (const neighbours of [2, 5, 20]) {
      const m = new HybridRecommender({ collaborative: { model: "item-knn", options: { neighbours } } }).fit(data)
      for (let u = 0; u < nUsers; u++) {
        const own = data.strength.indices.subarray(data.strength.indptr[u], data.strength.indptr[u + 1])
        const mask = new Uint8Array(nItems)
        for (const i of own) mask[i] = 1
        for (const n of [1, 10, 25, 60]) {
          expect(Array.from(m.recommend(u, n))).toEqual(Array.from(topK(m.scores(u), n)))
          expect(Array.from(m.recommend(u, n, own))).toEqual(Array.from(topK(m.scores(u), n, mask)))
          checked++
        }
      }
    }
    expect(checked).toBe(3 * nUsers * 4)
  })
})
