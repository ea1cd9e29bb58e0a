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

  it("counts co-buyers across chunks of 32 own items, bit 31 and the next chunk's first included", () => {
    // x owns p00..p39. Buyers of p50 also bought p31 (twice as many as p05); of p51, p32; of p52,
    // p05 and p39 equally (the lower index wins).
    const buys: [string, string][] = Array.from({ length: 40 }, (_, k) => ["x", `p${String(k).padStart(2, "0")}`])
    for (const [others, pairs] of [
      [["a", "b"], ["p31", "p50"]],
      [["c"], ["p05", "p50"]],
      [["d", "e", "f"], ["p32", "p51"]],
      [["g", "h"], ["p05", "p52"]],
      [["g", "h"], ["p39", "p52"]],
    ] as [string[], string[]][]) {
      for (const o of others) for (const p of pairs) buys.push([o, p])
    }
    const lines: PurchaseLine[] = buys.map(([c, p], k) => ({ orderId: `o${k}`, customerId: c, productId: p, quantity: 1, amount: 1, time: T - DAY }))
    const us = IdIndex.fromIds(lines.map((l) => l.customerId))
    const its = IdIndex.fromIds(lines.map((l) => l.productId))
    const e = new ReasonExplainer(interactionsFromLines(lines, us, its, T))
    const because = (item: string, co_buyers: number) => ({ code: "because_you_bought", params: { item: its.indexOf(item), co_buyers } })
    expect(e.explainAll(us.indexOf("x"), ["p50", "p51", "p52"].map((p) => its.indexOf(p)))).toEqual([
      because("p31", 2),
      because("p32", 3),
      because("p05", 2),
    ])
  })
})

describe("ReasonExplainer on many explanations in a row", () => {
  it("names the same own item and co-buyer count as counting each pair from scratch", () => {
    // A seeded random store: 60 customers, 80 products, up to 8 products each, and 3 who
    // bought 70 (more than one chunk of 32 own items; explainAll).
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const many: PurchaseLine[] = []
    for (let c = 0; c < 63; c++) {
      const n = c < 60 ? 1 + Math.floor(random() * 8) : 70
      for (let k = 0; k < n; k++) {
        const product = c < 60 ? Math.floor(random() ** 2 * 80) : (k * 7 + c) % 80
        many.push({ orderId: `o${c}_${k}`, customerId: `c${c}`, productId: `p${product}`, quantity: 1, amount: 1, time: T - (1 + k) * DAY })
      }
    }
    const users = IdIndex.fromIds(many.map((l) => l.customerId))
    const items = IdIndex.fromIds(many.map((l) => l.productId))
    const explainer = new ReasonExplainer(interactionsFromLines(many, users, items, T))
    const buyers = (item: number) => new Set(many.filter((l) => items.indexOf(l.productId) === item).map((l) => users.indexOf(l.customerId)))
    let checked = 0
    for (let u = 0; u < users.size; u++) {
      const own = [...new Set(many.filter((l) => users.indexOf(l.customerId) === u).map((l) => items.indexOf(l.productId)))].sort((a, b) => a - b)
      // A whole list at once says what each item alone says.
      const all = Array.from({ length: items.size }, (_, i) => i)
      expect(explainer.explainAll(u, all)).toEqual(all.map((i) => explainer.explain(u, i)))
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
    expect(checked).toBeGreaterThan(3000)
  })
})
