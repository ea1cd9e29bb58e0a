import type { PurchaseLine } from "../../data/purchase-line"
import type { ProductText } from "../../recommend/content"
import { type PackedListBatch, REASON_CODE, decodeList, reasonCodeName } from "../../recommend/packed-lists"
import { transferableBuffers } from "../../worker/start-worker"
import { IdIndex } from "../../data/id-index"
import { interactionsFromLines } from "../../data/interactions"
import { columnsFromLines, interactionsFromColumns, seenBefore } from "../../data/purchase-columns"
import { similarityStateOf } from "../training"
import { SimilarityStateReader, similarityStateParts } from "../similarity-state"
import { type HybridOptions, HybridRecommender } from "../../recommend/hybrid"
import {
  EASE_MAX_ITEMS,
  type HoldoutEvaluation,
  type TrainingOutput,
  LIST_BATCH_SIZE,
  type TrainingPlan,
  decideActivation,
  defaultRecipe,
  recipeFor,
  ITEM_KNN_NEIGHBOURS,
  type SimilarityState,
  refreshTraining,
  runTraining,
  runTrainingShard,
  runTrainingToEnd,
  sameRecipe,
} from "../training"

const DAY = 86_400_000
const AS_OF = Date.UTC(2026, 10, 1)

function line(order: string, customer: string, product: string, daysAgo: number): PurchaseLine {
  return { orderId: order, customerId: customer, productId: product, quantity: 1, amount: 10, time: AS_OF - daysAgo * DAY }
}

/**
 * 40 customers: those of block "a" buy a1 and a2 together, then a3 later; block "b" the same
 * with b-products. Half of each block buy their third product inside the 30-day holdout.
 * Customer "solo" bought a1 only (long ago, but inside the active window).
 */
function store(): PurchaseLine[] {
  const lines: PurchaseLine[] = []
  for (let c = 0; c < 40; c++) {
    const block = c % 2 === 0 ? "a" : "b"
    const id = `c${String(c).padStart(2, "0")}`
    lines.push(line(`o${c}-1`, id, `${block}1`, 200 - c), line(`o${c}-1`, id, `${block}2`, 200 - c))
    lines.push(line(`o${c}-2`, id, `${block}3`, c < 20 ? 10 : 100))
  }
  // A product 12 new customers bought in the last week: trending, unknown to the holdout's training data.
  for (let c = 0; c < 12; c++) lines.push(line(`p${c}`, `p${c}`, "pop", 5))
  lines.push(line("s1", "solo", "a1", 300))
  return lines
}

const PLAN: TrainingPlan = {
  candidate: { model: "item-knn" },
  active: null,
  asOf: AS_OF,
  holdoutDays: 30,
  activeDays: 365,
  listSize: 5,
  relatedSize: 3,
  minTestCustomers: 5,
  margin: 0.01,
}

type ReadList = { kind: string; subject: string; products: string[]; reasons: string[]; anchors: (string | null)[] }

/** Every list of a run, decoded back to product ids. */
/**
 * Lists of a run, decoded. `moved`: each output's buffers are transferred away as soon as it is
 * yielded (emptied on the run's side), as the worker posts them to its parent.
 */
function trainLists(lines: PurchaseLine[], plan: TrainingPlan, texts: ProductText[] = [], { moved = false, shard = { index: 0, count: 1 } } = {}) {
  const move = (o: TrainingOutput) => structuredClone(o, { transfer: transferableBuffers(o) })
  const { summary, products, batches } = runTrainingToEnd(lines, plan, texts, moved ? move : undefined, shard)
  return { summary, products, lists: decoded(batches, products?.ids ?? []) }
}

function decoded(batches: readonly PackedListBatch[], ids: readonly string[]): ReadList[] {
  const lists: ReadList[] = []
  for (const batch of batches) {
    batch.subjects.forEach((subject, i) => {
      const d = decodeList(batch.bytes.subarray(batch.offsets[i], batch.offsets[i + 1]))
      const id = (k: number) => ids[k]
      lists.push({
        kind: batch.kind,
        subject,
        products: Array.from(d.items, id),
        reasons: Array.from(d.codes, reasonCodeName),
        anchors: Array.from(d.anchors, (a) => (a < 0 ? null : id(a))),
      })
    })
  }
  return lists
}

