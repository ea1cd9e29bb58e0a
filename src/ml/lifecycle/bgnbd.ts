/**
 * BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way") for repeat
 * purchases and Gamma-Gamma (Fader, Hardie and Lee 2005, "RFM and CLV") for their value.
 *
 * BG/NBD: while active, a customer buys at rate lambda ~ Gamma(r, alpha) (a Poisson process);
 * after each purchase they drop out for good with probability p ~ Beta(a, b). A customer is
 * summarised by x (repeat purchases: purchase days after the first), t_x (days from the first
 * purchase day to the last) and T (days from the first purchase day to the cutoff). Gamma-Gamma:
 * the value of a purchase is Gamma(p, nu) with nu ~ Gamma(q, gamma) per customer, fitted on
 * the customers with x >= 1 and the mean value m of their repeat purchase days.
 *
 * Both are fitted by maximum likelihood over log-parameters inside bounds, from several
 * starting points, so that a flat likelihood cannot run a parameter off to 0 or infinity
 * (an earlier prototype drifted to a -> 0, where the dropout part vanishes); the bounds are
 * far outside the values seen on real shops (docs/evaluation.md). Time is in days.
 */
import { type PurchaseColumns, customerIndexes, isPurchaseColumns, rowsByCustomer } from "../data/purchase-columns"
import type { PurchaseLine } from "../data/purchase-line"
import { MS_PER_DAY } from "../data/time"
import { hyp2f1, lnBeta, lnGamma, nelderMead } from "./special"

/** Per customer: what BG/NBD and Gamma-Gamma read (days; shop currency). */
export interface RepeatSummary {
  /** Repeat purchases: distinct purchase days (UTC) after the first, >= 0. */
  readonly x: Float64Array
  /** Days from the first purchase day to the last, 0 <= t_x <= T. */
  readonly tx: Float64Array
  /** Days from the start of the first purchase day to the cutoff, > 0. */
  readonly T: Float64Array
  /** Mean amount per repeat purchase day (0 when x = 0). */
  readonly monetary: Float64Array
}

/**
 * RepeatSummary at `cutoff` (ms) for `customerIds` (in that order) from the lines before it; a
 * customer without such a line gets x = 0, t_x = 0 and T = 0 (not a valid row: callers pass
 * customers with history). Purchases are counted per UTC day: several orders on one day are
 * one purchase, as the model's Poisson process has no use for minutes.
 */
export function repeatSummary(lines: readonly PurchaseLine[] | PurchaseColumns, customerIds: readonly string[], cutoff: number): RepeatSummary {
  if (isPurchaseColumns(lines)) return repeatSummaryFromColumns(lines, customerIds, cutoff)
  const index = new Map(customerIds.map((id, i) => [id, i]))
  const days: Map<number, number>[] = customerIds.map(() => new Map())
  for (const l of lines) {
    if (!(l.time < cutoff)) continue
    const i = index.get(l.customerId)
    if (i === undefined) continue
    const d = Math.floor(l.time / MS_PER_DAY)
    days[i].set(d, (days[i].get(d) ?? 0) + l.amount)
  }
  return summarise(days, cutoff)
}

/**
 * repeatSummary on columns: one customer's day totals at a time (a map per customer alive at
 * once, not a million), each day's amounts added in line order as above.
 */
function repeatSummaryFromColumns(c: PurchaseColumns, customerIds: readonly string[], cutoff: number): RepeatSummary {
  const { start, rows } = rowsByCustomer(c, Number.NEGATIVE_INFINITY, cutoff)
  const at = customerIndexes(c, customerIds)
  const n = customerIds.length
  const x = new Float64Array(n)
  const tx = new Float64Array(n)
  const T = new Float64Array(n)
  const monetary = new Float64Array(n)
  const one = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const j = at[i]
    if (j < 0) continue
    one.clear()
    for (let p = start[j]; p < start[j + 1]; p++) {
      const k = rows[p]
      const d = Math.floor(c.time[k] / MS_PER_DAY)
      one.set(d, (one.get(d) ?? 0) + c.amount[k])
    }
    const s = summarise([one], cutoff)
    x[i] = s.x[0]
    tx[i] = s.tx[0]
    T[i] = s.T[0]
    monetary[i] = s.monetary[0]
  }
  return { x, tx, T, monetary }
}

