import * as tf from "@tensorflow/tfjs"

import { useBackend } from "../../lifecycle/propensity"
import { fromJsonSafe, toJsonSafe } from "../../serialize"
import { MultVaeRecommender, sparseInputProduct, transposeFreeProduct } from "../mult-vae"
import type { SerializedModel } from "../recommender"
import { checkerboard } from "./fixtures"

describe("MultVaeRecommender (TF.js cpu backend, tiny sizes)", () => {
  let warn: jest.SpyInstance
  beforeAll(async () => {
    // TF.js prints a one-time hint about faster backends on the cpu backend.
    warn = jest.spyOn(console, "warn").mockImplementation(() => undefined)
    await useBackend("cpu")
  })
  afterAll(() => warn.mockRestore())

  it("gives the built-in gradients through its two custom layers", () => {
    const h = tf.tensor2d([0.5, -1, 2, 0.25, 1, -0.5], [3, 2])
    const w = tf.tensor2d([1, 2, -1, 0.5, 0, 3], [2, 3])
    const weights = tf.tensor2d([0.1, -0.2, 0.3, 0.7], [2, 2])
    const own = transposeFreeProduct()
    const f = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.sum(tf.square(own(a, b)))
    const g = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.sum(tf.square(tf.matMul(a, b)))
    const [ga, gb] = tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)([h, w])
    const [ra, rb] = tf.grads(g as (...t: tf.Tensor[]) => tf.Tensor)([h, w])
    expect(Array.from(ga.dataSync())).toEqual(Array.from(ra.dataSync()).map((v) => expect.closeTo(v, 5)))
    expect(Array.from(gb.dataSync())).toEqual(Array.from(rb.dataSync()).map((v) => expect.closeTo(v, 5)))
    // Sparse input: rows {0, 2} x 0.5 and {1} x 2 of a 2 x 3 batch.
    const x = tf.tensor2d([0.5, 0, 0.5, 0, 2, 0], [2, 3])
    const sparse = sparseInputProduct(x, [{ items: [0, 2], value: 0.5 }, { items: [1], value: 2 }], 3, 2)
    const w3 = tf.tensor2d([1, -1, 0.5, 2, -0.25, 1], [3, 2])
    const [gs] = tf.grads((a: tf.Tensor) => tf.sum(tf.square(sparse(a as tf.Tensor2D))))([w3])
    const [gr] = tf.grads((a: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, a as tf.Tensor2D))))([w3])
    expect(Array.from(gs.dataSync())).toEqual(Array.from(gr.dataSync()).map((v) => expect.closeTo(v, 5)))
  })

  it("learns the checkerboard: each user's missing item ranks first among the items it lacks", () => {
    const { data, missing } = checkerboard()
    const m = new MultVaeRecommender({ hidden: 8, latent: 2, epochs: 300, batchSize: 6, dropout: 0, betaMax: 0.05, learningRate: 0.01, backend: "cpu" }).fit(data)
    expect(m.losses[m.losses.length - 1]).toBeLessThan(m.losses[0])
    for (let u = 0; u < 6; u++) {
      const own = Array.from(data.strength.indices.subarray(data.strength.indptr[u], data.strength.indptr[u + 1]))
      expect(m.recommend(u, 1, own)[0]).toBe(missing[u])
    }
  })

  it("scores in plain TypeScript as the TF.js decoder at z = mu does, and survives a round trip", () => {
    const { data } = checkerboard()
    const m = new MultVaeRecommender({ hidden: 4, latent: 2, epochs: 3, batchSize: 3, backend: "cpu" }).fit(data)
    const s = m.serialize() as SerializedModel & Record<"enc" | "mu" | "dec" | "out", { inputs: number; outputs: number; w: Float32Array; b: Float32Array }>
    const dense = (l: (typeof s)["enc"], x: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(x, tf.tensor2d(l.w, [l.inputs, l.outputs])), tf.tensor1d(l.b))
    for (let u = 0; u < 6; u++) {
      const own = data.strength.indices.subarray(data.strength.indptr[u], data.strength.indptr[u + 1])
      const x = new Float32Array(6)
      for (const i of own) x[i] = 1 / Math.sqrt(own.length)
      const logits = tf.tidy(() => dense(s.out, tf.tanh(dense(s.dec, dense(s.mu, tf.tanh(dense(s.enc, tf.tensor2d(x, [1, 6]))))))))
      expect(Array.from(m.scores(u))).toEqual(Array.from(logits.dataSync()).map((v) => expect.closeTo(v, 5)))
    }
    const back = MultVaeRecommender.deserialize(fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(s)))) as SerializedModel)
    for (let u = 0; u < 6; u++) expect(Array.from(back.scores(u))).toEqual(Array.from(m.scores(u)))
    expect(() => new MultVaeRecommender({ backend: "wasm" }).fit(data)).toThrow(/not active/)
  })
})
