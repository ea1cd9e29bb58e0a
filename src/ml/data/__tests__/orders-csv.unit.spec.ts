import { parseOrdersCsv } from "../orders-csv"

describe("parseOrdersCsv", () => {
  it("reads columns in any order, with and without a zone", () => {
    const csv = [
      "created_at,order_id,product_id,customer_id,unit_price,quantity",
      "2024-03-01 10:00:00,order_1,prod_a,cus_1,9.5,2",
      "2024-03-01T10:00:00+01:00,order_2,prod_b,cus_2,0,1",
    ].join("\n")
    const { lines, rowsRead, rowsDropped } = parseOrdersCsv(csv)
    expect(rowsRead).toBe(2)
    expect(rowsDropped).toBe(0)
    expect(lines).toEqual([
      { orderId: "order_1", customerId: "cus_1", productId: "prod_a", quantity: 2, amount: 19, time: Date.UTC(2024, 2, 1, 10) },
      { orderId: "order_2", customerId: "cus_2", productId: "prod_b", quantity: 1, amount: 0, time: Date.UTC(2024, 2, 1, 9) },
    ])
  })

  it("drops lines without a customer, product or positive quantity", () => {
    const csv = [
      "order_id,customer_id,product_id,quantity,unit_price,created_at",
      "o1,,p1,1,1,2024-01-01",
      "o2,c1,,1,1,2024-01-01",
      "o3,c1,p1,0,1,2024-01-01",
      "o4,c1,p1,-2,1,2024-01-01",
      "o5,c1,p1,1,1,2024-01-01",
    ].join("\n")
    const { lines, rowsDropped } = parseOrdersCsv(csv)
    expect(lines.map((l) => l.orderId)).toEqual(["o5"])
    expect(rowsDropped).toBe(4)
  })

  it("names the row of a malformed value", () => {
    const head = "order_id,customer_id,product_id,quantity,unit_price,created_at\n"
    expect(() => parseOrdersCsv(head + "o1,c1,p1,two,1,2024-01-01\n")).toThrow(/row 2: bad quantity/)
    expect(() => parseOrdersCsv(head + "o1,c1,p1,1,-1,2024-01-01\n")).toThrow(/row 2: bad unit_price/)
    expect(() => parseOrdersCsv(head + "o1,c1,p1,1,1,2024-01-01\no2,c1,p1,1,1,yesterday\n")).toThrow(/row 3 created_at/)
    expect(() => parseOrdersCsv("order_id,customer_id\n")).toThrow(/missing column "product_id"/)
  })

  it("keeps each product's most frequent title from the optional product_title column", () => {
    const csv = [
      "order_id,customer_id,product_id,quantity,unit_price,created_at,product_title",
      'o1,c1,p1,1,1,2024-01-01,"Mug, red"',
      "o2,c2,p1,1,1,2024-01-02,Red mug",
      'o3,c3,p1,1,1,2024-01-03,"Mug, red"',
      "o4,c3,p2,-1,1,2024-01-03,Spoon",
    ].join("\n")
    expect(parseOrdersCsv(csv).titles).toEqual(new Map([["p1", "Mug, red"], ["p2", "Spoon"]]))
    expect(parseOrdersCsv("order_id,customer_id,product_id,quantity,unit_price,created_at\no1,c1,p1,1,1,2024-01-01\n").titles.size).toBe(0)
  })
})
