/**
 * The hot loops of k-means for d <= 8, in AssemblyScript compiled to WebAssembly with 128-bit
 * SIMD (two float64 lanes). `npm run build:wasm` compiles this file into
 * src/ml/segmentation/kmeans-kernels.wasm.ts; src/ml/segmentation/kmeans-wasm.ts loads it and
 * keeps the control flow (draws, centre updates, stopping rule) in TypeScript.
 *
 * Every row and every centre is 8 float64 (64 bytes, zero-padded past d), so one row is four
 * v128 values. The squared distance is summed lane-wise and then across the lanes:
 *   ((t0^2 + t4^2) + (t2^2 + t6^2)) + ((t1^2 + t5^2) + (t3^2 + t7^2)),
 * the order `sqDist` in kmeans.ts uses, so every distance, label and tie here is bit for bit
 * the plain TypeScript reference's. Arguments ending in P are byte offsets into this module's
 * memory; the module allocates nothing (the runtime is the stub one) and never grows memory
 * except in `reserve`.
 */

/** Makes the memory at least __heap_base + bytes long; returns __heap_base rounded up to 64. */
export function reserve(bytes: usize): usize {
  const base = (__heap_base + 63) & ~(<usize>63)
  const need = base + bytes
  const have = (<usize>memory.size()) << 16
  if (need > have) {
    if (memory.grow(<i32>((need - have + 0xffff) >>> 16)) < 0) return 0
  }
  return base
}

@inline function dist8(x01: v128, x23: v128, x45: v128, x67: v128, q: usize): f64 {
  const t01 = f64x2.sub(x01, v128.load(q))
  const t23 = f64x2.sub(x23, v128.load(q, 16))
  const t45 = f64x2.sub(x45, v128.load(q, 32))
  const t67 = f64x2.sub(x67, v128.load(q, 48))
  const a = f64x2.add(f64x2.mul(t01, t01), f64x2.mul(t45, t45))
  const b = f64x2.add(f64x2.mul(t23, t23), f64x2.mul(t67, t67))
  const c = f64x2.add(a, b)
  return f64x2.extract_lane(c, 0) + f64x2.extract_lane(c, 1)
}

// Float32 storage of bounds, rounded outwards exactly as upF32 / downF32 in kmeans.ts.
const OUT: f64 = 2.384185791015625e-7 // 2^-22
@inline function upF32(v: f64): f32 {
  return <f32>(v + (abs<f64>(v) * OUT + 1e-30))
}
@inline function downF32(v: f64): f32 {
  if (v == Infinity) return <f32>v
  return <f32>(v - (abs<f64>(v) * OUT + 1e-30))
}

@inline function addRow(sumsP: usize, x01: v128, x23: v128, x45: v128, x67: v128): void {
  v128.store(sumsP, f64x2.add(v128.load(sumsP), x01))
  v128.store(sumsP, f64x2.add(v128.load(sumsP, 16), x23), 16)
  v128.store(sumsP, f64x2.add(v128.load(sumsP, 32), x45), 32)
  v128.store(sumsP, f64x2.add(v128.load(sumsP, 48), x67), 48)
}

@inline function subRow(sumsP: usize, x01: v128, x23: v128, x45: v128, x67: v128): void {
  v128.store(sumsP, f64x2.sub(v128.load(sumsP), x01))
  v128.store(sumsP, f64x2.sub(v128.load(sumsP, 16), x23), 16)
  v128.store(sumsP, f64x2.sub(v128.load(sumsP, 32), x45), 32)
  v128.store(sumsP, f64x2.sub(v128.load(sumsP, 48), x67), 48)
}

/** k-means++ first pass: closest[i] = distance to the centre at cP, cum = running sums; returns the potential. */
export function seedFirst(xP: usize, n: i32, cP: usize, closestP: usize, cumP: usize): f64 {
  let pot: f64 = 0
  for (let i = 0; i < n; i++) {
    const p = xP + ((<usize>i) << 6)
    const v = dist8(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), cP)
    store<f64>(closestP + ((<usize>i) << 3), v)
    pot += v
    store<f64>(cumP + ((<usize>i) << 3), pot)
  }
  return pot
}

