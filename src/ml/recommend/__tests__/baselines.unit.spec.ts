import { fromJsonSafe, toJsonSafe } from "../../serialize"
import { BuyAgainRecommender } from "../buy-again"
import { PopularityRecommender } from "../popularity"
import type { SerializedModel } from "../recommender"
import { interactions } from "./fixtures"

// 4 users, 5 items. Buyers per item: 0 -> 3, 1 -> 1, 2 -> 3, 3 -> 0, 4 -> 2.
// User 0 bought item 1 three times, item 4 twice, items 0 and 2 once each.
const data = interactions(4, 5, [
  [0, 1],
  [0, 1],
  [0, 1],
  [0, 4],
  [0, 4],
  [0, 0],
  [0, 2],
  [1, 0],
  [1, 2],
  [2, 0],
  [2, 2],
  [2, 4],
])

const roundTrip = (s: SerializedModel) => fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(s)))) as SerializedModel

describe("PopularityRecommender", () => {
  const m = new PopularityRecommender().fit(data)

  it("scores items by distinct buyers, ties by index", () => {
    expect(Array.from(m.scores(0))).toEqual([3, 1, 3, 0, 2])
    expect(Array.from(m.recommend(3, 5))).toEqual([0, 2, 4, 1, 3])
    expect(Array.from(m.recommend(3, 2, [0]))).toEqual([2, 4])
    expect(Array.from(m.similarItems(2, 2))).toEqual([0, 4])
  })

  it("knows users with history only", () => {
    expect([0, 1, 2, 3, 4, -1].map((u) => m.isUserKnown(u))).toEqual([true, true, true, false, false, false])
  })

  it("survives a serialization round trip", () => {
    const back = PopularityRecommender.deserialize(roundTrip(m.serialize()))
    expect(Array.from(back.scores(1))).toEqual(Array.from(m.scores(1)))
    expect(() => BuyAgainRecommender.deserialize(m.serialize())).toThrow(/expected a "personalization.recommender.buy-again"/)
  })
})

describe("BuyAgainRecommender", () => {
  const m = new BuyAgainRecommender().fit(data)

  it("puts own items first by strength, then popularity, then the rest by popularity", () => {
    // Own: 1 (strength 3), 4 (2), then 0 and 2 (1 each, both 3 buyers: index order); then 3.
    expect(Array.from(m.recommend(0, 5))).toEqual([1, 4, 0, 2, 3])
    // User 2 owns 0, 2, 4 once each: by popularity 0 (3), 2 (3), 4 (2); then 1 (1), 3 (0).
    expect(Array.from(m.recommend(2, 5))).toEqual([0, 2, 4, 1, 3])
    // A user without history gets popularity.
    expect(Array.from(m.recommend(3, 5))).toEqual([0, 2, 4, 1, 3])
  })

  it("survives a serialization round trip", () => {
    const back = BuyAgainRecommender.deserialize(roundTrip(m.serialize()))
    for (let u = 0; u < 4; u++) expect(Array.from(back.scores(u))).toEqual(Array.from(m.scores(u)))
  })
})
