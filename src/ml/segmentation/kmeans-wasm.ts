/**
 * The WebAssembly side of k-means for d <= 8 (kernels in assembly/kmeans-kernels.ts, embedded
 * by `npm run build:wasm`). A workspace is one instance of the module with its own memory
 * holding the matrix, padded to 8 float64 per row, and the per-row state of one restart; the
 * algorithms in kmeans.ts drive the kernels and read the small arrays through the views below.
 *
 * One workspace serves the restarts of one run on one thread (kmeans() and each pool worker
 * make their own): the matrix is copied in once, and must not change while the workspace is in
 * use. Nothing here depends on kmeans.ts.
 */
import { KMEANS_KERNELS_WASM } from "./kmeans-kernels.wasm"

// The WebAssembly global, typed here: the project's TypeScript lib (ES2021, no DOM) does not
// declare it.
interface WasmModule {
  readonly __wasmModule: unique symbol
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (module: WasmModule, imports: object) => { exports: unknown }
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

interface KernelExports {
  memory: { buffer: ArrayBuffer }
  reserve(bytes: number): number
  seedFirst(xP: number, n: number, cP: number, closestP: number, cumP: number): number
  seedCandidates4(xP: number, n: number, closestP: number, nearP: number, ccP: number, hgP: number, k: number, outP: number): void
  seedUpdate(xP: number, n: number, closestP: number, nearP: number, cumP: number, cP: number, gapP: number, c: number): number
  sumsOfLabels(xP: number, n: number, labelsP: number, sumsP: number, countsP: number, k: number): void
  fullAssign(xP: number, n: number, cP: number, k: number, labelsP: number, upperP: number, lowerP: number, secondP: number, thirdP: number, sumsP: number, countsP: number): number
  boundedAssign(
    xP: number, n: number, cP: number, k: number, labelsP: number, upperP: number, lowerP: number, secondP: number, thirdP: number,
    G: number, eps: number, hsP: number, sAP: number, SP: number, sumsP: number, countsP: number, idxP: number
  ): number
  inertia(xP: number, n: number, cP: number, labelsP: number): number
}

/** Row width of the padded layout. */
export const PAD = 8
/** Bytes of per-row state a workspace keeps besides the matrix: closest, cum (f64); labels,
 * upper, lower, second, third, idx (32-bit). */
const ROW_STATE = 8 + 8 + 6 * 4
/** wasm32 memory ends at 4 GiB; stay below it. */
const MAX_BYTES = 2 ** 32 - 2 ** 26

let compiled: WasmModule | undefined

function kernelModule(): WasmModule {
  compiled ??= new wasm.Module(Buffer.from(KMEANS_KERNELS_WASM, "base64"))
  return compiled
}

const align = (v: number) => Math.ceil(v / 64) * 64

/** Hands out 64-byte aligned offsets from `start` on; `end` is the first free offset. */
function bumpAllocator(start: number) {
  let p = start
  return {
    take(bytes: number): number {
      const at = p
      p = align(p + bytes)
      return at
    },
    get end(): number {
      return p
    },
  }
}

/** True when an n-row matrix fits in one workspace (else the generic TypeScript path runs). */
export function fitsWorkspace(n: number, k: number): boolean {
  return n * (PAD * 8 + ROW_STATE) + 64 * 16 + k * (3 * 64 + 5 * 8 + 16 * 64) < MAX_BYTES
}

export class PadWorkspace {
  readonly n: number
  readonly ex: KernelExports
  /** Byte offsets of the matrix and the per-row state. */
  readonly xP: number
  readonly closestP: number
  readonly cumP: number
  readonly labelsP: number
  readonly upperP: number
  readonly lowerP: number
  readonly secondP: number
  readonly thirdP: number
  readonly idxP: number
  private readonly base: number
  private readonly smallP: number
  private k = 0
  private T = 0
  // Small arrays, laid out by ensure(k, T).
  centresAP = 0
  centresBP = 0
  sumsP = 0
  countsP = 0
  SP = 0
  hsP = 0
  sAP = 0
  ccP = 0
  gapP = 0
  hgP = 0
  outP = 0
  // Views (valid until the next ensure).
  closest!: Float64Array
  cum!: Float64Array
  labels!: Int32Array
  centresA!: Float64Array
  centresB!: Float64Array
  sums!: Float64Array
  counts!: Float64Array
  S!: Float64Array
  hs!: Float64Array
  sA!: Float64Array
  cc!: Float64Array
  gap!: Float64Array
  hg!: Float64Array
  out!: Float64Array