/**
 * Potentials of up to 4 candidates (rows at ccP, ccP + 64, ...): sum over rows, in row order,
 * of min(closest, distance to the candidate), skipping the distance when hg[t * k + near]
 * (squared half distance from candidate t to the row's nearest centre) >= closest. Unused
 * slots have an infinite gap. Writes the 4 sums to outP.
 */
export function seedCandidates4(xP: usize, n: i32, closestP: usize, nearP: usize, ccP: usize, hgP: usize, k: i32, outP: usize): void {
  let s0: f64 = 0
  let s1: f64 = 0
  let s2: f64 = 0
  let s3: f64 = 0
  const h1 = hgP + ((<usize>k) << 3)
  const h2 = h1 + ((<usize>k) << 3)
  const h3 = h2 + ((<usize>k) << 3)
  for (let i = 0; i < n; i++) {
    const ci = load<f64>(closestP + ((<usize>i) << 3))
    const a = (<usize>load<i32>(nearP + ((<usize>i) << 2))) << 3
    const g0 = load<f64>(hgP + a) >= ci
    const g1 = load<f64>(h1 + a) >= ci
    const g2 = load<f64>(h2 + a) >= ci
    const g3 = load<f64>(h3 + a) >= ci
    if (g0 && g1 && g2 && g3) {
      s0 += ci
      s1 += ci
      s2 += ci
      s3 += ci
      continue
    }
    const p = xP + ((<usize>i) << 6)
    const x01 = v128.load(p)
    const x23 = v128.load(p, 16)
    const x45 = v128.load(p, 32)
    const x67 = v128.load(p, 48)
    if (g0) s0 += ci
    else {
      const v = dist8(x01, x23, x45, x67, ccP)
      s0 += v < ci ? v : ci
    }
    if (g1) s1 += ci
    else {
      const v = dist8(x01, x23, x45, x67, ccP + 64)
      s1 += v < ci ? v : ci
    }
    if (g2) s2 += ci
    else {
      const v = dist8(x01, x23, x45, x67, ccP + 128)
      s2 += v < ci ? v : ci
    }
    if (g3) s3 += ci
    else {
      const v = dist8(x01, x23, x45, x67, ccP + 192)
      s3 += v < ci ? v : ci
    }
  }
  store<f64>(outP, s0)
  store<f64>(outP, s1, 8)
  store<f64>(outP, s2, 16)
  store<f64>(outP, s3, 24)
}

/**
 * After choosing centre c (its row at cP; squared half gaps to the older centres at gapP):
 * nearest-centre update and running sums; returns the new potential. The distance is skipped
 * only when the squared half gap exceeds closest by a relative 4e-12, far above rounding, so
 * near and closest stay exactly the nearest centre (lowest index on ties) and its distance.
 */
export function seedUpdate(xP: usize, n: i32, closestP: usize, nearP: usize, cumP: usize, cP: usize, gapP: usize, c: i32): f64 {
  let pot: f64 = 0
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 3
    let ci = load<f64>(closestP + o)
    const a = load<i32>(nearP + ((<usize>i) << 2))
    if (!(load<f64>(gapP + ((<usize>a) << 3)) > ci * (1 + 4e-12))) {
      const p = xP + ((<usize>i) << 6)
      const v = dist8(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), cP)
      if (v < ci) {
        ci = v
        store<f64>(closestP + o, v)
        store<i32>(nearP + ((<usize>i) << 2), c)
      }
    }
    pot += ci
    store<f64>(cumP + o, pot)
  }
  return pot
}

/** Sums (rows of 8) and counts of the clusters given by labels. */
export function sumsOfLabels(xP: usize, n: i32, labelsP: usize, sumsP: usize, countsP: usize, k: i32): void {
  memory.fill(sumsP, 0, (<usize>k) << 6)
  memory.fill(countsP, 0, (<usize>k) << 3)
  for (let i = 0; i < n; i++) {
    const a = <usize>load<i32>(labelsP + ((<usize>i) << 2))
    const p = xP + ((<usize>i) << 6)
    const cp = countsP + (a << 3)
    store<f64>(cp, load<f64>(cp) + 1)
    addRow(sumsP + (a << 6), v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48))
  }
}

