import { csrFromTriples } from "../../data/csr"
import type { TestTruth } from "../../data/split"
import { Rng } from "../../random"
import { topK, topKBySort, topKOf } from "../../recommend/top-k"
import { HybridRecommender } from "../../recommend/hybrid"
import { interactions } from "../../recommend/__tests__/fixtures"
import { evaluateRanked, evaluateTopN } from "../top-n"

describe("topK", () => {
  it("ranks by descending score, ties by ascending index", () => {
    const s = Float64Array.from([1, 3, 3, 2, 3, Number.NaN, 2])
    expect(Array.from(topK(s, 4))).toEqual([1, 2, 4, 3])
    expect(Array.from(topK(s, 10))).toEqual([1, 2, 4, 3, 6, 0, 5])
    expect(Array.from(topK(s, 3, Uint8Array.from([0, 1, 0, 0, 0, 0, 0])))).toEqual([2, 4, 3])
    expect(Array.from(topK(s, 0))).toEqual([])
  })

  it("agrees with a full stable sort on random scores with many ties", () => {
    const rng = new Rng(11)
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rng.nextInt(60)
      const s = Float32Array.from({ length: n }, () => rng.nextInt(6) - 2)
      const ex = Uint8Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0))
      const k = rng.nextInt(25)
      expect(Array.from(topK(s, k, ex))).toEqual(Array.from(topKBySort(s, k, ex)))
    }
  })

  it("ranks a shuffled subset as topK ranks the whole array, when nothing outside the subset makes the cut", () => {
    const rng = new Rng(12)
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rng.nextInt(60)
      const s = Float64Array.from({ length: n }, () => rng.nextInt(6) - 2)
      const ex = Uint8Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0))
      const k = rng.nextInt(25)
      // The subset: every item scoring above the lowest score (-2), in a random order.
      const items = Array.from({ length: n }, (_, i) => i).filter((i) => s[i] > -2)
      for (let a = items.length - 1; a > 0; a--) {
        const b = rng.nextInt(a + 1)
        ;[items[a], items[b]] = [items[b], items[a]]
      }
      const expected = Array.from(topK(s, k, ex)).filter((i) => s[i] > -2)
      expect(Array.from(topKOf(items, items.map((i) => s[i]), k, ex))).toEqual(expected)
    }
  })
})