/** The summary of each customer's purchase days (day -> amount). */
function summarise(days: readonly Map<number, number>[], cutoff: number): RepeatSummary {
  const n = days.length
  const x = new Float64Array(n)
  const tx = new Float64Array(n)
  const T = new Float64Array(n)
  const monetary = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const keys = Array.from(days[i].keys()).sort((a, b) => a - b)
    if (keys.length === 0) continue
    const first = keys[0]
    x[i] = keys.length - 1
    tx[i] = keys[keys.length - 1] - first
    T[i] = cutoff / MS_PER_DAY - first
    if (keys.length > 1) {
      let s = 0
      for (let k = 1; k < keys.length; k++) s += days[i].get(keys[k]) as number
      monetary[i] = s / (keys.length - 1)
    }
  }
  return { x, tx, T, monetary }
}

export interface BgNbdParams {
  r: number
  alpha: number
  a: number
  b: number
}

/** Bounds of the BG/NBD fit (days): wide, but finite on both sides. */
export const BGNBD_BOUNDS: Readonly<Record<keyof BgNbdParams, readonly [number, number]>> = {
  r: [1e-3, 1e3],
  alpha: [1e-2, 1e5],
  a: [1e-2, 1e3],
  b: [1e-2, 1e4],
}

/**
 * Log-likelihood of one customer (x, t_x, T) under BG/NBD:
 * ln[ B(a, b + x) / B(a, b) x Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
 *   + [x > 0] B(a + 1, b + x - 1) / B(a, b) x Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x)) ].
 */
export function bgnbdLogLikelihood(p: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p
  const a1 = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha)
  const a2 = lnGamma(a + b) + lnGamma(b + x) - lnGamma(b) - lnGamma(a + b + x)
  const a3 = -(r + x) * Math.log(alpha + T)
  if (x === 0) return a1 + a2 + a3
  const a4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx)
  const m = Math.max(a3, a4)
  return a1 + a2 + m + Math.log(Math.exp(a3 - m) + Math.exp(a4 - m))
}

/** Sum of bgnbdLogLikelihood over the rows; the Gamma-function terms are shared per distinct x. */
export function bgnbdTotalLogLikelihood(p: BgNbdParams, s: Pick<RepeatSummary, "x" | "tx" | "T">, rows?: ArrayLike<number>): number {
  const { r, alpha, a, b } = p
  const cache = new Map<number, number>()
  const base = lnGamma(a + b) - lnGamma(b) - lnGamma(r) + r * Math.log(alpha)
  const la = Math.log(a)
  let total = 0
  const n = rows ? rows.length : s.x.length
  for (let k = 0; k < n; k++) {
    const i = rows ? rows[k] : k
    const x = s.x[i]
    let g = cache.get(x)
    if (g === undefined) {
      g = lnGamma(r + x) + lnGamma(b + x) - lnGamma(a + b + x)
      cache.set(x, g)
    }
    const a3 = -(r + x) * Math.log(alpha + s.T[i])
    if (x === 0) total += base + g + a3
    else {
      const a4 = la - Math.log(b + x - 1) - (r + x) * Math.log(alpha + s.tx[i])
      const m = Math.max(a3, a4)
      total += base + g + m + Math.log(Math.exp(a3 - m) + Math.exp(a4 - m))
    }
  }
  return total
}

export interface BgNbdFit extends BgNbdParams {
  /** Mean log-likelihood per fitted customer at the optimum. */
  logLikelihood: number
  /** Customers the parameters were fitted on. */
  customers: number
  /** Parameters that ended on a bound (empty for an interior optimum). */
  atBound: (keyof BgNbdParams)[]
}

export interface LifecycleFitOptions {
  /** Fit on at most this many customers, drawn uniformly without replacement by `seed`; default all. */
  sampleSize?: number
  /** Seed of the sample; default 0. */
  seed?: number
  /**
   * BG/NBD only: weight c >= 0 of the penalty c x ((ln a)^2 + (ln b)^2) subtracted from the mean
   * log-likelihood per customer (a Gaussian prior on ln a and ln b around 0, i.e. a Beta(1, 1)
   * centre for the dropout probability); default 0 (plain maximum likelihood).
   */
  dropoutPenalty?: number
}

const KEYS: (keyof BgNbdParams)[] = ["r", "alpha", "a", "b"]

/**
 * Maximum-likelihood BG/NBD parameters of the rows of `s` with T > 0. Nelder-Mead over the
 * logs of (r, alpha, a, b) inside BGNBD_BOUNDS, from 4 starting points (r 0.5 and 2, alpha the
 * mean T / 4 and mean T, a 1 and 3, b 3 and 10 paired up), keeping the best. Deterministic.
 */