/**
 * Full assignment: exact distances to every centre; sets labels, the bounds (upper = nearest,
 * lower = second nearest, third = third nearest, all with the running totals at zero), the
 * second-nearest centre, and rebuilds sums and counts. Returns how many labels changed.
 */
export function fullAssign(
  xP: usize, n: i32, cP: usize, k: i32, labelsP: usize, upperP: usize, lowerP: usize,
  secondP: usize, thirdP: usize, sumsP: usize, countsP: usize
): i32 {
  let changed = 0
  memory.fill(sumsP, 0, (<usize>k) << 6)
  memory.fill(countsP, 0, (<usize>k) << 3)
  for (let i = 0; i < n; i++) {
    const p = xP + ((<usize>i) << 6)
    const x01 = v128.load(p)
    const x23 = v128.load(p, 16)
    const x45 = v128.load(p, 32)
    const x67 = v128.load(p, 48)
    let b1: f64 = Infinity
    let b2: f64 = Infinity
    let b3: f64 = Infinity
    let a = 0
    let a2 = 0
    for (let j = 0; j < k; j++) {
      const v = dist8(x01, x23, x45, x67, cP + ((<usize>j) << 6))
      if (v < b2) {
        b3 = b2
        if (v < b1) {
          b2 = b1
          a2 = a
          b1 = v
          a = j
        } else {
          b2 = v
          a2 = j
        }
      } else if (v < b3) b3 = v
    }
    const i4 = (<usize>i) << 2
    if (load<i32>(labelsP + i4) != a) changed++
    store<i32>(labelsP + i4, a)
    store<f32>(upperP + i4, upF32(Math.sqrt(b1)))
    store<f32>(lowerP + i4, downF32(Math.sqrt(b2)))
    store<i32>(secondP + i4, a2)
    store<f32>(thirdP + i4, downF32(Math.sqrt(b3)))
    const cp = countsP + ((<usize>a) << 3)
    store<f64>(cp, load<f64>(cp) + 1)
    addRow(sumsP + ((<usize>a) << 6), x01, x23, x45, x67)
  }
  return changed
}

/** Rows per block of boundedAssign: their rows and state stay in the core's cache. */
const BLOCK = 1024
/** Where the touch loop's sum goes, so the compiler keeps the loads. */
let sink: f64 = 0

/**
 * Bounded assignment (see hamerlyLloyd in kmeans.ts for the bounds), block by block: pass 1
 * reads only the bounds and lists the rows they do not settle in idx; pass 2 measures a listed row's own
 * centre, then its second-nearest, and only then all k. hs[a], sA[a] and S[a] are float64
 * arrays of k; G and eps as in kmeans.ts. Returns how many labels changed; sums and counts
 * follow the moves.
 */
