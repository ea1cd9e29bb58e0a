import { Rng } from "../../random"
import { choleskyInPlace, inverseGaussJordan, spdInverseInPlace } from "../cholesky"

function randomSpd(n: number, seed: number): Float64Array {
  const rng = new Rng(seed)
  const x = Float64Array.from({ length: n * n }, () => rng.normal())
  const a = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let k = 0; k < n; k++) s += x[i * n + k] * x[j * n + k]
      a[i * n + j] = s + (i === j ? 1 : 0)
    }
  }
  return a
}

describe("Cholesky", () => {
  it("factors a 3 x 3 matrix by hand", () => {
    // [[4, 12, -16], [12, 37, -43], [-16, -43, 98]] = L L^T with L = [[2,0,0],[6,1,0],[-8,5,3]].
    const a = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98])
    expect(Array.from(choleskyInPlace(a, 3))).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3])
  })

  it.each([1, 4, 5, 13, 37])("inverts a random SPD %i x %i matrix like Gauss-Jordan does", (n) => {
    const a = randomSpd(n, n)
    const slow = inverseGaussJordan(a, n)
    const fast = spdInverseInPlace(Float64Array.from(a), n)
    for (let k = 0; k < n * n; k++) expect(Math.abs(fast[k] - slow[k])).toBeLessThan(1e-9 * (1 + Math.abs(slow[k])))
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(fast[i * n + j]).toBe(fast[j * n + i])
  })

  it("refuses a matrix that is not positive definite", () => {
    expect(() => choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/)
    expect(() => choleskyInPlace(new Float64Array(3), 2)).toThrow(RangeError)
  })
})
