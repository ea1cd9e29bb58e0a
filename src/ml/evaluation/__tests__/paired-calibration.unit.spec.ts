import { brierScore, expectedCalibrationError } from "../calibration"
import { CustomerResampler, meanDifferenceIntervals, statisticDifferenceIntervals } from "../paired"

describe("CustomerResampler", () => {
  it("gives an id the same Poisson(1) weights whatever the order of the calls", () => {
    const a = new CustomerResampler(500, 3)
    const b = new CustomerResampler(500, 3)
    const w1 = Array.from(a.weights("12346"))
    b.weights("99999")
    expect(Array.from(b.weights("12346"))).toEqual(w1)
    expect(Array.from(new CustomerResampler(500, 4).weights("12346"))).not.toEqual(w1)
    // Poisson(1): mean 1, P(0) = e^-1.
    const all = new CustomerResampler(200, 0).weightMatrix(Array.from({ length: 500 }, (_, i) => `c${i}`))
    const mean = all.reduce((s, v) => s + v, 0) / all.length
    const zeros = all.filter((v) => v === 0).length / all.length
    expect(Math.abs(mean - 1)).toBeLessThan(0.02)
    expect(Math.abs(zeros - Math.exp(-1))).toBeLessThan(0.01)
  })
})

describe("meanDifferenceIntervals", () => {
  const ids = ["a", "b", "c", "d"]
  it("estimates the mean difference exactly, and a constant difference has no spread", () => {
    const r = meanDifferenceIntervals([{ ids, a: [0.5, 0.25, 1, 0], b: [0.25, 0.25, 0.5, 0] }], new CustomerResampler(300, 1))
    expect(r.splits[0].estimate).toBeCloseTo((0.25 + 0 + 0.5 + 0) / 4, 15)
    expect(r.splits[0].low).toBeLessThanOrEqual(r.splits[0].estimate)
    expect(r.splits[0].high).toBeGreaterThanOrEqual(r.splits[0].estimate)
    const c = meanDifferenceIntervals([{ ids, a: [1, 2, 3, 4], b: [0.5, 1.5, 2.5, 3.5] }], new CustomerResampler(300, 1))
    expect(c.splits[0]).toEqual({ estimate: 0.5, low: 0.5, high: 0.5 })
  })

  it("weights a customer the same in every split: opposite splits cancel in every replicate", () => {
    const d = [0.3, -0.1, 0.7, 0.2]
    const r = meanDifferenceIntervals(
      [
        { ids, a: d, b: [0, 0, 0, 0] },
        { ids: ids.slice().reverse(), a: [0, 0, 0, 0], b: d.slice().reverse() },
      ],
      new CustomerResampler(400, 2)
    )
    expect(r.splits[0].high - r.splits[0].low).toBeGreaterThan(0.1)
    expect(Math.abs(r.mean.estimate)).toBeLessThan(1e-15)
    expect(Math.abs(r.mean.low)).toBeLessThan(1e-12)
    expect(Math.abs(r.mean.high)).toBeLessThan(1e-12)
  })
})

describe("statisticDifferenceIntervals", () => {
  it("passes each replicate the rows repeated by their weights", () => {
    const ids = ["x", "y", "z"]
    const resampler = new CustomerResampler(50, 5)
    const seen: number[][] = []
    const r = statisticDifferenceIntervals([{ ids, difference: (rows) => (seen.push(Array.from(rows)), rows.length) }], resampler)
    expect(r.splits[0].estimate).toBe(3)
    expect(seen[0]).toEqual([0, 1, 2])
    const w = ids.map((id) => resampler.weights(id))
    for (let rep = 0; rep < 50; rep++) {
      const expected = ids.flatMap((_, i) => Array.from({ length: w[i][rep] }, () => i))
      expect(seen[rep + 1]).toEqual(expected)
    }
  })
})

describe("calibration metrics", () => {
  it("Brier score by hand", () => {
    // (0.1^2 + 0.2^2 + 0.4^2 + 0.5^2) / 4
    expect(brierScore([1, 0, 1, 0], [0.9, 0.2, 0.6, 0.5])).toBeCloseTo(0.115, 15)
  })

  it("ECE over 10 equal-width bins by hand, p = 1 in the last bin", () => {
    // Bin 0: p 0.05, y 0 -> |0 - 0.05| x 1. Bin 1: p 0.15, 0.12, y 1, 0 -> |0.5 - 0.135| x 2.
    // Bin 9: p 0.95, 1.0, y 1, 1 -> |1 - 0.975| x 2. Divided by 5 rows.
    const ece = expectedCalibrationError([0, 1, 0, 1, 1], [0.05, 0.15, 0.12, 0.95, 1])
    expect(ece).toBeCloseTo((0.05 + 2 * 0.365 + 2 * 0.025) / 5, 15)
    expect(expectedCalibrationError([1, 0], [0.5, 0.5])).toBe(0)
  })
})
