import * as tf from "@tensorflow/tfjs"

import { rocAuc } from "../evaluation/auc"
import { spearman } from "../evaluation/spearman"
import { Rng } from "../random"
import { fromJsonSafe, toJsonSafe } from "../serialize"
import {
  type FeatureTransform,
  type SerializedFeatureTransform,
  applyFeatureTransform,
  deserializeFeatureTransform,
  fitFeatureTransform,
  serializeFeatureTransform,
} from "../features/feature-transform"

/**
 * Purchase propensity and future value: a small TF.js network over log(1 + feature) inputs,
 * standardised with the fit cutoff's means and deviations, with two heads on a shared ReLU
 * trunk: the logit of "buys again in the horizon" and log(1 + spend) given a purchase (trained
 * on buyers only). Expected spend = P(buy) x (exp(mu + s^2 / 2) - 1), s^2 the residual variance
 * of the spend head on the training buyers (the mean of a log-normal).
 *
 * Training is plain data in, plain data out (a worker_thread can run it): the model is a plain
 * object of typed arrays and numbers, and scoring is plain TypeScript (no TF.js needed to
 * serve). Several networks are trained, one per fold of seeded customer-level splits: net k
 * stops early on fold k, and the ensemble averages the nets. Their out-of-fold predictions give
 * a validation estimate from the fit data alone.
 *
 * Defaults were chosen on that out-of-fold estimate at T1 = 2011-03-01 (Online Retail, labels
 * from [T1, 2011-06-01)), never on later data; wider nets, the extra features and stronger decay
 * were no better there (within noise), and the extra features were worse. Measured on the
 * development split (fit at T1, scored at 2011-06-01, outcome to 2011-08-31), seeds 0, 1, 2:
 * AUC 0.7528, 0.7542, 0.7530 (logistic regression 0.7511) and Spearman 0.5286, 0.5335, 0.5318
 * (RFM quintile sum 0.5095); fit 20-30 s on wasm on a shared 2-core machine (20 networks).
 * One network instead of the ensemble varied from 0.747 to 0.754 in AUC across seeds.
 */

export interface PropensityTrainingSet {
  /** Feature names, one per column (kept with the model, checked when scoring). */
  readonly names: readonly string[]
  /** Raw feature values (>= 0), row-major customers x names.length. */
  readonly values: Float64Array
  /** 1 when the customer bought in the label window, else 0. */
  readonly bought: ArrayLike<number>
  /** Spend in the label window (shop currency, >= 0; 0 for non-buyers). */
  readonly spend: ArrayLike<number>
}

export interface PropensityRows {
  readonly names: readonly string[]
  /** Raw feature values (>= 0), row-major customers x names.length. */
  readonly values: Float64Array
}

export interface PropensityOptions {
  /** Hidden layer widths of the shared trunk (ReLU); default [16, 8]. */
  hidden?: number[]
  /** Folds of each customer split, >= 2: one network per fold, stopped early on it; default 5. */
  folds?: number
  /**
   * Independent customer splits, >= 1; default 4. The ensemble has folds x repeats networks:
   * averaging many early-stopped nets removes most of the seed-to-seed spread.
   */
  repeats?: number
  /** Adam learning rate; default 0.003. */
  learningRate?: number
  /** Decoupled weight decay of the weight matrices (not biases) per step, x learningRate, >= 0; default 1e-3. */
  weightDecay?: number
  /** Weight of the spend head's mean squared error next to the buy head's log loss; default 0.5. */
  spendWeight?: number
  /** Rows per step; default 128. */
  batchSize?: number
  /** Most epochs per network; default 300. */
  maxEpochs?: number
  /** Stop after this many epochs without a better validation loss; default 40. */
  patience?: number
  /** Seed of initial weights, folds and batch order; default 0. */
  seed?: number
  /** "wasm" (default; fast) or "cpu" (pure JS; tiny tests only). */
  backend?: "wasm" | "cpu"
  /** Called after each epoch: net (0-based), epoch, validation loss. */
  onProgress?: (net: number, epoch: number, validationLoss: number) => void
}

