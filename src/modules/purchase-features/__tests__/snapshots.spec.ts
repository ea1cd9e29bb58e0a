import { moduleIntegrationTestRunner } from "@medusajs/test-utils"
import { testDatabaseName } from "../../../../integration-tests/helpers/test-run"
import { PURCHASE_FEATURES_MODULE } from ".."
import type PurchaseFeaturesService from "../service"
import type { OrderSnapshot, OrderSnapshotRead } from "../snapshot"

jest.setTimeout(60_000)

type Line = [product: string, quantity: number, amount: string]

/** A hand-made snapshot: the module's public input, no Medusa involved. */
function snapshot(id: string, customer: string, day: string, lines: Line[], status = "completed"): OrderSnapshot {
  const amount = lines.reduce((sum, [, , a]) => sum + Number(a), 0)
  return {
    id,
    customer_id: customer,
    source_customer_id: customer,
    placed_at: new Date(`${day}T12:00:00Z`),
    currency_code: "gbp",
    status,
    version: 1,
    amount: amount.toFixed(4),
    item_quantity: lines.reduce((sum, [, q]) => sum + q, 0),
    promotion_ids: [],
    discount_total: "0",
    lines: lines.map(([product_id, quantity, a], i) => ({ id: `${id}_l${i}`, product_id, quantity, amount: a })),
  }
}

const read = (readAt: string, snapshots: OrderSnapshot[], absent: string[] = []): OrderSnapshotRead => ({
  orderIds: [...snapshots.map((s) => s.id), ...absent],
  snapshots,
  readAt,
})

