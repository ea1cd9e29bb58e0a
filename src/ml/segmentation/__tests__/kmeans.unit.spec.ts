import { spawnSync } from "node:child_process"
import path from "node:path"
import { Rng } from "../../random"
import {
  absoluteTolerance,
  hamerlyLloyd,
  kmeans,
  kmeansPlusPlus,
  kmeansPlusPlusReference,
  kmeansPlusPlusSeeding,
  kmeansRestart,
  lloydReference,
  padRow,
  sqDist,
  sqDistPad,
} from "../kmeans"
import { runKMeansInWorkers } from "../kmeans-pool"
import { PadWorkspace } from "../kmeans-wasm"

/** n points around each of the given centres (row-major), N(0, sd^2) noise, seeded. */
function planted(centres: number[][], perCluster: number, sd: number, seed: number) {
  const rng = new Rng(seed)
  const d = centres[0].length
  const x = new Float64Array(centres.length * perCluster * d)
  const truth = new Int32Array(centres.length * perCluster)
  let r = 0
  for (let c = 0; c < centres.length; c++) {
    for (let i = 0; i < perCluster; i++, r++) {
      truth[r] = c
      for (let j = 0; j < d; j++) x[r * d + j] = centres[c][j] + rng.normal(0, sd)
    }
  }
  return { x, truth, d }
}

/** True when two labellings are the same partition (labels may be permuted). */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const map = new Map<number, number>()
  const back = new Map<number, number>()
  for (let i = 0; i < a.length; i++) {
    if ((map.get(a[i]) ?? b[i]) !== b[i] || (back.get(b[i]) ?? a[i]) !== a[i]) return false
    map.set(a[i], b[i])
    back.set(b[i], a[i])
  }
  return true
}

