import { rocAuc } from "../../evaluation/auc"
import { Rng } from "../../random"
import { fromJsonSafe, toJsonSafe } from "../../serialize"
import type { RepeatSummary } from "../bgnbd"
import { PURCHASE_BASE_FEATURES, type PurchaseModel, type PurchaseTrainingSet, checkPurchaseModel, fitPurchaseModel, scorePurchaseModel } from "../purchase-model"
import { fitLogistic, predictLogistic } from "../references"

/**
 * Planted customers: P(buy) rises with orders and falls with recency; a buyer's spend is
 * 15 x average order x lognormal(0, 0.4). Features follow the protocol's seven columns.
 */
function planted(n: number, seed: number): PurchaseTrainingSet {
  const rng = new Rng(seed)
  const d = PURCHASE_BASE_FEATURES.length
  const values = new Float64Array(n * d)
  const summary: RepeatSummary = { x: new Float64Array(n), tx: new Float64Array(n), T: new Float64Array(n), monetary: new Float64Array(n) }
  const bought = new Uint8Array(n)
  const spend = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const invoices = 1 + rng.nextInt(12)
    const tenure = 30 + rng.nextInt(300)
    const recency = Math.floor(rng.next() * tenure)
    const aov = 20 * Math.exp(rng.normal(0, 0.5))
    values.set([recency, tenure, invoices, aov * invoices, aov, Math.min(invoices, Math.floor(rng.next() * 4)), invoices * 3], i * d)
    summary.x[i] = invoices - 1
    summary.tx[i] = tenure - recency
    summary.T[i] = tenure + 0.5
    summary.monetary[i] = invoices > 1 ? aov : 0
    const z = 0.5 + 0.25 * invoices - 0.015 * recency
    bought[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0
    spend[i] = bought[i] ? 15 * aov * Math.exp(rng.normal(0, 0.4)) : 0
  }
  return { names: PURCHASE_BASE_FEATURES, values, summary, bought, spend }
}

describe("purchase model", () => {
  const train = planted(1500, 1)
  const test = planted(1000, 2)
  const model = fitPurchaseModel(train, { horizonDays: 90 })

  it("ranks like the logistic regression it calibrates, and its probabilities match the planted rates", () => {
    const s = scorePurchaseModel(model, test)
    // Platt scaling is monotone: the buy ranking is the plain regression's (protocol's reference).
    const d = PURCHASE_BASE_FEATURES.length
    const log = (v: Float64Array) => v.map(Math.log1p)
    const mean = new Float64Array(d)
    const sd = new Float64Array(d)
    const a = log(train.values)
    const n = train.bought.length
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += a[i * d + j] / n
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j] += (a[i * d + j] - mean[j]) ** 2 / n
    const z = (v: Float64Array) => v.map((x, q) => (x - mean[q % d]) / Math.sqrt(sd[q % d]))
    const reference = predictLogistic(fitLogistic(z(a), d, train.bought), z(log(test.values)))
    expect(rocAuc(test.bought, s.buy)).toBeCloseTo(rocAuc(test.bought, reference), 10)
    expect(rocAuc(test.bought, s.buy)).toBeGreaterThan(0.75)
    const rate = Array.from(test.bought).reduce((x, y) => x + y, 0) / test.bought.length
    const meanP = s.buy.reduce((x, y) => x + y, 0) / s.buy.length
    expect(Math.abs(meanP - rate)).toBeLessThan(0.03)
    expect(model.fitted).toEqual({ customers: 1500, bgnbdCustomers: 1500, buyRate: expect.any(Number) })
    // Out of fold on the fit rows, close to what the held-out rows give.
    expect(Math.abs(model.validation.auc - rocAuc(test.bought, s.buy))).toBeLessThan(0.04)
  })

  it("scores in batches exactly as in one call, and survives JSON", () => {
    const all = scorePurchaseModel(model, test)
    const parts = [scorePurchaseModel(model, test, 0, 700), scorePurchaseModel(model, test, 700, 1000)]
    expect(Array.from(parts[0].buy).concat(Array.from(parts[1].buy))).toEqual(Array.from(all.buy))
    expect(Array.from(parts[0].spend).concat(Array.from(parts[1].spend))).toEqual(Array.from(all.spend))
    const back = checkPurchaseModel(fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(model)))) as PurchaseModel)
    expect(Array.from(scorePurchaseModel(back, test).buy)).toEqual(Array.from(all.buy))
    // A stored model of a later version: the cast stands for data read back from the database.
    expect(() => checkPurchaseModel({ ...model, version: 9 } as unknown as PurchaseModel)).toThrow(/unsupported version/)
  })

  it("fits on a seeded sample when the population is larger", () => {
    const small = fitPurchaseModel(train, { horizonDays: 90, sampleSize: 500, bgnbdSampleSize: 200, seed: 4 })
    expect(small.fitted.customers).toBe(500)
    expect(small.fitted.bgnbdCustomers).toBe(200)
    expect(Array.from(fitPurchaseModel(train, { horizonDays: 90, sampleSize: 500, bgnbdSampleSize: 200, seed: 4 }).buy)).toEqual(Array.from(small.buy))
    expect(rocAuc(test.bought, scorePurchaseModel(small, test).buy)).toBeGreaterThan(0.74)
    expect(() => fitPurchaseModel({ ...train, bought: new Uint8Array(1500) }, { horizonDays: 90 })).toThrow(/buyers and non-buyers/)
  })
})
