import { IdIndex } from "../../data/id-index"
import { interactionsFromLines } from "../../data/interactions"
import type { PurchaseLine } from "../../data/purchase-line"
import { fromJsonSafe, toJsonSafe } from "../../serialize"
import type { SerializedModel } from "../recommender"
import { TrendingRecommender } from "../trending"

const DAY = 86_400_000
const T = Date.UTC(2026, 0, 31)
// a: one buyer a day ago; b: two buyers 20 days ago (one of them twice); c: a buyer 40 days ago.
const rows: [string, string, number][] = [
  ["u1", "a", 1],
  ["u2", "b", 20],
  ["u3", "b", 20],
  ["u3", "b", 25],
  ["u4", "c", 40],
]
const lines: PurchaseLine[] = rows.map(([customerId, productId, days], k) => ({
  orderId: `o${k}`,
  customerId,
  productId,
  quantity: 1,
  amount: 1,
  time: T - days * DAY,
}))
const data = interactionsFromLines(lines, IdIndex.fromIds(["u1", "u2", "u3", "u4"]), IdIndex.fromIds(["a", "b", "c"]), T)

describe("TrendingRecommender", () => {
  it("counts distinct recent buyers in the window", () => {
    const m = new TrendingRecommender({ windowDays: 30 }).fit(data)
    expect(Array.from(m.recentBuyers())).toEqual([1, 2, 0])
    expect(Array.from(m.recommend(0, 3))).toEqual([1, 0, 2])
  })

  it("with a half-life, weighs each buyer by the age of their latest purchase", () => {
    const m = new TrendingRecommender({ windowDays: 30, halfLifeDays: 7 }).fit(data)
    const [a, b, c] = m.recentBuyers()
    expect(a).toBeCloseTo(2 ** (-1 / 7), 12)
    expect(b).toBeCloseTo(2 * 2 ** (-20 / 7), 12)
    expect(c).toBe(0)
    expect(Array.from(m.recommend(0, 2))).toEqual([0, 1]) // this week's single buyer first
  })

  it("survives a serialization round trip, the infinite default half-life included", () => {
    for (const options of [{ windowDays: 30 }, { windowDays: 30, halfLifeDays: 7 }]) {
      const m = new TrendingRecommender(options).fit(data)
      const s = fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(m.serialize())))) as SerializedModel
      expect(Array.from(TrendingRecommender.deserialize(s).recentBuyers())).toEqual(Array.from(m.recentBuyers()))
    }
  })
})