export function fitBgNbd(s: RepeatSummary, options: LifecycleFitOptions = {}): BgNbdFit {
  const rows = validRows(s, (i) => s.T[i] > 0, options)
  if (rows.length === 0) throw new RangeError("fitBgNbd: no customer with T > 0")
  let meanT = 0
  for (const i of rows) meanT += s.T[i] / rows.length
  const lower = KEYS.map((k) => Math.log(BGNBD_BOUNDS[k][0]))
  const upper = KEYS.map((k) => Math.log(BGNBD_BOUNDS[k][1]))
  const c = options.dropoutPenalty ?? 0
  if (!(c >= 0)) throw new RangeError(`fitBgNbd: dropoutPenalty must be >= 0, got ${c}`)
  const objective = (v: Float64Array) => -bgnbdTotalLogLikelihood(fromLog(v), s, rows) / rows.length + c * (v[2] * v[2] + v[3] * v[3])
  const starts = [
    [0.5, meanT / 4, 1, 3],
    [2, meanT, 3, 10],
    [0.5, meanT, 3, 3],
    [2, meanT / 4, 1, 10],
  ]
  let best: { x: Float64Array; value: number } | null = null
  for (const start of starts) {
    // 1e-9 of a mean log-likelihood per customer: far below what moves a prediction.
    let res = nelderMead(objective, start.map(Math.log), { lower, upper, tol: 1e-9, maxIter: 1500 })
    // A restart from the optimum rebuilds a collapsed simplex (a standard Nelder-Mead remedy).
    res = nelderMead(objective, Array.from(res.x), { lower, upper, step: 0.1, tol: 1e-9, maxIter: 1500 })
    if (!best || res.value < best.value) best = res
  }
  const b = best as { x: Float64Array; value: number }
  const p = fromLog(b.x)
  const atBound = KEYS.filter((k, j) => Math.abs(b.x[j] - lower[j]) < 1e-6 || Math.abs(b.x[j] - upper[j]) < 1e-6)
  return { ...p, logLikelihood: bgnbdTotalLogLikelihood(p, s, rows) / rows.length, customers: rows.length, atBound }
}

function fromLog(v: ArrayLike<number>): BgNbdParams {
  return { r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) }
}

/** Rows passing `keep`, subsampled to options.sampleSize by a seeded partial shuffle. */
function validRows(s: { x: Float64Array }, keep: (i: number) => boolean, options: LifecycleFitOptions): Int32Array {
  const all: number[] = []
  for (let i = 0; i < s.x.length; i++) if (keep(i)) all.push(i)
  const m = options.sampleSize
  if (m === undefined || all.length <= m) return Int32Array.from(all)
  if (!(Number.isInteger(m) && m >= 1)) throw new RangeError(`sampleSize must be an integer >= 1, got ${m}`)
  // Seeded partial Fisher-Yates: the first m positions are a uniform sample without replacement.
  let state = (options.seed ?? 0) >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  for (let k = 0; k < m; k++) {
    const j = k + Math.floor(next() * (all.length - k))
    const t = all[k]
    all[k] = all[j]
    all[j] = t
  }
  return Int32Array.from(all.slice(0, m)).sort()
}

/**
 * P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) x ((alpha + T) / (alpha + t_x))^(r + x)).
 * A customer with no repeat purchase is alive for sure under BG/NBD (dropout follows a purchase).
 */
export function bgnbdProbabilityAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1
  const ln = Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx))
  return 1 / (1 + Math.exp(ln))
}

/**
 * P(at least one purchase in (T, T + t] | x, t_x, T) = P(alive) x (1 - ((alpha + T) / (alpha + T + t))^(r + x)):
 * given alive, the rate's posterior is Gamma(r + x, alpha + T), and dropout only follows a
 * purchase, so a customer alive at T stays alive until their next purchase. t in days, >= 0.
 */
export function bgnbdProbabilityPurchase(p: BgNbdParams, x: number, tx: number, T: number, t: number): number {
  const none = Math.exp((p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + T + t)))
  return bgnbdProbabilityAlive(p, x, tx, T) * (1 - none)
}

/**
 * E[purchases in (T, T + t] | x, t_x, T] (Fader, Hardie and Lee 2005, eq. 10):
 * (a + b + x - 1) / (a - 1) x [1 - ((alpha + T) / (alpha + T + t))^(r + x)
 *   x 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))] / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
 * Needs a != 1 and a + b + x != 1 (removable singularities; nudged by 1e-9). t in days, >= 0.
 */
