/**
 * The binary form of a precomputed list: products as indexes into the model version's product
 * table and one reason code per item, nothing else. Reason texts and numbers are not stored:
 * they are rendered when the list is served (the product's current title, the customer's
 * current purchase counts, the version's per-product buyer counts).
 *
 * Format 1, little-endian:
 *   u8  format (1)
 *   u8  width: bytes per product index (3, or 4 for product tables above 2^24 entries)
 *   u16 n: items
 *   n x width   product indexes, best first
 *   n x u8      reason codes (REASON_CODE)
 *   m x width   for each item whose code is because_you_bought or new_like_purchased, in
 *               order: the index of the customer's own product it is explained by
 * A list of 100 items with a reason product for each takes 4 + 300 + 100 + 300 = 704 bytes.
 */

/** Reason codes as stored; the store route renders each one (code names are the API's). */
export const REASON_CODE = {
  buy_again: 1,
  because_you_bought: 2,
  trending: 3,
  popular: 4,
  related: 5,
  bought_together: 6,
  /** A product with few or no purchases, close in text to one the customer bought (the anchor). */
  new_like_purchased: 7,
} as const

/** Codes whose items carry a reason product (an anchor): the customer's own product each names. */
const ANCHORED = new Set<number>([REASON_CODE.because_you_bought, REASON_CODE.new_like_purchased])

/** True when items of reason `code` store the index of their reason product. */
export function isAnchoredCode(code: number): boolean {
  return ANCHORED.has(code)
}

export type ReasonCodeName = keyof typeof REASON_CODE

const NAME_OF_CODE: Record<number, ReasonCodeName> = Object.fromEntries(
  Object.entries(REASON_CODE).map(([name, code]) => [code, name as ReasonCodeName])
)

export const LIST_FORMAT = 1
const HEADER_BYTES = 4
/** Most items a list holds (u16 count). */
export const MAX_LIST_ITEMS = 0xffff

/** Bytes per product index for a product table of `products` entries. */
export function indexWidth(products: number): 3 | 4 {
  return products <= 1 << 24 ? 3 : 4
}

export function reasonCodeName(code: number): ReasonCodeName {
  const name = NAME_OF_CODE[code]
  if (!name) throw new RangeError(`unknown reason code ${code}`)
  return name
}

/** One list before encoding: product indexes, reason codes, and per item its reason product (-1 for none). */
export interface ListItems {
  items: ArrayLike<number>
  codes: ArrayLike<number>
  anchors: ArrayLike<number>
}

export function encodedSize({ codes }: Pick<ListItems, "codes">, width: number): number {
  let anchored = 0
  for (let i = 0; i < codes.length; i++) if (ANCHORED.has(codes[i])) anchored++
  return HEADER_BYTES + codes.length * (width + 1) + anchored * width
}

/** Writes one list at `offset` of `out`; returns the offset after it. */
export function encodeListInto(list: ListItems, width: 3 | 4, out: Uint8Array, offset: number): number {
  const n = list.items.length
  if (list.codes.length !== n || list.anchors.length !== n) throw new RangeError("encodeList: items, codes and anchors differ in length")
  if (n > MAX_LIST_ITEMS) throw new RangeError(`encodeList: ${n} items; at most ${MAX_LIST_ITEMS}`)
  const limit = width === 3 ? 1 << 24 : 2 ** 31 // read back into Int32Array
  let p = offset
  out[p++] = LIST_FORMAT
  out[p++] = width
  out[p++] = n & 0xff
  out[p++] = n >>> 8
  const put = (value: number) => {
    if (!(Number.isInteger(value) && value >= 0 && value < limit)) throw new RangeError(`encodeList: product index ${value} does not fit ${width} bytes`)
    out[p++] = value & 0xff
    out[p++] = (value >>> 8) & 0xff
    out[p++] = (value >>> 16) & 0xff
    if (width === 4) out[p++] = (value >>> 24) & 0xff
  }
  for (let i = 0; i < n; i++) put(list.items[i])
  for (let i = 0; i < n; i++) {
    reasonCodeName(list.codes[i])
    out[p++] = list.codes[i]
  }
  for (let i = 0; i < n; i++) {
    if (!ANCHORED.has(list.codes[i])) continue
    put(list.anchors[i])
  }
  return p
}

export function encodeList(list: ListItems, width: 3 | 4): Uint8Array {
  const out = new Uint8Array(encodedSize(list, width))
  encodeListInto(list, width, out, 0)
  return out
}

/** A stored list read back: `anchors[i]` is -1 where item i has no reason product. */
export interface DecodedList {
  items: Int32Array
  codes: Uint8Array
  anchors: Int32Array
}

export function decodeList(bytes: Uint8Array): DecodedList {
  if (bytes.length < HEADER_BYTES || bytes[0] !== LIST_FORMAT) throw new RangeError(`decodeList: not a format-${LIST_FORMAT} list`)
  const width = bytes[1]
  if (width !== 3 && width !== 4) throw new RangeError(`decodeList: bad index width ${width}`)
  const n = bytes[2] | (bytes[3] << 8)
  let p = HEADER_BYTES
  const get = () => {
    const v = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (width === 4 ? bytes[p + 3] * 2 ** 24 : 0)
    p += width
    return v
  }
  if (bytes.length < HEADER_BYTES + n * (width + 1)) throw new RangeError("decodeList: truncated list")
  const items = new Int32Array(n)
  for (let i = 0; i < n; i++) items[i] = get()
  const codes = bytes.slice(p, p + n)
  p += n
  const anchors = new Int32Array(n).fill(-1)
  for (let i = 0; i < n; i++) {
    if (!ANCHORED.has(codes[i])) continue
    if (p + width > bytes.length) throw new RangeError("decodeList: truncated reason products")
    anchors[i] = get()
  }
  return { items, codes, anchors }
}

/**
 * Lists encoded back to back in one buffer, for a batch handed from a worker thread to the
 * writer (the buffers move, nothing is copied): list i is bytes[offsets[i], offsets[i + 1]).
 */
export interface PackedListBatch {
  kind: "customer" | "related" | "bought_together" | "trending"
  subjects: string[]
  offsets: Int32Array
  bytes: Uint8Array
}

/** Accumulates encoded lists of one kind into a PackedListBatch. */
export class PackedListWriter {
  private bytes = new Uint8Array(1 << 16)
  private length = 0
  private readonly offsets: number[] = [0]
  private readonly subjects: string[] = []

  constructor(
    readonly kind: PackedListBatch["kind"],
    private readonly width: 3 | 4
  ) {}

  get count(): number {
    return this.subjects.length
  }

  add(subject: string, list: ListItems): void {
    const size = encodedSize(list, this.width)
    if (this.length + size > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + size))
      grown.set(this.bytes.subarray(0, this.length))
      this.bytes = grown
    }
    this.length = encodeListInto(list, this.width, this.bytes, this.length)
    this.offsets.push(this.length)
    this.subjects.push(subject)
  }

  /** The batch so far (trimmed to its length); the writer starts empty again. */
  take(): PackedListBatch {
    const batch: PackedListBatch = {
      kind: this.kind,
      subjects: this.subjects.splice(0),
      offsets: Int32Array.from(this.offsets),
      bytes: this.bytes.slice(0, this.length),
    }
    this.offsets.length = 1
    this.length = 0
    return batch
  }
}
