import { applyFeatureTransform, deserializeFeatureTransform, fitFeatureTransform, inverseFeatureTransform, serializeFeatureTransform } from "../feature-transform"

describe("feature transform", () => {
  it("standardises each column with its mean and population deviation, after log(1 + x) where asked", () => {
    // Column a: 1, 3 (mean 2, std 1); column b: log1p of 0 and e - 1, i.e. 0 and 1 (mean 0.5, std 0.5).
    const values = Float64Array.from([1, 0, 3, Math.E - 1])
    const t = fitFeatureTransform(values, ["a", "b"], { log1p: ["b"] })
    expect(Array.from(t.mean)).toEqual([2, 0.5])
    expect(Array.from(t.std)).toEqual([1, 0.5])
    const out = applyFeatureTransform(t, values)
    expect(Array.from(out).map((v) => Number(v.toFixed(12)))).toEqual([-1, -1, 1, 1])
    expect(Array.from(inverseFeatureTransform(t, out)).map((v) => Number(v.toFixed(12)))).toEqual([1, 0, 3, Number((Math.E - 1).toFixed(12))])
  })

  it.each([0.1, 7, 1 / 3, 123.456, 1e6])("maps a constant column (%p in 1,000 rows, logged or not) to exactly 0, with no NaN, and back", (value) => {
    const n = 1000
    const values = new Float64Array(n * 3)
    for (let i = 0; i < n; i++) values.set([value, value, i], i * 3)
    const t = fitFeatureTransform(values, ["plain", "logged", "varies"], { log1p: ["logged"] })
    expect(Array.from(t.std.subarray(0, 2))).toEqual([1, 1])
    expect(Array.from(t.mean.subarray(0, 2))).toEqual([value, Math.log1p(value)])
    const out = applyFeatureTransform(t, values)
    for (let i = 0; i < n; i++) {
      expect(out[i * 3]).toBe(0)
      expect(out[i * 3 + 1]).toBe(0)
      expect(Number.isFinite(out[i * 3 + 2])).toBe(true)
    }
    // The varying column is standardised as usual: mean 0, deviation 1.
    let mean = 0
    let sq = 0
    for (let i = 0; i < n; i++) mean += out[i * 3 + 2] / n
    for (let i = 0; i < n; i++) sq += (out[i * 3 + 2] - mean) ** 2 / n
    expect(Math.abs(mean)).toBeLessThan(1e-12)
    expect(Math.sqrt(sq)).toBeCloseTo(1, 12)
    const back = inverseFeatureTransform(t, out)
    expect(back[0]).toBeCloseTo(value, 9)
    expect(back[1]).toBeCloseTo(value, 9)
    // Stored and read back (every std must be > 0), it gives the same space.
    expect(Array.from(applyFeatureTransform(deserializeFeatureTransform(serializeFeatureTransform(t)), values))).toEqual(Array.from(out))
  })

  it("keeps a column that varies little but truly as a varying one", () => {
    const values = Float64Array.from([1, 1 + 1e-6, 1 - 1e-6])
    const t = fitFeatureTransform(values, ["a"])
    expect(t.std[0] / Math.sqrt((2 * 1e-12) / 3)).toBeCloseTo(1, 6)
    const out = applyFeatureTransform(t, values)
    expect(out[1]).toBeCloseTo(Math.sqrt(1.5), 6)
  })

  it("fits an empty matrix to the identity and refuses rows that do not fill the columns", () => {
    const t = fitFeatureTransform(new Float64Array(0), ["a"])
    expect([Array.from(t.mean), Array.from(t.std)]).toEqual([[0], [1]])
    expect(() => fitFeatureTransform(new Float64Array(3), ["a", "b"])).toThrow("do not fill rows of 2 columns")
  })
})
