import * as tf from "@tensorflow/tfjs"

import type { CsrMatrix } from "../data/csr"
import type { Interactions } from "../data/interactions"
import { Rng } from "../random"
import {
  BaseRecommender,
  type FitOptions,
  type SerializedModel,
  checkFormat,
  deserializeCsr,
  serializeCsr,
} from "./recommender"
import { topK } from "./top-k"

export interface MultVaeOptions {
  /**
   * Width of the encoder's and the decoder's hidden layer (tanh), >= 1; default 100. Defaults
   * (100, 32 latent, 60 epochs of 128 users) were the best of three settings on the rolling
   * splits; wider layers or longer training were worse (docs/evaluation.md).
   */
  hidden?: number
  /** Latent dimensions, >= 1; default 32. */
  latent?: number
  /** Passes over the users, >= 1; default 60. */
  epochs?: number
  /** Users per step, >= 1; default 128. */
  batchSize?: number
  /** Adam learning rate, > 0; default 0.001. */
  learningRate?: number
  /** Dropout of the input purchases while training, in [0, 1); default 0.5. */
  dropout?: number
  /** Largest weight of the KL term, reached linearly over the first half of the steps, >= 0; default 0.2. */
  betaMax?: number
  /** Seed of the initial weights, batch order, dropout masks and latent noise; default 0. */
  seed?: number
  /** TF.js backend the fit expects to be active: "wasm" (default) or "cpu" (tiny tests only). */
  backend?: "wasm" | "cpu"
}

const DEFAULTS: Required<MultVaeOptions> = {
  hidden: 100,
  latent: 32,
  epochs: 60,
  batchSize: 128,
  learningRate: 0.001,
  dropout: 0.5,
  betaMax: 0.2,
  seed: 0,
  backend: "wasm",
}

/** Row-major weights (inputs x outputs) and biases of one dense layer. */
interface Layer {
  inputs: number
  outputs: number
  w: Float32Array
  b: Float32Array
}

/**
 * Mult-VAE (Liang, Krishnan, Hoffman and Jebara 2018): a variational autoencoder over a
 * customer's purchase vector x (binary, L2-normalised, with input dropout while training):
 * encoder tanh(x W1 + b1) -> (mu, log sigma^2), decoder tanh(z W4 + b4) W5 + b5 -> logits over
 * items, trained on the multinomial log-likelihood sum_i x_i log softmax(logits)_i minus beta x
 * KL(q(z|x) || N(0, I)), beta annealed from 0 to betaMax. Scores are the decoder's logits at
 * z = mu, computed in plain TypeScript (serving needs no TF.js).
 *
 * The fit runs TF.js on the backend named in the options; wasm must already be active
 * (`await useBackend("wasm")` from src/ml/lifecycle/propensity.ts first, as the worker job
 * "mult-vae" of src/ml/worker does), cpu is made active by the fit itself. Randomness comes from the seed (TF.js's own generator is not
 * used), so a fit is repeatable on one backend. Cost per epoch is about
 * 6 x users x items x hidden floating-point operations (forward and backward through the two
 * items x hidden layers): at the defaults, 140-310 s per fit (60 epochs) on the rolling splits
 * (1,680-2,716 users, 2,753-3,108 items), one wasm thread, the 2-core machine shared (load 3-9).
 */
export class MultVaeRecommender extends BaseRecommender {
  static readonly FORMAT = "personalization.recommender.mult-vae"
  static readonly VERSION = 1
  readonly name = "mult-vae"
  readonly options: Required<MultVaeOptions>
  private enc: Layer | null = null
  private mu: Layer | null = null
  private dec: Layer | null = null
  private out: Layer | null = null
  /** Training loss (negative ELBO per user) after each epoch of the last fit. */
  losses: number[] = []

