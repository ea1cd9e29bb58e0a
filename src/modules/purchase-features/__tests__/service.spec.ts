import { moduleIntegrationTestRunner } from "@medusajs/test-utils"
import { testDatabaseName } from "../../../../integration-tests/helpers/test-run"
import { PURCHASE_FEATURES_MODULE } from ".."
import type PurchaseFeaturesService from "../service"

jest.setTimeout(60_000)

const at = (iso: string) => new Date(`${iso}T00:00:00Z`)

moduleIntegrationTestRunner<PurchaseFeaturesService>({
  moduleName: PURCHASE_FEATURES_MODULE,
  resolve: "./src/modules/purchase-features",
  dbName: testDatabaseName("purchase_features"),
  moduleOptions: { currencyCode: "GBP" },
  testSuite: ({ service }) => {
    async function ledger(rows: { id: string; customer: string; at: string; amount: number; currency?: string; counted?: boolean; products?: string[] }[]) {
      await service.createLedgerOrders(
        rows.map((r) => ({
          id: r.id,
          customer_id: r.customer,
          source_customer_id: r.customer,
          placed_at: at(r.at),
          currency_code: r.currency ?? "gbp",
          status: r.counted === false ? "canceled" : "completed",
          counted: r.counted ?? true,
          amount: r.amount,
          item_quantity: 1,
          version: 1,
        }))
      )
      await service.createLedgerOrderLines(
        rows.flatMap((r) =>
          (r.products ?? []).map((product, i) => ({
            id: `${r.id}-l${i}`,
            order_id: r.id,
            customer_id: r.customer,
            product_id: product,
            quantity: 1,
            amount: 1,
            placed_at: at(r.at),
          }))
        )
      )
    }

    it("normalises options: the currency code is kept lower-case", () => {
      expect(service.options.currencyCode).toBe("gbp")
      expect(service.options.countedOrderStatuses).toEqual(["pending", "completed", "archived", "requires_action"])
    })

    describe("listCustomerFeaturesAsOf", () => {
      beforeEach(async () => {
        await ledger([
          { id: "o1", customer: "cus_a", at: "2026-01-01", amount: 10, products: ["p1", "p2"] },
          { id: "o2", customer: "cus_a", at: "2026-03-01", amount: 30, products: ["p2"] },
          { id: "o3", customer: "cus_a", at: "2026-03-31", amount: 20, currency: "usd", products: ["p3"] },
          { id: "o4", customer: "cus_a", at: "2026-04-10", amount: 99, counted: false },
          { id: "o5", customer: "cus_a", at: "2026-05-01", amount: 50, products: ["p4"] }, // after as_of
          { id: "o6", customer: "cus_b", at: "2025-06-01", amount: 5, products: ["p1"] },
        ])
      })

      it("computes recency, tenure, windows and intervals against the as-of date from counted orders before it", async () => {
        const rows = await service.listCustomerFeaturesAsOf({ asOf: at("2026-04-15") })
        expect(rows).toEqual([
          {
            customer_id: "cus_a",
            recency_days: 15, // 2026-03-31 -> 2026-04-15
            tenure_days: 104, // 2026-01-01 -> 2026-04-15
            order_count: 3,
            money_order_count: 2,
            total_spend: 40,
            average_order_value: 20,
            orders_30d: 1,
            orders_90d: 2, // from 2026-01-15 on
            orders_365d: 3,
            spend_90d: 30,
            mean_interval_days: 44.5, // (59 + 30) / 2 days, between Jan 1, Mar 1 and Mar 31
            distinct_products: 3,
          },
          expect.objectContaining({
            customer_id: "cus_b",
            recency_days: 318,
            order_count: 1,
            orders_365d: 1,
            mean_interval_days: null,
            distinct_products: 1,
          }),
        ])
      })

      it("pages by customer id and filters by customer", async () => {
        const first = await service.listCustomerFeaturesAsOf({ asOf: at("2026-04-15"), limit: 1 })
        expect(first.map((r) => r.customer_id)).toEqual(["cus_a"])
        const next = await service.listCustomerFeaturesAsOf({ asOf: at("2026-04-15"), afterCustomerId: "cus_a" })
        expect(next.map((r) => r.customer_id)).toEqual(["cus_b"])
        const only = await service.listCustomerFeaturesAsOf({ asOf: at("2026-06-01"), customerIds: ["cus_b"] })
        expect(only.map((r) => [r.customer_id, r.order_count])).toEqual([["cus_b", 1]])
      })
    })

    it("purges every row keyed by a customer and nothing else", async () => {
      await ledger([
        { id: "o1", customer: "cus_a", at: "2026-01-01", amount: 10, products: ["p1"] },
        { id: "o2", customer: "cus_b", at: "2026-01-02", amount: 10, products: ["p1"] },
      ])
      expect(await service.listOrderIdsOfCustomer("cus_a")).toEqual(["o1"])
      expect(await service.listOrderIdsOfProduct("p1")).toEqual(["o1", "o2"])

      const { deleted } = await service.purgeCustomer("cus_a")
      expect(deleted).toBe(2) // one ledger order, one line
      expect(await service.listOrderIdsOfCustomer("cus_a")).toEqual([])
      expect(await service.listOrderIdsOfProduct("p1")).toEqual(["o2"])
    })
  },
})
