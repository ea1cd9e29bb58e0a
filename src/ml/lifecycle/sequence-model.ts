/**
 * A small sequence model of purchase prediction: a GRU (Cho et al. 2014) over a customer's last
 * K orders (per order: the days since the previous one and its amount, both log(1 + x)), its
 * final state joined with the seven standardised log base features, and one logistic output
 * for "buys again in the next H days". Expected spend = P(buy) x E[spend | buy] with the same
 * log-normal ridge regression as purchase-model.ts, on the seven features.
 *
 * The fit uses TF.js (the backend must be active: `await useBackend(...)` first, as
 * evaluateLifecycle does) with seeded initial weights, batches and validation split, and early
 * stopping on the validation log loss; the model is a plain object of typed arrays, scored in
 * plain TypeScript. It exists to answer whether the order of a customer's purchases adds to
 * their summary features; docs/evaluation.md has the answer.
 */
import * as tf from "@tensorflow/tfjs"

import type { PurchaseLine } from "../data/purchase-line"
import { MS_PER_DAY } from "../data/time"
import { Rng } from "../random"
import { PURCHASE_BASE_FEATURES } from "./purchase-model"
import { sigmoid, solveSpd } from "./references"

/** Channels per order step: present (1, or 0 for padding), log(1 + days since the previous order), log(1 + amount). */
export const SEQUENCE_CHANNELS = 3

/**
 * The last `steps` orders of each customer before `cutoff` (oldest first, left-padded with
 * zero steps), row-major customers x steps x SEQUENCE_CHANNELS. An order's time is its latest
 * line; the first order of a customer has 0 days since the previous one.
 */
export function purchaseSequences(lines: readonly PurchaseLine[], customerIds: readonly string[], cutoff: number, steps = 8): Float32Array {
  const index = new Map(customerIds.map((id, i) => [id, i]))
  const orders: Map<string, { time: number; amount: number }>[] = customerIds.map(() => new Map())
  for (const l of lines) {
    if (!(l.time < cutoff)) continue
    const i = index.get(l.customerId)
    if (i === undefined) continue
    const o = orders[i].get(l.orderId)
    if (o) {
      o.amount += l.amount
      if (l.time > o.time) o.time = l.time
    } else orders[i].set(l.orderId, { time: l.time, amount: l.amount })
  }
  const out = new Float32Array(customerIds.length * steps * SEQUENCE_CHANNELS)
  orders.forEach((m, i) => {
    const list = Array.from(m.values()).sort((a, b) => a.time - b.time)
    const from = Math.max(0, list.length - steps)
    for (let k = from; k < list.length; k++) {
      const step = steps - (list.length - k)
      const o = (i * steps + step) * SEQUENCE_CHANNELS
      out[o] = 1
      out[o + 1] = k > 0 ? Math.log1p((list[k].time - list[k - 1].time) / MS_PER_DAY) : 0
      out[o + 2] = Math.log1p(Math.max(0, list[k].amount))
    }
  })
  return out
}

export interface SequenceTrainingSet {
  /** Row-major customers x steps x SEQUENCE_CHANNELS (purchaseSequences). */
  sequences: Float32Array
  steps: number
  /** Base feature names and values (must hold PURCHASE_BASE_FEATURES), same customers. */
  names: readonly string[]
  values: Float64Array
  bought: ArrayLike<number>
  spend: ArrayLike<number>
}

export interface SequenceModelOptions {
  /** GRU units, >= 1; default 8. */
  hidden?: number
  /** Share of the fit rows held out for early stopping, in (0, 0.5]; default 0.2. */
  validationShare?: number
  /** Adam learning rate; default 0.01. */
  learningRate?: number
  /** Rows per step; default 128. */
  batchSize?: number
  /** Most epochs; default 200. */
  maxEpochs?: number
  /** Epochs without a better validation loss before stopping; default 15. */
  patience?: number
  /** Seed of weights, split and batch order; default 0. */
  seed?: number
}

export interface SequenceModel {
  format: "personalization.lifecycle.sequence-model"
  version: 1
  steps: number
  hidden: number
  /** Standardisation of log(1 + base feature). */
  mean: Float64Array
  std: Float64Array
  /** GRU weights: input (channels x 3 hidden: update, reset, candidate), recurrent (hidden x 3 hidden), bias (3 hidden). */
  kernel: Float32Array
  recurrent: Float32Array
  bias: Float32Array
  /** Output weights over [final state, standardised features], then the bias. */
  output: Float32Array
  /** Ridge regression of log(1 + spend) of buyers on the standardised features: weights then intercept. */
  spend: Float64Array
  spendResidualVariance: number
  bestEpoch: number
}

const DEFAULTS: Required<SequenceModelOptions> = { hidden: 8, validationShare: 0.2, learningRate: 0.01, batchSize: 128, maxEpochs: 200, patience: 15, seed: 0 }

