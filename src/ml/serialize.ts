/**
 * JSON-safe form of objects holding typed arrays: each typed array becomes
 * { $typed: "float32" | "float64" | "int32" | "uint8", base64 } (little-endian bytes, the byte
 * order of every platform Node runs on), so a model can go through JSON.stringify and a text
 * column unchanged, bit for bit.
 */
type Typed = Float32Array | Float64Array | Int32Array | Uint8Array

export interface EncodedTypedArray {
  $typed: "float32" | "float64" | "int32" | "uint8"
  base64: string
}

function kind(a: Typed): EncodedTypedArray["$typed"] {
  if (a instanceof Float32Array) return "float32"
  if (a instanceof Float64Array) return "float64"
  if (a instanceof Int32Array) return "int32"
  return "uint8"
}

export function encodeTypedArray(a: Typed): EncodedTypedArray {
  return { $typed: kind(a), base64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64") }
}

export function decodeTypedArray(e: EncodedTypedArray): Typed {
  const bytes = Buffer.from(e.base64, "base64")
  // Copy into a fresh, aligned buffer: Buffer's pool offset need not be a multiple of 8.
  const buf = new Uint8Array(bytes.length)
  buf.set(bytes)
  switch (e.$typed) {
    case "float32":
      return new Float32Array(buf.buffer)
    case "float64":
      return new Float64Array(buf.buffer)
    case "int32":
      return new Int32Array(buf.buffer)
    case "uint8":
      return buf
    default:
      throw new RangeError(`decodeTypedArray: unknown type "${String((e as { $typed: unknown }).$typed)}"`)
  }
}

function isTyped(v: unknown): v is Typed {
  return v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array || v instanceof Uint8Array
}

/** Deep copy of `value` with every typed array encoded; plain objects, arrays and scalars only. */
export function toJsonSafe(value: unknown): unknown {
  if (isTyped(value)) return encodeTypedArray(value)
  if (Array.isArray(value)) return value.map(toJsonSafe)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSafe(v)]))
  }
  return value
}

/** Inverse of toJsonSafe. */
export function fromJsonSafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonSafe)
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>
    // Both fields were just checked; decodeTypedArray rejects an unknown $typed itself.
    if (typeof o.$typed === "string" && typeof o.base64 === "string") return decodeTypedArray(o as unknown as EncodedTypedArray)
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fromJsonSafe(v)]))
  }
  return value
}
