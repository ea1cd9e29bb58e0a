import { coldItemSplit, evaluateColdItems, newestFirstColdScores } from "../../evaluation/cold-items"
import type { PurchaseLine } from "../../data/purchase-line"
import { coldItemPicks, coldMask, interleave } from "../cold-items"
import { ContentIndex, tokenize } from "../content"
import { productStrips, stripOverlap } from "../strips"
import { topK } from "../top-k"

const DAY = 86_400_000
const T = Date.UTC(2011, 5, 1)

describe("ContentIndex", () => {
  it("computes TF-IDF cosines of three products by hand", () => {
    // Words: red (2 products), lunch (2), bag (2), pink (1), candle (1); N = 3.
    const index = ContentIndex.fit(
      [
        { id: "A", title: "Red lunch bag" },
        { id: "B", title: "Pink LUNCH bag" },
        { id: "C", title: "red candle" },
      ],
      { maxDocumentShare: 1 }
    )
    expect(index.vocabulary).toEqual(["bag", "candle", "lunch", "pink", "red"])
    const a = Math.log(4 / 3) + 1 // idf of a word in 2 of 3 products
    const b = Math.log(4 / 2) + 1 // in 1 of 3
    const ab = (2 * a * a) / (Math.sqrt(3 * a * a) * Math.sqrt(2 * a * a + b * b))
    const ac = (a * a) / (Math.sqrt(3 * a * a) * Math.sqrt(a * a + b * b))
    expect(index.cosine(0, 1)).toBeCloseTo(ab, 6)
    expect(index.cosine(0, 2)).toBeCloseTo(ac, 6)
    expect(index.cosine(1, 2)).toBe(0)
    expect(ab).toBeCloseTo(0.597968, 5)
    expect(Array.from(index.similarities(0)).map((v) => +v.toFixed(6))).toEqual([1, +ab.toFixed(6), +ac.toFixed(6)])
    expect(Array.from(index.similar(0, 5))).toEqual([1, 2])
    expect(Array.from(index.similar(1, 5))).toEqual([0])
  })

  it("lists the same most similar products as ranking every product's cosine, exclusions included", () => {
    let seed = 3
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const words = ["oak", "linen", "lamp", "bowl", "blue", "amber", "wool", "glass", "chair", "towel", "sand", "rose"]
    const products = Array.from({ length: 40 }, (_, k) => ({ id: `p${k}`, title: Array.from({ length: 1 + Math.floor(random() * 4) }, () => words[Math.floor(random() * words.length)]).join(" ") }))
    const index = ContentIndex.fit(products, { maxDocumentShare: 1 })
    for (let a = 0; a < products.length; a++) {
      const cos = index.similarities(a)
      const exclude = Uint8Array.from(products, () => (random() < 0.2 ? 1 : 0))
      for (const n of [1, 5, 40]) {
        const mask = Uint8Array.from(exclude)
        mask[a] = 1
        const expected = Array.from(topK(cos, n, mask)).filter((j) => cos[j] > 0)
        expect(Array.from(index.similar(a, n, exclude))).toEqual(expected)
      }
      for (let b = 0; b < products.length; b++) expect(cos[b]).toBeCloseTo(index.cosine(a, b), 12)
    }
  })

  it("looks for similar products through words of at most searchMaxProducts products, and counts every word in the cosine", () => {
    // "oak" is in 6 products, "lamp" in 2.
    const products = [
      { id: "p0", title: "oak lamp" },
      ...[1, 2, 3, 4, 5].map((k) => ({ id: `p${k}`, title: `oak chair${k}` })),
      { id: "p6", title: "lamp bowl" },
      ...Array.from({ length: 10 }, (_, k) => ({ id: `q${k}`, title: `towel${k}` })),
    ]
    const all = ContentIndex.fit(products)
    const narrow = ContentIndex.fit(products, { searchMaxProducts: 3 })
    expect(Array.from(all.similar(0, 10)).map((j) => products[j].id).sort()).toEqual(["p1", "p2", "p3", "p4", "p5", "p6"])
    expect(Array.from(narrow.similar(0, 10)).map((j) => products[j].id)).toEqual(["p6"])
    expect(narrow.cosine(0, 1)).toBe(all.cosine(0, 1))
    expect(narrow.cosine(0, 1)).toBeGreaterThan(0)
    expect(() => ContentIndex.fit(products, { searchMaxProducts: 0 })).toThrow(/searchMaxProducts/)
  })

  it("reads every field, drops stop words and too-common words, and finds neighbours like a brute-force search", () => {
    expect(tokenize("Set of 4 Café-Tins, a 2-pack!")).toEqual(["set", "of", "café", "tins", "pack"])
    const products = [
      { id: "p1", title: "Ceramic mug", categories: ["Kitchen"], tags: ["blue"] },
      { id: "p2", title: "Tea mug", collection: "Kitchen", type: "Mug" },
      { id: "p3", title: "Wool scarf", tags: ["blue", "winter"] },
      { id: "p4", description: "A scarf for winter", categories: ["Clothing"] },
      { id: "p5", title: "The set of the pack" },
    ]
    const index = ContentIndex.fit(products)
    // "mug" is in 2 of 5 products (kept at share 0.5); stop words leave p5 without words.
    expect(index.vocabulary).toContain("mug")
    expect(index.vectors.indptr[5] - index.vectors.indptr[4]).toBe(0)
    const nb = index.neighbours(2)
    for (let a = 0; a < products.length; a++) {
      const brute = products
        .map((_, b) => [b, b === a ? 0 : index.cosine(a, b)] as const)
        .filter(([, v]) => v > 0)
        .sort((x, y) => y[1] - x[1] || x[0] - y[0])
        .slice(0, 2)
        .map(([b]) => b)
        .sort((x, y) => x - y)
      expect(Array.from(nb.indices.subarray(nb.indptr[a], nb.indptr[a + 1]))).toEqual(brute)
    }
    expect(Array.from(index.similar(2, 1))).toEqual([3])
    expect(() => ContentIndex.fit([{ id: "x" }, { id: "x" }])).toThrow(/twice/)
  })
})

