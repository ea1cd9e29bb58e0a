import * as tf from "@tensorflow/tfjs"

import { rocAuc } from "../../evaluation/auc"
import { Rng } from "../../random"
import { useBackend } from "../propensity"
import { PURCHASE_BASE_FEATURES } from "../purchase-model"
import { SEQUENCE_CHANNELS, fitSequenceModel, purchaseSequences, scoreSequenceModel } from "../sequence-model"
import { DAY, T, line } from "./fixtures"

describe("sequence model (TF.js cpu backend)", () => {
  let warn: jest.SpyInstance
  beforeAll(async () => {
    warn = jest.spyOn(console, "warn").mockImplementation(() => undefined)
    await useBackend("cpu")
  })
  afterAll(() => warn.mockRestore())

  it("encodes the last orders oldest first, left-padded", () => {
    const lines = [line("c1", "o1", "p", 10, 30), line("c1", "o1", "q", 5, 29.5), line("c1", "o2", "p", 7, 10), line("c2", "o3", "p", 1, 2)]
    const s = purchaseSequences(lines, ["c1", "c2"], T, 3)
    const step = (c: number, t: number) => Array.from(s.subarray((c * 3 + t) * SEQUENCE_CHANNELS, (c * 3 + t + 1) * SEQUENCE_CHANNELS)).map((v) => +v.toFixed(5))
    expect(step(0, 0)).toEqual([0, 0, 0])
    expect(step(0, 1)).toEqual([1, 0, +Math.log1p(15).toFixed(5)])
    // o1's time is its latest line (29.5 days before T): 19.5 days to o2.
    expect(step(0, 2)).toEqual([1, +Math.log1p(19.5).toFixed(5), +Math.log1p(7).toFixed(5)])
    expect(step(1, 2)).toEqual([1, 0, +Math.log1p(1).toFixed(5)])
  })

  it("learns that customers with short gaps come back, and scores in TypeScript as the TF.js forward pass", () => {
    const rng = new Rng(3)
    const n = 200
    const steps = 4
    const sequences = new Float32Array(n * steps * SEQUENCE_CHANNELS)
    const values = new Float64Array(n * PURCHASE_BASE_FEATURES.length)
    const bought = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      const gap = rng.next() < 0.5 ? 5 : 60
      for (let t = 0; t < steps; t++) sequences.set([1, Math.log1p(gap * (0.5 + rng.next())), Math.log1p(20)], (i * steps + t) * SEQUENCE_CHANNELS)
      values.set([10, 200, 4, 80, 20, 1, 5], i * PURCHASE_BASE_FEATURES.length)
      bought[i] = rng.next() < (gap === 5 ? 0.8 : 0.2) ? 1 : 0
    }
    const spend = Float64Array.from(bought, (b) => b * 50)
    const rows = { sequences, names: PURCHASE_BASE_FEATURES, values }
    const m = fitSequenceModel({ ...rows, steps, bought, spend }, { maxEpochs: 25, patience: 10, learningRate: 0.05, batchSize: 100, seed: 1 })
    const s = scoreSequenceModel(m, rows)
    expect(rocAuc(bought, s.buy)).toBeGreaterThan(0.75)
    // Reference forward pass with TF.js ops over the stored weights (features are constant: 0 after standardisation).
    const H = m.hidden
    const ref = tf.tidy(() => {
      const W = tf.tensor2d(m.kernel, [SEQUENCE_CHANNELS, 3 * H])
      const U = tf.tensor2d(m.recurrent, [H, 3 * H])
      const b = tf.tensor1d(m.bias)
      let h = tf.zeros([n, H]) as tf.Tensor2D
      const seq = tf.tensor3d(sequences, [n, steps, SEQUENCE_CHANNELS])
      for (let t = 0; t < steps; t++) {
        const x = tf.reshape(tf.slice(seq, [0, t, 0], [n, 1, SEQUENCE_CHANNELS]), [n, SEQUENCE_CHANNELS]) as tf.Tensor2D
        const gx = tf.add(tf.matMul(x, W), b)
        const gh = tf.matMul(h, U)
        const z = tf.sigmoid(tf.add(tf.slice(gx, [0, 0], [n, H]), tf.slice(gh, [0, 0], [n, H])))
        const r = tf.sigmoid(tf.add(tf.slice(gx, [0, H], [n, H]), tf.slice(gh, [0, H], [n, H])))
        const c = tf.tanh(tf.add(tf.slice(gx, [0, 2 * H], [n, H]), tf.matMul(tf.mul(r, h), tf.slice(U, [0, 2 * H], [H, H]))))
        h = tf.add(tf.mul(tf.sub(1, z), h), tf.mul(z, c)) as tf.Tensor2D
      }
      const w = tf.tensor2d(m.output.subarray(0, H), [H, 1])
      return tf.sigmoid(tf.add(tf.reshape(tf.matMul(h, w), [-1]), m.output[m.output.length - 1])).dataSync()
    })
    Array.from(s.buy).forEach((p, i) => expect(p).toBeCloseTo(ref[i], 5))
    expect(m.bestEpoch).toBeGreaterThan(0)
  })
})
