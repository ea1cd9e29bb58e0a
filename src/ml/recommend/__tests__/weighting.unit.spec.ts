import { getValue } from "../../data/csr"
import { weightHistory } from "../weighting"
import { interactions } from "./fixtures"

describe("weightHistory", () => {
  // User 0 bought item 0 30 and 90 days before asOf, item 1 once 60 days before.
  const data = interactions(1, 2, [
    [0, 0, 30],
    [0, 0, 90],
    [0, 1, 60],
  ])

  it("binary and log", () => {
    expect(getValue(weightHistory(data, { kind: "binary" }), 0, 0)).toBe(1)
    expect(getValue(weightHistory(data, { kind: "log" }), 0, 0)).toBe(Math.fround(Math.log(3)))
    expect(getValue(weightHistory(data, { kind: "log", floor: 0.5 }), 0, 1)).toBe(Math.fround(Math.log(2) + 0.5))
  })

  it("decay sums half-lives over orders; last-decay keeps the latest", () => {
    const d = weightHistory(data, { kind: "decay", halfLifeDays: 30 })
    expect(getValue(d, 0, 0)).toBe(Math.fround(0.5 + 0.125))
    expect(getValue(d, 0, 1)).toBe(0.25)
    const l = weightHistory(data, { kind: "last-decay", halfLifeDays: 30 })
    expect(getValue(l, 0, 0)).toBe(0.5)
    expect(getValue(l, 0, 1)).toBe(0.25)
    expect(() => weightHistory(data, { kind: "decay", halfLifeDays: 0 })).toThrow(RangeError)
  })
})
