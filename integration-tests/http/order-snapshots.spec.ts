import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { CreateOrderLineItemTaxLineDTO } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { listOptedOutCustomerIds } from "../../src/lib/medusa-2x/customer-opt-out"
import { countSourceOrders, listOrderIdsChangedSince, pageOrderIds, readOrderSnapshots } from "../../src/lib/medusa-2x/order-snapshots"
import { appPg } from "../../src/lib/medusa-2x/pg"
import { resolveStoreCurrency } from "../../src/lib/store-currency"
import { createCustomer, createOrder, createProducts, pg, storeCurrency } from "../helpers/store"

jest.setTimeout(120_000)

const day = (n: number) => new Date(Date.UTC(2026, 0, n, 12, 0, 0))

/** The Medusa 2.x adapters against a booted app: what they read from Medusa's own tables. */
medusaIntegrationTestRunner({
  testSuite: ({ getContainer }) => {
    it("reads an order's snapshot: spend without tax and discounts per line, absent ids left out, the database clock of the read", async () => {
      const container = getContainer()
      const currency = await storeCurrency(container)
      const [p1, p2, p3] = await createProducts(container, 3)
      const customer = await createCustomer(container)
      const order = await createOrder(container, {
        customer,
        currency_code: currency,
        placed_at: day(5),
        lines: [
          { product: p1, quantity: 2, unit_price: 10 }, // 20
          { product: p2, quantity: 1, unit_price: 5.5, discount: 0.5 }, // 5
          { product: p3, quantity: 1, unit_price: 12, tax_rate: 20, tax_inclusive: true }, // 10 without tax
          { product: null, quantity: 1, unit_price: 3 }, // a custom line: money, no product
        ],
      })

      const clock = async () => new Date((await pg(container).raw(`SELECT clock_timestamp() AS t`)).rows[0].t as string)
      const before = await clock()
      const read = await readOrderSnapshots(appPg(container), [order.id, "order_missing"], { mergeGuestOrders: true })
      const after = await clock()

      expect(read.orderIds).toEqual([order.id, "order_missing"])
      expect(read.readAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
      expect(new Date(read.readAt).getTime()).toBeGreaterThanOrEqual(before.getTime())
      expect(new Date(read.readAt).getTime()).toBeLessThanOrEqual(after.getTime())
      expect(read.snapshots).toHaveLength(1)
      const [snapshot] = read.snapshots
      expect(snapshot).toEqual(
        expect.objectContaining({
          id: order.id,
          customer_id: customer.id,
          source_customer_id: customer.id,
          placed_at: day(5),
          currency_code: currency,
          status: "pending",
          version: 1,
          amount: "38.0000",
          item_quantity: 5,
          discount_total: "0.5000",
          promotion_ids: [],
        })
      )
      expect(
        snapshot.lines.map((l) => [l.product_id, l.quantity, l.amount]).sort((a, b) => String(a[2]).localeCompare(String(b[2])))
      ).toEqual([
        [p3.id, 1, "10.0000"],
        [p1.id, 2, "20.0000"],
        [null, 1, "3.0000"],
        [p2.id, 1, "5.0000"],
      ])

      // Only absent ids: still a read time, no snapshot.
      const empty = await readOrderSnapshots(appPg(container), ["order_missing"], { mergeGuestOrders: true })
      expect(empty.snapshots).toEqual([])
      expect(new Date(empty.readAt).getTime()).toBeGreaterThanOrEqual(after.getTime())
    })

    it("pages order ids, counts the orders a rebuild reads (no drafts, no deleted customers) and finds opted-out customers", async () => {
      const container = getContainer()
      const currency = await resolveStoreCurrency(container)
      expect(currency).toBe(await storeCurrency(container))
      const [p1] = await createProducts(container, 1)
      const kept = await createCustomer(container)
      const leaving = await createCustomer(container)
      const orders = []
      for (const customer of [kept, kept, leaving]) {
        orders.push(await createOrder(container, { customer, currency_code: currency, lines: [{ product: p1, quantity: 1, unit_price: 1 }] }))
      }
      await pg(container).raw(`UPDATE "order" SET is_draft_order = true WHERE id = ?`, [orders[1].id])
      await container.resolve(Modules.CUSTOMER).softDeleteCustomers([leaving.id])

      const ids = orders.map((o) => o.id).sort()
      expect(await pageOrderIds(appPg(container), "", 2)).toEqual(ids.slice(0, 2))
      expect(await pageOrderIds(appPg(container), ids[1], 2)).toEqual(ids.slice(2))
      expect(await countSourceOrders(appPg(container))).toBe(1)
      const read = await readOrderSnapshots(appPg(container), ids, { mergeGuestOrders: true })
      expect(read.snapshots.map((s) => s.id)).toEqual([orders[0].id])

      await container.resolve(Modules.CUSTOMER).updateCustomers(kept.id, { metadata: { personalization_opt_out: true } })
      expect([...(await listOptedOutCustomerIds(appPg(container), "personalization_opt_out"))]).toEqual([kept.id])
    })

    it("lists the orders whose snapshot may differ since a time, whichever of the rows it reads Medusa wrote", async () => {
      const container = getContainer()
      const currency = await storeCurrency(container)
      const products = await createProducts(container, 8)
      const customer = await createCustomer(container)
      const guest = await createCustomer(container, { has_account: false })
      const orders = []
      for (let i = 0; i < 6; i++) {
        orders.push(await createOrder(container, { customer, currency_code: currency, lines: [{ product: products[i], quantity: 2, unit_price: 5 }] }))
      }
      const guestOrder = await createOrder(container, { customer: guest, currency_code: currency, lines: [{ product: products[6], quantity: 1, unit_price: 5 }] })
      const itemOf = async (orderId: string) =>
        (await pg(container).raw(`SELECT oi.id, oi.item_id FROM order_item oi WHERE oi.order_id = ?`, [orderId])).rows[0] as { id: string; item_id: string }
      const since = new Date((await pg(container).raw(`SELECT clock_timestamp() AS t`)).rows[0].t as string)
      expect(await listOrderIdsChangedSince(appPg(container), since)).toEqual([])

      const orderModule = container.resolve(Modules.ORDER)
      await orderModule.cancel(orders[0].id) // the order row
      await orderModule.updateOrderItem((await itemOf(orders[1].id)).id, { return_received_quantity: 1 }) // its item
      // A tax line (CreateOrderLineItemTaxLineDTO's type leaves out the item_id the service needs).
      const taxLine = { item_id: (await itemOf(orders[2].id)).item_id, rate: 10, code: "VAT" }
      await orderModule.createOrderLineItemTaxLines([taxLine as unknown as CreateOrderLineItemTaxLineDTO])
      await orderModule.createOrderLineItemAdjustments([{ item_id: (await itemOf(orders[3].id)).item_id, amount: 1, code: "LATE" }]) // an adjustment
      await container.resolve(Modules.PRODUCT).softDeleteProducts([products[4].id]) // a product of its lines
      await createCustomer(container, { email: guest.email! }) // registers with a guest order's email
      const placed = await createOrder(container, { customer, currency_code: currency, lines: [{ product: products[7], quantity: 1, unit_price: 5 }] })

      const expected = [orders[0], orders[1], orders[2], orders[3], orders[4], guestOrder, placed].map((o) => o.id).sort()
      expect(await listOrderIdsChangedSince(appPg(container), since)).toEqual(expected) // orders[5] did not change
      expect(await listOrderIdsChangedSince(appPg(container), new Date(Date.now() + 60_000))).toEqual([])
    })
  },
})
