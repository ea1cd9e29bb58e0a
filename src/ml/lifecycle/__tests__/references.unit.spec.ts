import { fitLogistic, predictLogistic, quintiles, rfmQuintileSum, sigmoid, solveSpd } from "../references"

describe("quintiles", () => {
  it("gives tied values their average percentile rank (pandas rank(pct=True), ceil(5 x pct))", () => {
    // Sorted: 1 | 2 2 (ranks 2, 3 -> 2.5) | 3 3 3 (ranks 4..6 -> 5) | 5 | 8; n = 8.
    // pct 0.125, 0.3125, 0.625, 0.875, 1 -> quintiles 1, 2, 4, 5, 5.
    expect(Array.from(quintiles([5, 1, 3, 3, 3, 8, 2, 2]))).toEqual([5, 1, 4, 4, 4, 5, 2, 2])
  })

  it("puts a population that ties completely in the quintile of the middle rank", () => {
    // Average rank 2 of 3: pct 2/3 -> ceil(3.33) = 4.
    expect(Array.from(quintiles([7, 7, 7]))).toEqual([4, 4, 4])
  })

  it("sums the recency (negated), invoice and spend quintiles", () => {
    // n = 5, distinct values: quintile = rank. Recency 1 is the most recent -> quintile 5.
    const s = rfmQuintileSum([1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [10, 30, 20, 50, 40])
    expect(Array.from(s)).toEqual([5 + 5 + 1, 4 + 4 + 3, 3 + 3 + 2, 2 + 2 + 5, 1 + 1 + 4])
  })
})

describe("fitLogistic", () => {
  // 10 points, classes overlapping; coefficients from scikit-learn 1.x LogisticRegression
  // (lbfgs, tol 1e-12, itself converged to about 1e-6): C = 1 -> w = [0.63013096, 0.81702349], b = -1.74752762;
  // C = 0.1 -> w = [0.16083516, 0.17190421], b = -0.39857918.
  const X = Float64Array.from([0, 0, 1, 0, 0, 1, 1, 1, 2, 1, 1, 2, 2, 2, 3, 1, 0.5, 2.5, 2.5, 0.5])
  const Y = [0, 0, 0, 1, 1, 0, 1, 1, 1, 0]

  it("matches scikit-learn's coefficients at C = 1 and C = 0.1", () => {
    const m = fitLogistic(X, 2, Y)
    expect(m.weights[0]).toBeCloseTo(0.63013096, 5)
    expect(m.weights[1]).toBeCloseTo(0.81702349, 5)
    expect(m.intercept).toBeCloseTo(-1.74752762, 5)
    const m01 = fitLogistic(X, 2, Y, { c: 0.1 })
    expect(m01.weights[0]).toBeCloseTo(0.16083516, 5)
    expect(m01.weights[1]).toBeCloseTo(0.17190421, 5)
    expect(m01.intercept).toBeCloseTo(-0.39857918, 5)
  })

  it("stops at a zero gradient of 0.5 |w|^2 + C sum log loss", () => {
    const m = fitLogistic(X, 2, Y)
    const p = predictLogistic(m, X)
    const g = [m.weights[0], m.weights[1], 0]
    for (let i = 0; i < Y.length; i++) {
      g[0] += (p[i] - Y[i]) * X[2 * i]
      g[1] += (p[i] - Y[i]) * X[2 * i + 1]
      g[2] += p[i] - Y[i]
    }
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-9)
  })

  it("stays finite on separable data (the penalty bounds the weights)", () => {
    const m = fitLogistic(Float64Array.from([-2, -1, 1, 2]), 1, [0, 0, 1, 1])
    expect(Number.isFinite(m.weights[0]) && m.weights[0] > 0).toBe(true)
    expect(predictLogistic(m, Float64Array.from([-3, 3])).every((v, i) => (i === 0 ? v < 0.5 : v > 0.5))).toBe(true)
  })
})

describe("helpers", () => {
  it("sigmoid is stable at large |z| and solveSpd solves a 2 x 2 system", () => {
    expect(sigmoid(-1000)).toBe(0)
    expect(sigmoid(1000)).toBe(1)
    expect(sigmoid(0)).toBe(0.5)
    const s = solveSpd(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2)
    expect(s[0]).toBeCloseTo(0.5, 12)
    expect(s[1]).toBeCloseTo(0, 12)
  })
})
