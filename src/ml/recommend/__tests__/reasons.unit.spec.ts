import { IdIndex } from "../../data/id-index"
import { interactionsFromLines } from "../../data/interactions"
import type { PurchaseLine } from "../../data/purchase-line"
import { ReasonExplainer } from "../reasons"

const DAY = 86_400_000
const T = Date.UTC(2026, 5, 1)

// u0 bought a three times, 2 and 4 weeks apart, and b once; u1 and u2 bought b with c;
// u2 also bought d; e was bought by u3 only, 100 days ago; c was bought recently.
const rows: [string, string, string, number][] = [
  ["o1", "u0", "a", -70],
  ["o2", "u0", "a", -56],
  ["o3", "u0", "a", -28],
  ["o3", "u0", "b", -28],
  ["o4", "u1", "b", -40],
  ["o4", "u1", "c", -40],
  ["o5", "u2", "b", -10],
  ["o5", "u2", "c", -10],
  ["o6", "u2", "d", -10],
  ["o7", "u3", "e", -100],
]
const lines: PurchaseLine[] = rows.map(([orderId, customerId, productId, days]) => ({
  orderId,
  customerId,
  productId,
  quantity: 1,
  amount: 1,
  time: T + days * DAY,
}))
const users = IdIndex.fromIds(lines.map((l) => l.customerId))
const items = IdIndex.fromIds(lines.map((l) => l.productId))
const data = interactionsFromLines(lines, users, items, T)
const explainer = new ReasonExplainer(data, 30)
const u = (id: string) => users.indexOf(id)
const i = (id: string) => items.indexOf(id)

describe("ReasonExplainer", () => {
  it("explains an own repeat purchase with the mean interval in days", () => {
    expect(explainer.explain(u("u0"), i("a"))).toEqual({
      code: "buy_again",
      params: { orders: 3, every_days: 21 }, // (70 - 28) days / 2 intervals
    })
    expect(explainer.explain(u("u0"), i("b"))).toEqual({ code: "buy_again", params: { orders: 1, every_days: null } })
  })

  it("names the own item that most of the item's buyers also bought", () => {
    // c's buyers u1 and u2 both bought b; none bought a.
    expect(explainer.explain(u("u0"), i("c"))).toEqual({ code: "because_you_bought", params: { item: i("b"), co_buyers: 2 } })
    expect(explainer.explain(u("u1"), i("d"))).toEqual(
      expect.objectContaining({ code: "because_you_bought", params: { item: i("b"), co_buyers: 1 } })
    )
  })

  it("falls back to trending for unknown customers and to popular for old items", () => {
    expect(explainer.explain(null, i("c"))).toEqual({
      code: "trending",
      params: { recent_buyers: 1, window_days: 30 }, // u2 on day -10; u1's day -40 is outside
    })
    expect(explainer.explain(u("u0"), i("e"))).toEqual({ code: "popular", params: { buyers: 1 } })
    expect([explainer.buyersOf(i("b")), explainer.recentBuyersOf(i("b")), explainer.recentBuyersOf(i("e"))]).toEqual([3, 2, 0]) // b: u0 (day -28) and u2 (day -10) in the window, u1 (day -40) not
  })
})
