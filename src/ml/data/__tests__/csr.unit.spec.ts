import { binarize, columnCounts, csrFromTriples, getValue, mapValues, nnz, toDense, transpose } from "../csr"

describe("CSR matrix", () => {
  const m = csrFromTriples(3, 4, [2, 0, 0, 2, 0, 1], [1, 3, 0, 1, 3, 2], [1, 2, 5, 4, 0.5, 7])

  it("sums duplicates and sorts columns within rows", () => {
    expect(Array.from(m.indptr)).toEqual([0, 2, 3, 4])
    expect(Array.from(m.indices)).toEqual([0, 3, 2, 1])
    expect(Array.from(m.data)).toEqual([5, 2.5, 7, 5])
    expect(nnz(m)).toBe(4)
    expect(Array.from(toDense(m))).toEqual([5, 0, 0, 2.5, 0, 0, 7, 0, 0, 5, 0, 0])
  })

  it("counts triples when no values are given", () => {
    const c = csrFromTriples(2, 2, [0, 0, 0, 1], [1, 1, 1, 0])
    expect(getValue(c, 0, 1)).toBe(3)
    expect(getValue(c, 1, 0)).toBe(1)
    expect(getValue(c, 1, 1)).toBe(0)
  })

  it("transposes, and transposing twice gives the matrix back", () => {
    const t = transpose(m)
    expect(t.nRows).toBe(4)
    expect(t.nCols).toBe(3)
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) expect(getValue(t, c, r)).toBe(getValue(m, r, c))
    expect(transpose(t)).toEqual(m)
  })

  it("binarizes, maps and counts columns", () => {
    expect(Array.from(binarize(m).data)).toEqual([1, 1, 1, 1])
    expect(Array.from(mapValues(m, (v, r, c) => v + 10 * r + 100 * c).data)).toEqual([5, 302.5, 217, 125])
    expect(Array.from(columnCounts(m))).toEqual([1, 1, 1, 1])
  })

  it("rejects entries outside the shape", () => {
    expect(() => csrFromTriples(2, 2, [2], [0])).toThrow(RangeError)
    expect(() => csrFromTriples(2, 2, [0], [-1])).toThrow(RangeError)
    expect(() => csrFromTriples(2, 2, [0, 1], [0])).toThrow(RangeError)
  })
})
