import { hashPosition, isInControlGroup, splitByHash } from "../control-group"

describe("isInControlGroup", () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => `cus_${i}`)

  it("holds out about the share asked for, and nobody at 0", () => {
    const held = ids.filter((id) => isInControlGroup(id, "seg-1", 0.1)).length
    // Binomial(20,000, 0.1): standard deviation about 42; 5 of them either side.
    expect(Math.abs(held - 2000)).toBeLessThan(212)
    expect(ids.some((id) => isInControlGroup(id, "seg-1", 0))).toBe(false)
  })

  it("is deterministic, nested in the share, and independent across segments", () => {
    const a = ids.filter((id) => isInControlGroup(id, "seg-1", 0.2))
    expect(ids.filter((id) => isInControlGroup(id, "seg-1", 0.2))).toEqual(a)
    // A smaller share holds out a subset of a larger one's customers.
    const small = new Set(ids.filter((id) => isInControlGroup(id, "seg-1", 0.05)))
    expect([...small].every((id) => a.includes(id))).toBe(true)
    const b = new Set(ids.filter((id) => isInControlGroup(id, "seg-2", 0.2)))
    const overlap = a.filter((id) => b.has(id)).length
    expect(Math.abs(overlap - 20_000 * 0.04)).toBeLessThan(120) // 0.2 x 0.2 when independent
  })
})

describe("splitByHash", () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `cus_${String(i).padStart(4, "0")}`)

  it("puts exactly round(share x n) customers in control, the lowest hash positions", () => {
    for (const [n, share, expected] of [[1000, 0.1, 100], [7, 0.3, 2], [5, 0.5, 3], [3, 0, 0]] as const) {
      const some = ids.slice(0, n)
      const control = splitByHash(some, "campaign:a", share)
      expect(control.size).toBe(expected)
      const cut = Math.max(-1, ...[...control].map((id) => hashPosition(id, "campaign:a")))
      expect(some.filter((id) => !control.has(id)).every((id) => hashPosition(id, "campaign:a") > cut)).toBe(true)
    }
  })

  it("gives the same split whatever the order, and another split for another salt", () => {
    const a = splitByHash(ids, "campaign:a", 0.2)
    expect(splitByHash([...ids].reverse(), "campaign:a", 0.2)).toEqual(a)
    const b = splitByHash(ids, "campaign:b", 0.2)
    const overlap = [...a].filter((id) => b.has(id)).length
    // Independent draws of 200 from 1000 overlap by about 40.
    expect(overlap).toBeGreaterThan(15)
    expect(overlap).toBeLessThan(70)
  })
})
