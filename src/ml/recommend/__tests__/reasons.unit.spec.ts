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
const explainer = new ReasonExplainer(data, (i) => `"${items.id(i)}"`, 30)
const u = (id: string) => users.indexOf(id)
const i = (id: string) => items.indexOf(id)

describe("ReasonExplainer", () => {
  it("explains an own repeat purchase with the mean interval in weeks", () => {
    expect(explainer.explain(u("u0"), i("a"))).toEqual({
      code: "buy_again",
      params: { orders: 3, every_weeks: 3 }, // (70 - 28) days / 2 intervals = 21 days
      text: "You buy this about every 3 weeks",
    })
    expect(explainer.explain(u("u0"), i("b"))).toEqual({
      code: "buy_again",
      params: { orders: 1, every_weeks: null },
      text: "You bought this before",
    })
  })

  it("names the own item that most of the item's buyers also bought", () => {
    // c's buyers u1 and u2 both bought b; none bought a.
    expect(explainer.explain(u("u0"), i("c"))).toEqual({
      code: "because_you_bought",
      params: { item: i("b"), co_buyers: 2 },
      text: 'Because you bought "b"',
    })
    expect(explainer.explain(u("u1"), i("d"))).toEqual(
      expect.objectContaining({ code: "because_you_bought", params: { item: i("b"), co_buyers: 1 } })
    )
  })

  it("falls back to trending for unknown customers and to popular for old items", () => {
    expect(explainer.explain(null, i("c"))).toEqual({
      code: "trending",
      params: { recent_buyers: 1, window_days: 30 }, // u2 on day -10; u1's day -40 is outside
      text: "Trending: 1 customer bought it in the last 30 days",
    })
    expect(explainer.explain(u("u0"), i("e"))).toEqual({
      code: "popular",
      params: { buyers: 1 },
      text: "Popular: bought by 1 customer",
    })
  })
})