function standardised(names: readonly string[], values: Float64Array, mean?: Float64Array, std?: Float64Array): { x: Float64Array; mean: Float64Array; std: Float64Array } {
  const idx = PURCHASE_BASE_FEATURES.map((name) => {
    const j = names.indexOf(name)
    if (j < 0) throw new RangeError(`sequence model: no column "${name}"`)
    return j
  })
  const d = names.length
  const n = values.length / d
  const f = idx.length
  const raw = new Float64Array(n * f)
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) raw[i * f + j] = Math.log1p(Math.max(0, values[i * d + idx[j]]))
  let m = mean
  let s = std
  if (!m || !s) {
    m = new Float64Array(f)
    s = new Float64Array(f)
    for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) m[j] += raw[i * f + j] / n
    for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) s[j] += (raw[i * f + j] - m[j]) ** 2 / n
    // A constant column has a variance of rounding noise: treat it as 0 (std 1, values 0).
    for (let j = 0; j < f; j++) s[j] = s[j] > 1e-12 ? Math.sqrt(s[j]) : 1
  }
  const mm = m
  const ss = s
  return { x: raw.map((v, q) => (v - mm[q % f]) / ss[q % f]), mean: mm, std: ss }
}

/** Fits the model; the TF.js backend must be active. */
export function fitSequenceModel(train: SequenceTrainingSet, options: SequenceModelOptions = {}): SequenceModel {
  const o = { ...DEFAULTS, ...options }
  const n = train.bought.length
  const K = train.steps
  const C = SEQUENCE_CHANNELS
  const H = o.hidden
  if (train.sequences.length !== n * K * C) throw new RangeError("fitSequenceModel: sequences do not match the rows")
  const { x: feats, mean, std } = standardised(train.names, train.values)
  const F = PURCHASE_BASE_FEATURES.length
  const rng = new Rng(o.seed)
  const order = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i))
  const nValid = Math.max(1, Math.round(n * o.validationShare))
  const valid = order.slice(0, nValid)
  const fitRows = order.slice(nValid)
  const y = Float32Array.from(train.bought, (v) => (v ? 1 : 0))

  const init = (rows: number, cols: number) => tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(rows * cols), 0, Math.sqrt(1 / rows)), [rows, cols]))
  const kernel = init(C, 3 * H)
  const recurrent = init(H, 3 * H)
  const bias = tf.variable(tf.zeros([3 * H]) as tf.Tensor1D)
  const out = init(H + F, 1)
  const outBias = tf.variable(tf.zeros([1]) as tf.Tensor1D)
  const vars = [kernel, recurrent, bias, out, outBias]
  const optimizer = tf.train.adam(o.learningRate)
  const batch = (rows: ArrayLike<number>) => {
    const seq = new Float32Array(rows.length * K * C)
    const st = new Float32Array(rows.length * F)
    const yy = new Float32Array(rows.length)
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k]
      seq.set(train.sequences.subarray(i * K * C, (i + 1) * K * C), k * K * C)
      for (let j = 0; j < F; j++) st[k * F + j] = feats[i * F + j]
      yy[k] = y[i]
    }
    return { seq: tf.tensor3d(seq, [rows.length, K, C]), st: tf.tensor2d(st, [rows.length, F]), y: tf.tensor1d(yy) }
  }
  const forward = (seq: tf.Tensor3D, st: tf.Tensor2D) => {
    const m = seq.shape[0]
    let h = tf.zeros([m, H]) as tf.Tensor2D
    for (let t = 0; t < K; t++) {
      const xt = tf.reshape(tf.slice(seq, [0, t, 0], [m, 1, C]), [m, C]) as tf.Tensor2D
      const gx = tf.add(tf.matMul(xt, kernel), bias)
      const gh = tf.matMul(h, recurrent)
      const z = tf.sigmoid(tf.add(tf.slice(gx, [0, 0], [m, H]), tf.slice(gh, [0, 0], [m, H])))
      const r = tf.sigmoid(tf.add(tf.slice(gx, [0, H], [m, H]), tf.slice(gh, [0, H], [m, H])))
      const cand = tf.tanh(tf.add(tf.slice(gx, [0, 2 * H], [m, H]), tf.matMul(tf.mul(r, h), tf.slice(recurrent, [0, 2 * H], [H, H]))))
      // Padding steps (channel 0 = 0) leave the state unchanged.
      const present = tf.slice(xt, [0, 0], [m, 1])
      const next = tf.add(tf.mul(tf.sub(1, z), h), tf.mul(z, cand))
      h = tf.add(tf.mul(present, next), tf.mul(tf.sub(1, present), h)) as tf.Tensor2D
    }
    return tf.reshape(tf.add(tf.matMul(tf.concat([h, st], 1), out), outBias), [-1]) as tf.Tensor1D
  }
  // Log loss from logits as softplus(z) - y z (tf.logSigmoid's gradient is unreliable on these backends).
  const loss = (logit: tf.Tensor1D, yy: tf.Tensor1D) => tf.mean(tf.sub(tf.softplus(logit), tf.mul(yy, logit))) as tf.Scalar
  const v = batch(valid)
  let best = Number.POSITIVE_INFINITY
  let bestEpoch = 0
  let bestWeights = vars.map((w) => w.dataSync().slice() as Float32Array)
  try {
    for (let epoch = 1; epoch <= o.maxEpochs; epoch++) {
      rng.shuffle(fitRows)
      for (let s = 0; s < fitRows.length; s += o.batchSize) {
        const b = batch(fitRows.subarray(s, Math.min(fitRows.length, s + o.batchSize)))
        const l = optimizer.minimize(() => loss(forward(b.seq, b.st), b.y), true, vars) as tf.Scalar
        tf.dispose([l, b.seq, b.st, b.y])
      }
      const vl = tf.tidy(() => loss(forward(v.seq, v.st), v.y).dataSync()[0])
      if (vl < best - 1e-6) {
        best = vl
        bestEpoch = epoch
        bestWeights = vars.map((w) => w.dataSync().slice() as Float32Array)
      } else if (epoch - bestEpoch >= o.patience) break
    }
  } finally {
    tf.dispose([v.seq, v.st, v.y, ...vars])
    optimizer.dispose()
  }
  // Spend given a purchase: ridge regression (lambda 1) of log(1 + spend) on the features.
  const k = F + 1
  const xtx = new Float64Array(k * k)
  const xty = new Float64Array(k)
  const rows: number[] = []
  for (let i = 0; i < n; i++) {
    if (!y[i]) continue
    rows.push(i)
    const t = Math.log1p(Math.max(0, train.spend[i]))
    for (let a = 0; a < k; a++) {
      const xa = a < F ? feats[i * F + a] : 1
      xty[a] += xa * t
      for (let b = 0; b < k; b++) xtx[a * k + b] += xa * (b < F ? feats[i * F + b] : 1)
    }
  }
  for (let a = 0; a < F; a++) xtx[a * k + a] += 1
  const spend = solveSpd(xtx, xty, k)
  let ss = 0
  for (const i of rows) {
    let z = spend[F]
    for (let a = 0; a < F; a++) z += feats[i * F + a] * spend[a]
    ss += (Math.log1p(Math.max(0, train.spend[i])) - z) ** 2
  }
  return {
    format: "personalization.lifecycle.sequence-model",
    version: 1,
    steps: K,
    hidden: H,
    mean,
    std,
    kernel: bestWeights[0],
    recurrent: bestWeights[1],
    bias: bestWeights[2],
    output: Float32Array.from([...bestWeights[3], bestWeights[4][0]]),
    spend,
    spendResidualVariance: rows.length ? ss / rows.length : 0,
    bestEpoch,
  }
}