describe("evaluateTopN", () => {
  // 25 items; user 0's truth {0, 5, 24}; user 3's truth = 12 items {0..11}.
  const truth: TestTruth = {
    users: Int32Array.from([0, 3]),
    indptr: Int32Array.from([0, 3, 15]),
    items: Int32Array.from([0, 5, 24, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
  }
  // Scores rank items by index descending from 24 for user 0 (ranks: 24 -> 1, 5 -> 20, 0 -> 25)
  // and ascending for user 3, except that item 0 ties with item 1 and wins on index.
  const score = (u: number) =>
    u === 0
      ? Float64Array.from({ length: 25 }, (_, i) => i)
      : Float64Array.from({ length: 25 }, (_, i) => (i === 0 ? -1 : -i))

  it("computes recall@20, NDCG@10, HR@10 and coverage@20 by hand", () => {
    const m = evaluateTopN(score, truth, 25)
    const d = (r: number) => 1 / Math.log2(r + 1)
    // User 0: top 20 = items 24..5 -> hits 24 (rank 1) and 5 (rank 20); recall 2/3.
    // NDCG: DCG = 1 / IDCG(3 positions). HR = 1.
    const ndcg0 = d(1) / (d(1) + d(2) + d(3))
    // User 3: top 20 = 0, 1, ..., 19 -> 12 hits of 12; ranks 1..10 all hits, ideal over 10 -> 1.
    expect(m.users).toBe(2)
    expect(m.recall20).toBeCloseTo((2 / 3 + 1) / 2, 12)
    expect(m.ndcg10).toBeCloseTo((ndcg0 + 1) / 2, 12)
    expect(m.hr10).toBe(1)
    // Lists cover 24..5 and 0..19: all 25 items.
    expect(m.coverage20).toBe(1)
    // Per user, in truth order: what a paired bootstrap resamples.
    const perUser: [number, number, number][] = []
    evaluateTopN(score, truth, 25, { onUser: (u, r, g) => perUser.push([u, r, g]) })
    expect(perUser).toEqual([
      [0, 2 / 3, ndcg0],
      [3, 1, 1],
    ])
  })

  it("removes excluded items before taking the top 20", () => {
    // User 0 bought items 10..23 before: its list becomes 24, 9, 8, ..., 0 (all 11 candidates).
    const rows = [...Array(14).keys()].map(() => 0)
    const cols = [...Array(14).keys()].map((k) => 10 + k)
    const exclude = csrFromTriples(4, 25, rows, cols)
    const lists: number[][] = []
    const m = evaluateTopN(score, { users: Int32Array.from([0]), indptr: Int32Array.from([0, 3]), items: Int32Array.from([0, 5, 24]) }, 25, {
      exclude,
      onList: (_, l) => lists.push(Array.from(l)),
    })
    expect(lists[0]).toEqual([24, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    const d = (r: number) => 1 / Math.log2(r + 1)
    expect(m.recall20).toBe(1)
    // Hits at ranks 1 and 6 in the top 10 (item 0 is at rank 11).
    expect(m.ndcg10).toBeCloseTo((d(1) + d(6)) / (d(1) + d(2) + d(3)), 12)
    expect(m.coverage20).toBe(11 / 25)
  })

  it("scores a user with no hit in the top 10 as HR 0", () => {
    const m = evaluateTopN(() => Float64Array.from({ length: 25 }, (_, i) => i), { users: Int32Array.from([1]), indptr: Int32Array.from([0, 1]), items: Int32Array.from([12]) }, 25)
    // Item 12 is at rank 13: a recall hit, no NDCG@10 or HR@10 hit.
    expect([m.recall20, m.ndcg10, m.hr10]).toEqual([1, 0, 0])
  })
})

describe("evaluateRanked", () => {
  it("gives evaluateTopN's metrics and lists from a model's recommend (hybrid over a sparse item-kNN), with and without exclusions", () => {
    // Seeded random purchases with a few popular items and many ties; truth: random later items.
    const rng = new Rng(11)
    const nUsers = 120
    const nItems = 70
    const buys: [number, number, number][] = []
    for (let u = 0; u < nUsers; u++) {
      const k = 1 + rng.nextInt(6)
      for (let b = 0; b < k; b++) buys.push([u, rng.next() < 0.3 ? rng.nextInt(6) : rng.nextInt(nItems), rng.nextInt(90)])
    }
    const data = interactions(nUsers, nItems, buys)
    const users = Array.from({ length: nUsers / 2 }, (_, k) => 2 * k)
    const indptr = [0]
    const items: number[] = []
    for (const _ of users) {
      const t = new Set(Array.from({ length: 1 + rng.nextInt(4) }, () => rng.nextInt(nItems)))
      items.push(...[...t].sort((a, b) => a - b))
      indptr.push(items.length)
    }
    const truth: TestTruth = { users: Int32Array.from(users), indptr: Int32Array.from(indptr), items: Int32Array.from(items) }
    const model = new HybridRecommender({ collaborative: { model: "item-knn", options: { neighbours: 5 } } }).fit(data)
    for (const exclude of [undefined, data.strength]) {
      const byScores: number[][] = []
      const byRank: number[][] = []
      const a = evaluateTopN((u) => model.scores(u), truth, nItems, { exclude, onList: (_, l) => byScores.push(Array.from(l)) })
      const b = evaluateRanked((u, n, ex) => model.recommend(u, n, ex), truth, nItems, { exclude, onList: (_, l) => byRank.push(Array.from(l)) })
      expect(byRank).toEqual(byScores)
      expect(b).toEqual(a)
      expect(a.ndcg10).toBeGreaterThan(0)
    }
  })
})
