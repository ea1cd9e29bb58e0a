import * as tf from "@tensorflow/tfjs"

import { rocAuc } from "../../evaluation/auc"
import { spearman } from "../../evaluation/spearman"
import { Rng } from "../../random"
import {
  type PropensityModel,
  type PropensityTrainingSet,
  deserializePropensity,
  fitPropensity,
  forwardRow,
  scorePropensity,
  serializePropensity,
} from "../propensity"

/**
 * Planted customers: P(buy) = sigmoid(1.5 - 0.03 recency + 0.4 invoices), spend of a buyer
 * = 20 x invoices x lognormal(0, 0.3): the network must find both from two raw features.
 */
function planted(n: number, seed: number): PropensityTrainingSet {
  const rng = new Rng(seed)
  const values = new Float64Array(n * 2)
  const bought = new Uint8Array(n)
  const spend = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const recency = Math.floor(rng.next() * 180)
    const invoices = 1 + rng.nextInt(8)
    values[2 * i] = recency
    values[2 * i + 1] = invoices
    const p = 1 / (1 + Math.exp(-(1.5 - 0.03 * recency + 0.4 * invoices)))
    bought[i] = rng.next() < p ? 1 : 0
    spend[i] = bought[i] ? 20 * invoices * Math.exp(rng.normal(0, 0.3)) : 0
  }
  return { names: ["recency", "invoices"], values, bought, spend }
}

const OPTIONS = { backend: "cpu" as const, hidden: [8], folds: 2, repeats: 1, maxEpochs: 40, patience: 10, batchSize: 64, learningRate: 0.02, seed: 3 }

describe("propensity network (TF.js, cpu backend)", () => {
  let model: PropensityModel
  const train = planted(300, 1)
  const test = planted(300, 2)

  beforeAll(async () => {
    // The cpu backend advertises tfjs-node once per process; the advice does not apply here.
    const warn = console.warn
    jest.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).includes("tfjs-node")) warn(...args)
    })
    model = await fitPropensity(train, OPTIONS)
  })

  it("learns the planted propensity and spend on fresh customers", () => {
    const s = scorePropensity(model, test)
    // The planted model itself reaches about 0.85 here; chance is 0.5.
    expect(rocAuc(test.bought, s.buy)).toBeGreaterThan(0.75)
    expect(spearman(s.spend, test.spend)).toBeGreaterThan(0.5)
    expect(s.buy.every((p) => p > 0 && p < 1)).toBe(true)
    expect(s.spend.every((v) => v >= 0)).toBe(true)
    expect(model.validation.auc).toBeGreaterThan(0.7)
    expect(model.nets).toHaveLength(2)
  })

  it("is repeatable for a seed", async () => {
    const again = await fitPropensity(train, OPTIONS)
    expect(Array.from(scorePropensity(again, test).buy)).toEqual(Array.from(scorePropensity(model, test).buy))
  })

  it("round-trips through JSON with identical scores", () => {
    const text = JSON.stringify(serializePropensity(model))
    const back = deserializePropensity(JSON.parse(text))
    const a = scorePropensity(model, test)
    const b = scorePropensity(back, test)
    expect(Array.from(b.buy)).toEqual(Array.from(a.buy))
    expect(Array.from(b.spend)).toEqual(Array.from(a.spend))
    expect(back.nets[0].trunk[0].weights).toBeInstanceOf(Float32Array)
  })

  it("scores in TypeScript exactly as TF.js computes the network", () => {
    const net = model.nets[0]
    const x = Float32Array.from([0.3, -1.2, 1.5, 0.7])
    const tfOut = tf.tidy(() => {
      let h: tf.Tensor = tf.tensor2d(x, [2, 2])
      for (const l of net.trunk) h = tf.relu(tf.add(tf.matMul(h, tf.tensor2d(l.weights, [l.inputs, l.outputs])), tf.tensor1d(l.bias)))
      const head = (l: typeof net.buyHead) => tf.add(tf.matMul(h, tf.tensor2d(l.weights, [l.inputs, 1])), tf.tensor1d(l.bias)).dataSync()
      return [Array.from(head(net.buyHead)), Array.from(head(net.spendHead))]
    })
    for (let r = 0; r < 2; r++) {
      const mine = forwardRow(net, x, 2 * r)
      expect(mine.logit).toBeCloseTo(tfOut[0][r], 5)
      expect(mine.mu).toBeCloseTo(tfOut[1][r], 5)
    }
  })

  it("rejects rows with other features, other formats and versions", () => {
    expect(() => scorePropensity(model, { names: ["invoices", "recency"], values: test.values })).toThrow(/differ/)
    const s = serializePropensity(model)
    expect(() => deserializePropensity({ ...s, format: "x" })).toThrow(/expected/)
    expect(() => deserializePropensity({ ...s, version: 99 })).toThrow(/version/)
    // Version 1 kept a bare "standardizer"; its models are refused, not misread.
    expect(() => deserializePropensity({ ...s, version: 1 })).toThrow(/version/)
    const transform = s.transform as { names: string[]; log1p: boolean[] }
    expect(transform.log1p).toEqual([true, true])
    expect(() => deserializePropensity({ ...s, transform: { ...transform, names: ["invoices", "recency"] } })).toThrow(/transform/)
  })
})