export function boundedAssign(
  xP: usize, n: i32, cP: usize, k: i32, labelsP: usize, upperP: usize, lowerP: usize,
  secondP: usize, thirdP: usize, G: f64, eps: f64, hsP: usize, sAP: usize, SP: usize,
  sumsP: usize, countsP: usize, idxP: usize
): i32 {
  let changed = 0
  for (let start = 0; start < n; start += BLOCK) {
    const end = start + BLOCK < n ? start + BLOCK : n
    let m = 0
    for (let i = start; i < end; i++) {
      const i4 = (<usize>i) << 2
      const a = (<usize>load<i32>(labelsP + i4)) << 3
      const U = <f64>load<f32>(upperP + i4)
      const ua = U + load<f64>(sAP + a)
      const b = (<usize>load<i32>(secondP + i4)) << 3
      store<i32>(idxP + ((<usize>m) << 2), i)
      const settled = (<i32>(U < load<f64>(hsP + a))) | ((<i32>(ua + load<f64>(SP + b) < <f64>load<f32>(lowerP + i4))) & (<i32>(ua + G < <f64>load<f32>(thirdP + i4))))
      m += 1 - settled
    }
    // Touch the listed rows first: these loads do not depend on each other, so their cache
    // misses overlap, and the distance loop below finds its rows in cache.
    let touch: f64 = 0
    for (let e = 0; e < m; e++) touch += load<f64>(xP + ((<usize>load<i32>(idxP + ((<usize>e) << 2))) << 6))
    sink += touch
    for (let e = 0; e < m; e++) {
      const i = load<i32>(idxP + ((<usize>e) << 2))
      const i4 = (<usize>i) << 2
      const a = load<i32>(labelsP + i4)
      const b = load<i32>(secondP + i4)
      const lb = <f64>load<f32>(lowerP + i4) - load<f64>(SP + ((<usize>b) << 3))
      const l3 = <f64>load<f32>(thirdP + i4) - G
      const p = xP + ((<usize>i) << 6)
      const x01 = v128.load(p)
      const x23 = v128.load(p, 16)
      const x45 = v128.load(p, 32)
      const x67 = v128.load(p, 48)
      const va = dist8(x01, x23, x45, x67, cP + ((<usize>a) << 6))
      const ua = Math.sqrt(va)
      const Ut = ua - load<f64>(SP + ((<usize>a) << 3))
      if (Ut < load<f64>(hsP + ((<usize>a) << 3)) || (ua + eps < lb && ua + eps < l3)) {
        store<f32>(upperP + i4, upF32(Ut))
        continue
      }
      let best = a
      let bu = ua
      let nb = a // the centre to keep as second-nearest
      let nl: f64 = 0 // exact distance to it
      let settled = false
      let vb: f64 = Infinity
      if (b != a) {
        vb = dist8(x01, x23, x45, x67, cP + ((<usize>b) << 6))
        const ub = Math.sqrt(vb)
        if (vb < va || (vb == va && b < a)) {
          best = b
          bu = ub
          nb = a
          nl = ua
        } else {
          nb = b
          nl = ub
        }
        // Every other centre is at least l3 away: strictly farther than best, with a margin.
        settled = bu + eps < l3
      }
      if (!settled) {
        let b1: f64 = Infinity
        let b2: f64 = Infinity
        let b3: f64 = Infinity
        let a1 = 0
        let a2 = 0
        for (let j = 0; j < k; j++) {
          // The row's own centre and second-nearest are measured already.
          const v = j == a ? va : j == b ? vb : dist8(x01, x23, x45, x67, cP + ((<usize>j) << 6))
          if (v < b2) {
            b3 = b2
            if (v < b1) {
              b2 = b1
              a2 = a1
              b1 = v
              a1 = j
            } else {
              b2 = v
              a2 = j
            }
          } else if (v < b3) b3 = v
        }
        best = a1
        bu = Math.sqrt(b1)
        nb = a2
        nl = Math.sqrt(b2)
        store<f32>(thirdP + i4, downF32(Math.sqrt(b3) + G))
      }
      store<i32>(secondP + i4, nb)
      store<f32>(lowerP + i4, downF32(nl + load<f64>(SP + ((<usize>nb) << 3))))
      store<f32>(upperP + i4, upF32(bu - load<f64>(SP + ((<usize>best) << 3))))
      if (best != a) {
        changed++
        store<i32>(labelsP + i4, best)
        const ca = countsP + ((<usize>a) << 3)
        const cb = countsP + ((<usize>best) << 3)
        store<f64>(ca, load<f64>(ca) - 1)
        store<f64>(cb, load<f64>(cb) + 1)
        subRow(sumsP + ((<usize>a) << 6), x01, x23, x45, x67)
        addRow(sumsP + ((<usize>best) << 6), x01, x23, x45, x67)
      }
    }
  }
  return changed
}

/** Sum over rows, in row order, of the distance to the row's centre. */
export function inertia(xP: usize, n: i32, cP: usize, labelsP: usize): f64 {
  let s: f64 = 0
  for (let i = 0; i < n; i++) {
    const p = xP + ((<usize>i) << 6)
    const a = <usize>load<i32>(labelsP + ((<usize>i) << 2))
    s += dist8(v128.load(p), v128.load(p, 16), v128.load(p, 32), v128.load(p, 48), cP + (a << 6))
  }
  return s
}
