import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { REBUILD_REQUESTED_EVENT } from "../../src/api/admin/personalization/rebuild/route"
import { adminHeaders } from "../helpers/admin"
import { andWaitFor, createCustomer, createOrder, createProducts, customerFeatures, storeCurrency } from "../helpers/store"

jest.setTimeout(120_000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    describe("POST /admin/personalization/rebuild", () => {
      it("answers 401 without an admin session or token, and starts nothing", async () => {
        const container = getContainer()
        const customer = await createCustomer(container)
        await createOrder(container, {
          customer, currency_code: await storeCurrency(container),
          lines: [{ product: (await createProducts(container, 1))[0], quantity: 1, unit_price: 10 }],
        })
        const noAuth = await api.post("/admin/personalization/rebuild", {}).catch((e: any) => e.response)
        expect(noAuth.status).toBe(401)
        const badToken = await api
          .post("/admin/personalization/rebuild", {}, { headers: { authorization: "Bearer not-a-token" } })
          .catch((e: any) => e.response)
        expect(badToken.status).toBe(401)
        await new Promise((resolve) => setTimeout(resolve, 500))
        expect(await customerFeatures(container, customer.id)).toBeUndefined()
      })

      it("answers 202 with a run id and rebuilds the tables where subscribers run", async () => {
        const container = getContainer()
        const headers = await adminHeaders(container)
        const currency = await storeCurrency(container)
        const [p1] = await createProducts(container, 1)
        const customer = await createCustomer(container)
        // Orders made through the order module emit no order.placed: only a rebuild sees them.
        for (const price of [10, 20]) {
          await createOrder(container, { customer, currency_code: currency, lines: [{ product: p1, quantity: 1, unit_price: price }] })
        }
        expect(await customerFeatures(container, customer.id)).toBeUndefined()

        const response = await andWaitFor<{ status: number; data: unknown }>(container, REBUILD_REQUESTED_EVENT, () =>
          api.post("/admin/personalization/rebuild", {}, headers)
        )
        expect(response.status).toBe(202)
        expect(response.data).toEqual({ run_id: expect.stringMatching(/^pzrb_[0-9a-f]{32}$/), status: "queued" })
        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({ order_count: 2, total_spend: 30 })
        )
      })
    })
  },
})
