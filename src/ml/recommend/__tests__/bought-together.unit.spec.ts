import { IdIndex } from "../../data/id-index"
import type { PurchaseLine } from "../../data/purchase-line"
import { fromJsonSafe, toJsonSafe } from "../../serialize"
import { BoughtTogether, basketsFromLines } from "../bought-together"
import type { SerializedModel } from "../recommender"

// Baskets: {a,b}, {a,b,c}, {a,c}, {b,d}, {a,b}; e alone.
const baskets = [["a", "b"], ["a", "b", "c"], ["a", "c"], ["b", "d"], ["a", "b"], ["e"]]
const lines: PurchaseLine[] = baskets.flatMap((items, o) =>
  items.map((productId) => ({ orderId: `o${o}`, customerId: `u${o % 2}`, productId, quantity: 1, amount: 1, time: o }))
)
const items = IdIndex.fromIds(["a", "b", "c", "d", "e"])
const [a, b, c, d, e] = [0, 1, 2, 3, 4]

describe("BoughtTogether", () => {
  it("builds binary baskets, one row per order", () => {
    const m = basketsFromLines([...lines, { ...lines[0] }], items) // a duplicate line counts once
    expect(m.nRows).toBe(6)
    expect(Array.from(m.indices.subarray(m.indptr[1], m.indptr[2]))).toEqual([a, b, c])
    expect(Array.from(m.data)).toEqual(new Array(m.data.length).fill(1))
  })

  it("ranks by shared orders over sqrt(orders x orders), dropping pairs below minCoOrders", () => {
    const model = new BoughtTogether({ minCoOrders: 2 }).fit(basketsFromLines(lines, items))
    // a: 4 orders, b: 4, c: 2. a-b share 3 -> 3/4; a-c share 2 -> 2/sqrt(8); b-c share 1 (dropped).
    expect(model.score(a, b)).toBeCloseTo(0.75, 6)
    expect(model.score(a, c)).toBeCloseTo(2 / Math.sqrt(8), 6)
    expect(model.score(b, c)).toBe(0)
    expect(Array.from(model.similarItems(a, 5))).toEqual([b, c])
    expect(Array.from(model.similarItems(c, 5))).toEqual([a])
    expect(Array.from(model.similarItems(e, 5))).toEqual([])
    // With one shared order enough, b-d (1 of b's 4, d's 1) enters: 1/2.
    const loose = new BoughtTogether({ minCoOrders: 1 }).fit(basketsFromLines(lines, items))
    expect(Array.from(loose.similarItems(d, 5))).toEqual([b])
    expect(loose.score(d, b)).toBeCloseTo(0.5, 6)
  })

  it("keeps at most `neighbours` per item and survives a serialization round trip", () => {
    const model = new BoughtTogether({ neighbours: 1, minCoOrders: 1 }).fit(basketsFromLines(lines, items))
    expect(Array.from(model.similarItems(a, 5))).toEqual([b])
    const s = fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(model.serialize())))) as SerializedModel
    const back = BoughtTogether.deserialize(s)
    for (let i = 0; i < 5; i++) expect(Array.from(back.similarItems(i, 5))).toEqual(Array.from(model.similarItems(i, 5)))
  })
})