describe("k-means", () => {
  it("solves a tiny case exactly", () => {
    // Two pairs on a line: {0, 1} and {10, 12}; centres 0.5 and 11, inertia 0.25*2 + 1*2.
    const x = Float64Array.from([0, 1, 10, 12])
    const r = kmeans(x, 1, { k: 2, seed: 3 })
    const lo = r.centres[0] < r.centres[1] ? 0 : 1
    expect(r.centres[lo]).toBe(0.5)
    expect(r.centres[1 - lo]).toBe(11)
    expect(r.inertia).toBe(2.5)
    expect(Array.from(r.labels)).toEqual([lo, lo, 1 - lo, 1 - lo])
  })

  it("recovers planted well-separated clusters exactly", () => {
    const centres = [
      [0, 0, 0],
      [10, 0, 0],
      [0, 10, 0],
      [0, 0, 10],
      [10, 10, 10],
    ]
    const { x, truth, d } = planted(centres, 200, 0.5, 1)
    const r = kmeans(x, d, { k: 5, nInit: 3, seed: 7 })
    expect(samePartition(r.labels, truth)).toBe(true)
    // Each fitted centre is the mean of its planted cluster.
    for (let c = 0; c < 5; c++) {
      const mean = [0, 0, 0]
      let count = 0
      for (let i = 0; i < truth.length; i++) {
        if (r.labels[i] !== c) continue
        count++
        for (let j = 0; j < d; j++) mean[j] += x[i * d + j]
      }
      for (let j = 0; j < d; j++) expect(r.centres[c * d + j]).toBeCloseTo(mean[j] / count, 10)
    }
  })

  it("fast k-means++ draws the same centres as the plain reference", () => {
    const { x, d } = planted([[0, 0], [3, 1], [1, 4], [5, 5]], 300, 1.2, 2)
    for (const seed of [1, 2, 3]) {
      const a = kmeansPlusPlus(x, d, 6, new Rng(seed))
      const b = kmeansPlusPlusReference(x, d, 6, new Rng(seed))
      expect(Array.from(a)).toEqual(Array.from(b))
    }
  })

  it("Hamerly's core gives the reference's labels, inertia and iterations from the same start", () => {
    // Overlapping clusters, so many points change label over many iterations.
    const { x, d } = planted([[0, 0, 0, 0], [2, 1, 0, 1], [1, 2, 2, 0], [3, 3, 1, 2]], 500, 1.3, 3)
    const absTol = absoluteTolerance(x, d, 1e-4)
    for (const seed of [1, 2, 3, 4]) {
      for (const k of [2, 5, 8]) {
        const init = kmeansPlusPlus(x, d, k, new Rng(seed))
        const fast = hamerlyLloyd(x, d, init, 300, absTol)
        const slow = lloydReference(x, d, init, 300, absTol)
        expect(fast.iterations).toBe(slow.iterations)
        expect(Array.from(fast.labels)).toEqual(Array.from(slow.labels))
        expect(Math.abs(fast.inertia - slow.inertia) / slow.inertia).toBeLessThan(1e-12)
        fast.centres.forEach((v, q) => expect(v).toBeCloseTo(slow.centres[q], 10))
      }
    }
  })

  it("the WebAssembly kernels (d <= 8) and the generic TypeScript ones (d > 8) match the plain references exactly", () => {
    // Random centres in d dimensions, overlapping clusters; every d from 1 to 10 exercises the
    // WebAssembly kernels (1-8: rows zero-padded to 8) and the generic path (9, 10: a second
    // block of 8 in sqDist).
    for (let d = 1; d <= 10; d++) {
      const rng = new Rng(100 + d)
      const centres = Array.from({ length: 5 }, () => Array.from({ length: d }, () => rng.normal(0, 1.5)))
      const { x } = planted(centres, 120, 1, 200 + d)
      const absTol = absoluteTolerance(x, d, 1e-4)
      for (const seed of [1, 2]) {
        const init = kmeansPlusPlus(x, d, 6, new Rng(seed))
        expect(Array.from(init)).toEqual(Array.from(kmeansPlusPlusReference(x, d, 6, new Rng(seed))))
        const fast = hamerlyLloyd(x, d, init, 300, absTol)
        const slow = lloydReference(x, d, init, 300, absTol)
        expect(fast.iterations).toBe(slow.iterations)
        expect(Array.from(fast.labels)).toEqual(Array.from(slow.labels))
        expect(Math.abs(fast.inertia - slow.inertia) / slow.inertia).toBeLessThan(1e-12)
        fast.centres.forEach((v, q) => expect(v).toBeCloseTo(slow.centres[q], 10))
      }
    }
  })

  it("without WebAssembly (a matrix too big for its memory) a restart gives the same result in TypeScript, and both the reference's", () => {
    for (const d of [2, 5, 8]) {
      const rng = new Rng(700 + d)
      const centres = Array.from({ length: 6 }, () => Array.from({ length: d }, () => rng.normal(0, 1.5)))
      // 2,700 rows: the bounded pass runs in blocks of 1,024 rows, the last one partial.
      const { x } = planted(centres, 450, 1, 800 + d)
      const absTol = absoluteTolerance(x, d, 1e-4)
      for (const seed of [11, 12]) {
        const wasm = kmeansRestart(x, d, 6, seed, 300, absTol)
        const ts = kmeansRestart(x, d, 6, seed, 300, absTol, { workspace: null })
        expect(wasm.iterations).toBeGreaterThan(3) // bounded passes ran
        expect(ts.iterations).toBe(wasm.iterations)
        expect(Array.from(ts.labels)).toEqual(Array.from(wasm.labels))
        expect(ts.inertia).toBe(wasm.inertia)
        ts.centres.forEach((v, q) => expect(v).toBeCloseTo(wasm.centres[q], 12))
        const ref = kmeansRestart(x, d, 6, seed, 300, absTol, { reference: true })
        expect(Array.from(wasm.labels)).toEqual(Array.from(ref.labels))
        expect(wasm.iterations).toBe(ref.iterations)
      }
    }
  })

  it("k-means++'s last pass gives each row's nearest centre and distance exactly (lowest index on ties)", () => {
    for (const d of [1, 3, 8]) {
      const rng = new Rng(400 + d)
      const centres = Array.from({ length: 4 }, () => Array.from({ length: d }, () => rng.normal(0, 1.5)))
      const { x } = planted(centres, 150, 1, 500 + d)
      // Duplicate rows make exact ties between centres possible.
      x.copyWithin(0, d * 10, d * 30)
      for (const k of [1, 2, 5, 9]) {
        const seeding = kmeansPlusPlusSeeding(x, d, k, new Rng(k))
        expect(Array.from(seeding.centres)).toEqual(Array.from(kmeansPlusPlus(x, d, k, new Rng(k))))
        const n = x.length / d
        for (let i = 0; i < n; i++) {
          let best = 0
          let bd = Infinity
          for (let j = 0; j < k; j++) {
            const v = sqDist(x, i * d, seeding.centres, j * d, d)
            if (v < bd) {
              bd = v
              best = j
            }
          }
          expect(seeding.labels![i]).toBe(best)
          expect(seeding.dist![i]).toBe(bd)
        }
      }
    }
  })

  it("a fast restart (seeding reused as the first assignment, second-nearest bounds) matches the reference restart", () => {
    // Overlapping clusters and unequal spreads: late iterations move some centres far more
    // than others, the case the per-centre bounds are for. k from 1 to 12, d from 1 to 10.
    for (const d of [1, 2, 5, 8, 10]) {
      const rng = new Rng(600 + d)
      const centres = Array.from({ length: 6 }, () => Array.from({ length: d }, () => rng.normal(0, 1.2)))
      const { x } = planted(centres, 150, 1.1, 700 + d)
      const absTol = absoluteTolerance(x, d, 1e-4)
      for (const k of [1, 2, 3, 7, 12]) {
        for (const seed of [1, 2]) {
          for (const tol of [absTol, 0]) {
            const fast = kmeansRestart(x, d, k, seed, 300, tol)
            const slow = kmeansRestart(x, d, k, seed, 300, tol, { reference: true })
            expect(fast.iterations).toBe(slow.iterations)
            expect(Array.from(fast.labels)).toEqual(Array.from(slow.labels))
            expect(Math.abs(fast.inertia - slow.inertia) / (slow.inertia || 1)).toBeLessThan(1e-12)
          }
        }
      }
    }
  })

  it("the padded distance kernel is bit for bit the generic one for d <= 8", () => {
    const rng = new Rng(9)
    for (let d = 1; d <= 8; d++) {
      for (let r = 0; r < 200; r++) {
        const a = Float64Array.from({ length: d }, () => rng.normal(0, 10) * 10 ** Math.floor(rng.next() * 6 - 3))
        const b = Float64Array.from({ length: d }, () => rng.normal(0, 10) * 10 ** Math.floor(rng.next() * 6 - 3))
        const bp = new Float64Array(8)
        padRow(b, 0, d, bp, 0)
        expect(sqDistPad(a, 0, d, bp, 0)).toBe(sqDist(a, 0, b, 0, d))
        // ... and the two-lane order of the WebAssembly kernels:
        // ((t0^2 + t4^2) + (t2^2 + t6^2)) + ((t1^2 + t5^2) + (t3^2 + t7^2)).
        const t = Array.from({ length: 8 }, (_, j) => (j < d ? a[j] - b[j] : 0))
        expect(sqDist(a, 0, b, 0, d)).toBe(t[0] * t[0] + t[4] * t[4] + (t[2] * t[2] + t[6] * t[6]) + (t[1] * t[1] + t[5] * t[5] + (t[3] * t[3] + t[7] * t[7])))
      }
    }
  })

  it("the WebAssembly distance kernel is bit for bit sqDist for every d <= 8", () => {
    for (let d = 1; d <= 8; d++) {
      const rng = new Rng(40 + d)
      const n = 257
      const k = 5
      // Magnitudes from 1e-3 to 1e3 so that a different summation order would show.
      const x = Float64Array.from({ length: n * d }, () => rng.normal(0, 10) * 10 ** Math.floor(rng.next() * 6 - 3))
      const c = Float64Array.from({ length: k * d }, () => rng.normal(0, 10))
      const labels = Int32Array.from({ length: n }, () => rng.nextInt(k))
      const ws = new PadWorkspace(x, d)
      ws.ensure(k, 1)
      ws.centresA.fill(0)
      for (let j = 0; j < k; j++) padRow(c, j * d, d, ws.centresA, j * 8)
      ws.labels.set(labels)
      let expected = 0
      for (let i = 0; i < n; i++) expected += sqDist(x, i * d, c, labels[i] * d, d)
      expect(ws.ex.inertia(ws.xP, n, ws.centresAP, ws.labelsP)).toBe(expected)
    }
  })

  it("ships the WebAssembly binary that assembly/kmeans-kernels.ts compiles to", () => {
    // A fresh compile (the AssemblyScript compiler is a dev dependency) against the committed module.
    const root = path.join(__dirname, "../../../..")
    const check = spawnSync(process.execPath, [path.join(root, "scripts/build-wasm.mjs"), "--check"], { encoding: "utf8" })
    expect(check.stdout.trim()).toBe("kmeans-kernels.wasm.ts matches assembly/kmeans-kernels.ts")
    expect(check.status).toBe(0)
  })

  it("keeps the lane order of the distance for every d (so kernels agree bit for bit)", () => {
    // k = n: k-means++ must pick every row; with one row per cluster, inertia is exactly 0 and
    // the potentials compared along the way are sums of the same distances in both cores.
    for (let d = 1; d <= 10; d++) {
      const rng = new Rng(300 + d)
      const x = Float64Array.from({ length: 6 * d }, () => rng.normal(0, 1e3) * 1e-3 + 1e8 * rng.next())
      const a = kmeansPlusPlus(x, d, 6, new Rng(d))
      const b = kmeansPlusPlusReference(x, d, 6, new Rng(d))
      expect(Array.from(a)).toEqual(Array.from(b))
      expect(hamerlyLloyd(x, d, a, 300, 0).inertia).toBe(0)
    }
  })

  it("stops at maxIter and with tol 0 runs until the labels stop changing", () => {
    const { x, d } = planted([[0, 0], [1, 1]], 300, 1, 4)
    const init = kmeansPlusPlus(x, d, 4, new Rng(1))
    expect(hamerlyLloyd(x, d, init, 2, 0).iterations).toBe(2)
    const full = hamerlyLloyd(x, d, init, 300, 0)
    const ref = lloydReference(x, d, init, 300, 0)
    expect(full.iterations).toBe(ref.iterations)
    expect(full.iterations).toBeLessThan(300)
  })

  it("relocates an emptied cluster (duplicate rows) like the reference", () => {
    // k-means++ cannot pick 3 distinct centres from 2 distinct values: one centre repeats
    // and its cluster empties on the first step.
    const x = Float64Array.from([0, 0, 0, 5, 5, 5, 5.5])
    const init = Float64Array.from([0, 0, 5])
    const fast = hamerlyLloyd(x, 1, init, 300, 0)
    const slow = lloydReference(x, 1, init, 300, 0)
    expect(Array.from(fast.labels)).toEqual(Array.from(slow.labels))
    expect(fast.inertia).toBeCloseTo(slow.inertia, 12)
    expect(new Set(fast.labels).size).toBe(3)
  })

  it("is deterministic for a seed, and nInit keeps the best restart", () => {
    const { x, d } = planted([[0, 0], [2, 0], [1, 2]], 200, 0.9, 5)
    const a = kmeans(x, d, { k: 4, nInit: 5, seed: 11 })
    const b = kmeans(x, d, { k: 4, nInit: 5, seed: 11 })
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels))
    expect(a.inertia).toBe(b.inertia)
    // Restart 0 of nInit 5 is the whole of nInit 1 with the same seed.
    expect(a.inertia).toBeLessThanOrEqual(kmeans(x, d, { k: 4, nInit: 1, seed: 11 }).inertia)
  })

  it("rejects bad input", () => {
    expect(() => kmeans(Float64Array.from([1, 2, 3]), 2, { k: 1 })).toThrow(/multiple of d/)
    expect(() => kmeans(Float64Array.from([1, 2]), 1, { k: 3 })).toThrow(/k must be/)
    expect(() => kmeans(Float64Array.from([1, NaN]), 1, { k: 1 })).toThrow(/not finite/)
  })

  it("gives the same result in worker threads as on the calling thread", async () => {
    const { x, d } = planted([[0, 0, 0], [4, 0, 1], [0, 4, 2]], 400, 1.5, 6)
    const sync = kmeans(x, d, { k: 3, nInit: 4, seed: 5 })
    const pooled = await runKMeansInWorkers(x, d, { k: 3, nInit: 4, seed: 5, workers: 2 })
    expect(pooled.restart).toBe(sync.restart)
    expect(pooled.inertia).toBe(sync.inertia)
    expect(Array.from(pooled.labels)).toEqual(Array.from(sync.labels))
    expect(Array.from(pooled.centres)).toEqual(Array.from(sync.centres))
  })
})
