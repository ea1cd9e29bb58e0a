import { Rng } from "../../random"
import {
  bgnbdConditionalExpectation,
  bgnbdLogLikelihood,
  bgnbdProbabilityAlive,
  bgnbdProbabilityPurchase,
  bgnbdTotalLogLikelihood,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaExpectedValue,
  gammaGammaLogLikelihood,
  repeatSummary,
} from "../bgnbd"
import { hyp2f1, lnGamma, nelderMead } from "../special"
import { DAY, T, line } from "./fixtures"

describe("special functions", () => {
  it("lnGamma, 2F1 and Nelder-Mead against known values", () => {
    expect(lnGamma(1)).toBeCloseTo(0, 13)
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12)
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12)
    expect(lnGamma(0.1)).toBeCloseTo(2.252712651734206, 11)
    // 2F1(1, 1; 2; z) = -ln(1 - z) / z.
    expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(2 * Math.log(2), 13)
    expect(hyp2f1(2, 3, 4, 0)).toBe(1)
    // A negative non-integer c is in the series' domain (values from scipy.special.hyp2f1).
    expect(hyp2f1(0.24, 0.5, -0.2, 0.3)).toBeCloseTo(0.7292095608736144, 12)
    expect(hyp2f1(0.3, 0.6, -0.35, 0.9)).toBeCloseTo(-10.96974498464865, 9)
    expect(() => hyp2f1(1, 1, 0, 0.5)).toThrow(RangeError)
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(RangeError)
    const rosen = (x: Float64Array) => (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    const r = nelderMead(rosen, [-1.2, 1], { lower: [-5, -5], upper: [5, 5], maxIter: 5000, tol: 1e-14 })
    expect(r.x[0]).toBeCloseTo(1, 4)
    expect(r.x[1]).toBeCloseTo(1, 4)
    // Bounds hold: the minimum of (x - 3)^2 inside [-1, 2] is on the bound 2.
    expect(nelderMead((x) => (x[0] - 3) ** 2, [0], { lower: [-1], upper: [2] }).x[0]).toBeCloseTo(2, 6)
  })
})