  constructor(options: MultVaeOptions = {}) {
    super()
    const o = { ...DEFAULTS, ...options }
    for (const k of ["hidden", "latent", "epochs", "batchSize"] as const) {
      if (!(Number.isInteger(o[k]) && o[k] >= 1)) throw new RangeError(`MultVaeRecommender: ${k} must be an integer >= 1, got ${o[k]}`)
    }
    if (!(o.learningRate > 0)) throw new RangeError(`MultVaeRecommender: learningRate must be > 0, got ${o.learningRate}`)
    if (!(o.dropout >= 0 && o.dropout < 1)) throw new RangeError(`MultVaeRecommender: dropout must be in [0, 1), got ${o.dropout}`)
    if (!(o.betaMax >= 0)) throw new RangeError(`MultVaeRecommender: betaMax must be >= 0, got ${o.betaMax}`)
    if (o.backend !== "wasm" && o.backend !== "cpu") throw new RangeError(`MultVaeRecommender: backend must be "wasm" or "cpu"`)
    this.options = o
  }

  fit(data: Interactions, options: FitOptions = {}): this {
    const o = this.options
    // The cpu backend initialises synchronously (setBackend sets it before its first await), so
    // a cpu fit can start it here; wasm loads a module asynchronously and must be ready already.
    if (o.backend === "cpu" && tf.getBackend() !== "cpu") void tf.setBackend("cpu")
    if (tf.getBackend() !== o.backend) {
      throw new Error(`MultVaeRecommender: TF.js backend "${o.backend}" is not active (got "${tf.getBackend()}"): await useBackend("${o.backend}") before fitting`)
    }
    const x = data.strength
    const n = data.nItems
    const users: number[] = []
    for (let u = 0; u < data.nUsers; u++) if (x.indptr[u + 1] > x.indptr[u]) users.push(u)
    const rng = new Rng(o.seed)
    const glorot = (inputs: number, outputs: number) => rng.fillNormal(new Float32Array(inputs * outputs), 0, Math.sqrt(2 / (inputs + outputs)))
    const matrix = (rows: number, cols: number) => tf.variable(tf.tensor2d(glorot(rows, cols), [rows, cols]))
    const vector = (size: number) => tf.variable(tf.zeros([size]) as tf.Tensor1D)
    const w1 = matrix(n, o.hidden)
    const b1 = vector(o.hidden)
    const w2 = matrix(o.hidden, 2 * o.latent)
    const b2 = vector(2 * o.latent)
    const w4 = matrix(o.latent, o.hidden)
    const b4 = vector(o.hidden)
    const w5 = matrix(o.hidden, n)
    const b5 = vector(n)
    const vars = [w1, b1, w2, b2, w4, b4, w5, b5]
    const optimizer = tf.train.adam(o.learningRate)
    const steps = o.epochs * Math.ceil(users.length / o.batchSize)
    const order = Int32Array.from(users)
    const outputLayer = transposeFreeProduct()
    let step = 0
    this.losses = []
    try {
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        rng.shuffle(order)
        let total = 0
        for (let s = 0; s < order.length; s += o.batchSize) {
          const batch = order.subarray(s, Math.min(order.length, s + o.batchSize))
          const m = batch.length
          const { input, target, kept } = denseBatch(x, batch, n, o.dropout, rng)
          const eps = rng.fillNormal(new Float32Array(m * o.latent))
          const beta = o.betaMax * Math.min(1, step / Math.max(1, steps / 2))
          const tx = tf.tensor2d(input, [m, n])
          const tt = tf.tensor2d(target, [m, n])
          const te = tf.tensor2d(eps, [m, o.latent])
          const firstLayer = sparseInputProduct(tx, kept, n, o.hidden)
          const loss = optimizer.minimize(
            () =>
              tf.tidy(() => {
                const h = tf.tanh(tf.add(firstLayer(w1), b1))
                const stats = tf.add(tf.matMul(h, w2), b2)
                const mu = tf.slice(stats, [0, 0], [m, o.latent])
                const logVar = tf.slice(stats, [0, o.latent], [m, o.latent])
                const z = tf.add(mu, tf.mul(te, tf.exp(tf.mul(0.5, logVar))))
                const logits = tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(z, w4), b4)), w5), b5)
                const nll = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tt), 1)))
                const kl = tf.mean(tf.sum(tf.mul(0.5, tf.sub(tf.add(tf.exp(logVar), tf.square(mu)), tf.add(logVar, 1))), 1))
                return tf.add(nll, tf.mul(beta, kl)) as tf.Scalar
              }),
            true,
            vars
          ) as tf.Scalar
          total += loss.dataSync()[0] * m
          tf.dispose([loss, tx, tt, te])
          step++
        }
        this.losses.push(total / Math.max(1, order.length))
        options.onProgress?.(epoch + 1, o.epochs, "mult-vae")
      }
      const read = (w: tf.Variable, b: tf.Variable): Layer => ({
        inputs: w.shape[0] as number,
        outputs: w.shape[1] as number,
        w: w.dataSync().slice() as Float32Array,
        b: b.dataSync().slice() as Float32Array,
      })
      this.enc = read(w1, b1)
      // Only the mean half of the encoder's second layer is needed to score.
      const stats = read(w2, b2)
      const muW = new Float32Array(o.hidden * o.latent)
      for (let i = 0; i < o.hidden; i++) muW.set(stats.w.subarray(i * 2 * o.latent, i * 2 * o.latent + o.latent), i * o.latent)
      this.mu = { inputs: o.hidden, outputs: o.latent, w: muW, b: stats.b.slice(0, o.latent) }
      this.dec = read(w4, b4)
      this.out = read(w5, b5)
    } finally {
      tf.dispose(vars)
      optimizer.dispose()
    }
    this.history = data.strength
    return this
  }

  scores(user: number): Float64Array {
    const { items } = this.userRow(user)
    return this.scoresFromHistory(items)
  }

  /** Decoder logits at z = mu for any history (item indices), in plain TypeScript. */
  scoresFromHistory(items: ArrayLike<number>): Float64Array {
    const enc = this.enc as Layer
    const mu = this.mu as Layer
    const dec = this.dec as Layer
    const out = this.out as Layer
    const norm = items.length > 0 ? 1 / Math.sqrt(items.length) : 0
    // x W1 for a binary, L2-normalised x: the sum of the user's rows of W1, times 1 / sqrt(|x|).
    const h = Float64Array.from(enc.b)
    for (let k = 0; k < items.length; k++) {
      const off = items[k] * enc.outputs
      for (let j = 0; j < enc.outputs; j++) h[j] += norm * enc.w[off + j]
    }
    for (let j = 0; j < h.length; j++) h[j] = Math.tanh(h[j])
    const z = dense(mu, h)
    const g = dense(dec, z)
    for (let j = 0; j < g.length; j++) g[j] = Math.tanh(g[j])
    return dense(out, g)
  }

  /** Items whose decoder output weights are most alike (cosine of the columns of W5). */
  similarItems(item: number, n: number): Int32Array {
    this.checkItem(item)
    const out = this.out as Layer
    const nItems = out.outputs
    const col = (i: number, j: number) => out.w[j * nItems + i]
    const norms = new Float64Array(nItems)
    for (let j = 0; j < out.inputs; j++) for (let i = 0; i < nItems; i++) norms[i] += col(i, j) ** 2
    const sim = new Float64Array(nItems)
    for (let j = 0; j < out.inputs; j++) {
      const a = col(item, j)
      for (let i = 0; i < nItems; i++) sim[i] += a * col(i, j)
    }
    for (let i = 0; i < nItems; i++) sim[i] = norms[i] > 0 && norms[item] > 0 ? sim[i] / Math.sqrt(norms[i] * norms[item]) : 0
    const mask = new Uint8Array(nItems)
    mask[item] = 1
    return topK(sim, n, mask)
  }

  serialize(): SerializedModel {
    const layer = (l: Layer | null) => {
      if (!l) throw new Error("mult-vae: not fitted")
      return { inputs: l.inputs, outputs: l.outputs, w: l.w, b: l.b }
    }
    return {
      format: MultVaeRecommender.FORMAT,
      version: MultVaeRecommender.VERSION,
      options: this.options,
      history: serializeCsr(this.fitted()),
      enc: layer(this.enc),
      mu: layer(this.mu),
      dec: layer(this.dec),
      out: layer(this.out),
    }
  }

  static deserialize(s: SerializedModel): MultVaeRecommender {
    checkFormat(s, MultVaeRecommender.FORMAT, MultVaeRecommender.VERSION)
    const m = new MultVaeRecommender(s.options as MultVaeOptions)
    m.history = deserializeCsr(s.history)
    const o = m.options
    const n = m.history.nCols
    const check = (l: unknown, inputs: number, outputs: number): Layer => {
      const x = l as Layer
      if (!x || !(x.w instanceof Float32Array) || !(x.b instanceof Float32Array) || x.inputs !== inputs || x.outputs !== outputs || x.w.length !== inputs * outputs || x.b.length !== outputs) {
        throw new Error(`${MultVaeRecommender.FORMAT}: a layer does not match ${n} items, ${o.hidden} hidden, ${o.latent} latent`)
      }
      return x
    }
    m.enc = check(s.enc, n, o.hidden)
    m.mu = check(s.mu, o.hidden, o.latent)
    m.dec = check(s.dec, o.latent, o.hidden)
    m.out = check(s.out, o.hidden, n)
    return m
  }
}