export function bgnbdConditionalExpectation(p: BgNbdParams, x: number, tx: number, T: number, t: number): number {
  const { r, alpha, b } = p
  const a = Math.abs(p.a - 1) < 1e-9 ? 1 + 1e-9 : p.a
  const z = t / (alpha + T + t)
  const pow = Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + T + t)))
  // c = a + b + x - 1 is in (-1, 0) when a fitted a + b < 1 and x = 0 (a, b > 0 keep it above
  // -1). 2F1 has a pole at c = 0 that the factor c cancels, so step just off it.
  const c = Math.abs(a + b + x - 1) < 1e-9 ? 1e-9 : a + b + x - 1
  const num = (c / (a - 1)) * (1 - pow * hyp2f1(r + x, b + x, c, z))
  const den = x > 0 ? 1 + (a / (b + x - 1)) * Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))) : 1
  return num / den
}

export interface GammaGammaParams {
  p: number
  q: number
  gamma: number
}

export const GAMMA_GAMMA_BOUNDS: Readonly<Record<keyof GammaGammaParams, readonly [number, number]>> = {
  p: [1e-2, 1e3],
  // q > 1 keeps the mean value per purchase finite.
  q: [1.01, 1e3],
  gamma: [1e-3, 1e7],
}

/**
 * Log-likelihood of one customer's x >= 1 repeat purchases of mean value m > 0:
 * ln Gamma(p x + q) - ln Gamma(p x) - ln Gamma(q) + q ln gamma + (p x - 1) ln m + p x ln x - (p x + q) ln(gamma + m x).
 */
export function gammaGammaLogLikelihood(g: GammaGammaParams, x: number, m: number): number {
  const px = g.p * x
  return lnGamma(px + g.q) - lnGamma(px) - lnGamma(g.q) + g.q * Math.log(g.gamma) + (px - 1) * Math.log(m) + px * Math.log(x) - (px + g.q) * Math.log(g.gamma + m * x)
}

/** E[value per purchase | x, m] = (gamma + m x) p / (p x + q - 1); with x = 0 the population mean p gamma / (q - 1). */
export function gammaGammaExpectedValue(g: GammaGammaParams, x: number, m: number): number {
  return ((g.gamma + m * x) * g.p) / (g.p * x + g.q - 1)
}

export interface GammaGammaFit extends GammaGammaParams {
  logLikelihood: number
  customers: number
  atBound: (keyof GammaGammaParams)[]
}

/**
 * Maximum-likelihood Gamma-Gamma parameters over the customers with x >= 1 and m > 0, Nelder-
 * Mead over logs inside GAMMA_GAMMA_BOUNDS from 3 starts; deterministic. Throws when no
 * customer has a repeat purchase.
 */
export function fitGammaGamma(s: Pick<RepeatSummary, "x" | "monetary">, options: LifecycleFitOptions = {}): GammaGammaFit {
  const rows = validRows(s, (i) => s.x[i] >= 1 && s.monetary[i] > 0, options)
  if (rows.length === 0) throw new RangeError("fitGammaGamma: no customer with a repeat purchase")
  let meanM = 0
  for (const i of rows) meanM += s.monetary[i] / rows.length
  const keys: (keyof GammaGammaParams)[] = ["p", "q", "gamma"]
  const lower = keys.map((k) => Math.log(GAMMA_GAMMA_BOUNDS[k][0]))
  const upper = keys.map((k) => Math.log(GAMMA_GAMMA_BOUNDS[k][1]))
  const objective = (v: Float64Array) => {
    const g = { p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) }
    let total = 0
    for (const i of rows) total += gammaGammaLogLikelihood(g, s.x[i], s.monetary[i])
    return -total / rows.length
  }
  let best: { x: Float64Array; value: number } | null = null
  for (const start of [
    [1, 2, meanM],
    [5, 5, meanM],
    [2, 10, meanM * 10],
  ]) {
    let res = nelderMead(objective, start.map(Math.log), { lower, upper })
    res = nelderMead(objective, Array.from(res.x), { lower, upper, step: 0.1 })
    if (!best || res.value < best.value) best = res
  }
  const b = best as { x: Float64Array; value: number }
  const atBound = keys.filter((k, j) => Math.abs(b.x[j] - lower[j]) < 1e-6 || Math.abs(b.x[j] - upper[j]) < 1e-6)
  return { p: Math.exp(b.x[0]), q: Math.exp(b.x[1]), gamma: Math.exp(b.x[2]), logLikelihood: -b.value, customers: rows.length, atBound }
}