describe("BG/NBD", () => {
  it("conditional expectation with a fitted a + b < 1 (2F1's c below 0, seen on a synthetic store of 100,000 customers)", () => {
    // Eq. 10 evaluated with scipy.special.hyp2f1 for r 0.24, alpha 4.4, a 0.3, b 0.5, x 0, T 30, t 90.
    expect(bgnbdConditionalExpectation({ r: 0.24, alpha: 4.4, a: 0.3, b: 0.5 }, 0, 0, 30, 90)).toBeCloseTo(0.4534449527616546, 10)
    // Continuous where c = a + b - 1 crosses 0 (the pole of 2F1 that the factor c cancels).
    const at = (b: number) => bgnbdConditionalExpectation({ r: 0.24, alpha: 4.4, a: 0.4, b }, 0, 0, 30, 90)
    const below = at(0.6 - 1e-6)
    expect(Number.isFinite(at(0.6))).toBe(true)
    expect(Math.abs(at(0.6) - below) / below).toBeLessThan(1e-4)
    expect(Math.abs(at(0.6 + 1e-6) - below) / below).toBeLessThan(1e-4)
    // Never more than an alive customer's expected purchases at the posterior rate.
    expect(below).toBeGreaterThan(0)
    expect(below).toBeLessThan((0.24 / (4.4 + 30)) * 90)
  })

  it("log-likelihood by hand", () => {
    // x = 0: ln[(alpha / (alpha + T))^r] = 2 ln(3 / 8) for r = 2, alpha = 3, T = 5.
    expect(bgnbdLogLikelihood({ r: 2, alpha: 3, a: 1.5, b: 4 }, 0, 0, 5)).toBeCloseTo(2 * Math.log(3 / 8), 12)
    // x = 1, r = alpha = a = b = 1, t_x = 1, T = 3:
    // L = r alpha^r [b / (a + b) (alpha + T)^-(r+1) + a / (a + b) (alpha + t_x)^-(r+1)] = 0.5 / 16 + 0.5 / 4.
    expect(bgnbdLogLikelihood({ r: 1, alpha: 1, a: 1, b: 1 }, 1, 1, 3)).toBeCloseTo(Math.log(0.15625), 12)
    const s = { x: Float64Array.from([0, 1]), tx: Float64Array.from([0, 1]), T: Float64Array.from([5, 3]) }
    const p = { r: 1, alpha: 1, a: 1, b: 1 }
    expect(bgnbdTotalLogLikelihood(p, s)).toBeCloseTo(bgnbdLogLikelihood(p, 0, 0, 5) + Math.log(0.15625), 12)
  })

  it("conditional expectation and purchase probability by hand", () => {
    // x = 0, r = 1, alpha = 1, a = 2, b = 1, T = 1, t = 2: z = 2 / 4, 2F1(1, 1; 2; 1/2) = 2 ln 2,
    // ((alpha + T) / (alpha + T + t))^r = 1/2: E = (a + b - 1) / (a - 1) x (1 - ln 2) = 2 (1 - ln 2).
    expect(bgnbdConditionalExpectation({ r: 1, alpha: 1, a: 2, b: 1 }, 0, 0, 1, 2)).toBeCloseTo(2 * (1 - Math.log(2)), 12)
    // P(alive) for x = 1, t_x = 1, T = 3, r = alpha = a = b = 1: 1 / (1 + (1 / 1) (4 / 2)^2) = 1 / 5;
    // P(purchase in 4 more days) = 1/5 x (1 - (4 / 8)^2) = 3 / 20.
    const p = { r: 1, alpha: 1, a: 1, b: 1 }
    expect(bgnbdProbabilityAlive(p, 1, 1, 3)).toBeCloseTo(0.2, 14)
    expect(bgnbdProbabilityPurchase(p, 1, 1, 3, 4)).toBeCloseTo(0.15, 14)
    // A customer with no repeat purchase is alive; the expectation grows with the window.
    expect(bgnbdProbabilityAlive(p, 0, 0, 10)).toBe(1)
    expect(bgnbdConditionalExpectation({ r: 1, alpha: 1, a: 2, b: 1 }, 0, 0, 1, 4)).toBeGreaterThan(2 * (1 - Math.log(2)))
  })

  it("recovers planted parameters by maximum likelihood, from several starts, inside the bounds", () => {
    const rng = new Rng(1)
    const gamma = (k: number, theta: number): number => {
      if (k < 1) return gamma(k + 1, theta) * rng.next() ** (1 / k)
      const d = k - 1 / 3
      const c = 1 / Math.sqrt(9 * d)
      for (;;) {
        let x: number
        let v: number
        do {
          x = rng.normal()
          v = 1 + c * x
        } while (v <= 0)
        v = v * v * v
        if (Math.log(rng.next()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * theta
      }
    }
    const truth = { r: 0.5, alpha: 10, a: 1, b: 3 }
    const n = 2500
    const x = new Float64Array(n)
    const tx = new Float64Array(n)
    const Tt = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const lambda = gamma(truth.r, 1 / truth.alpha)
      const g1 = gamma(truth.a, 1)
      const p = g1 / (g1 + gamma(truth.b, 1))
      Tt[i] = 100 + 200 * rng.next()
      for (let t = 0; ; ) {
        t += -Math.log(1 - rng.next()) / lambda
        if (t > Tt[i]) break
        x[i]++
        tx[i] = t
        if (rng.next() < p) break
      }
    }
    const fit = fitBgNbd({ x, tx, T: Tt, monetary: new Float64Array(n) })
    expect(fit.atBound).toEqual([])
    expect(fit.r).toBeGreaterThan(0.35)
    expect(fit.r).toBeLessThan(0.65)
    expect(fit.a / (fit.a + fit.b)).toBeGreaterThan(0.15)
    expect(fit.a / (fit.a + fit.b)).toBeLessThan(0.35)
    // The optimum is at least as likely as the truth.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdTotalLogLikelihood(truth, { x, tx, T: Tt }) / n - 1e-9)
    // Without any dropout in the data the optimum runs to the bounds and stays finite there.
    const never = fitBgNbd({ x: Float64Array.from({ length: 200 }, (_, i) => i % 5), tx: Float64Array.from({ length: 200 }, (_, i) => (i % 5) * 20), T: Float64Array.from({ length: 200 }, (_, i) => (i % 5) * 20 + 1), monetary: new Float64Array(200) })
    expect(Number.isFinite(never.a) && Number.isFinite(never.b) && Number.isFinite(never.logLikelihood)).toBe(true)
  })
})

describe("Gamma-Gamma", () => {
  it("expected value and likelihood by hand, and a fit inside the bounds", () => {
    // (gamma + m x) p / (p x + q - 1) = (4 + 20) 2 / (4 + 3 - 1) = 8.
    expect(gammaGammaExpectedValue({ p: 2, q: 3, gamma: 4 }, 2, 10)).toBe(8)
    expect(gammaGammaExpectedValue({ p: 2, q: 3, gamma: 4 }, 0, 0)).toBe(4)
    // x = 1, p = 1, q = 2, gamma = 1, m = 1: ln Gamma(3) - ln Gamma(1) - ln Gamma(2) + 0 + 0 + 0 - 3 ln 2.
    expect(gammaGammaLogLikelihood({ p: 1, q: 2, gamma: 1 }, 1, 1)).toBeCloseTo(Math.log(2) - 3 * Math.log(2), 12)
    const fit = fitGammaGamma({ x: Float64Array.from([1, 2, 3, 1, 4, 2]), monetary: Float64Array.from([10, 20, 15, 40, 12, 30]) })
    expect(fit.q).toBeGreaterThanOrEqual(1.01)
    expect(fit.customers).toBe(6)
  })
})

describe("repeatSummary", () => {
  it("counts purchase days, not orders, and measures days from the first purchase day", () => {
    const lines = [
      line("c1", "o1", "p", 10, 30.5), // first day: T - 31 d (day start) ... 30.5 days before T
      line("c1", "o2", "p", 5, 30.4), // same day: not a repeat
      line("c1", "o3", "p", 7, 10.2),
      line("c1", "o4", "p", 3, 10.1), // same day as o3: one purchase of 10
      line("c2", "o5", "p", 8, 5),
      line("c1", "o6", "p", 99, -1), // after T: ignored
    ]
    const s = repeatSummary(lines, ["c1", "c2", "c3"], T)
    const firstDay = Math.floor((T - 30.5 * DAY) / DAY)
    const lastDay = Math.floor((T - 10.2 * DAY) / DAY)
    expect(Array.from(s.x)).toEqual([1, 0, 0])
    expect(s.tx[0]).toBe(lastDay - firstDay)
    expect(s.T[0]).toBeCloseTo(T / DAY - firstDay, 9)
    expect(s.monetary[0]).toBe(10)
    expect([s.x[2], s.T[2]]).toEqual([0, 0])
  })
})