moduleIntegrationTestRunner<PurchaseFeaturesService>({
  moduleName: PURCHASE_FEATURES_MODULE,
  resolve: "./src/modules/purchase-features",
  dbName: testDatabaseName("purchase_features_snapshots"),
  moduleOptions: { currencyCode: "GBP" },
  testSuite: ({ service, MikroOrmWrapper }) => {
    const sql = (text: string, params: unknown[] = []) => MikroOrmWrapper.forkManager().execute(text, params)

    /** The customer's aggregate and interaction rows, as exact text, without timestamps of writing. */
    async function stateOf(customer: string) {
      const features = await sql(
        `SELECT customer_id, first_order_at, last_order_at, order_count, money_order_count, total_spend::float8 AS total_spend,
                average_order_value::float8 AS average_order_value, currency_code, item_quantity, distinct_products
         FROM personalization_customer_features WHERE customer_id = ?`,
        [customer]
      )
      const products = await sql(
        `SELECT id, order_count, quantity, first_purchased_at, last_purchased_at
         FROM personalization_customer_product WHERE customer_id = ? ORDER BY id`,
        [customer]
      )
      const lines = await sql(`SELECT id, quantity, amount::float8 AS amount FROM personalization_order_line WHERE customer_id = ? ORDER BY id`, [customer])
      return { features, products, lines }
    }

    it("applies the same snapshot twice and counts it once", async () => {
      const o1 = snapshot("order_1", "cus_a", "2026-03-01", [["p1", 2, "20.0000"], ["p2", 1, "5.5000"]])
      const first = await service.applyOrderSnapshots(read("2026-03-01T12:00:01.000001Z", [o1]))
      const second = await service.applyOrderSnapshots(read("2026-03-01T12:00:01.000001Z", [o1]))
      expect(first).toEqual({ synced: 1, removed: 0, customers: 1, stale: 0, unchanged: 0 })
      // The same content again: recognised by its fingerprint, nothing is written.
      expect(second).toEqual({ synced: 0, removed: 0, customers: 0, stale: 0, unchanged: 1 })
      const { features, products, lines } = await stateOf("cus_a")
      expect(features).toEqual([
        expect.objectContaining({ order_count: 1, money_order_count: 1, total_spend: 25.5, average_order_value: 25.5, item_quantity: 3, distinct_products: 2 }),
      ])
      expect(products.map((p) => [p.id, p.order_count, p.quantity])).toEqual([["cus_a:p1", 1, 2], ["cus_a:p2", 1, 1]])
      expect(lines).toHaveLength(2)
    })

    it("passes ids with quotes, question marks and backslashes through unchanged (parameters are bound, not inlined)", async () => {
      const odd = "p'?\\x ?? $1"
      await service.applyOrderSnapshots(read("2026-03-01T12:00:01Z", [snapshot("order_q", "cus_'?", "2026-03-01", [[odd, 1, "2.0000"]])]))
      const { features, products } = await stateOf("cus_'?")
      expect(products.map((p) => p.id)).toEqual([`cus_'?:${odd}`])
      expect(features[0]).toEqual(expect.objectContaining({ order_count: 1, distinct_products: 1 }))
      expect(await service.listPurchasedProductIds("cus_'?")).toEqual([odd])
    })

    it("skips an unchanged snapshot by its fingerprint and rewrites a changed one", async () => {
      const o1 = snapshot("order_1", "cus_a", "2026-03-01", [["p1", 1, "10.0000"]])
      await service.applyOrderSnapshots(read("2026-03-02T00:00:00Z", [o1]))
      const [row] = await sql(`SELECT fingerprint, read_at, updated_at FROM personalization_order WHERE id = 'order_1'`)
      expect(row.fingerprint).toEqual(expect.any(String))

      // A later read of the same content: the row is not written (updated_at and read_at stay).
      expect(await service.applyOrderSnapshots(read("2026-03-05T00:00:00Z", [o1]))).toEqual(expect.objectContaining({ synced: 0, unchanged: 1 }))
      expect(await sql(`SELECT fingerprint, read_at, updated_at FROM personalization_order WHERE id = 'order_1'`)).toEqual([row])

      // One unit returned: a new fingerprint, and the features follow.
      const returned = snapshot("order_1", "cus_a", "2026-03-01", [["p1", 0, "0.0000"]])
      expect(await service.applyOrderSnapshots(read("2026-03-06T00:00:00Z", [returned]))).toEqual(expect.objectContaining({ synced: 1, unchanged: 0 }))
      const { features, products } = await stateOf("cus_a")
      expect(features).toEqual([expect.objectContaining({ order_count: 1, total_spend: 0, item_quantity: 0, distinct_products: 0 })])
      expect(products).toEqual([])
    })

    it("counts every one of concurrent snapshots of one customer (different orders)", async () => {
      const orders = [1, 2, 3, 4, 5, 6].map((n) => snapshot(`order_c${n}`, "cus_a", `2026-03-0${n}`, [["p1", 1, `${n}.0000`], [`p${n + 1}`, n, "1.0000"]]))
      await Promise.all(orders.map((o, i) => service.applyOrderSnapshots(read(`2026-03-10T00:00:0${i}Z`, [o]))))
      const { features, products } = await stateOf("cus_a")
      // Spend: (1 + 2 + ... + 6) + 6 x 1 = 27; units: 6 x 1 + (1 + ... + 6) = 27.
      expect(features).toEqual([
        expect.objectContaining({ order_count: 6, money_order_count: 6, total_spend: 27, average_order_value: 4.5, item_quantity: 27, distinct_products: 7 }),
      ])
      expect(products.find((p) => p.id === "cus_a:p1")).toEqual(expect.objectContaining({ order_count: 6, quantity: 6 }))
    })

    it("takes a canceled order out exactly: the tables equal those before the order", async () => {
      await service.applyOrderSnapshots(read("2026-03-02T00:00:00Z", [snapshot("order_1", "cus_a", "2026-03-01", [["p1", 1, "10.0000"]])]))
      const before = await stateOf("cus_a")
      await service.applyOrderSnapshots(read("2026-03-06T00:00:00Z", [snapshot("order_2", "cus_a", "2026-03-05", [["p1", 3, "30.0000"], ["p9", 1, "7.0000"]])]))
      expect((await stateOf("cus_a")).features[0]).toEqual(expect.objectContaining({ order_count: 2, total_spend: 47 }))

      const canceled = snapshot("order_2", "cus_a", "2026-03-05", [["p1", 3, "30.0000"], ["p9", 1, "7.0000"]], "canceled")
      await service.applyOrderSnapshots(read("2026-03-07T00:00:00Z", [canceled]))
      expect(await stateOf("cus_a")).toEqual(before)
      expect(before.features[0]).toEqual(expect.objectContaining({ order_count: 1, total_spend: 10, distinct_products: 1 }))
    })

    it("never lets an older read replace a newer one, present or absent", async () => {
      const newer = snapshot("order_1", "cus_a", "2026-03-01", [["p1", 1, "50.0000"]])
      const older = snapshot("order_1", "cus_a", "2026-03-01", [["p1", 1, "30.0000"]])
      await service.applyOrderSnapshots(read("2026-03-02T10:00:00.000002Z", [newer]))
      const afterNewer = await stateOf("cus_a")

      // Microseconds count: this read is one microsecond older.
      expect(await service.applyOrderSnapshots(read("2026-03-02T10:00:00.000001Z", [older]))).toEqual(expect.objectContaining({ synced: 0, stale: 1 }))
      expect(await service.applyOrderSnapshots(read("2026-03-02T09:00:00Z", [], ["order_1"]))).toEqual(expect.objectContaining({ removed: 0, stale: 1 }))
      expect(await stateOf("cus_a")).toEqual(afterNewer)
      expect(afterNewer.features[0]).toEqual(expect.objectContaining({ total_spend: 50 }))

      // A newer absent removes it, and an order snapshot read before that removal stays out.
      expect(await service.applyOrderSnapshots(read("2026-03-03T00:00:00Z", [], ["order_1"]))).toEqual(expect.objectContaining({ removed: 1 }))
      expect(await service.applyOrderSnapshots(read("2026-03-02T12:00:00Z", [newer]))).toEqual(expect.objectContaining({ synced: 0, stale: 1 }))
      expect(await stateOf("cus_a")).toEqual({ features: [], products: [], lines: [] })
      // A read after the removal brings it back (the order exists again).
      await service.applyOrderSnapshots(read("2026-03-04T00:00:00Z", [newer]))
      expect((await stateOf("cus_a")).features[0]).toEqual(expect.objectContaining({ order_count: 1, total_spend: 50 }))
    })

    it("leaves no row of a purged customer in any module table, and a late snapshot of theirs writes nothing", async () => {
      await service.applyOrderSnapshots(
        read("2026-03-02T00:00:00Z", [
          snapshot("order_1", "cus_a", "2026-03-01", [["p1", 1, "10.0000"]]),
          snapshot("order_2", "cus_b", "2026-03-01", [["p1", 2, "20.0000"]]),
        ])
      )
      const other = await stateOf("cus_b")
      const { deleted } = await service.purgeCustomer("cus_a")
      expect(deleted).toBe(4) // ledger order, line, interaction, features

      const tables = (await sql(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'personalization_%'`
      )) as { table_name: string }[]
      for (const { table_name } of tables) {
        const rows = await sql(`SELECT * FROM "${table_name}" t WHERE t::text LIKE '%cus_a%'`)
        expect({ table_name, rows }).toEqual({ table_name, rows: [] })
      }

      // A snapshot read before the customer's deletion, applied after the purge: a new order, and the purged one.
      const late = await service.applyOrderSnapshots(
        read("2026-03-01T23:00:00Z", [snapshot("order_3", "cus_a", "2026-03-01", [["p2", 1, "3.0000"]]), snapshot("order_1", "cus_a", "2026-03-01", [["p1", 1, "10.0000"]])])
      )
      expect(late).toEqual(expect.objectContaining({ synced: 0, stale: 2 }))
      expect(await stateOf("cus_a")).toEqual({ features: [], products: [], lines: [] })
      expect(await service.listOrderIdsOfCustomer("cus_a")).toEqual([])
      expect(await stateOf("cus_b")).toEqual(other)

      // The deletion rolled back (the purge workflow's compensation): the customer counts again.
      await service.restoreCustomer("cus_a")
      await service.applyOrderSnapshots(read("2026-03-05T00:00:00Z", [snapshot("order_1", "cus_a", "2026-03-01", [["p1", 1, "10.0000"]])]))
      expect((await stateOf("cus_a")).features[0]).toEqual(expect.objectContaining({ order_count: 1, total_spend: 10 }))
    })

    it("applies a rebuild page: the page's snapshots, and removes ledger orders of its id range that the source no longer has", async () => {
      await service.applyOrderSnapshots(
        read("2026-03-02T00:00:00Z", [
          snapshot("order_1", "cus_a", "2026-03-01", [["p1", 1, "10.0000"]]),
          snapshot("order_2", "cus_a", "2026-03-01", [["p2", 1, "20.0000"]]),
          snapshot("order_3", "cus_b", "2026-03-01", [["p3", 1, "30.0000"]]),
        ])
      )
      const page = await service.applyOrderPage({
        read: read("2026-03-03T00:00:00Z", [snapshot("order_1", "cus_a", "2026-03-01", [["p1", 1, "11.0000"]])]),
        afterId: "",
        lastId: "order_2",
      })
      expect(page).toEqual({ synced: 1, removed: 1, customers: 1, stale: 0, unchanged: 0 })
      expect((await stateOf("cus_a")).features[0]).toEqual(expect.objectContaining({ order_count: 1, total_spend: 11 }))
      expect((await stateOf("cus_b")).features[0]).toEqual(expect.objectContaining({ order_count: 1, total_spend: 30 }))
    })

    it("recomputes a bulk rebuild's deferred aggregates set-based, range by range, to the rows per-key applies give", async () => {
      const customers = ["cus_a", "cus_b", "cus_c", "cus_d", "cus_e"]
      const orders = customers.flatMap((customer, c) =>
        [0, 1, 2].map((k) => {
          const s = snapshot(`order_${c}${k}`, customer, `2026-03-0${k + 1}`, [
            [`p${(c + k) % 4}`, 1 + k, `${10 + c}.2500`],
            [`p${(c + 2 * k + 1) % 4}`, 2, "3.3333"],
          ], k === 1 && c % 2 ? "canceled" : "completed")
          // An order in another currency counts as an order, not as money.
          return k === 2 && c === 3 ? { ...s, currency_code: "usd" } : s
        })
      )
      const everything = async () => ({
        features: await sql(
          `SELECT customer_id, first_order_at, last_order_at, order_count, money_order_count, total_spend::text, raw_total_spend,
                  average_order_value::text, raw_average_order_value, currency_code, item_quantity, distinct_products
           FROM personalization_customer_features ORDER BY customer_id`
        ),
        products: await sql(
          `SELECT id, customer_id, product_id, order_count, quantity, first_purchased_at, last_purchased_at
           FROM personalization_customer_product ORDER BY id`
        ),
      })
      await service.applyOrderSnapshots(read("2026-03-05T00:00:00Z", orders))
      const perKey = await everything()
      expect(perKey.features).toHaveLength(5)

      await sql(`TRUNCATE personalization_order, personalization_order_line, personalization_customer_features, personalization_customer_product`)
      const page = await service.applyOrderPage(
        { read: read("2026-03-06T00:00:00Z", orders), afterId: "", lastId: null },
        { deferAggregates: true }
      )
      expect(page).toEqual({ synced: 15, removed: 0, customers: 0, stale: 0, unchanged: 0 })
      expect(await everything()).toEqual({ features: [], products: [] })

      // Rows with no basis at either end of the key space, and a wrong one in the middle.
      await sql(
        `INSERT INTO personalization_customer_product (id, customer_id, product_id, order_count, quantity, first_purchased_at, last_purchased_at)
         VALUES ('cus_0:p1', 'cus_0', 'p1', 1, 1, now(), now()), ('cus_zz:p1', 'cus_zz', 'p1', 1, 1, now(), now()),
                ('cus_c:p9', 'cus_c', 'p9', 4, 4, now(), now())`
      )
      await sql(
        `INSERT INTO personalization_customer_features (customer_id, first_order_at, last_order_at, order_count, money_order_count,
           total_spend, raw_total_spend, average_order_value, raw_average_order_value, currency_code, item_quantity, distinct_products)
         VALUES ('cus_zz', now(), now(), 9, 9, 9, '{"value":"9","precision":20}', 1, '{"value":"1","precision":20}', 'gbp', 9, 1)`
      )
      const ranges: [string, string | null][] = []
      for (let after = ""; ; ) {
        const through = await service.nextCustomerBound(after, 2)
        ranges.push([after, through])
        await service.recomputeAggregatesInRange({ after, through })
        if (through === null) break
        after = through
      }
      expect(ranges).toEqual([["", "cus_b"], ["cus_b", "cus_d"], ["cus_d", null]])
      expect(await everything()).toEqual(perKey)
      expect(await service.countLedgerCustomers()).toBe(5)
    })

    it("analyzes its tables on request (the rebuild's last step), so the planner sees the rows a rebuild wrote", async () => {
      await service.applyOrderSnapshots(read("2026-03-01T12:00:00.000001Z", [snapshot("order_z", "cus_z", "2026-02-01", [["prod_1", 1, "5.0000"]])]))
      const stats = async () =>
        (await sql(
          `SELECT relname, last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables
           WHERE relname IN ('personalization_order', 'personalization_order_line', 'personalization_customer_features', 'personalization_customer_product')
           ORDER BY relname`
        )) as { relname: string; analyzed: boolean }[]
      // last_analyze is set by ANALYZE only (autovacuum sets last_autoanalyze).
      expect((await stats()).map((r) => r.analyzed)).toEqual([false, false, false, false])
      await service.analyzeTables()
      expect((await stats()).map((r) => r.analyzed)).toEqual([true, true, true, true])
    })
  },
})
