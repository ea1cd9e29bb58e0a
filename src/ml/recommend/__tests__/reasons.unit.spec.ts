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

describe("ReasonExplainer on many explanations in a row", () => {
  it("names the same own item and co-buyer count as counting each pair from scratch", () => {
    // A seeded random store: 60 customers, 25 products, up to 8 products each.
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const many: PurchaseLine[] = []
    for (let c = 0; c < 60; c++) {
      const n = 1 + Math.floor(random() * 8)
      for (let k = 0; k < n; k++) {
        many.push({ orderId: `o${c}_${k}`, customerId: `c${c}`, productId: `p${Math.floor(random() ** 2 * 25)}`, quantity: 1, amount: 1, time: T - (1 + k) * DAY })
      }
    }
    const users = IdIndex.fromIds(many.map((l) => l.customerId))
    const items = IdIndex.fromIds(many.map((l) => l.productId))
    const explainer = new ReasonExplainer(interactionsFromLines(many, users, items, T))
    const buyers = (item: number) => new Set(many.filter((l) => items.indexOf(l.productId) === item).map((l) => users.indexOf(l.customerId)))
    let checked = 0
    for (let u = 0; u < users.size; u++) {
      const own = [...new Set(many.filter((l) => users.indexOf(l.customerId) === u).map((l) => items.indexOf(l.productId)))].sort((a, b) => a - b)
      for (let i = 0; i < items.size; i++) {
        if (own.includes(i)) continue
        const of = buyers(i)
        let best = -1
        let bestCount = 0
        for (const o of own) {
          const count = [...buyers(o)].filter((v) => v !== u && of.has(v)).length
          if (count > bestCount) [best, bestCount] = [o, count]
        }
        const reason = explainer.explain(u, i)
        if (best < 0) expect(reason.code).not.toBe("because_you_bought")
        else expect(reason).toEqual({ code: "because_you_bought", params: { item: best, co_buyers: bestCount } })
        checked++
      }
    }
    expect(checked).toBeGreaterThan(1000)
  })
})
