/**
 * Starting a `worker_threads` worker on a module of src/ml, from compiled JavaScript and from
 * the TypeScript sources alike. A worker needs JavaScript to run, so it starts from a small
 * inline bootstrap (`eval: true`) that requires the entry module and calls one of its exports
 * with the worker's input. When the entry is a `.ts` file (jest, ts-node, the bench scripts)
 * the bootstrap first registers a `.ts` loader that transpiles with @swc/core, the transpiler
 * those tools use; compiled code (.js) needs no transpiler.
 * Used by the fit workers (fit-in-worker.ts) and the k-means pool (segmentation/kmeans-pool.ts).
 */
import { extname, join } from "node:path"
import { isArrayBuffer, isTypedArray } from "node:util/types"
import { Worker, type ResourceLimits, type TransferListItem } from "node:worker_threads"

const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
const boot = workerData.boot;
if (boot.swcPath) {
  const Module = require("node:module");
  if (!Module._extensions[".ts"]) {
    const fs = require("node:fs");
    const swc = require(boot.swcPath);
    Module._extensions[".ts"] = function (module, filename) {
      const out = swc.transformSync(fs.readFileSync(filename, "utf8"), {
        filename,
        jsc: { parser: { syntax: "typescript" }, target: "es2021" },
        module: { type: "commonjs" },
      });
      module._compile(out.code, filename);
    };
  }
}
require(boot.entry)[boot.exportName](workerData.input);
`

export interface StartWorkerOptions {
  /** Structured-cloned into the worker and passed to the entry function. */
  input?: unknown
  /** ArrayBuffers (or ports) in `input` to move rather than copy; they are detached here. */
  transferList?: TransferListItem[]
  /** V8 heap limits of the worker (typed-array memory is outside them). */
  resourceLimits?: ResourceLimits
}

/**
 * `<dir>/<name>` with the extension of `callerFile`: pass `__dirname, "entry", __filename` to
 * name a sibling module that is .ts when the caller runs from sources and .js when compiled.
 */
export function siblingModule(dir: string, name: string, callerFile: string): string {
  return join(dir, `${name}${extname(callerFile)}`)
}

/**
 * Starts a worker that requires `entry` (an absolute .js or .ts path) and calls its export
 * `exportName` with `options.input`. The entry function installs its own `parentPort` handlers.
 */
export function startWorker(entry: string, exportName: string, options: StartWorkerOptions = {}): Worker {
  const ext = extname(entry)
  if (ext !== ".js" && ext !== ".ts") throw new RangeError(`startWorker: entry must be a .js or .ts file, got "${entry}"`)
  const boot = { entry, exportName, swcPath: ext === ".ts" ? require.resolve("@swc/core") : null }
  return new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { boot, input: options.input },
    transferList: options.transferList,
    resourceLimits: options.resourceLimits,
  })
}

/**
 * The distinct, transferable ArrayBuffers under the typed arrays anywhere in `value` (plain
 * objects and arrays are walked). A buffer is left out when some view covers only part of it
 * (it may be Node's shared Buffer pool, or hold data the caller still uses) and when it is a
 * SharedArrayBuffer (shared with the worker anyway, never copied).
 */
export function transferableBuffers(value: unknown): ArrayBuffer[] {
  const whole = new Set<ArrayBuffer>()
  const partial = new Set<ArrayBuffer>()
  const seen = new Set<object>()
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return
    seen.add(v)
    // util.types, not instanceof: the arrays may come from another realm (a vm context, jest).
    if (ArrayBuffer.isView(v)) {
      const b = v.buffer
      if (!isArrayBuffer(b)) return
      if (v.byteOffset === 0 && v.byteLength === b.byteLength) whole.add(b)
      else partial.add(b)
      return
    }
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x)
  }
  walk(value)
  return Array.from(whole).filter((b) => !partial.has(b) && b.byteLength > 0)
}

type TypedArrayName = "Int8Array" | "Uint8Array" | "Uint8ClampedArray" | "Int16Array" | "Uint16Array" | "Int32Array" | "Uint32Array" | "Float32Array" | "Float64Array" | "BigInt64Array" | "BigUint64Array"

/**
 * `value` with every typed array (walking plain objects and arrays, in place) replaced by a
 * view of this realm's class over the same memory, no copy. A message is deserialised in the
 * thread's main realm; code running in another vm context (jest runs tests in one) would
 * otherwise see arrays that fail its `instanceof Float32Array` checks. Arrays already of this
 * realm are kept as they are.
 */
export function adoptTypedArrays<T>(value: T): T {
  const seen = new Set<object>()
  const adopt = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v
    if (isTypedArray(v)) {
      const name = Object.prototype.toString.call(v).slice(8, -1) as TypedArrayName
      // Typed as Float64Array: every typed-array class has this (buffer, byteOffset, length) form.
      const Local = globalThis[name] as unknown as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Float64Array
      return v instanceof Local ? v : new Local(v.buffer, v.byteOffset, v.length)
    }
    if (seen.has(v)) return v
    seen.add(v)
    const o = v as Record<string, unknown>
    for (const k of Object.keys(o)) {
      const a = adopt(o[k])
      if (a !== o[k]) o[k] = a
    }
    return v
  }
  return adopt(value) as T
}
