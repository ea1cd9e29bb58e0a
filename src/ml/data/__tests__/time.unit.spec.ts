import { formatTimestamp, parseTimestamp, requireTimestamp } from "../time"

describe("parseTimestamp", () => {
  it("reads times without a zone as UTC", () => {
    expect(parseTimestamp("2011-06-01 08:26:00")).toBe(Date.UTC(2011, 5, 1, 8, 26, 0))
    expect(parseTimestamp("2011-06-01")).toBe(Date.UTC(2011, 5, 1))
    expect(parseTimestamp("2011-06-01T23:59:59.5")).toBe(Date.UTC(2011, 5, 1, 23, 59, 59, 500))
  })

  it("honours an explicit zone", () => {
    expect(parseTimestamp("2011-06-01T10:00:00Z")).toBe(Date.UTC(2011, 5, 1, 10))
    expect(parseTimestamp("2011-06-01 10:00:00+02:00")).toBe(Date.UTC(2011, 5, 1, 8))
    expect(parseTimestamp("2011-06-01T10:00:00-0130")).toBe(Date.UTC(2011, 5, 1, 11, 30))
  })

  it("rejects impossible dates and other formats", () => {
    expect(parseTimestamp("2011-02-30")).toBeNaN()
    expect(parseTimestamp("2011-06-01 24:00:00")).toBeNaN()
    expect(parseTimestamp("6/1/2011 8:26")).toBeNaN()
    expect(() => requireTimestamp("", "created_at")).toThrow(/created_at/)
  })

  it("formats back to the written form", () => {
    expect(formatTimestamp(parseTimestamp("2010-12-01 08:26:00"))).toBe("2010-12-01 08:26:00")
  })
})