/** One dense layer: weights row-major inputs x outputs, then biases. */
export interface DenseLayer {
  readonly inputs: number
  readonly outputs: number
  readonly weights: Float32Array
  readonly bias: Float32Array
}

/** Trunk layers (ReLU), then the two heads (linear: buy logit, log1p spend given a buy). */
export interface PropensityNet {
  readonly trunk: DenseLayer[]
  readonly buyHead: DenseLayer
  readonly spendHead: DenseLayer
  /** Epochs trained before the best validation loss. */
  readonly bestEpoch: number
}

export interface PropensityModel {
  readonly format: typeof PROPENSITY_FORMAT
  readonly version: typeof PROPENSITY_VERSION
  readonly names: readonly string[]
  /** log(1 + x) of every column, then standardisation with the fit rows' means and deviations. */
  readonly transform: FeatureTransform
  readonly nets: PropensityNet[]
  /** Residual variance of log(1 + spend) of training buyers around the spend head. */
  readonly spendResidualVariance: number
  readonly options: Omit<Required<PropensityOptions>, "onProgress" | "backend">
  /** Out-of-fold AUC (buys) and Spearman (expected spend vs spend) on the fit data. */
  readonly validation: { auc: number; spearman: number }
}

export const PROPENSITY_FORMAT = "personalization.lifecycle.propensity"
/** 2: the input scaling is a FeatureTransform (`transform`, with names and log1p flags), not `standardizer`. */
export const PROPENSITY_VERSION = 2

export interface PropensityScores {
  /** P(buys again in the horizon), in (0, 1). */
  buy: Float32Array
  /** Expected spend in the horizon (shop currency, >= 0): buy x E[spend | buy]. */
  spend: Float32Array
}

const DEFAULTS = {
  hidden: [16, 8],
  folds: 5,
  repeats: 4,
  learningRate: 0.003,
  weightDecay: 1e-3,
  spendWeight: 0.5,
  batchSize: 128,
  maxEpochs: 300,
  patience: 40,
  seed: 0,
}

/** Makes `name` the TF.js backend when it is not already (wasm needs its package loaded). */
export async function useBackend(name: "wasm" | "cpu"): Promise<void> {
  if (name === "wasm") require("@tensorflow/tfjs-backend-wasm")
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name)
    if (!ok) throw new Error(`TF.js backend "${name}" could not be initialised`)
  }
  await tf.ready()
}

/**
 * Fits the ensemble on `train` (customers at the fit cutoff with their label-window outcome).
 * Needs at least `folds` customers and both outcomes present. Deterministic for a seed and a
 * backend. Returns a plain, serializable model.
 */
