import { Rng } from "../random"

describe("Rng (xoshiro128**)", () => {
  it("matches the reference C implementation from state (1, 2, 3, 4)", () => {
    // Outputs of Blackman and Vigna's xoshiro128starstar.c seeded with s = {1, 2, 3, 4}.
    const rng = new Rng(0, [1, 2, 3, 4])
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492])
  })

  it("repeats a sequence for the same seed and changes it for another", () => {
    const a = new Rng(42)
    const b = new Rng(42)
    const c = new Rng(43)
    const xa = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xa)
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xa)
  })

  it("draws uniforms in [0, 1) and integers in [0, n) with the right mean", () => {
    const rng = new Rng(7)
    let sum = 0
    const counts = new Array(3).fill(0)
    for (let i = 0; i < 30000; i++) {
      const x = rng.next()
      expect(x >= 0 && x < 1).toBe(true)
      sum += x
      counts[rng.nextInt(3)]++
    }
    expect(Math.abs(sum / 30000 - 0.5)).toBeLessThan(0.01)
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400)
    expect(() => rng.nextInt(0)).toThrow(RangeError)
  })

  it("draws normals with the requested mean and standard deviation", () => {
    const rng = new Rng(3)
    const x = rng.fillNormal(new Float64Array(40000), 2, 0.5)
    const mean = x.reduce((a, b) => a + b, 0) / x.length
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length)
    expect(Math.abs(mean - 2)).toBeLessThan(0.01)
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.01)
  })

  it("shuffles into a permutation, deterministically", () => {
    const p = new Rng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i))
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(Array.from(new Rng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i)))).toEqual(Array.from(p))
    expect(Array.from(p)).not.toEqual(Array.from({ length: 50 }, (_, i) => i))
  })
})