/** P(buy) and expected spend per customer, in plain TypeScript (no TF.js). */
export function scoreSequenceModel(model: SequenceModel, rows: { sequences: Float32Array; names: readonly string[]; values: Float64Array }): { buy: Float32Array; spend: Float32Array } {
  const { x: feats } = standardised(rows.names, rows.values, model.mean, model.std)
  const F = PURCHASE_BASE_FEATURES.length
  const K = model.steps
  const C = SEQUENCE_CHANNELS
  const H = model.hidden
  const n = feats.length / F
  const buy = new Float32Array(n)
  const spend = new Float32Array(n)
  const h = new Float64Array(H)
  const gx = new Float64Array(3 * H)
  const gh = new Float64Array(3 * H)
  for (let i = 0; i < n; i++) {
    h.fill(0)
    for (let t = 0; t < K; t++) {
      const o = (i * K + t) * C
      if (rows.sequences[o] === 0) continue
      for (let g = 0; g < 3 * H; g++) {
        let s = model.bias[g]
        for (let c = 0; c < C; c++) s += rows.sequences[o + c] * model.kernel[c * 3 * H + g]
        gx[g] = s
        let r = 0
        if (g < 2 * H) for (let a = 0; a < H; a++) r += h[a] * model.recurrent[a * 3 * H + g]
        gh[g] = r
      }
      const z = new Float64Array(H)
      const rr = new Float64Array(H)
      for (let a = 0; a < H; a++) {
        z[a] = sigmoid(gx[a] + gh[a])
        rr[a] = sigmoid(gx[H + a] + gh[H + a])
      }
      const next = new Float64Array(H)
      for (let a = 0; a < H; a++) {
        let s = gx[2 * H + a]
        for (let b = 0; b < H; b++) s += rr[b] * h[b] * model.recurrent[b * 3 * H + 2 * H + a]
        next[a] = (1 - z[a]) * h[a] + z[a] * Math.tanh(s)
      }
      h.set(next)
    }
    let logit = model.output[H + F]
    for (let a = 0; a < H; a++) logit += h[a] * model.output[a]
    let mu = model.spend[F]
    for (let j = 0; j < F; j++) {
      logit += feats[i * F + j] * model.output[H + j]
      mu += feats[i * F + j] * model.spend[j]
    }
    buy[i] = sigmoid(logit)
    spend[i] = buy[i] * Math.max(0, Math.expm1(mu + model.spendResidualVariance / 2))
  }
  return { buy, spend }
}