export async function fitPropensity(train: PropensityTrainingSet, options: PropensityOptions = {}): Promise<PropensityModel> {
  const o = { ...DEFAULTS, ...options, hidden: options.hidden ?? DEFAULTS.hidden }
  const d = train.names.length
  const n = train.bought.length
  if (train.values.length !== n * d || train.spend.length !== n) throw new RangeError("fitPropensity: values, bought and spend do not match")
  if (!(o.folds >= 2 && Number.isInteger(o.folds)) || n < o.folds) throw new RangeError(`fitPropensity: need folds >= 2 and at least folds rows`)
  if (!(o.repeats >= 1 && Number.isInteger(o.repeats))) throw new RangeError(`fitPropensity: repeats must be an integer >= 1, got ${o.repeats}`)
  await useBackend(options.backend ?? "wasm")
  const transform = fitFeatureTransform(train.values, train.names, { log1p: train.names })
  const x = Float32Array.from(applyFeatureTransform(transform, train.values))
  const y = Float32Array.from(train.bought, (v) => (v ? 1 : 0))
  const target = Float32Array.from(train.spend, (v) => Math.log1p(Math.max(0, v)))
  const rng = new Rng(o.seed)
  let buyerMean = 0
  let buyers = 0
  for (let i = 0; i < n; i++) if (y[i]) ((buyerMean += target[i]), buyers++)
  buyerMean = buyers ? buyerMean / buyers : 0

  const nets: PropensityNet[] = []
  // Each row is out of fold once per repeat: the mean of those predictions is a fair estimate.
  const oofBuy = new Float64Array(n)
  const oofMu = new Float64Array(n)
  const fold = new Int32Array(n)
  for (let rep = 0; rep < o.repeats; rep++) {
    const perm = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i))
    perm.forEach((row, k) => (fold[row] = k % o.folds))
    for (let k = 0; k < o.folds; k++) {
      const trainRows: number[] = []
      const validRows: number[] = []
      for (let i = 0; i < n; i++) (fold[i] === k ? validRows : trainRows).push(i)
      const index = nets.length
      const net = trainNet(x, y, target, d, trainRows, validRows, buyerMean, o, rng, (e, l) => options.onProgress?.(index, e, l))
      nets.push(net)
      for (const i of validRows) {
        const { logit, mu } = forwardRow(net, x, i * d)
        oofBuy[i] += sigmoid(logit) / o.repeats
        oofMu[i] += mu / o.repeats
      }
    }
  }
  // Residual variance of the ensemble's spend head on training buyers, for the log-normal mean.
  const all = predictNets(nets, x, d)
  let ss = 0
  for (let i = 0; i < n; i++) if (y[i]) ss += (target[i] - all.mu[i]) ** 2
  const spendResidualVariance = buyers ? ss / buyers : 0
  const oofSpend = oofBuy.map((p, i) => p * Math.expm1(oofMu[i] + spendResidualVariance / 2))
  // The backend and the callback describe this run, not the model: not kept.
  const kept = {
    hidden: o.hidden.slice(),
    folds: o.folds,
    repeats: o.repeats,
    learningRate: o.learningRate,
    weightDecay: o.weightDecay,
    spendWeight: o.spendWeight,
    batchSize: o.batchSize,
    maxEpochs: o.maxEpochs,
    patience: o.patience,
    seed: o.seed,
  }
  return {
    format: PROPENSITY_FORMAT,
    version: PROPENSITY_VERSION,
    names: train.names.slice(),
    transform,
    nets,
    spendResidualVariance,
    options: kept,
    validation: { auc: rocAuc(y, oofBuy), spearman: spearman(oofSpend, train.spend) },
  }
}

/** P(buy) and expected spend for `rows` (same feature names as the model's fit). Plain TypeScript. */
export function scorePropensity(model: PropensityModel, rows: PropensityRows): PropensityScores {
  const d = model.names.length
  if (rows.names.length !== d || rows.names.some((name, j) => name !== model.names[j])) {
    throw new RangeError(`scorePropensity: features [${rows.names.join(", ")}] differ from the model's [${model.names.join(", ")}]`)
  }
  const x = Float32Array.from(applyFeatureTransform(model.transform, rows.values))
  const { buy, mu } = predictNets(model.nets, x, d)
  const n = buy.length
  const spend = new Float32Array(n)
  for (let i = 0; i < n; i++) spend[i] = buy[i] * Math.expm1(mu[i] + model.spendResidualVariance / 2)
  return { buy: Float32Array.from(buy), spend }
}

/**
 * JSON-safe form (network weights as base64); JSON.stringify it to store. The transform is kept
 * in its own serialized form (plain numbers, its own format version), as segmentation stores it.
 */
export function serializePropensity(model: PropensityModel): Record<string, unknown> {
  return toJsonSafe({ ...model, transform: serializeFeatureTransform(model.transform) }) as Record<string, unknown>
}

/** Inverse of serializePropensity; checks format, version and array shapes. */
export function deserializePropensity(s: unknown): PropensityModel {
  const raw = fromJsonSafe(s) as Omit<PropensityModel, "transform"> & { transform: SerializedFeatureTransform }
  if (!raw || raw.format !== PROPENSITY_FORMAT) throw new Error(`expected a "${PROPENSITY_FORMAT}" model, got "${(raw as { format?: unknown })?.format}"`)
  if (raw.version !== PROPENSITY_VERSION) throw new Error(`${PROPENSITY_FORMAT}: unsupported version ${raw.version} (this code reads ${PROPENSITY_VERSION})`)
  const d = raw.names.length
  if (!raw.transform) throw new Error(`${PROPENSITY_FORMAT}: no input transform`)
  const transform = deserializeFeatureTransform(raw.transform)
  if (transform.names.length !== d || transform.names.some((name, j) => name !== raw.names[j])) {
    throw new Error(`${PROPENSITY_FORMAT}: transform does not match the ${d} features`)
  }
  const m: PropensityModel = { ...raw, transform }
  for (const net of m.nets) {
    let width = d
    for (const layer of [...net.trunk, net.buyHead]) {
      checkLayer(layer, width)
      width = layer.outputs
    }
    checkLayer(net.spendHead, net.trunk.length ? net.trunk[net.trunk.length - 1].outputs : d)
  }
  return m
}

