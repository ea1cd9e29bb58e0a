import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { createCustomersWorkflow, deleteCustomersWorkflow, deleteProductsWorkflow } from "@medusajs/core-flows"
import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { syncPurchaseOrdersWorkflow } from "../../src/workflows/purchase-features"
import { runRebuild } from "../../src/workflows/runs"
import { CHANGES_MARGIN_MS } from "../../src/workflows/purchase-features/steps/rebuild-purchase-features"
import { PURCHASE_FEATURES_MODULE } from "../../src/modules/purchase-features"
import type PurchaseFeaturesService from "../../src/modules/purchase-features/service"
import {
  andWaitFor,
  createCustomer,
  createOrder,
  createProducts,
  customerFeatures,
  customerProducts,
  deliver,
  pg,
  PLUGIN_TABLES,
  rowsMentioning,
  snapshotTables,
  storeCurrency,
} from "../helpers/store"

jest.setTimeout(120_000)

const day = (n: number) => new Date(Date.UTC(2026, 0, n, 12, 0, 0))

medusaIntegrationTestRunner({
  testSuite: ({ getContainer }) => {
    describe("purchase features from order events", () => {
      it("counts an order once, however often and however concurrently order.placed arrives", async () => {
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

        await deliver(container, "order.placed", [{ id: order.id }])
        await deliver(container, "order.placed", [{ id: order.id }])
        await deliver(container, "order.placed", [{ id: order.id }, { id: order.id }, { id: order.id }])

        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({
            order_count: 1,
            money_order_count: 1,
            total_spend: 38,
            average_order_value: 38,
            currency_code: currency,
            item_quantity: 5,
            distinct_products: 3,
            first_order_at: day(5),
            last_order_at: day(5),
          })
        )
        expect(await customerProducts(container, customer.id)).toEqual(
          [
            { product_id: p1.id, order_count: 1, quantity: 2 },
            { product_id: p2.id, order_count: 1, quantity: 1 },
            { product_id: p3.id, order_count: 1, quantity: 1 },
          ]
            .sort((a, b) => a.product_id.localeCompare(b.product_id))
            .map((row) => expect.objectContaining({ ...row, last_purchased_at: day(5) }))
        )
        const { rows } = await pg(container).raw(`SELECT COUNT(*)::int AS n FROM personalization_order_line`)
        expect(rows[0].n).toBe(3)
      })

      it("loses no update when 20 orders of one customer arrive at once", async () => {
        const container = getContainer()
        const currency = await storeCurrency(container)
        const [p1, p2] = await createProducts(container, 2)
        const customer = await createCustomer(container)
        const orders = []
        for (let i = 1; i <= 20; i++) {
          orders.push(
            await createOrder(container, {
              customer,
              currency_code: currency,
              placed_at: day(i),
              lines: [
                { product: p1, quantity: 1, unit_price: 10 },
                ...(i % 2 === 0 ? [{ product: p2, quantity: 3, unit_price: 1 }] : []),
              ],
            })
          )
        }

        await deliver(container, "order.placed", orders.map((o) => ({ id: o.id })))

        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({
            order_count: 20,
            total_spend: 20 * 10 + 10 * 3,
            item_quantity: 20 + 10 * 3,
            distinct_products: 2,
            first_order_at: day(1),
            last_order_at: day(20),
          })
        )
        const interactions = await customerProducts(container, customer.id)
        expect(interactions.find((r) => r.product_id === p1.id)).toEqual(
          expect.objectContaining({ order_count: 20, quantity: 20, first_purchased_at: day(1), last_purchased_at: day(20) })
        )
        expect(interactions.find((r) => r.product_id === p2.id)).toEqual(
          expect.objectContaining({ order_count: 10, quantity: 30, first_purchased_at: day(2), last_purchased_at: day(20) })
        )
      })

      it("takes a canceled order back out exactly, last order time included", async () => {
        const container = getContainer()
        const currency = await storeCurrency(container)
        const [p1, p2] = await createProducts(container, 2)
        const customer = await createCustomer(container)
        const first = await createOrder(container, {
          customer, currency_code: currency, placed_at: day(1),
          lines: [{ product: p1, quantity: 1, unit_price: 10 }],
        })
        const second = await createOrder(container, {
          customer, currency_code: currency, placed_at: day(2),
          lines: [{ product: p1, quantity: 2, unit_price: 10 }],
        })
        const third = await createOrder(container, {
          customer, currency_code: currency, placed_at: day(3),
          lines: [{ product: p2, quantity: 1, unit_price: 7 }],
        })
        await deliver(container, "order.placed", [first, second, third].map((o) => ({ id: o.id })))
        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({ order_count: 3, total_spend: 37, last_order_at: day(3), distinct_products: 2 })
        )

        await container.resolve(Modules.ORDER).cancel(third.id)
        await deliver(container, "order.canceled", [{ id: third.id }, { id: third.id }])

        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({
            order_count: 2,
            total_spend: 30,
            item_quantity: 3,
            first_order_at: day(1),
            last_order_at: day(2),
            distinct_products: 1,
          })
        )
        expect((await customerProducts(container, customer.id)).map((r) => r.product_id)).toEqual([p1.id])

        // A cancel of the only order removes the customer's aggregate row altogether.
        await container.resolve(Modules.ORDER).cancel([first.id, second.id])
        await deliver(container, "order.canceled", [{ id: first.id }, { id: second.id }])
        expect(await customerFeatures(container, customer.id)).toBeUndefined()
        expect(await customerProducts(container, customer.id)).toEqual([])
      })

      it("recomputes an order's contribution when a return is received", async () => {
        const container = getContainer()
        const currency = await storeCurrency(container)
        const [p1] = await createProducts(container, 1)
        const customer = await createCustomer(container)
        const order = await createOrder(container, {
          customer, currency_code: currency, placed_at: day(1),
          lines: [{ product: p1, quantity: 4, unit_price: 10, discount: 4 }], // 36 for 4 units
        })
        await deliver(container, "order.placed", [{ id: order.id }])
        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({ total_spend: 36, item_quantity: 4 })
        )

        const orderModule = container.resolve(Modules.ORDER)
        const [item] = (await orderModule.retrieveOrder(order.id, { relations: ["items"] })).items!
        await orderModule.registerFulfillment({ order_id: order.id, items: [{ id: item.id, quantity: 4 }] })
        const created = await orderModule.createReturn({ order_id: order.id, items: [{ id: item.id, quantity: 1 }] })
        await orderModule.receiveReturn({ return_id: created.id, items: [{ id: item.id, quantity: 1 }] })
        await deliver(container, "order.return_received", [{ order_id: order.id, return_id: created.id }])

        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({ order_count: 1, total_spend: 27, item_quantity: 3 })
        )
        expect(await customerProducts(container, customer.id)).toEqual([
          expect.objectContaining({ product_id: p1.id, quantity: 3, order_count: 1 }),
        ])
      })

      it("counts a guest's orders for the registered customer with the same email", async () => {
        const container = getContainer()
        const currency = await storeCurrency(container)
        const [p1] = await createProducts(container, 1)
        const registered = await createCustomer(container, { email: "shared@example.com" })
        const guest = await createCustomer(container, { email: "shared@example.com", has_account: false })
        const own = await createOrder(container, {
          customer: registered, currency_code: currency, placed_at: day(1),
          lines: [{ product: p1, quantity: 1, unit_price: 10 }],
        })
        const asGuest = await createOrder(container, {
          customer: guest, currency_code: currency, placed_at: day(2),
          lines: [{ product: p1, quantity: 1, unit_price: 5 }],
        })
        await deliver(container, "order.placed", [{ id: own.id }, { id: asGuest.id }])

        expect(await customerFeatures(container, registered.id)).toEqual(
          expect.objectContaining({ order_count: 2, total_spend: 15, last_order_at: day(2) })
        )
        expect(await customerFeatures(container, guest.id)).toBeUndefined()

        // Deleting the registered customer hands the guest's order back to the guest.
        await andWaitFor(container, "customer.deleted", () =>
          deleteCustomersWorkflow(container).run({ input: { ids: [registered.id] } })
        )
        expect(await rowsMentioning(container, registered.id)).toEqual(expect.objectContaining({ found: 0 }))
        expect(await customerFeatures(container, guest.id)).toEqual(
          expect.objectContaining({ order_count: 1, total_spend: 5 })
        )
      })

      it("moves a guest's earlier orders to the customer when they register with the same email", async () => {
        const container = getContainer()
        const currency = await storeCurrency(container)
        const [p1] = await createProducts(container, 1)
        const guest = await createCustomer(container, { email: "later@example.com", has_account: false })
        const order = await createOrder(container, {
          customer: guest, currency_code: currency, placed_at: day(1),
          lines: [{ product: p1, quantity: 2, unit_price: 4 }],
        })
        await deliver(container, "order.placed", [{ id: order.id }])
        expect(await customerFeatures(container, guest.id)).toEqual(expect.objectContaining({ total_spend: 8 }))

        const { result } = await andWaitFor(container, "customer.created", () =>
          createCustomersWorkflow(container).run({
            input: { customersData: [{ email: "later@example.com", has_account: true }] },
          })
        )
        const registered = result[0]
        expect(await customerFeatures(container, registered.id)).toEqual(
          expect.objectContaining({ order_count: 1, total_spend: 8, distinct_products: 1 })
        )
        expect(await customerFeatures(container, guest.id)).toBeUndefined()
        expect(await customerProducts(container, guest.id)).toEqual([])
      })

      it("deletes every row about a deleted customer, and a rebuild does not bring them back", async () => {
        const container = getContainer()
        const currency = await storeCurrency(container)
        const [p1, p2] = await createProducts(container, 2)
        const leaving = await createCustomer(container)
        const staying = await createCustomer(container)
        const orders = [
          await createOrder(container, { customer: leaving, currency_code: currency, placed_at: day(1),
            lines: [{ product: p1, quantity: 1, unit_price: 10 }, { product: p2, quantity: 1, unit_price: 2 }] }),
          await createOrder(container, { customer: leaving, currency_code: currency, placed_at: day(2),
            lines: [{ product: p2, quantity: 1, unit_price: 2 }] }),
          await createOrder(container, { customer: staying, currency_code: currency, placed_at: day(3),
            lines: [{ product: p1, quantity: 1, unit_price: 10 }] }),
        ]
        await deliver(container, "order.placed", orders.map((o) => ({ id: o.id })))
        const before = await rowsMentioning(container, leaving.id)
        expect(before.found).toBeGreaterThanOrEqual(2 + 3 + 1 + 2) // orders, lines, features, interactions

        await andWaitFor(container, "customer.deleted", () =>
          deleteCustomersWorkflow(container).run({ input: { ids: [leaving.id] } })
        )
        expect(await rowsMentioning(container, leaving.id)).toEqual({ found: 0, tables: before.tables })
        expect(await customerFeatures(container, staying.id)).toEqual(expect.objectContaining({ order_count: 1 }))

        await runRebuild(container)
        expect(await rowsMentioning(container, leaving.id)).toEqual(expect.objectContaining({ found: 0 }))
        expect(await customerFeatures(container, staying.id)).toEqual(expect.objectContaining({ order_count: 1 }))
      })

      it("drops a deleted product from item-level tables while the customer keeps the money", async () => {
        const container = getContainer()
        const currency = await storeCurrency(container)
        const [p1, p2] = await createProducts(container, 2)
        const customer = await createCustomer(container)
        const order = await createOrder(container, {
          customer, currency_code: currency, placed_at: day(1),
          lines: [{ product: p1, quantity: 1, unit_price: 10 }, { product: p2, quantity: 2, unit_price: 4 }],
        })
        await deliver(container, "order.placed", [{ id: order.id }])

        await andWaitFor(container, "product.deleted", () =>
          deleteProductsWorkflow(container).run({ input: { ids: [p2.id] } })
        )

        expect(await rowsMentioning(container, p2.id)).toEqual(expect.objectContaining({ found: 0 }))
        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({ order_count: 1, total_spend: 18, item_quantity: 3, distinct_products: 1 })
        )
        expect((await customerProducts(container, customer.id)).map((r) => r.product_id)).toEqual([p1.id])
      })

      it("keeps money features in the store currency only; other currencies still count as orders", async () => {
        const container = getContainer()
        const currency = await storeCurrency(container)
        const other = currency === "eur" ? "usd" : "eur"
        const [p1] = await createProducts(container, 1)
        const customer = await createCustomer(container)
        const home = await createOrder(container, { customer, currency_code: currency, placed_at: day(1),
          lines: [{ product: p1, quantity: 1, unit_price: 10 }] })
        const abroad = await createOrder(container, { customer, currency_code: other, placed_at: day(2),
          lines: [{ product: p1, quantity: 1, unit_price: 1000 }] })
        await deliver(container, "order.placed", [{ id: home.id }, { id: abroad.id }])

        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({ order_count: 2, money_order_count: 1, total_spend: 10, average_order_value: 10 })
        )
        expect(await customerProducts(container, customer.id)).toEqual([
          expect.objectContaining({ order_count: 2, quantity: 2 }),
        ])
      })
    })

    describe("rebuild from orders", () => {
      type Products = Awaited<ReturnType<typeof createProducts>>
      type Lines = Parameters<typeof createOrder>[1]["lines"]
      /** `count` orders, a day apart, of three customers in turn, over `productCount` new products. */
      async function ordersOfThreeCustomers(container: MedusaContainer, productCount: number, count: number, lines: (i: number, products: Products) => Lines) {
        const currency = await storeCurrency(container)
        const products = await createProducts(container, productCount)
        const customers = [await createCustomer(container), await createCustomer(container), await createCustomer(container)]
        const orders = []
        for (let i = 0; i < count; i++) {
          orders.push(await createOrder(container, { customer: customers[i % 3], currency_code: currency, placed_at: day(i + 1), lines: lines(i, products) }))
        }
        return { currency, products, customers, orders }
      }

      it("gives the same tables as incremental updates, and repairs what events missed", async () => {
        const container = getContainer()
        const { currency, products, customers, orders } = await ordersOfThreeCustomers(container, 4, 12, (i, products) => [
          { product: products[i % 4], quantity: 1 + (i % 2), unit_price: 3 + i },
          { product: products[(i + 1) % 4], quantity: 1, unit_price: 2, discount: i % 3 === 0 ? 1 : 0 },
        ])
        await deliver(container, "order.placed", orders.map((o) => ({ id: o.id })))
        await container.resolve(Modules.ORDER).cancel(orders[4].id)
        await deliver(container, "order.canceled", [{ id: orders[4].id }])
        await andWaitFor(container, "product.deleted", () =>
          deleteProductsWorkflow(container).run({ input: { ids: [products[3].id] } })
        )
        await andWaitFor(container, "customer.deleted", () =>
          deleteCustomersWorkflow(container).run({ input: { ids: [customers[2].id] } })
        )
        const incremental = await snapshotTables(container)
        expect(incremental.personalization_order.length).toBe(8) // 12 orders less 4 of the deleted customer

        const result = await runRebuild(container, { batch_size: 5 })
        expect(result).toEqual(expect.objectContaining({ status: "completed", orders: 8, removed: 0 }))
        expect(await snapshotTables(container)).toEqual(incremental)

        // What events never told us (an order with no event, a tampered row, a stray row) is repaired.
        const silent = await createOrder(container, { customer: customers[0], currency_code: currency,
          placed_at: day(30), lines: [{ product: products[0], quantity: 1, unit_price: 1 }] })
        await pg(container).raw(`UPDATE personalization_customer_features SET order_count = 99 WHERE customer_id = ?`, [customers[1].id])
        await pg(container).raw(
          `INSERT INTO personalization_order (id, customer_id, source_customer_id, placed_at, currency_code, status,
             counted, amount, raw_amount, item_quantity, version)
           VALUES ('order_zzz_gone', ?, ?, now(), ?, 'pending', true, 1, '{"value":"1","precision":20}', 1, 1)`,
          [customers[1].id, customers[1].id, currency]
        )
        const repaired = await runRebuild(container, { batch_size: 3 })
        expect(repaired).toEqual(expect.objectContaining({ status: "completed", orders: 9, removed: 1 }))

        await syncPurchaseOrdersWorkflow(container).run({ input: { order_ids: [silent.id] } })
        const afterRebuild = await snapshotTables(container)
        expect(afterRebuild.personalization_order.map((o) => o.id)).toContain(silent.id)
        expect(afterRebuild.personalization_order.map((o) => o.id)).not.toContain("order_zzz_gone")
        expect(await customerFeatures(container, customers[1].id)).toEqual(
          expect.objectContaining({ order_count: incremental.personalization_order.filter(
            (o) => o.customer_id === customers[1].id && o.counted).length })
        )
      })

      it("rebuilds empty tables in bulk mode to the same rows, and the next rebuild repairs a bulk run that stopped before its end", async () => {
        const container = getContainer()
        const { customers, orders } = await ordersOfThreeCustomers(container, 3, 9, (i, products) => [
          { product: products[i % 3], quantity: 1 + (i % 3), unit_price: 4 + i },
          { product: products[(i + 1) % 3], quantity: 2, unit_price: 3, discount: i % 2 },
        ])
        await deliver(container, "order.placed", orders.map((o) => ({ id: o.id })))
        await container.resolve(Modules.ORDER).cancel(orders[7].id)
        await deliver(container, "order.canceled", [{ id: orders[7].id }])
        const incremental = await snapshotTables(container)

        // A cold rebuild (nothing in the ledger) chooses bulk mode by itself.
        await pg(container).raw(`TRUNCATE ${PLUGIN_TABLES.join(", ")}`)
        const cold = await runRebuild(container, { batch_size: 4 })
        expect(cold).toEqual(expect.objectContaining({ status: "completed", mode: "bulk", aggregates_pending: false, orders: 9, pages: 3 }))
        expect(await snapshotTables(container)).toEqual(incremental)
        // A warm one (the ledger complete) writes page by page.
        expect(await runRebuild(container, { batch_size: 4 })).toEqual(expect.objectContaining({ status: "completed", mode: "pages" }))

        // What a bulk run that died between its pages and its recompute leaves: the run failed
        // (as failStaleRuns marks it) with its flag set, aggregates behind the ledger.
        const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
        await service.createRebuildRuns({ status: "failed", reason: "the process died", mode: "bulk", aggregates_pending: true })
        await pg(container).raw(`UPDATE personalization_customer_features SET order_count = 99 WHERE customer_id = ?`, [customers[1].id])
        await pg(container).raw(`DELETE FROM personalization_customer_product WHERE customer_id = ?`, [customers[0].id])
        const repaired = await runRebuild(container, { batch_size: 4 })
        expect(repaired).toEqual(expect.objectContaining({ status: "completed", mode: "bulk", aggregates_pending: false }))
        expect(await snapshotTables(container)).toEqual(incremental)
        expect(await service.listRebuildRuns({ aggregates_pending: true })).toEqual([])
      })

      it("between full reads reads only the orders Medusa wrote since the last rebuild, and repairs what events missed in them", async () => {
        const container = getContainer()
        const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
        const { currency, products, customers, orders } = await ordersOfThreeCustomers(container, 3, 6, (i, products) => [
          { product: products[i % 3], quantity: 2 + (i % 2), unit_price: 5 + i },
        ])
        await deliver(container, "order.placed", orders.map((o) => ({ id: o.id })))
        expect(await runRebuild(container)).toEqual(expect.objectContaining({ status: "completed", mode: "pages", orders: 6 }))
        const { rows: [clock] } = await pg(container).raw(`SELECT statement_timestamp() AS at`)
        const at = new Date(clock.at as Date)

        // Changes made through Medusa's order module with no event: a cancel, a return received,
        // an order placed whose order.placed was lost; and a ledger row lost for an order that
        // did not change in Medusa.
        const orderModule = container.resolve(Modules.ORDER)
        await orderModule.cancel(orders[0].id)
        const { rows: [item] } = await pg(container).raw(`SELECT id FROM order_item WHERE order_id = ?`, [orders[1].id])
        await orderModule.updateOrderItem(item.id as string, { return_received_quantity: 1 })
        const silent = await createOrder(container, { customer: customers[1], currency_code: currency,
          lines: [{ product: products[0], quantity: 1, unit_price: 7 }] })
        await pg(container).raw(`DELETE FROM personalization_order_line WHERE order_id = ?`, [orders[2].id])
        await pg(container).raw(`DELETE FROM personalization_order WHERE id = ?`, [orders[2].id])
        const stale = await snapshotTables(container)
        expect(stale.personalization_order.find((o) => o.id === orders[0].id)).toEqual(expect.objectContaining({ counted: true }))
        expect(stale.personalization_order.map((o) => o.id)).not.toContain(silent.id)

        const nightly = await runRebuild(container, { mode: "changes", since: at, batch_size: 2 })
        expect(nightly).toEqual(expect.objectContaining({ status: "completed", mode: "changes", total_orders: 3, orders: 3, removed: 0, pages: 2 }))
        expect(new Date(nightly.changes_since as Date)).toEqual(at)
        // The three orders are as their events would have left them: syncing them now writes nothing.
        const repaired = await snapshotTables(container)
        expect(repaired.personalization_order.find((o) => o.id === orders[0].id)).toEqual(expect.objectContaining({ status: "canceled", counted: false }))
        expect(repaired.personalization_order.find((o) => o.id === orders[1].id)).toEqual(expect.objectContaining({ item_quantity: 2 }))
        const resync = await syncPurchaseOrdersWorkflow(container).run({ input: { order_ids: [orders[0].id, orders[1].id, silent.id] } })
        expect(resync.result.synced).toBe(0)
        expect(await snapshotTables(container)).toEqual(repaired)
        // The lost ledger row is not among them: only a rebuild that reads every order repairs it.
        expect(repaired.personalization_order.map((o) => o.id)).not.toContain(orders[2].id)
        const full = await runRebuild(container)
        // In bulk: one of the seven orders is missing from the ledger, more than BULK_WHEN_MISSING.
        expect(full).toEqual(expect.objectContaining({ status: "completed", mode: "bulk", orders: 7 }))
        expect((await snapshotTables(container)).personalization_order.map((o) => o.id)).toContain(orders[2].id)

        // The nightly job's "auto": changes from the last rebuild's start less the margin, until
        // the last full read is rebuildFullEveryDays (7) old.
        const auto = await runRebuild(container, { mode: "auto" })
        expect(auto).toEqual(expect.objectContaining({ status: "completed", mode: "changes" }))
        expect(new Date(auto.changes_since as Date).getTime()).toBe(new Date(full.started_at as Date).getTime() - CHANGES_MARGIN_MS)
        await pg(container).raw(`UPDATE personalization_rebuild_run SET started_at = started_at - interval '8 days' WHERE mode IS DISTINCT FROM 'changes'`)
        expect(await runRebuild(container, { mode: "auto" })).toEqual(expect.objectContaining({ status: "completed", mode: "pages", orders: 7 }))
        expect(await service.listRebuildRuns({ mode: "changes" }, { select: ["id"] })).toHaveLength(2)
      })
    })
  },
})