describe("cold items", () => {
  // Known answer: two families (lunch bags, candles). Before T, customer c1 buys lunch bags,
  // c2 candles. After T two new products sell: a lunch bag (L9) and a candle (C9); each customer
  // buys the new one of their family, and c3 (unknown before T) buys both.
  const texts = [
    { id: "L1", title: "lunch bag red" },
    { id: "L2", title: "lunch bag blue" },
    { id: "C1", title: "scented candle rose" },
    { id: "C2", title: "scented candle vanilla" },
    { id: "L9", title: "lunch bag green" },
    { id: "C9", title: "scented candle jasmine" },
  ]
  const lines: PurchaseLine[] = []
  const buy = (c: string, p: string, days: number) => lines.push({ orderId: `${c}-${p}-${days}`, customerId: c, productId: p, quantity: 1, amount: 1, time: T + days * DAY })
  buy("c1", "L1", -10)
  buy("c1", "L2", -5)
  buy("c2", "C1", -8)
  buy("c2", "C2", -3)
  buy("c1", "L9", 2)
  buy("c2", "C9", 4)
  buy("c3", "L9", 1)
  buy("c3", "C9", 1)

  it("builds the truth from products first sold after the cutoff, for customers known before it", () => {
    const s = coldItemSplit(lines, T, T + 30 * DAY)
    expect(s.items.ids).toEqual(["C9", "L9"])
    expect(s.users.ids).toEqual(["c1", "c2"])
    expect(Array.from(s.truth.users)).toEqual([0, 1])
    expect(Array.from(s.truth.items)).toEqual([1, 0])
    expect(s.history.get("c1")).toEqual(["L1", "L2"])
  })

  it("ranks each customer's new product first by text, where newest-first by code cannot", () => {
    const s = coldItemSplit(lines, T, T + 30 * DAY)
    const index = ContentIndex.fit(texts, { maxDocumentShare: 1 })
    const cold = Int32Array.from(s.items.ids, (id) => index.indexOf(id))
    const content = (u: number) => {
      const all = index.historyScores(s.history.get(s.users.id(u))!.map((id) => index.indexOf(id)))
      return Float64Array.from(cold, (j) => all[j])
    }
    const m = evaluateColdItems(content, s)
    expect([m.recall20, m.ndcg10, m.hr10]).toEqual([1, 1, 1])
    // Newest first puts L9 (the higher code) first for both: c2's candle comes second.
    const d = 1 / Math.log2(3)
    const nf = evaluateColdItems(newestFirstColdScores(s), s)
    expect(nf.recall20).toBe(1)
    expect(nf.ndcg10).toBeCloseTo((1 + d) / 2, 12)
    // The store side: c1's history picks the new lunch bag among products with < 1 buyer.
    const mask = coldMask(index, new Map([["L1", 1], ["L2", 1], ["C1", 1], ["C2", 1]]), 1)
    expect(Array.from(coldItemPicks(index, [index.indexOf("L1"), index.indexOf("L2")], mask, { n: 2 }), (j) => index.ids[j])).toEqual(["L9"])
  })

  it("interleaves picks at fixed slots without repeating items", () => {
    expect(interleave(["a", "b", "c", "d", "e", "f"], ["x", "c", "y"], { first: 1, every: 3 })).toEqual(["a", "x", "b", "c", "y", "d"])
    expect(interleave(["a", "b"], ["x"], { first: 5 })).toEqual(["a", "b"])
    expect(interleave(["a", "b"], ["x"], { first: 2, keepLength: false })).toEqual(["a", "b", "x"])
  })
})

