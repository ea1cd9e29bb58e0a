import { IdIndex } from "../id-index"

describe("IdIndex", () => {
  it("indexes the sorted distinct ids", () => {
    const idx = IdIndex.fromIds(["85123A", "22633", "85123", "22633", "10002"])
    expect(idx.ids).toEqual(["10002", "22633", "85123", "85123A"])
    expect(idx.size).toBe(4)
    expect(idx.indexOf("85123A")).toBe(3)
    expect(idx.indexOf("nope")).toBe(-1)
    expect(idx.id(1)).toBe("22633")
    expect(() => idx.id(4)).toThrow(RangeError)
  })

  it("sorts by code unit (as Python's sorted), not by locale or number", () => {
    expect(IdIndex.fromIds(["b", "B", "a", "10", "9"]).ids).toEqual(["10", "9", "B", "a", "b"])
  })

  it("accepts only strictly increasing ids when told they are sorted", () => {
    expect(IdIndex.fromSorted(["a", "b"]).indexOf("b")).toBe(1)
    expect(() => IdIndex.fromSorted(["b", "a"])).toThrow(/not strictly increasing/)
    expect(() => IdIndex.fromSorted(["a", "a"])).toThrow(/not strictly increasing/)
  })
})