const metrics = (ndcg10: number) => ({ recall20: 0, ndcg10, hr10: 0, coverage20: 0 })
const evaluation = (candidate: number, active: number | null, popularity: number, customers = 100): HoldoutEvaluation => ({
  holdout_start: 0,
  test_customers: customers,
  candidate: metrics(candidate),
  active: active === null ? null : metrics(active),
  popularity: metrics(popularity),
})

describe("decideActivation", () => {
  const hybrid = { model: "hybrid" as const }
  const ease = { model: "ease" as const, options: { lambda: 100 } }

  it("needs enough test customers before deciding anything", () => {
    expect(decideActivation(evaluation(0.9, null, 0.1, 4), { ...PLAN, minTestCustomers: 5 })).toEqual({
      activate: false,
      reason: "too few test customers: 4 (5 needed)",
    })
  })

  it("activates a first version only when it beats popularity", () => {
    expect(decideActivation(evaluation(0.3, null, 0.2), { ...PLAN, candidate: hybrid }).activate).toBe(true)
    expect(decideActivation(evaluation(0.2, null, 0.2), { ...PLAN, candidate: hybrid }).activate).toBe(false)
  })

  it("replaces another active recipe only past the margin", () => {
    const plan = { ...PLAN, candidate: ease, active: hybrid, margin: 0.1 }
    expect(decideActivation(evaluation(0.33, 0.3, 0.1), plan).activate).toBe(false) // 0.33 = 0.3 x 1.1, not above
    expect(decideActivation(evaluation(0.331, 0.3, 0.1), plan).activate).toBe(true)
    expect(decideActivation(evaluation(0.2, 0.3, 0.1), plan).reason).toMatch(/does not beat the active version's 0.3000 by 10.0 %/)
  })

  it("refreshes the active recipe on newer data when it scores at least as well and still beats popularity", () => {
    const plan = { ...PLAN, candidate: hybrid, active: { model: "hybrid" as const, options: {} } }
    expect(decideActivation(evaluation(0.3, 0.3, 0.1), plan)).toMatchObject({ activate: true })
    expect(decideActivation(evaluation(0.29, 0.3, 0.1), plan).activate).toBe(false)
    expect(decideActivation(evaluation(0.3, 0.3, 0.3), plan)).toEqual({ activate: false, reason: "NDCG@10 0.3000 does not beat popularity 0.3000" })
  })

  it("compares recipes by model and options, whatever the key order", () => {
    expect(sameRecipe({ model: "ease", options: { lambda: 1, scoreWeighting: { kind: "binary" } } }, { model: "ease", options: { scoreWeighting: { kind: "binary" }, lambda: 1 } })).toBe(true)
    expect(sameRecipe({ model: "ease", options: { lambda: 1 } }, { model: "ease", options: { lambda: 2 } })).toBe(false)
    expect(sameRecipe({ model: "ease" }, null)).toBe(false)
  })
})

describe("defaultRecipe", () => {
  it("uses EASE up to its product limit and item-kNN above", () => {
    expect(defaultRecipe(EASE_MAX_ITEMS)).toEqual({ model: "hybrid", options: {} })
    expect(defaultRecipe(EASE_MAX_ITEMS + 1)).toEqual({
      model: "hybrid",
      options: { collaborative: { model: "item-knn", options: { neighbours: ITEM_KNN_NEIGHBOURS } } },
    })
  })

  it("keeps a requested item-kNN sparse above EASE's limit, and every other request as it is", () => {
    expect(recipeFor(undefined, 100)).toEqual(defaultRecipe(100))
    expect(recipeFor({ model: "item-knn", options: {} }, EASE_MAX_ITEMS)).toEqual({ model: "item-knn", options: {} })
    expect(recipeFor({ model: "item-knn", options: {} }, EASE_MAX_ITEMS + 1)).toEqual({ model: "item-knn", options: { neighbours: ITEM_KNN_NEIGHBOURS } })
    expect(recipeFor({ model: "item-knn", options: { neighbours: 30 } }, 100_000)).toEqual({ model: "item-knn", options: { neighbours: 30 } })
    expect(recipeFor({ model: "als", options: {} }, 100_000)).toEqual({ model: "als", options: {} })
  })

  it("fits above EASE's limit at a catalogue size where a dense item x item matrix cannot be allocated", () => {
    // 70,000 products: a dense item-kNN would need 4.9e9 float32 entries, past the typed-array
    // length limit (2^32), as the 100,000 products of bench:lines were.
    const nProducts = 70_000
    const lines: PurchaseLine[] = []
    for (let i = 0; i < nProducts; i++) {
      for (const c of [i % 500, (i * 7 + 3) % 500]) {
        lines.push({ orderId: `o${c}_${i % 3}`, customerId: `c${c}`, productId: `p${i}`, quantity: 1, amount: 1, time: Date.UTC(2026, 0, 1 + (i % 28)) })
      }
    }
    const users = IdIndex.fromIds(lines.map((l) => l.customerId))
    const items = IdIndex.fromIds(lines.map((l) => l.productId))
    const data = interactionsFromLines(lines, users, items, Date.UTC(2026, 1, 1))
    const recipe = defaultRecipe(items.size)
    expect(recipe.model).toBe("hybrid")
    const model = new HybridRecommender(recipe.options as HybridOptions).fit(data)
    const scores = model.scores(users.indexOf("c0"))
    expect(scores.length).toBe(nProducts)
    // c0 shares customers with others through products bought by two customers: some product it
    // did not buy gets a collaborative score.
    const bought = new Set(lines.filter((l) => l.customerId === "c0").map((l) => items.indexOf(l.productId)))
    expect(scores.some((v, j) => v > 0 && !bought.has(j))).toBe(true)
  })
})

describe("runTraining", () => {
  it("evaluates on the holdout, activates a co-purchase model over popularity and precomputes lists", () => {
    const { summary, products, lists } = trainLists(store(), PLAN)
    expect(summary.evaluation.test_customers).toBe(20)
    expect(summary.evaluation.candidate.ndcg10).toBeGreaterThan(summary.evaluation.popularity.ndcg10)
    expect(summary.decision.activate).toBe(true)
    // 40 block customers, 12 buyers of "pop" and solo; a1-a2 and b1-b2 were the only pairs in one order.
    expect(summary.lists).toMatchObject({ customer: 53, trending: 1, bought_together: 4 })

    // The product table: sorted ids, distinct buyers, buyers in the last 30 days.
    expect(products?.ids).toEqual(["a1", "a2", "a3", "b1", "b2", "b3", "pop"])
    expect(Array.from(products!.buyers)).toEqual([21, 20, 20, 20, 20, 20, 12])
    expect(Array.from(products!.recentBuyers)).toEqual([0, 0, 10, 0, 0, 10, 12])

    // "solo" bought a1 only: a1's co-buyers bought a2 and a3, explained by a1.
    const solo = lists.find((l) => l.kind === "customer" && l.subject === "solo")!
    expect(solo.products.slice(0, 3).sort()).toEqual(["a1", "a2", "a3"])
    const a2 = solo.products.indexOf("a2")
    expect([solo.reasons[a2], solo.anchors[a2]]).toEqual(["because_you_bought", "a1"])
    expect([solo.reasons[solo.products.indexOf("a1")], solo.anchors[solo.products.indexOf("a1")]]).toEqual(["buy_again", null])
    expect(new Set(solo.products).size).toBe(solo.products.length) // no repeats

    const related = lists.find((l) => l.kind === "related" && l.subject === "a1")!
    expect(related.products.slice(0, 2).sort()).toEqual(["a2", "a3"])
    expect(new Set(related.reasons)).toEqual(new Set(["related"]))
    const together = lists.find((l) => l.kind === "bought_together" && l.subject === "a1")!
    expect(together.products).toEqual(["a2"]) // a3 was never in an order with a1
    expect(together.reasons).toEqual(["bought_together"])

    const trending = lists.find((l) => l.kind === "trending")!
    expect(trending.subject).toBe("")
    expect(trending.products[0]).toBe("pop") // 12 buyers in the last 30 days, more than any other
    expect(trending.reasons[0]).toBe("trending")
  })

  it("with the catalogue's texts: a product nobody bought gets a table entry, a related list by its text, and a place near a customer's history with its reason", () => {
    const texts: ProductText[] = [
      { id: "a1", title: "Jasmine green tea", categories: ["Tea"] },
      { id: "a2", title: "Porcelain cup", categories: ["Tea"] },
      { id: "a3", title: "Bamboo whisk", categories: ["Tea"] },
      { id: "b1", title: "Espresso beans", categories: ["Coffee"] },
      { id: "b2", title: "Burr grinder", categories: ["Coffee"] },
      { id: "b3", title: "Paper filters", categories: ["Coffee"] },
      { id: "pop", title: "Chocolate bar", collection: "Sweets" },
      { id: "new", title: "Jasmine white tea", description: "Spring harvest", categories: ["Tea"] },
    ]
    const { summary, products, lists } = trainLists(store(), PLAN, texts)
    expect(summary.decision.activate).toBe(true)
    // The catalogue in the order given; the new product has no buyers.
    expect(products?.ids).toEqual(["a1", "a2", "a3", "b1", "b2", "b3", "pop", "new"])
    expect(Array.from(products!.buyers)).toEqual([21, 20, 20, 20, 20, 20, 12, 0])
    // Its related list comes from its text alone: the other jasmine tea first, then the tea things.
    const related = lists.find((l) => l.kind === "related" && l.subject === "new")!
    expect(related.products[0]).toBe("a1")
    expect(related.products.slice(1).sort()).toEqual(["a2", "a3"])
    expect(lists.find((l) => l.kind === "bought_together" && l.subject === "new")).toBeUndefined()
    // "solo" bought the green jasmine tea: the white one takes the 4th place of her list, explained by it.
    const solo = lists.find((l) => l.kind === "customer" && l.subject === "solo")!
    expect([solo.products[3], solo.reasons[3], solo.anchors[3]]).toEqual(["new", "new_like_purchased", "a1"])
    expect(new Set(solo.products).size).toBe(solo.products.length)
    // A tea drinker gets it too; a coffee drinker, whose history shares no word with it, does not.
    const tea = lists.find((l) => l.kind === "customer" && l.subject === "c00")!
    const coffee = lists.find((l) => l.kind === "customer" && l.subject === "c01")!
    expect(tea.products).toContain("new")
    expect(tea.anchors[tea.products.indexOf("new")]).toBe("a1")
    expect(coffee.products).not.toContain("new")
    expect(coffee.reasons).not.toContain("new_like_purchased")
  })

  it("builds the same lists when each output's buffers move away as it is yielded, as in the worker", () => {
    const texts: ProductText[] = [
      ...["a1", "a2", "a3"].map((id) => ({ id, title: `Green tea ${id}`, categories: ["Tea"] })),
      ...["b1", "b2", "b3", "pop"].map((id) => ({ id, title: `Coffee ${id}` })),
      { id: "new", title: "Green tea new", categories: ["Tea"] },
    ]
    const kept = trainLists(store(), PLAN, texts)
    const moved = trainLists(store(), PLAN, texts, { moved: true })
    expect(moved.lists).toEqual(kept.lists)
    expect(Array.from(moved.products!.buyers)).toEqual(Array.from(kept.products!.buyers))
    // Only the product nobody bought is placed as a new one (buyers read after the table moved).
    const placed = new Set(moved.lists.flatMap((l) => l.products.filter((_, k) => l.reasons[k] === "new_like_purchased")))
    expect([...placed]).toEqual(["new"])
  })

  it("builds the same lists in shards of customers as in one run: shard 0 with the product lists, the others with their personal lists alone", () => {
    const texts: ProductText[] = [
      ...["a1", "a2", "a3"].map((id) => ({ id, title: `Green tea ${id}`, categories: ["Tea"] })),
      ...["b1", "b2", "b3", "pop"].map((id) => ({ id, title: `Coffee ${id}` })),
      { id: "new", title: "Green tea new", categories: ["Tea"] },
    ]
    const whole = trainLists(store(), PLAN, texts)
    const key = (l: ReadList) => `${l.kind}/${l.subject}`
    const byKey = (lists: ReadList[]) => [...lists].sort((x, y) => (key(x) < key(y) ? -1 : 1))
    const first = trainLists(store(), PLAN, texts, { shard: { index: 0, count: 3 } })
    expect(first.summary.decision).toEqual(whole.summary.decision)
    expect(first.products).toEqual(whole.products)
    const rest = [1, 2].map((index) => {
      const run = runTrainingShard(store(), PLAN, { index, count: 3 }, texts)
      const batches: PackedListBatch[] = []
      for (let step = run.next(); ; step = run.next()) {
        if (step.done) return { count: step.value, lists: decoded(batches, whole.products!.ids) }
        if (step.value.type !== "lists") throw new Error(`shard ${index} yielded a ${step.value.type}`)
        batches.push(step.value.batch)
      }
    })
    for (const r of rest) {
      expect(r.lists.length).toBe(r.count)
      expect(r.lists.every((l) => l.kind === "customer")).toBe(true)
      expect(r.count).toBeGreaterThan(5)
    }
    // Every customer's list once, in exactly one shard, and the same as the whole run's.
    expect(byKey([...first.lists, ...rest.flatMap((r) => r.lists)])).toEqual(byKey(whole.lists))
    expect(first.summary.lists!.customer + rest[0].count + rest[1].count).toBe(whole.summary.lists!.customer)
    expect(() => runTrainingShard(store(), PLAN, { index: 0, count: 2 }).next()).toThrow(/shard 0/)
    expect(() => runTrainingShard(store(), PLAN, { index: 2, count: 2 }).next()).toThrow(/shard 2 of 2/)
  })

  it("hands the decision over first, then the product table, then lists in bounded batches", () => {
    // Two blocks: everyone bought their block's first product 100 days ago; the second half also
    // its second product 50 days ago, and the first half buys it in the holdout, which item-kNN
    // (from the second half's co-purchases) ranks first and popularity third.
    const many: PurchaseLine[] = []
    const n = LIST_BATCH_SIZE + 5
    for (let c = 0; c < n; c++) {
      const block = c % 2 ? "x" : "y"
      many.push(line(`m${c}-1`, `m${c}`, `${block}1`, 100), line(`m${c}-2`, `m${c}`, `${block}2`, c < n / 2 ? 5 : 50))
    }
    const types: string[] = []
    const sizes: number[] = []
    const run = runTraining(many, { ...PLAN, candidate: { model: "item-knn" } })
    for (let step = run.next(); !step.done; step = run.next()) {
      types.push(step.value.type)
      if (step.value.type === "lists" && step.value.batch.kind === "customer") sizes.push(step.value.batch.subjects.length)
    }
    expect(types.slice(0, 2)).toEqual(["decision", "products"])
    expect(sizes).toEqual([LIST_BATCH_SIZE, 5])
  })

  it("adds the best never-bought items after a personal list's best items", () => {
    // listSize 1: her single best item is a1 (bought: buy-again first), then the best she never bought.
    const solo = trainLists(store(), { ...PLAN, candidate: { model: "hybrid" }, listSize: 1 }).lists.find((l) => l.kind === "customer" && l.subject === "solo")!
    expect(solo.products).toHaveLength(2)
    expect(solo.products[0]).toBe("a1")
    expect(["a2", "a3"]).toContain(solo.products[1])
    expect(solo.reasons).toEqual(["buy_again", "because_you_bought"])
  })

  it("leaves out customers whose last purchase is older than the active window", () => {
    const customers = trainLists(store(), { ...PLAN, activeDays: 250 }).lists.filter((l) => l.kind === "customer").map((l) => l.subject)
    expect(customers).toHaveLength(52)
    expect(customers).not.toContain("solo")
  })

  it("keeps the active version when the candidate does not beat it, and yields no lists", () => {
    const { summary, products, lists } = trainLists(store(), { ...PLAN, candidate: { model: "popularity" }, active: { model: "item-knn" } })
    expect(summary.decision.activate).toBe(false)
    expect(summary.evaluation.active?.ndcg10).toBeGreaterThan(summary.evaluation.candidate.ndcg10)
    expect([summary.lists, products, lists]).toEqual([null, null, []])
  })

  it("does not refresh a recipe that no longer beats popularity, and evaluates a refresh once", () => {
    // Popularity as its own refresh: same recipe, so one evaluation serves as both, and it cannot beat itself.
    const { summary } = trainLists(store(), { ...PLAN, candidate: { model: "popularity" }, active: { model: "popularity" } })
    expect(summary.evaluation.active).toBe(summary.evaluation.candidate)
    expect(summary.decision).toEqual({ activate: false, reason: expect.stringMatching(/^NDCG@10 0\.\d{4} does not beat popularity 0\.\d{4}$/) })
  })

  it("ignores lines at or after asOf and refuses a bad plan", () => {
    const later = [...store(), line("future", "solo", "b1", -1)]
    const solo = trainLists(later, PLAN).lists.find((l) => l.subject === "solo")!
    expect(solo.reasons[solo.products.indexOf("b1")]).not.toBe("buy_again")
    expect(() => runTrainingToEnd(store(), { ...PLAN, listSize: 0 })).toThrow("listSize out of range: 0")
  })
})

describe("refreshTraining", () => {
  // The large-catalogue default's shape: a hybrid on a sparse item-kNN.
  const KNN_PLAN: TrainingPlan = { ...PLAN, candidate: { model: "hybrid", options: { collaborative: { model: "item-knn", options: { neighbours: 4 } } } } }
  const TEXTS: ProductText[] = [
    ...["a1", "a2", "a3"].map((id) => ({ id, title: `Green tea ${id}`, categories: ["Tea"] })),
    ...["b1", "b2", "b3", "pop"].map((id) => ({ id, title: `Coffee ${id}` })),
    { id: "new", title: "Green tea new", categories: ["Tea"] },
  ]

  /** The neighbour rows a full run's refit keeps: the plan's recipe fitted on the lines before `before`. */
  function stateOf(lines: PurchaseLine[], plan: TrainingPlan, before: number): SimilarityState {
    const columns = columnsFromLines(lines)
    const seen = seenBefore(columns, before)
    const data = interactionsFromColumns(columns, seen.users, seen.items, before, before)
    const model = new HybridRecommender((plan.candidate.options ?? {}) as HybridOptions).fit(data)
    const state = similarityStateOf(model, seen.items.index, before)
    if (!state) throw new Error("no item-kNN rows")
    return state
  }

  function refreshLists(lines: PurchaseLine[], plan: TrainingPlan, state: SimilarityState, customers: string[]) {
    const run = refreshTraining(lines, plan, state, new Set(customers), TEXTS)
    const batches: PackedListBatch[] = []
    let products: string[] = []
    for (let step = run.next(); ; step = run.next()) {
      if (step.done) return { summary: step.value, products, lists: decoded(batches, products) }
      if (step.value.type === "products") products = step.value.table.ids
      else if (step.value.type === "lists") batches.push(step.value.batch)
      else throw new Error("a refresh yields no decision")
    }
  }

  it("with the neighbour rows of a fit on the same lines, builds exactly the full run's lists of the customers asked for, and the trending list", () => {
    const whole = trainLists(store(), KNN_PLAN, TEXTS)
    expect(whole.summary.decision.activate).toBe(true)
    const asked = ["c00", "c07", "solo", "p3"]
    const refreshed = refreshLists(store(), KNN_PLAN, stateOf(store(), KNN_PLAN, AS_OF), [...asked, "nobody"])
    expect(refreshed.products).toEqual(whole.products!.ids)
    const wanted = whole.lists.filter((l) => l.kind === "trending" || (l.kind === "customer" && asked.includes(l.subject)))
    expect(wanted.filter((l) => l.kind === "customer")).toHaveLength(4)
    expect(refreshed.lists).toEqual(wanted)
    // No strips; the customer nobody knows is counted as asked for and left without a list.
    expect(refreshed.summary.lists).toEqual({ customer: 4, related: 0, bought_together: 0, trending: 1 })
    expect(refreshed.summary.skipped).toBe(1)
  })

  it("with week-old neighbour rows, lists the week's new customers and products from today's lines: a new product has no neighbours, a new customer's own purchases come back", () => {
    const week = [
      // A new customer, and a product first sold this week that two tea drinkers bought.
      line("n1", "newbie", "b1", 3),
      line("n1", "newbie", "b2", 3),
      line("f1", "c00", "fresh", 2),
      line("f2", "c02", "fresh", 2),
      line("f2", "c02", "a1", 2),
    ]
    const lines = [...store(), ...week]
    const state = stateOf(store(), KNN_PLAN, AS_OF - 7 * DAY)
    expect(state.ids).not.toContain("fresh")
    const { lists } = refreshLists(lines, KNN_PLAN, state, ["newbie", "c02"])
    const newbie = lists.find((l) => l.subject === "newbie")!
    expect(newbie.products.slice(0, 2).sort()).toEqual(["b1", "b2"])
    expect(newbie.reasons.slice(0, 2)).toEqual(["buy_again", "buy_again"])
    // The co-purchases of the old rows still rank: b3 goes with b1 and b2.
    expect(newbie.products).toContain("b3")
    expect(newbie.reasons[newbie.products.indexOf("b3")]).toBe("because_you_bought")
    // c02's own new product is in the list as bought again, with its buyers counted today.
    const c02 = lists.find((l) => l.subject === "c02")!
    expect(c02.reasons[c02.products.indexOf("fresh")]).toBe("buy_again")
    // c00 bought this week too but was not asked for: only the two lists asked for, and the trending one.
    expect(lists.map((l) => l.subject).sort()).toEqual(["", "c02", "newbie"])
  })

  it("a full run hands over its neighbour rows last; stored in parts and read back, they give the refresh the full run's lists", () => {
    const outputs: TrainingOutput[] = []
    // Moved as a worker moves them, so the rows handed over cannot be the model's live arrays only by luck.
    for (const output of runTraining(store(), KNN_PLAN, undefined, TEXTS)) outputs.push(structuredClone(output, { transfer: transferableBuffers(output) }))
    const last = outputs[outputs.length - 1]
    if (last.type !== "similarities") throw new Error(`the last output is ${last.type}`)
    expect(outputs.filter((o) => o.type === "similarities")).toHaveLength(1)
    expect(last.state.asOf).toBe(KNN_PLAN.asOf)
    // Parts of 16 bytes: every array spans several, and a part never mixes two arrays.
    const parts = similarityStateParts(last.state, 16)
    expect(parts.length).toBeGreaterThan(4)
    const reader = new SimilarityStateReader()
    for (const part of parts) reader.push(new Uint8Array(part)) // copies, as the database hands them back
    const state = reader.finish()
    expect(state.ids).toEqual(last.state.ids)
    expect(Array.from(state.rows.indptr)).toEqual(Array.from(last.state.rows.indptr))
    expect(Array.from(state.rows.indices)).toEqual(Array.from(last.state.rows.indices))
    expect(Array.from(state.rows.data)).toEqual(Array.from(last.state.rows.data))
    const whole = trainLists(store(), KNN_PLAN, TEXTS)
    const refreshed = refreshLists(store(), KNN_PLAN, state, ["c00", "c07", "solo"])
    expect(refreshed.lists).toEqual(whole.lists.filter((l) => l.kind === "trending" || (l.kind === "customer" && ["c00", "c07", "solo"].includes(l.subject))))
    // A dense recipe keeps no rows: nothing to hand over.
    const dense = [...runTraining(store(), PLAN, undefined, TEXTS)].map((o) => o.type)
    expect(dense).not.toContain("similarities")
    // Parts that do not add up are refused, not read as a shorter state.
    const short = new SimilarityStateReader()
    for (const part of parts.slice(0, -1)) short.push(part)
    expect(() => short.finish()).toThrow(/parts end before/)
    const long = new SimilarityStateReader()
    for (const part of parts) long.push(part)
    expect(() => long.push(parts[1])).toThrow(/beyond/)
    expect(() => new SimilarityStateReader().finish()).toThrow(/no header/)
  })

  it("refuses a recipe without a sparse item-kNN, and a state whose rows do not match its ids", () => {
    const state = stateOf(store(), KNN_PLAN, AS_OF)
    expect(() => refreshTraining(store(), { ...KNN_PLAN, candidate: { model: "hybrid", options: {} } }, state, new Set(["c00"])).next()).toThrow(/no sparse item-kNN/)
    expect(() => refreshTraining(store(), KNN_PLAN, { ...state, ids: state.ids.slice(1) }, new Set(["c00"])).next()).toThrow(/rows for/)
  })
})
