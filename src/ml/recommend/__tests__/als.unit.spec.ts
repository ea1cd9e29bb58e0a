import { toDense } from "../../data/csr"
import { Rng } from "../../random"
import { fromJsonSafe, toJsonSafe } from "../../serialize"
import { AlsRecommender, confidenceExtra, updateFactorsCg, updateFactorsExact } from "../als"
import type { SerializedModel } from "../recommender"
import { checkerboard, interactions } from "./fixtures"

/** Random users x items purchases with strengths 1..3 (repeat orders as repeated triples). */
function randomData(nUsers: number, nItems: number, density: number, seed: number) {
  const rng = new Rng(seed)
  const buys: [number, number][] = []
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      if (rng.next() < density) for (let k = 0, n = 1 + rng.nextInt(3); k < n; k++) buys.push([u, i])
    }
  }
  return interactions(nUsers, nItems, buys)
}

/**
 * Gradient of the full Hu-Koren-Volinsky objective with respect to x_u, over every item
 * (bought or not), written straight from the definition: the slowest, most literal check.
 */
function denseGradient(x: Float32Array, y: Float32Array, strength: Float64Array, nUsers: number, nItems: number, f: number, alpha: number, reg: number): number {
  let worst = 0
  for (let u = 0; u < nUsers; u++) {
    const g = new Float64Array(f)
    for (let i = 0; i < nItems; i++) {
      const s = strength[u * nItems + i]
      const c = 1 + alpha * Math.log1p(s)
      const p = s > 0 ? 1 : 0
      let dot = 0
      for (let k = 0; k < f; k++) dot += x[u * f + k] * y[i * f + k]
      for (let k = 0; k < f; k++) g[k] += c * (dot - p) * y[i * f + k]
    }
    for (let k = 0; k < f; k++) worst = Math.max(worst, Math.abs(g[k] + reg * x[u * f + k]))
  }
  return worst
}

describe("AlsRecommender", () => {
  const f = 5
  const data = randomData(25, 12, 0.3, 4)
  const extra = confidenceExtra(data.strength, 10)
  const rng = new Rng(1)
  const y = rng.fillNormal(new Float32Array(12 * f), 0, 0.5)

  it("exact half-sweep: every user's gradient of the full objective is zero", () => {
    const x = new Float32Array(25 * f)
    updateFactorsExact(x, extra, y, f, 0.1)
    expect(denseGradient(x, y, toDense(data.strength), 25, 12, f, 10, 0.1)).toBeLessThan(1e-3)
  })

  it("conjugate gradient converges to the exact solve (f steps from zero; warm-started 3-step sweeps approach it)", () => {
    const exact = new Float32Array(25 * f)
    updateFactorsExact(exact, extra, y, f, 0.1)
    const cg = new Float32Array(25 * f)
    updateFactorsCg(cg, extra, y, f, 0.1, f)
    for (let k = 0; k < cg.length; k++) expect(cg[k]).toBeCloseTo(exact[k], 4)
    // Warm-started sweeps of 3 steps (what each fit iteration does) get closer every time.
    const warm = exact.map((v, k) => v + 0.05 * Math.sin(k))
    const dist = () => Math.max(...warm.map((v, k) => Math.abs(v - exact[k])))
    let last = dist()
    for (let rep = 0; rep < 10; rep++) {
      updateFactorsCg(warm, extra, y, f, 0.1, 3)
      expect(dist()).toBeLessThan(last)
      last = dist()
    }
    expect(last).toBeLessThan(1e-3)
  })

  it("a CG fit with enough steps equals the exact-solve fit", () => {
    const opts = { factors: 4, iterations: 5, seed: 7 }
    const a = new AlsRecommender({ ...opts, solver: "exact" }).fit(data)
    const b = new AlsRecommender({ ...opts, solver: "cg", cgSteps: 8 }).fit(data)
    const fa = a.itemFactorMatrix()
    const fb = b.itemFactorMatrix()
    for (let k = 0; k < fa.length; k++) expect(fb[k]).toBeCloseTo(fa[k], 3)
  })

  it("lowers the objective at every exact sweep", () => {
    const objective = (m: AlsRecommender) => {
      const s = toDense(data.strength)
      const x = m.userFactorMatrix()
      const yy = m.itemFactorMatrix()
      let total = 0
      for (let u = 0; u < 25; u++) {
        for (let i = 0; i < 12; i++) {
          let dot = 0
          for (let k = 0; k < 3; k++) dot += x[u * 3 + k] * yy[i * 3 + k]
          total += (1 + 10 * Math.log1p(s[u * 12 + i])) * ((s[u * 12 + i] > 0 ? 1 : 0) - dot) ** 2
        }
      }
      for (const v of x) total += 0.1 * v * v
      for (const v of yy) total += 0.1 * v * v
      return total
    }
    let last = Number.POSITIVE_INFINITY
    for (let it = 1; it <= 4; it++) {
      const o = objective(new AlsRecommender({ factors: 3, iterations: it, solver: "exact", seed: 2 }).fit(data))
      expect(o).toBeLessThan(last)
      last = o
    }
  })

  it("recovers each checkerboard user's missing item of the same parity", () => {
    const { data: board, missing } = checkerboard()
    const m = new AlsRecommender({ factors: 2, iterations: 10, alpha: 1, reg: 0.01, seed: 0 }).fit(board)
    for (let u = 0; u < 6; u++) {
      const own = Array.from(board.strength.indices.subarray(board.strength.indptr[u], board.strength.indptr[u + 1]))
      expect(m.recommend(u, 1, own)[0]).toBe(missing[u])
    }
    // Similar items share the parity (the same block).
    expect(Array.from(m.similarItems(0, 2)).sort()).toEqual([2, 4])
  })

  it("starts from seeded N(0, 0.01^2) factors: same seed, same model", () => {
    const a = new AlsRecommender({ factors: 4, iterations: 2, seed: 5 }).fit(data)
    const b = new AlsRecommender({ factors: 4, iterations: 2, seed: 5 }).fit(data)
    const c = new AlsRecommender({ factors: 4, iterations: 2, seed: 6 }).fit(data)
    expect(Array.from(b.scores(3))).toEqual(Array.from(a.scores(3)))
    expect(Array.from(c.scores(3))).not.toEqual(Array.from(a.scores(3)))
  })

  it("round-trips through JSON with identical scores", () => {
    const m = new AlsRecommender({ factors: 4, iterations: 3 }).fit(data)
    const back = AlsRecommender.deserialize(fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(m.serialize())))) as SerializedModel)
    for (let u = 0; u < 25; u++) expect(Array.from(back.scores(u))).toEqual(Array.from(m.scores(u)))
    expect(Array.from(back.similarItems(2, 5))).toEqual(Array.from(m.similarItems(2, 5)))
    expect(back.options).toEqual(m.options)
    expect(() => AlsRecommender.deserialize({ ...m.serialize(), version: 2 })).toThrow(/version/)
  })

  it("knows users with history only, never lists the item itself as similar, and checks options", () => {
    const d = interactions(3, 4, [
      [0, 0],
      [0, 1],
      [1, 2],
    ])
    const m = new AlsRecommender({ factors: 2, iterations: 2 }).fit(d)
    expect([0, 1, 2].map((u) => m.isUserKnown(u))).toEqual([true, true, false])
    expect(Array.from(m.similarItems(1, 10))).not.toContain(1)
    expect(() => new AlsRecommender({ reg: 0 })).toThrow(/reg/)
    expect(() => new AlsRecommender({ factors: 1.5 })).toThrow(/factors/)
  })
})
