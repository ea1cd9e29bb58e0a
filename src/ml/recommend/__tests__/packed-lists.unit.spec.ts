import { PackedListWriter, REASON_CODE, decodeList, encodeList, encodedSize, indexWidth, reasonCodeName } from "../packed-lists"

const { buy_again, because_you_bought, trending } = REASON_CODE

describe("packed lists", () => {
  it("writes the documented bytes and reads them back", () => {
    const list = { items: [1, 0x0a0b0c, 7], codes: [buy_again, because_you_bought, trending], anchors: [-1, 2, -1] }
    const bytes = encodeList(list, 3)
    // format 1, width 3, n = 3; three 3-byte indexes; three codes; one anchor.
    expect(Array.from(bytes)).toEqual([1, 3, 3, 0, 1, 0, 0, 0x0c, 0x0b, 0x0a, 7, 0, 0, 1, 2, 3, 2, 0, 0])
    expect(encodedSize(list, 3)).toBe(bytes.length)
    const back = decodeList(bytes)
    expect(Array.from(back.items)).toEqual([1, 0x0a0b0c, 7])
    expect(Array.from(back.codes, reasonCodeName)).toEqual(["buy_again", "because_you_bought", "trending"])
    expect(Array.from(back.anchors)).toEqual([-1, 2, -1])
  })

  it("stores the reason product of a new product placed for its likeness to one the customer bought", () => {
    const { new_like_purchased } = REASON_CODE
    const list = { items: [4, 9, 5], codes: [buy_again, new_like_purchased, because_you_bought], anchors: [-1, 4, 2] }
    const bytes = encodeList(list, 3)
    // Three indexes, three codes, then the two anchors in item order.
    expect(Array.from(bytes)).toEqual([1, 3, 3, 0, 4, 0, 0, 9, 0, 0, 5, 0, 0, 1, 7, 2, 4, 0, 0, 2, 0, 0])
    const back = decodeList(bytes)
    expect(Array.from(back.codes, reasonCodeName)).toEqual(["buy_again", "new_like_purchased", "because_you_bought"])
    expect(Array.from(back.anchors)).toEqual([-1, 4, 2])
  })

  it("takes four bytes per index above 2^24 products and refuses what does not fit", () => {
    expect([indexWidth(1 << 24), indexWidth((1 << 24) + 1)]).toEqual([3, 4])
    const big = { items: [2 ** 31 - 1], codes: [because_you_bought], anchors: [1 << 24] }
    expect(Array.from(decodeList(encodeList(big, 4)).anchors)).toEqual([1 << 24])
    expect(Array.from(decodeList(encodeList(big, 4)).items)).toEqual([2 ** 31 - 1])
    expect(() => encodeList({ items: [1 << 24], codes: [trending], anchors: [-1] }, 3)).toThrow("does not fit 3 bytes")
    expect(() => encodeList({ items: [1], codes: [99], anchors: [-1] }, 3)).toThrow("unknown reason code 99")
    expect(() => decodeList(Uint8Array.from([2, 3, 0, 0]))).toThrow("not a format-1 list")
    expect(() => decodeList(encodeList({ items: [1, 2], codes: [trending, trending], anchors: [-1, -1] }, 3).subarray(0, 8))).toThrow("truncated")
  })

  it("packs lists back to back into one batch whose offsets delimit each list", () => {
    const writer = new PackedListWriter("customer", 3)
    // Enough lists to outgrow the writer's first buffer (64 kB).
    for (let c = 0; c < 500; c++) {
      const items = Array.from({ length: 60 }, (_, k) => (c * 7 + k) % 5000)
      writer.add(`cus_${c}`, { items, codes: items.map((_, k) => (k % 2 ? because_you_bought : buy_again)), anchors: items.map((_, k) => (k % 2 ? c : -1)) })
    }
    const batch = writer.take()
    expect(batch.subjects).toHaveLength(500)
    expect(batch.offsets).toHaveLength(501)
    expect(batch.bytes.length).toBe(batch.offsets[500])
    expect(batch.bytes.length).toBeGreaterThan(1 << 16)
    const list = decodeList(batch.bytes.subarray(batch.offsets[321], batch.offsets[322]))
    expect(Array.from(list.items.subarray(0, 3))).toEqual([(321 * 7) % 5000, (321 * 7 + 1) % 5000, (321 * 7 + 2) % 5000])
    expect(list.anchors[1]).toBe(321)
    expect(writer.count).toBe(0)
    expect(writer.take().subjects).toEqual([])
  })
})