/**
 * (h, w) -> h w, with both gradients as plain products of explicit transposes: on the wasm
 * backend a matmul with a transposed operand (what the built-in gradient uses) is 2 to 3
 * times slower.
 */
export function transposeFreeProduct(): (h: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [h, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc]
    save([h, w])
    return {
      value: tf.matMul(h, w),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor2D
        const [hs, ws] = saved as [tf.Tensor2D, tf.Tensor2D]
        return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(hs), g)]
      },
    }
  }) as (h: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor
}

/**
 * w -> x w for the dense batch `x` (m x n) whose row k holds `rows[k].value` at `rows[k].items`
 * and 0 elsewhere, with the gradient x' dY summed over those items only: the wasm backend's
 * transposed matmul is about 15 times slower than this loop over a user's 20-100 items.
 */
export function sparseInputProduct(x: tf.Tensor2D, rows: readonly { items: number[]; value: number }[], n: number, hidden: number): (w: tf.Tensor2D) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.matMul(x, args[0] as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
      const g = (Array.isArray(dy) ? dy[0] : dy).dataSync()
      const out = new Float32Array(n * hidden)
      for (let k = 0; k < rows.length; k++) {
        const { items, value } = rows[k]
        const ok = k * hidden
        for (const i of items) {
          const oi = i * hidden
          for (let j = 0; j < hidden; j++) out[oi + j] += value * g[ok + j]
        }
      }
      return [tf.tensor2d(out, [n, hidden])]
    },
  })) as (w: tf.Tensor2D) => tf.Tensor
}

