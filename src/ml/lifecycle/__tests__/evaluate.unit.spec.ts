import type { PurchaseLine } from "../../data/purchase-line"
import { rocAuc } from "../../evaluation/auc"
import { spearman } from "../../evaluation/spearman"
import { Rng } from "../../random"
import { evaluateLifecycle } from "../evaluate"
import { customerFeatures, futureLabels, selectColumns } from "../../features/customer-features"
import { rfmQuintileSum } from "../references"
import { DAY, T } from "./fixtures"

/** 300 customers; customer k orders every (5 + 4 (k mod 40)) days on average from a random start. */
function shop(): PurchaseLine[] {
  const rng = new Rng(11)
  const lines: PurchaseLine[] = []
  let order = 0
  for (let c = 0; c < 300; c++) {
    const rate = 1 / (5 + 4 * (c % 40))
    const start = T - 270 * DAY + Math.floor(rng.next() * 200) * DAY
    for (let t = start; t < T + 90 * DAY; t += DAY) {
      if (rng.next() >= rate) continue
      order++
      for (let k = 0; k <= rng.nextInt(3); k++) {
        lines.push({ orderId: `o${order}`, customerId: `c${c}`, productId: `p${rng.nextInt(20)}`, quantity: 1, amount: 5 + (c % 7), time: t + k })
      }
    }
  }
  return lines
}

describe("evaluateLifecycle", () => {
  const lines = shop()
  const split = { fitCutoff: T - 90 * DAY, scoreCutoff: T, end: T + 90 * DAY }

  it("scores the references on the population at T2 against [T2, E)", async () => {
    const r = await evaluateLifecycle(lines, split, { models: ["recency", "rfm", "logistic"] })
    const f2 = customerFeatures(lines, T)
    const y2 = futureLabels(lines, f2.customerIds, T, T + 90 * DAY)
    expect(r.scoredCustomers).toBe(f2.customerIds.length)
    const minusRecency = selectColumns(f2, ["recency"]).map((v) => -v)
    expect(r.results[0]).toEqual({ model: "recency", auc: rocAuc(y2.boughtAgain, minusRecency), spearman: spearman(minusRecency, y2.spend), fitSeconds: 0, brier: null, ece: null })
    const rfm = rfmQuintileSum(selectColumns(f2, ["recency"]), selectColumns(f2, ["invoices"]), selectColumns(f2, ["spend"]))
    expect(r.results[1].auc).toBe(rocAuc(y2.boughtAgain, rfm))
    // Customers who buy every few days are easy to tell from those who buy every month or so.
    expect(r.results[2].auc).toBeGreaterThan(0.6)
    expect(r.propensityModel).toBeUndefined()
  })

  it("fits and scores the network when asked (tiny cpu settings)", async () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined)
    const r = await evaluateLifecycle(lines, split, {
      models: ["propensity-net"],
      propensity: { backend: "cpu", folds: 2, repeats: 1, hidden: [4], maxEpochs: 5, batchSize: 64 },
    })
    warn.mockRestore()
    expect(r.results.map((x) => x.model)).toEqual(["propensity-net"])
    expect(Number.isFinite(r.results[0].auc) && Number.isFinite(r.results[0].spearman)).toBe(true)
    expect(r.propensityModel?.nets).toHaveLength(2)
  })

  it("rejects cutoffs out of order", async () => {
    await expect(evaluateLifecycle(lines, { fitCutoff: T, scoreCutoff: T, end: T + DAY })).rejects.toThrow(/fitCutoff/)
  })
})
