import { fromJsonSafe, toJsonSafe } from "../serialize"

describe("toJsonSafe / fromJsonSafe", () => {
  it("round-trips typed arrays bit for bit through JSON", () => {
    const value = {
      a: Float32Array.from([1.5, -0, Math.fround(0.1), Number.NaN]),
      nested: { b: Float64Array.from([Math.PI, -1e300]), c: Int32Array.from([-2147483648, 7]) },
      list: [Uint8Array.from([0, 255]), "x", 3, null],
    }
    const back = fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(value)))) as typeof value
    expect(back.a).toBeInstanceOf(Float32Array)
    expect(Buffer.from(back.a.buffer)).toEqual(Buffer.from(value.a.buffer))
    expect(back.nested.b).toEqual(value.nested.b)
    expect(back.nested.c).toEqual(value.nested.c)
    expect(back.list).toEqual(value.list)
  })
})