describe("productStrips", () => {
  it("fills related with look-alikes and bought together with complements", () => {
    // Orders hold two colours of a lunch bag with a lunch box or a bottle: plain co-orders put
    // another lunch bag in both strips.
    const texts = [
      { id: "bag-red", title: "lunch bag red" },
      { id: "bag-blue", title: "lunch bag blue" },
      { id: "bag-pink", title: "lunch bag pink" },
      { id: "box", title: "lunch box tin" },
      { id: "bottle", title: "water bottle" },
      { id: "bag-new", title: "lunch bag green" },
    ]
    const lines: PurchaseLine[] = []
    const order = (o: string, c: string, items: string[]) => items.forEach((p) => lines.push({ orderId: o, customerId: c, productId: p, quantity: 1, amount: 1, time: T }))
    order("o1", "c1", ["bag-red", "bag-blue", "box", "bottle"])
    order("o2", "c2", ["bag-red", "bag-pink", "box", "bottle"])
    order("o3", "c3", ["bag-blue", "bag-red"])
    // Related (0.7 x text + 0.3 x purchase cosine): bag-blue 0.51, bag-pink 0.44, box 0.34.
    // Bought together: bottle 0.82, box 0.82 x (1 - 0.14)^2 = 0.61, bag-blue 0.82 x (1 - 0.38)^2 = 0.31.
    const options = { size: 2, contentWeight: 0.7, content: { maxDocumentShare: 1 } }
    const s = productStrips(lines, texts, options)
    const name = (a: number) => s.ids[a]
    const red = s.ids.indexOf("bag-red")
    expect(Array.from(s.related[red], name)).toEqual(["bag-blue", "bag-pink"])
    expect(Array.from(s.boughtTogether[red], name)).toEqual(["bottle", "box"])
    // A product without a sale still has a related strip (from its text), and no bought-together.
    const fresh = s.ids.indexOf("bag-new")
    expect(s.related[fresh].length).toBe(2)
    expect(s.boughtTogether[fresh].length).toBe(0)
    expect(stripOverlap(s, 2, [red])).toEqual({ shared: 0, total: 2, share: 0 })
    // Plain co-orders: bag-blue, box and bottle tie at 2 / sqrt(6); the lower index, bag-blue, comes first.
    const plain = productStrips(lines, texts, { ...options, complementPenalty: 0 })
    expect(Array.from(plain.boughtTogether[red], name)).toEqual(["bag-blue", "box"])
    expect(stripOverlap(plain, 2, [red])).toEqual({ shared: 1, total: 2, share: 0.5 })
    const disjoint = productStrips(lines, texts, { ...options, complementPenalty: 0, disjoint: true })
    expect(Array.from(disjoint.boughtTogether[red], name)).toEqual(["box", "bottle"])
  })
})
