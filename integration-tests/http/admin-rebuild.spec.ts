import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { PersonalizationEvents } from "../../src/events"
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

        const bad = await api.post("/admin/personalization/rebuild", { batch_size: 5 }, headers).catch((e: any) => e.response)
        expect(bad.status).toBe(400)
        expect(bad.data.message).toContain("batch_size")

        const response = await andWaitFor<{ status: number; data: { run_id: string } }>(container, PersonalizationEvents.REBUILD_REQUESTED, () =>
          api.post("/admin/personalization/rebuild", {}, headers)
        )
        expect(response.status).toBe(202)
        expect(response.data).toEqual({ run_id: expect.stringMatching(/^pzrb_/), status: "queued" })
        expect(await customerFeatures(container, customer.id)).toEqual(
          expect.objectContaining({ order_count: 2, total_spend: 30 })
        )
        // The run is stored, with what it did.
        const { data: { run } } = await api.get(`/admin/personalization/rebuild/runs/${response.data.run_id}`, headers)
        expect(run).toMatchObject({ id: response.data.run_id, status: "completed", total_orders: 2, orders: 2, removed: 0, pages: 1, progress: 1 })
        expect(run.duration_ms).toBeGreaterThanOrEqual(0)
        const { data: list } = await api.get("/admin/personalization/rebuild/runs?limit=1", headers)
        expect(list).toMatchObject({ count: 1, limit: 1, offset: 0, runs: [expect.objectContaining({ id: run.id })] })
        expect((await api.get("/admin/personalization/rebuild/runs/pzrb_unknown", headers).catch((e: any) => e.response)).status).toBe(404)
        expect((await api.get("/admin/personalization/rebuild/runs").catch((e: any) => e.response)).status).toBe(401)
      })
    })
  },
})