function checkLayer(l: DenseLayer, inputs: number): void {
  if (l.inputs !== inputs || !(l.weights instanceof Float32Array) || l.weights.length !== l.inputs * l.outputs || l.bias.length !== l.outputs) {
    throw new Error(`${PROPENSITY_FORMAT}: layer shapes do not chain (expected ${inputs} inputs)`)
  }
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))
}

/** Ensemble mean of P(buy) and of the spend head over standardised rows. */
function predictNets(nets: readonly PropensityNet[], x: Float32Array, d: number): { buy: Float64Array; mu: Float64Array } {
  const n = x.length / d
  const buy = new Float64Array(n)
  const mu = new Float64Array(n)
  for (const net of nets) {
    for (let i = 0; i < n; i++) {
      const r = forwardRow(net, x, i * d)
      buy[i] += sigmoid(r.logit) / nets.length
      mu[i] += r.mu / nets.length
    }
  }
  return { buy, mu }
}

/** Forward pass of one standardised row starting at x[offset]. */
export function forwardRow(net: PropensityNet, x: Float32Array, offset: number): { logit: number; mu: number } {
  let h: ArrayLike<number> = x.subarray(offset, offset + (net.trunk[0]?.inputs ?? net.buyHead.inputs))
  for (const layer of net.trunk) {
    const out = new Float64Array(layer.outputs)
    for (let j = 0; j < layer.outputs; j++) {
      let s = layer.bias[j]
      for (let i = 0; i < layer.inputs; i++) s += h[i] * layer.weights[i * layer.outputs + j]
      out[j] = s > 0 ? s : 0
    }
    h = out
  }
  const head = (l: DenseLayer) => {
    let s = l.bias[0]
    for (let i = 0; i < l.inputs; i++) s += h[i] * l.weights[i]
    return s
  }
  return { logit: head(net.buyHead), mu: head(net.spendHead) }
}

type Resolved = typeof DEFAULTS & { hidden: number[] }

interface Vars {
  trunk: { w: tf.Variable; b: tf.Variable }[]
  buy: { w: tf.Variable; b: tf.Variable }
  spend: { w: tf.Variable; b: tf.Variable }
}

function initLayer(rng: Rng, inputs: number, outputs: number, gain: number, bias: number): { w: tf.Variable; b: tf.Variable } {
  // He-normal from the project's seeded generator, so initial weights do not depend on TF.js's RNG.
  const w = rng.fillNormal(new Float32Array(inputs * outputs), 0, gain * Math.sqrt(2 / inputs))
  return { w: tf.variable(tf.tensor2d(w, [inputs, outputs])), b: tf.variable(tf.fill([outputs], bias)) }
}

function forwardTf(v: Vars, x: tf.Tensor2D): { logit: tf.Tensor1D; mu: tf.Tensor1D } {
  let h: tf.Tensor = x
  for (const l of v.trunk) h = tf.relu(tf.add(tf.matMul(h, l.w), l.b))
  return {
    logit: tf.reshape(tf.add(tf.matMul(h, v.buy.w), v.buy.b), [-1]),
    mu: tf.reshape(tf.add(tf.matMul(h, v.spend.w), v.spend.b), [-1]),
  }
}

