import { isInControlGroup } from "../control-group"

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
