import { getValue } from "../csr"
import type { PurchaseLine } from "../purchase-line"
import { temporalSplit } from "../split"

const day = (d: number, h = 0) => Date.UTC(2011, 0, d, h)
const line = (orderId: string, customerId: string, productId: string, time: number): PurchaseLine => ({
  orderId,
  customerId,
  productId,
  quantity: 1,
  amount: 1,
  time,
})

// Cutoff day 10. Train: u1 buys A twice in o1 and again in o2, B in o2; u2 buys B; u3 buys C.
// Test: u1 buys A (old) and C (new) and D (not a train item); u2 buys B only (old);
// u4 is not a train user; a line exactly at the cutoff is test; one after the end is ignored.
const LINES = [
  line("o1", "u1", "A", day(1)),
  line("o1", "u1", "A", day(1, 1)),
  line("o2", "u1", "A", day(3)),
  line("o2", "u1", "B", day(3)),
  line("o3", "u2", "B", day(4)),
  line("o4", "u3", "C", day(9)),
  line("o5", "u1", "A", day(10)),
  line("o5", "u1", "C", day(11)),
  line("o5", "u1", "D", day(11)),
  line("o6", "u2", "B", day(12)),
  line("o7", "u4", "A", day(12)),
  line("o8", "u3", "A", day(20)),
]

describe("temporalSplit", () => {
  const s = temporalSplit(LINES, day(10), day(15))

  it("indexes the train users and items in sorted order", () => {
    expect(s.users.ids).toEqual(["u1", "u2", "u3"])
    expect(s.items.ids).toEqual(["A", "B", "C"])
    expect(s.trainLines).toBe(6)
    expect(s.testLines).toBe(5)
  })

  it("counts distinct orders as interaction strength", () => {
    const m = s.train.strength
    expect(getValue(m, 0, 0)).toBe(2) // A in o1 (twice) and o2
    expect(getValue(m, 0, 1)).toBe(1)
    expect(getValue(m, 1, 1)).toBe(1)
    expect(getValue(m, 2, 2)).toBe(1)
    expect(m.indptr[3]).toBe(4)
    expect(Array.from(s.train.events.user)).toEqual([0, 0, 0, 1, 2])
    expect(Array.from(s.train.events.item)).toEqual([0, 0, 1, 1, 2])
    expect(Array.from(s.train.events.time)).toEqual([day(1), day(3), day(3), day(4), day(9)])
    expect(s.train.asOf).toBe(day(10))
  })

  it("builds the 'all' and 'new' truths", () => {
    expect(Array.from(s.truthAll.users)).toEqual([0, 1])
    expect(Array.from(s.truthAll.indptr)).toEqual([0, 2, 3])
    expect(Array.from(s.truthAll.items)).toEqual([0, 2, 1])
    // u2 bought nothing new: dropped from "new".
    expect(Array.from(s.truthNew.users)).toEqual([0])
    expect(Array.from(s.truthNew.items)).toEqual([2])
  })

  it("without an end, every later line is test", () => {
    const open = temporalSplit(LINES, day(10))
    expect(open.testLines).toBe(6)
    expect(Array.from(open.truthAll.users)).toEqual([0, 1, 2])
  })
})
