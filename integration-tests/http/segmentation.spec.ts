import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { deleteCustomersWorkflow } from "@medusajs/core-flows"
import { Modules } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { SEGMENTATION_REQUESTED_EVENT } from "../../src/api/admin/personalization/segmentation/run/route"
import { rebuildPurchaseFeaturesWorkflow } from "../../src/workflows/purchase-features"
import { runSegmentationWorkflow } from "../../src/workflows/segmentation"
import { adminHeaders } from "../helpers/admin"
import { andWaitFor, createProducts, pg, rowsMentioning, storeCurrency } from "../helpers/store"

jest.setTimeout(180_000)

const DAY = 86_400_000

/**
 * 120 customers in three planted behaviours (30 one-time buyers long ago, 40 occasional, 50
 * frequent recent big spenders), with per-customer variation so every row is distinct; orders
 * made through the order module, then counted by a rebuild.
 */
async function seedStore(container: MedusaContainer, { optOut = 0 } = {}) {
  const currency = await storeCurrency(container)
  const [p1, p2] = await createProducts(container, 2)
  const customers = await container.resolve(Modules.CUSTOMER).createCustomers(
    Array.from({ length: 120 }, (_, i) => ({
      email: `seg-${i}@example.com`,
      has_account: true,
      metadata: i < optOut ? { personalization_opt_out: "true" } : undefined,
    }))
  )
  const orders: { customer: string; email: string; daysAgo: number; price: number }[] = []
  customers.forEach((c, i) => {
    const [count, age, price] = i < 30 ? [1, 200 + i, 5 + i] : i < 70 ? [2, 60 + i, 20 + i] : [6, 3 + (i % 10), 80 + i]
    for (let k = 0; k < count; k++) orders.push({ customer: c.id, email: c.email, daysAgo: age + k * 15, price })
  })
  const created = await container.resolve(Modules.ORDER).createOrders(
    orders.map((o) => ({
      customer_id: o.customer,
      email: o.email,
      currency_code: currency,
      status: "completed",
      items: [{ title: "Line", product_id: (o.price % 2 ? p1 : p2).id, quantity: 1, unit_price: o.price }],
    }))
  )
  await pg(container).raw(
    `UPDATE "order" o SET created_at = now() - (d.days || ' days')::interval
     FROM unnest(?::text[], ?::int[]) AS d(id, days) WHERE o.id = d.id`,
    [created.map((o) => o.id), orders.map((o) => o.daysAgo)]
  )
  await rebuildPurchaseFeaturesWorkflow(container).run({ input: {} })
  return customers
}

