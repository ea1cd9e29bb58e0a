/**
 * Seeded randomness for src/ml: every stochastic routine takes a seed (or an Rng built from
 * one), so a run can be repeated exactly. xoshiro128** (Blackman and Vigna) is small, fast in
 * 32-bit integer arithmetic and has a 2^128 - 1 period; splitmix32 spreads a small integer seed
 * over its 128-bit state, because xoshiro must not start from an all-zero or low-entropy state.
 */

/** splitmix32 step: returns the next state and a well-mixed 32-bit output. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0
  let z = next
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  z ^= z >>> 16
  return [next, z >>> 0]
}

export class Rng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number
  private spareNormal: number | null = null

  /**
   * @param seed any integer (taken modulo 2^32); the same seed gives the same sequence.
   * @param state optional explicit xoshiro128** state (four uint32, not all zero), for tests
   *   against the published reference outputs.
   */
  constructor(seed: number, state?: readonly [number, number, number, number]) {
    if (state) {
      if ((state[0] | state[1] | state[2] | state[3]) === 0) {
        throw new RangeError("xoshiro128** state must not be all zero")
      }
      ;[this.s0, this.s1, this.s2, this.s3] = [state[0] | 0, state[1] | 0, state[2] | 0, state[3] | 0]
      return
    }
    let x = seed | 0
    const out: number[] = []
    for (let i = 0; i < 4; i++) {
      const [next, z] = splitmix32(x)
      x = next
      out.push(z | 0)
    }
    ;[this.s0, this.s1, this.s2, this.s3] = out
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1
  }

  /** Next raw output: uniform uint32 in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9)
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result >>> 0
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5 // 27 bits
    const lo = this.nextUint32() >>> 6 // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992
  }

  /** Uniform integer in [0, n), n a positive integer below 2^32, without modulo bias. */
  nextInt(n: number): number {
    if (!(n > 0 && n <= 4294967296 && Number.isInteger(n))) {
      throw new RangeError(`nextInt: n must be an integer in [1, 2^32], got ${n}`)
    }
    // Rejection keeps every value equally likely when 2^32 is not a multiple of n.
    const limit = 4294967296 - (4294967296 % n)
    for (;;) {
      const x = this.nextUint32()
      if (x < limit) return x % n
    }
  }

  /** Normal draw with the given mean (default 0) and standard deviation (default 1). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal
      this.spareNormal = null
      return mean + sd * z
    }
    // Marsaglia polar method: two independent normals per accepted pair, no trig calls.
    let u: number
    let v: number
    let s: number
    do {
      u = 2 * this.next() - 1
      v = 2 * this.next() - 1
      s = u * u + v * v
    } while (s >= 1 || s === 0)
    const f = Math.sqrt((-2 * Math.log(s)) / s)
    this.spareNormal = v * f
    return mean + sd * u * f
  }

  /** Fills `out` with normal draws (mean, sd) and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, sd = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, sd)
    return out
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1)
      const t = a[i]
      a[i] = a[j]
      a[j] = t
    }
    return a
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
