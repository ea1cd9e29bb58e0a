import { averageRanks } from "../evaluation/ranks"

/**
 * RFM quintile of each value: ceil(5 x percentile rank), the percentile rank being the average
 * 1-based rank of the value (ties share it) divided by n, clipped to 1..5 (pandas
 * rank(method="average", pct=True)); so tied customers share a quintile and row order does not
 * matter. Higher value = higher quintile.
 */
export function quintiles(values: ArrayLike<number>): Uint8Array {
  const n = values.length
  const ranks = averageRanks(values)
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.min(5, Math.max(1, Math.ceil((5 * ranks[i]) / n)))
  return out
}

/**
 * the evaluation protocol's (docs/evaluation.md) RFM score: quintile(-recency) + quintile(invoices) + quintile(spend), in
 * 3..15, quintiles over the given population. Inputs are per-customer arrays of equal length.
 */
export function rfmQuintileSum(recencyDays: ArrayLike<number>, invoices: ArrayLike<number>, spend: ArrayLike<number>): Float64Array {
  const n = recencyDays.length
  if (invoices.length !== n || spend.length !== n) throw new RangeError("rfmQuintileSum: inputs differ in length")
  const r = quintiles(Float64Array.from(recencyDays, (v) => -v))
  const f = quintiles(invoices)
  const m = quintiles(spend)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = r[i] + f[i] + m[i]
  return out
}

export interface LogisticModel {
  /** One weight per column. */
  readonly weights: Float64Array
  readonly intercept: number
  /** Newton iterations taken. */
  readonly iterations: number
}

export interface LogisticOptions {
  /** Inverse L2 strength, > 0 (scikit-learn's C); default 1. The intercept is not penalised. */
  c?: number
  /** Stop when the largest Newton step is below this; default 1e-10. */
  tol?: number
  /** Default 100 (Newton usually needs fewer than 10). */
  maxIter?: number
}

/**
 * L2-regularised logistic regression (scikit-learn's objective: 0.5 |w|^2 + C sum of log
 * losses, unpenalised intercept) fitted by Newton's method with step halving, so its
 * solution equals scikit-learn's lbfgs optimum up to lbfgs's tolerance. `x` is row-major
 * n x d (already scaled), `y` holds 0/1 labels. O(n d^2) per iteration; for small d.
 */
export function fitLogistic(x: Float64Array, d: number, y: ArrayLike<number>, options: LogisticOptions = {}): LogisticModel {
  const c = options.c ?? 1
  const tol = options.tol ?? 1e-10
  const maxIter = options.maxIter ?? 100
  if (!(c > 0)) throw new RangeError(`fitLogistic: c must be > 0, got ${c}`)
  const n = y.length
  if (x.length !== n * d) throw new RangeError(`fitLogistic: x has ${x.length} values, expected ${n} x ${d}`)
  const p = d + 1 // parameters: weights, then the intercept
  const theta = new Float64Array(p)
  const objective = (t: Float64Array) => {
    let f = 0
    for (let j = 0; j < d; j++) f += 0.5 * t[j] * t[j]
    for (let i = 0; i < n; i++) {
      const z = linear(x, i, d, t)
      // log(1 + e^z) - y z, stably.
      f += c * (softplus(z) - (y[i] ? z : 0))
    }
    return f
  }
  let f = objective(theta)
  let it = 0
  for (; it < maxIter; it++) {
    const g = new Float64Array(p)
    const h = new Float64Array(p * p)
    for (let j = 0; j < d; j++) {
      g[j] = theta[j]
      h[j * p + j] = 1
    }
    for (let i = 0; i < n; i++) {
      const z = linear(x, i, d, theta)
      const mu = sigmoid(z)
      const r = c * (mu - (y[i] ? 1 : 0))
      const w = c * mu * (1 - mu)
      for (let a = 0; a < p; a++) {
        const xa = a < d ? x[i * d + a] : 1
        g[a] += r * xa
        for (let b = 0; b <= a; b++) h[a * p + b] += w * xa * (b < d ? x[i * d + b] : 1)
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) h[b * p + a] = h[a * p + b]
    const step = solveSpd(h, g, p)
    let scale = 1
    let next = theta
    let fNext = f
    for (let k = 0; k < 40; k++) {
      next = theta.map((v, j) => v - scale * step[j])
      fNext = objective(next)
      if (fNext <= f) break
      scale /= 2
    }
    let maxStep = 0
    for (let j = 0; j < p; j++) maxStep = Math.max(maxStep, Math.abs(scale * step[j]))
    theta.set(next)
    f = fNext
    if (maxStep < tol) {
      it++
      break
    }
  }
  return { weights: theta.slice(0, d), intercept: theta[d], iterations: it }
}

/** P(y = 1) for each row of the row-major n x d matrix `x`. */
export function predictLogistic(m: LogisticModel, x: Float64Array): Float64Array {
  const d = m.weights.length
  const n = x.length / d
  const t = new Float64Array(d + 1)
  t.set(m.weights)
  t[d] = m.intercept
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = sigmoid(linear(x, i, d, t))
  return out
}

function linear(x: Float64Array, i: number, d: number, t: Float64Array): number {
  let z = t[d]
  for (let j = 0; j < d; j++) z += x[i * d + j] * t[j]
  return z
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))
}

/** Solves A s = b for a small SPD matrix (row-major p x p) by Cholesky; A is not modified. */
export function solveSpd(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p)
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j]
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k]
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`solveSpd: matrix not positive definite (pivot ${i} = ${s})`)
        l[i * p + i] = Math.sqrt(s)
      } else {
        l[i * p + j] = s / l[j * p + j]
      }
    }
  }
  const y = new Float64Array(p)
  for (let i = 0; i < p; i++) {
    let s = b[i]
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k]
    y[i] = s / l[i * p + i]
  }
  const out = new Float64Array(p)
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i]
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * out[k]
    out[i] = s / l[i * p + i]
  }
  return out
}