  /** Copies the n x d matrix x (d <= 8) into a new instance's memory, padded to 8 columns. */
  constructor(x: Float64Array, d: number) {
    if (!(d >= 1 && d <= PAD)) throw new RangeError(`PadWorkspace: d must be in [1, ${PAD}], got ${d}`)
    const n = x.length / d
    this.n = n
    this.ex = new wasm.Instance(kernelModule(), {}).exports as unknown as KernelExports
    const layout = bumpAllocator(0)
    const take = layout.take
    const xOff = take(n * PAD * 8)
    const offs = [8, 8, 4, 4, 4, 4, 4, 4].map((w) => take(n * w))
    const smallOff = layout.end
    const base = this.ex.reserve(smallOff)
    if (base === 0) throw new RangeError(`PadWorkspace: ${n} rows do not fit in WebAssembly memory`)
    this.base = base
    this.xP = base + xOff
    ;[this.closestP, this.cumP, this.labelsP, this.upperP, this.lowerP, this.secondP, this.thirdP, this.idxP] = offs.map((o) => base + o)
    this.smallP = base + smallOff
    const px = new Float64Array(this.ex.memory.buffer, this.xP, n * PAD)
    if (d === PAD) px.set(x)
    else for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) px[i * PAD + t] = x[i * d + t]
    this.ensure(1, 1)
  }

  /** Lays out the small arrays for k centres and T k-means++ candidates; refreshes every view. */
  ensure(k: number, T: number): void {
    if (k <= this.k && T <= this.T) return
    this.k = Math.max(k, this.k)
    this.T = Math.max(T, 4, this.T)
    k = this.k
    T = this.T
    const layout = bumpAllocator(this.smallP)
    const take = layout.take
    this.centresAP = take(k * 64)
    this.centresBP = take(k * 64)
    this.sumsP = take(k * 64)
    this.countsP = take(k * 8)
    this.SP = take(k * 8)
    this.hsP = take(k * 8)
    this.sAP = take(k * 8)
    this.ccP = take(T * 64)
    this.gapP = take(T * k * 8)
    this.hgP = take(4 * k * 8)
    this.outP = take(4 * 8)
    if (this.ex.reserve(layout.end - this.base) === 0) throw new RangeError(`PadWorkspace: k=${k} does not fit in WebAssembly memory`)
    const buf = this.ex.memory.buffer
    const n = this.n
    this.closest = new Float64Array(buf, this.closestP, n)
    this.cum = new Float64Array(buf, this.cumP, n)
    this.labels = new Int32Array(buf, this.labelsP, n)
    this.centresA = new Float64Array(buf, this.centresAP, k * PAD)
    this.centresB = new Float64Array(buf, this.centresBP, k * PAD)
    this.sums = new Float64Array(buf, this.sumsP, k * PAD)
    this.counts = new Float64Array(buf, this.countsP, k)
    this.S = new Float64Array(buf, this.SP, k)
    this.hs = new Float64Array(buf, this.hsP, k)
    this.sA = new Float64Array(buf, this.sAP, k)
    this.cc = new Float64Array(buf, this.ccP, T * PAD)
    this.gap = new Float64Array(buf, this.gapP, T * k)
    this.hg = new Float64Array(buf, this.hgP, 4 * k)
    this.out = new Float64Array(buf, this.outP, 4)
  }
}
