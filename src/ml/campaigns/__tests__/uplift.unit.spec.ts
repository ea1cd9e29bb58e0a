import { cupedDifference, meanDifference, minimumDetectableEffect, moments, pooledProportionSe, proportionDifference, wilsonInterval } from "../uplift"

describe("campaign uplift statistics", () => {
  it("gives Wilson's published interval for 0 of 10 and 15 of 148", () => {
    const [low0, high0] = wilsonInterval(0, 10)
    expect(low0).toBe(0)
    expect(high0).toBeCloseTo(0.2775, 4)
    // Newcombe (1998), Table I: 15/148 -> 0.0624 to 0.1605.
    const [low, high] = wilsonInterval(15, 148)
    expect(low).toBeCloseTo(0.0624, 4)
    expect(high).toBeCloseTo(0.1605, 4)
  })

  it("gives Newcombe's published hybrid score interval for 56/70 - 48/80", () => {
    // Newcombe (1998), Table II, example (a): 0.0524 to 0.3339.
    const d = proportionDifference(56, 70, 48, 80)
    expect(d.estimate).toBeCloseTo(0.2, 10)
    expect(d.low).toBeCloseTo(0.0524, 4)
    expect(d.high).toBeCloseTo(0.3339, 4)
    expect(d.significant).toBe(true)
    // An interval that contains zero: 5/10 - 4/10.
    expect(proportionDifference(5, 10, 4, 10).significant).toBe(false)
  })

  it("computes the Welch difference of means from each arm's moments", () => {
    const t = moments([1, 2, 3, 4])
    const c = moments([0, 0, 1, 1])
    expect(t).toEqual({ n: 4, mean: 2.5, variance: 5 / 3 })
    const d = meanDifference(t, c)
    expect(d.estimate).toBe(2)
    expect(d.se).toBeCloseTo(Math.sqrt(5 / 12 + 1 / 12), 12)
    expect(d.high - d.low).toBeCloseTo(2 * 1.959963984540054 * d.se, 12)
  })

  it("removes the part of the outcome that the pre-period predicts (CUPED)", () => {
    // y = 2x + 5 in treatment, 2x in control: the adjusted outcome is constant within each arm.
    const xT = [1, 4, 2, 8, 5]
    const xC = [3, 0, 6, 2, 7]
    const yT = xT.map((x) => 2 * x + 5)
    const yC = xC.map((x) => 2 * x)
    const cuped = cupedDifference(yT, xT, yC, xC)
    expect(cuped.theta).toBeCloseTo(2, 12)
    expect(cuped.se).toBeCloseTo(0, 12)
    expect(cuped.variance_reduction).toBeCloseTo(1, 12)
    // The estimate is the true shift corrected for the arms' different pre-period means.
    expect(cuped.estimate).toBeCloseTo(5, 12)
    // Without pre-period variation the adjustment does nothing.
    const flat = cupedDifference(yT, [0, 0, 0, 0, 0], yC, [0, 0, 0, 0, 0])
    const plain = meanDifference(moments(yT), moments(yC))
    expect(flat.theta).toBe(0)
    expect(flat.estimate).toBeCloseTo(plain.estimate, 12)
    expect(flat.se).toBeCloseTo(plain.se, 12)
  })

  it("sizes the minimum detectable effect at 80% power and alpha 0.05", () => {
    // 2.8016 standard errors; for 10% conversion with 1,000 per arm: 0.0377.
    expect(minimumDetectableEffect(1)).toBeCloseTo(2.8016, 4)
    expect(minimumDetectableEffect(pooledProportionSe(100, 1000, 100, 1000))).toBeCloseTo(0.0376, 4)
  })

  it("refuses an empty arm", () => {
    expect(() => proportionDifference(0, 0, 1, 10)).toThrow(RangeError)
    expect(() => meanDifference(moments([]), moments([1]))).toThrow(RangeError)
  })
})
