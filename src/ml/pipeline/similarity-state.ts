/**
 * A full training run's item-kNN neighbour rows (SimilarityState) as stored parts, for the
 * nightly refreshes that reuse them (training.ts, refreshTraining). No Medusa import.
 *
 * Part 0 is a header: its JSON's length (u32, little-endian), the JSON
 * `{ as_of, n, nnz, ids_bytes }` and the product ids, one a line. The parts after it are the
 * bytes of `indptr` (int32, n + 1), `indices` (int32, nnz) and `data` (float32, nnz), in that
 * order, each array cut into parts of at most `partBytes`. The parts are views of the state's
 * arrays (no copy), and reading them back fills three fresh arrays part by part, so neither
 * side holds the state twice.
 */
import type { SimilarityState } from "./training"

/** Bytes per stored part: a statement's parameter of a few MB, many parts for a large store. */
export const SIMILARITY_PART_BYTES = 8 * 1024 * 1024

type Header = { as_of: number; n: number; nnz: number; ids_bytes: number }

export function similarityStateParts(state: SimilarityState, partBytes = SIMILARITY_PART_BYTES): Uint8Array[] {
  if (!(Number.isInteger(partBytes) && partBytes >= 4 && partBytes % 4 === 0)) throw new RangeError(`similarityStateParts: partBytes must be a positive multiple of 4, got ${partBytes}`)
  const { indptr, indices, data } = state.rows
  const n = state.ids.length
  if (state.rows.nRows !== n || indptr.length !== n + 1 || indices.length !== data.length) {
    throw new RangeError(`similarityStateParts: ${n} ids but ${state.rows.nRows} rows, indptr ${indptr.length}, indices ${indices.length}, data ${data.length}`)
  }
  const ids = Buffer.from(state.ids.join("\n"), "utf8")
  const header: Header = { as_of: state.asOf, n, nnz: indices.length, ids_bytes: ids.length }
  const json = Buffer.from(JSON.stringify(header), "utf8")
  const length = Buffer.alloc(4)
  length.writeUInt32LE(json.length)
  const parts: Uint8Array[] = [Buffer.concat([length, json, ids])]
  for (const array of [indptr, indices, data]) {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
    for (let at = 0; at < bytes.length; at += partBytes) parts.push(bytes.subarray(at, Math.min(bytes.length, at + partBytes)))
  }
  return parts
}

/** Reads stored parts back in order: `push` each, then `finish`. Throws on parts that do not add up. */
export class SimilarityStateReader {
  private header: Header | null = null
  private ids: string[] = []
  private targets: Uint8Array[] = []
  private rows: { indptr: Int32Array; indices: Int32Array; data: Float32Array } | null = null
  private target = 0
  private offset = 0

  push(part: Uint8Array): void {
    if (!this.header) return this.readHeader(part)
    let at = 0
    while (at < part.length) {
      const target = this.targets[this.target]
      if (!target) throw new RangeError(`SimilarityStateReader: ${part.length - at} bytes beyond the ${this.header.n} rows and ${this.header.nnz} entries the header names`)
      const take = Math.min(target.length - this.offset, part.length - at)
      target.set(part.subarray(at, at + take), this.offset)
      at += take
      this.offset += take
      if (this.offset === target.length) (this.target++, (this.offset = 0))
    }
  }

  finish(): SimilarityState {
    const h = this.header
    if (!h || !this.rows) throw new RangeError("SimilarityStateReader: no header part")
    while (this.target < this.targets.length && this.targets[this.target].length === 0) this.target++
    if (this.target < this.targets.length) throw new RangeError(`SimilarityStateReader: parts end before the ${h.n} rows and ${h.nnz} entries the header names`)
    return { ids: this.ids, asOf: h.as_of, rows: { nRows: h.n, nCols: h.n, ...this.rows } }
  }

  private readHeader(part: Uint8Array): void {
    const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength)
    const length = bytes.readUInt32LE(0)
    const h = JSON.parse(bytes.toString("utf8", 4, 4 + length)) as Header
    if (!(Number.isInteger(h.n) && h.n >= 0 && Number.isInteger(h.nnz) && h.nnz >= 0 && Number.isFinite(h.as_of))) {
      throw new RangeError(`SimilarityStateReader: a bad header ${JSON.stringify(h)}`)
    }
    if (bytes.length !== 4 + length + h.ids_bytes) throw new RangeError(`SimilarityStateReader: the header part holds ${bytes.length} bytes, ${4 + length + h.ids_bytes} expected`)
    this.ids = h.n ? bytes.toString("utf8", 4 + length).split("\n") : []
    if (this.ids.length !== h.n) throw new RangeError(`SimilarityStateReader: ${this.ids.length} ids, ${h.n} expected`)
    this.rows = { indptr: new Int32Array(h.n + 1), indices: new Int32Array(h.nnz), data: new Float32Array(h.nnz) }
    this.targets = [this.rows.indptr, this.rows.indices, this.rows.data].map((a) => new Uint8Array(a.buffer))
    this.header = h
  }
}