function lossTf(v: Vars, x: tf.Tensor2D, y: tf.Tensor1D, t: tf.Tensor1D, spendWeight: number, weightDecay: number): tf.Scalar {
  const { logit, mu } = forwardTf(v, x)
  // Log loss from logits as softplus(z) - y z: tf.logSigmoid's gradient is unreliable (docs/architecture.md).
  const bce = tf.mean(tf.sub(tf.softplus(logit), tf.mul(y, logit)))
  const sq = tf.mul(y, tf.square(tf.sub(mu, t)))
  const mse = tf.div(tf.sum(sq), tf.maximum(tf.sum(y), 1))
  let loss = tf.add(bce, tf.mul(spendWeight, mse)) as tf.Scalar
  if (weightDecay > 0) {
    const mats = [...v.trunk.map((l) => l.w), v.buy.w, v.spend.w]
    loss = tf.add(loss, tf.mul(weightDecay, tf.addN(mats.map((m) => tf.sum(tf.square(m)))))) as tf.Scalar
  }
  return loss
}

function trainNet(
  x: Float32Array,
  y: Float32Array,
  target: Float32Array,
  d: number,
  trainRows: number[],
  validRows: number[],
  buyerMean: number,
  o: Resolved,
  rng: Rng,
  onEpoch: (epoch: number, loss: number) => void
): PropensityNet {
  const widths = [d, ...o.hidden]
  const v: Vars = {
    trunk: o.hidden.map((h, k) => initLayer(rng, widths[k], h, 1, 0)),
    buy: initLayer(rng, widths[widths.length - 1], 1, 0.1, 0),
    spend: initLayer(rng, widths[widths.length - 1], 1, 0.1, buyerMean),
  }
  const vars = [...v.trunk.flatMap((l) => [l.w, l.b]), v.buy.w, v.buy.b, v.spend.w, v.spend.b]
  const optimizer = tf.train.adam(o.learningRate)
  const gather = (rows: ArrayLike<number>) => {
    const xb = new Float32Array(rows.length * d)
    const yb = new Float32Array(rows.length)
    const tb = new Float32Array(rows.length)
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k]
      xb.set(x.subarray(i * d, (i + 1) * d), k * d)
      yb[k] = y[i]
      tb[k] = target[i]
    }
    return { x: tf.tensor2d(xb, [rows.length, d]), y: tf.tensor1d(yb), t: tf.tensor1d(tb) }
  }
  const valid = gather(validRows)
  const order = Int32Array.from(trainRows)
  let best = Number.POSITIVE_INFINITY
  let bestEpoch = 0
  let bestWeights = vars.map((w) => w.dataSync().slice() as Float32Array)
  try {
    for (let epoch = 1; epoch <= o.maxEpochs; epoch++) {
      rng.shuffle(order)
      for (let s = 0; s < order.length; s += o.batchSize) {
        const b = gather(order.subarray(s, Math.min(order.length, s + o.batchSize)))
        optimizer.minimize(() => lossTf(v, b.x, b.y, b.t, o.spendWeight, 0) as tf.Scalar, false, vars)
        // Decoupled weight decay (as AdamW): shrink the weight matrices once per step.
        if (o.weightDecay > 0) {
          tf.tidy(() => {
            for (const m of [...v.trunk.map((l) => l.w), v.buy.w, v.spend.w]) m.assign(tf.mul(m, 1 - o.learningRate * o.weightDecay))
          })
        }
        tf.dispose([b.x, b.y, b.t])
      }
      const loss = tf.tidy(() => lossTf(v, valid.x, valid.y, valid.t, o.spendWeight, 0).dataSync()[0])
      onEpoch(epoch, loss)
      if (loss < best - 1e-6) {
        best = loss
        bestEpoch = epoch
        bestWeights = vars.map((w) => w.dataSync().slice() as Float32Array)
      } else if (epoch - bestEpoch >= o.patience) {
        break
      }
    }
  } finally {
    tf.dispose([valid.x, valid.y, valid.t, ...vars])
    optimizer.dispose()
  }
  const layers: DenseLayer[] = []
  for (let k = 0; k < widths.length + 1; k++) {
    const inputs = widths[Math.min(k, widths.length - 1)]
    const outputs = k < o.hidden.length ? o.hidden[k] : 1
    layers.push({ inputs, outputs, weights: bestWeights[2 * k], bias: bestWeights[2 * k + 1] })
  }
  return { trunk: layers.slice(0, o.hidden.length), buyHead: layers[o.hidden.length], spendHead: layers[o.hidden.length + 1], bestEpoch }
}
