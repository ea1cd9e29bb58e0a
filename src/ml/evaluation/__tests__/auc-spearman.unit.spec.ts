import { rocAuc } from "../auc"
import { averageRanks } from "../ranks"
import { pearson, spearman } from "../spearman"

describe("averageRanks", () => {
  it("gives tied values the mean of their ranks", () => {
    expect(Array.from(averageRanks([10, 20, 10, 30, 20, 20]))).toEqual([1.5, 4, 1.5, 6, 4, 4])
  })
})

describe("rocAuc", () => {
  it("is 1, 0 and 0.5 for perfect, inverted and constant scores", () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1)
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0)
    expect(rocAuc([1, 0, 1, 0], [5, 5, 5, 5])).toBe(0.5)
  })

  it("counts a tied positive-negative pair as one half", () => {
    // Positives 0.5, 0.8; negatives 0.2, 0.5, 0.9. Pairs won: (0.5>0.2)=1, (0.5=0.5)=0.5,
    // (0.8>0.2)=1, (0.8>0.5)=1 -> 3.5 of 6.
    expect(rocAuc([true, false, true, false, false], [0.5, 0.2, 0.8, 0.5, 0.9])).toBeCloseTo(3.5 / 6, 15)
  })

  it("is NaN with one class only", () => {
    expect(rocAuc([1, 1], [0.3, 0.4])).toBeNaN()
  })
})

describe("spearman", () => {
  it("is 1 or -1 for monotone relations", () => {
    expect(spearman([1, 2, 3, 4], [1, 10, 100, 1000])).toBeCloseTo(1, 15)
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 15)
  })

  it("uses average ranks for ties", () => {
    // Ranks x = [1, 2.5, 2.5, 4], y = [1, 2, 3, 4]: Pearson of those = 0.9486832980505138.
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(pearson([1, 2.5, 2.5, 4], [1, 2, 3, 4]), 15)
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12)
  })

  it("is NaN for a constant input", () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN()
  })
})