/** out = x W + b for one row x. */
function dense(l: Layer, x: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(l.b)
  for (let i = 0; i < l.inputs; i++) {
    const v = x[i]
    if (v === 0) continue
    const off = i * l.outputs
    for (let j = 0; j < l.outputs; j++) out[j] += v * l.w[off + j]
  }
  return out
}

/**
 * Dense rows of the batch: `target` the binary purchase vector, `input` the same after dropout
 * (each purchase kept with probability 1 - dropout) and L2 normalisation of what is kept.
 */
function denseBatch(
  x: CsrMatrix,
  batch: Int32Array,
  n: number,
  dropout: number,
  rng: Rng
): { input: Float32Array; target: Float32Array; kept: { items: number[]; value: number }[] } {
  const input = new Float32Array(batch.length * n)
  const target = new Float32Array(batch.length * n)
  const rows: { items: number[]; value: number }[] = []
  for (let k = 0; k < batch.length; k++) {
    const u = batch[k]
    const kept: number[] = []
    for (let p = x.indptr[u]; p < x.indptr[u + 1]; p++) {
      const i = x.indices[p]
      target[k * n + i] = 1
      if (dropout === 0 || rng.next() >= dropout) kept.push(i)
    }
    const norm = kept.length ? 1 / Math.sqrt(kept.length) : 0
    for (const i of kept) input[k * n + i] = norm
    rows.push({ items: kept, value: norm })
  }
  return { input, target, kept: rows }
}
