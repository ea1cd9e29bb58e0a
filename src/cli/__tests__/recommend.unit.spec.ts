import type { PurchaseLine } from "../../ml/data/purchase-line"
import { runRecommend } from "../recommend"

const T = Date.UTC(2026, 0, 1)
const DAY = 86_400_000
// Everyone who bought a also bought b; c is bought by a newcomer only.
const lines: PurchaseLine[] = [
  ...["u1", "u2", "u3"].flatMap((u, k) => [
    { orderId: `${u}-1`, customerId: u, productId: "a", quantity: 1, amount: 1, time: T - (20 + k) * DAY },
    { orderId: `${u}-1`, customerId: u, productId: "b", quantity: 1, amount: 1, time: T - (20 + k) * DAY },
  ]),
  { orderId: "u4-1", customerId: "u4", productId: "a", quantity: 1, amount: 1, time: T - 5 * DAY },
  { orderId: "u5-1", customerId: "u5", productId: "c", quantity: 1, amount: 1, time: T - 2 * DAY },
]

function run(args: string[], titles = new Map<string, string>()) {
  const out: string[] = []
  const err: string[] = []
  const code = runRecommend(["--data", "x", ...args], {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    load: () => ({ lines, titles }),
  })
  return { code, out: out.join(""), err: err.join("") }
}

describe("medusa-personalization recommend", () => {
  it("recommends what co-buyers bought, with the reason, as JSON", () => {
    const { code, out } = run(["--customer", "u4", "--exclude-purchased", "--n", "1", "--json"])
    expect(code).toBe(0)
    expect(JSON.parse(out).recommendations).toEqual([
      {
        rank: 1,
        product_id: "b",
        title: null,
        reason: { code: "because_you_bought", params: { product_id: "a" }, text: "Because you bought a" },
      },
    ])
  })

  it("gives an unknown customer trending products", () => {
    const { code, out, err } = run(["--customer", "nobody", "--n", "1", "--json"])
    expect(code).toBe(0)
    expect(err).toContain('customer "nobody" has no purchases')
    // The cutoff defaults to just after the last line (day -2): a's four buyers are all recent.
    expect(JSON.parse(out).recommendations[0]).toEqual({
      rank: 1,
      product_id: "a",
      title: null,
      reason: { code: "trending", params: { recent_buyers: 4, window_days: 30 }, text: "Trending: 4 customers bought it in the last 30 days" },
    })
  })

  it("refuses bad input with exit code 2 and a message naming the problem", () => {
    expect(run(["--n", "3"])).toEqual(expect.objectContaining({ code: 2, err: expect.stringContaining("--customer or --product") }))
    expect(run(["--customer", "u1", "--n", "0"])).toEqual(expect.objectContaining({ code: 2, err: expect.stringContaining("--n must be") }))
    expect(run(["--customer", "u1", "--bogus"])).toEqual(expect.objectContaining({ code: 2 }))
  })
})

describe("medusa-personalization recommend --product", () => {
  it("lists what shares orders with the product first, then related products", () => {
    const { code, out } = run(["--product", "a", "--n", "2", "--json"])
    expect(code).toBe(0)
    const [first] = JSON.parse(out).recommendations
    // a and b share the orders of u1, u2 and u3.
    expect(first).toEqual({
      rank: 1,
      product_id: "b",
      title: null,
      reason: { code: "bought_together", params: { product_id: "a" }, text: "Often bought together with a" },
    })
  })
})

describe("medusa-personalization recommend with product titles", () => {
  it("names products by their title, in the table and in the reasons", () => {
    const { code, out } = run(["--customer", "u4", "--n", "2"], new Map([["a", "Apple mug"], ["b", "Blue spoon"]]))
    expect(code).toBe(0)
    expect(out.split("\n")[0]).toMatch(/^ {2}1 {2}Apple mug \(a\) +You bought this before$/)
    expect(out.split("\n")[1]).toMatch(/^ {2}2 {2}Blue spoon \(b\) +Because you bought Apple mug$/)
  })
})