async function memberships(container: MedusaContainer) {
  const { rows } = await pg(container).raw(
    `SELECT customer_id, segment_key FROM personalization_customer_segment ORDER BY customer_id`
  )
  return rows as { customer_id: string; segment_key: string }[]
}

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    describe("segmentation runs", () => {
      it("runs through the admin API: 202, then a completed run whose segments cover every customer", async () => {
        const container = getContainer()
        const headers = await adminHeaders(container)
        await seedStore(container)

        const queued = await andWaitFor<{ status: number; data: { run_id: string; status: string } }>(
          container,
          SEGMENTATION_REQUESTED_EVENT,
          () => api.post("/admin/personalization/segmentation/run", {}, headers)
        )
        expect(queued.status).toBe(202)
        expect(queued.data).toEqual({ run_id: expect.stringMatching(/^pzsr_/), status: "queued" })

        const { data: { run } } = await api.get(`/admin/personalization/segmentation/runs/${queued.data.run_id}`, headers)
        expect(run).toEqual(
          expect.objectContaining({ status: "completed", customers: 120, criterion: "silhouette-floor", progress: 1 })
        )
        expect(run.k).toBeGreaterThanOrEqual(3)
        expect(run.silhouette).toBeGreaterThan(0)
        expect(run.scaling).toEqual(expect.objectContaining({ names: ["recency", "invoices", "spend"] }))

        const { data: { segments } } = await api.get("/admin/personalization/segments", headers)
        expect(segments).toHaveLength(run.k)
        expect(segments.reduce((n: number, s: { size: number }) => n + s.size, 0)).toBe(120)
        for (const s of segments) {
          expect(s).toEqual(expect.objectContaining({ key: expect.stringMatching(/^seg-\d+$/), name: expect.any(String), run_id: run.id }))
          expect(Object.keys(s.centre).sort()).toEqual(["invoices", "recency", "spend"])
        }
        // The frequent big spenders (six orders each) share one segment, whose centre says so.
        const members = await memberships(container)
        expect(members).toHaveLength(120)
        const big = segments.find((s: { centre: { invoices: number } }) => s.centre.invoices > 5)
        expect(big).toBeDefined()

        const page = await api.get(`/admin/personalization/segments/${big.key}/customers?limit=5&offset=0`, headers)
        expect(page.data).toEqual(
          expect.objectContaining({ count: big.size, limit: 5, offset: 0, customers: expect.any(Array) })
        )
        expect(page.data.customers).toHaveLength(Math.min(5, big.size))
        const all = await api.get("/admin/personalization/segmentation/runs", headers)
        expect(all.data.runs.map((r: { id: string }) => r.id)).toEqual([run.id])
      })

      it("keeps segment keys, names and memberships when nothing changed, and leaves opted-out customers out", async () => {
        const container = getContainer()
        const customers = await seedStore(container, { optOut: 3 })
        const first = await runSegmentationWorkflow(container).run({ input: {} })
        expect(first.result).toEqual(expect.objectContaining({ status: "completed", customers: 117 }))
        const before = await memberships(container)
        const segmentsBefore = (await pg(container).raw(`SELECT key, name, size FROM personalization_segment ORDER BY key`)).rows

        const second = await runSegmentationWorkflow(container).run({ input: {} })
        expect(second.result.status).toBe("completed")
        expect(await memberships(container)).toEqual(before)
        expect((await pg(container).raw(`SELECT key, name, size FROM personalization_segment ORDER BY key`)).rows).toEqual(
          segmentsBefore
        )
        const optedOut = new Set(customers.slice(0, 3).map((c) => c.id))
        expect(before.filter((m) => optedOut.has(m.customer_id))).toEqual([])
      })

      it("skips below the readiness thresholds and says why", async () => {
        const container = getContainer()
        const { result } = await runSegmentationWorkflow(container).run({ input: {} })
        expect(result).toEqual(
          expect.objectContaining({
            status: "skipped",
            reason: "not enough data: 0 customers with orders (100 needed), 0 repeat customers (20 needed)",
          })
        )
        expect(await memberships(container)).toEqual([])
      })

      it("removes a deleted customer's membership with the rest of their rows", async () => {
        const container = getContainer()
        const customers = await seedStore(container)
        await runSegmentationWorkflow(container).run({ input: {} })
        const leaving = customers[100]
        expect((await memberships(container)).map((m) => m.customer_id)).toContain(leaving.id)
        await andWaitFor(container, "customer.deleted", () =>
          deleteCustomersWorkflow(container).run({ input: { ids: [leaving.id] } })
        )
        expect(await rowsMentioning(container, leaving.id)).toEqual(expect.objectContaining({ found: 0 }))
      })
    })

    describe("segmentation routes: errors", () => {
      it("answer 401 without admin authentication", async () => {
        for (const [method, url] of [
          ["post", "/admin/personalization/segmentation/run"],
          ["get", "/admin/personalization/segmentation/runs"],
          ["get", "/admin/personalization/segmentation/runs/pzsr_x"],
          ["get", "/admin/personalization/segments"],
          ["get", "/admin/personalization/segments/seg-1/customers"],
        ] as const) {
          const response = await (method === "post" ? api.post(url, {}) : api.get(url)).catch((e: any) => e.response)
          expect([url, response.status]).toEqual([url, 401])
        }
      })

      it("answer 400 naming the bad field, and 404 for unknown runs and segments", async () => {
        const headers = await adminHeaders(getContainer())
        const bad = await api.get("/admin/personalization/segmentation/runs?limit=0", headers).catch((e: any) => e.response)
        expect(bad.status).toBe(400)
        expect(bad.data.message).toContain("limit")
        const unknown = await api.get("/admin/personalization/segments?colour=blue", headers).catch((e: any) => e.response)
        expect(unknown.status).toBe(400)
        expect(unknown.data.message).toContain("colour")
        const body = await api.post("/admin/personalization/segmentation/run", { k: 3 }, headers).catch((e: any) => e.response)
        expect(body.status).toBe(400)
        const run = await api.get("/admin/personalization/segmentation/runs/pzsr_nope", headers).catch((e: any) => e.response)
        expect(run.status).toBe(404)
        const seg = await api.get("/admin/personalization/segments/seg-99/customers", headers).catch((e: any) => e.response)
        expect(seg.status).toBe(404)
      })
    })
  },
})
