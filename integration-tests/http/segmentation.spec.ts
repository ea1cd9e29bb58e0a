import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { deleteCustomersWorkflow } from "@medusajs/core-flows"
import { Modules } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { SEGMENTATION_REQUESTED_EVENT } from "../../src/api/admin/personalization/segmentation/run/route"
import { CUSTOMER_SEGMENTS_MODULE } from "../../src/modules/customer-segments"
import type CustomerSegmentsService from "../../src/modules/customer-segments/service"
import { runSegmentationWorkflow, syncSegmentGroupsWorkflow } from "../../src/workflows/segmentation"
import { groupName } from "../../src/workflows/segmentation/steps/sync-segment-groups"
import { adminHeaders } from "../helpers/admin"
import { andWaitFor, pg, rowsMentioning } from "../helpers/store"
import { groupMembers, seedSegmentableStore } from "../helpers/segments"

jest.setTimeout(180_000)

const DAY = 86_400_000


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
        await seedSegmentableStore(container)

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
        const customers = await seedSegmentableStore(container, { optOut: 3 })
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

      it("reports readiness through the admin API", async () => {
        const container = getContainer()
        const headers = await adminHeaders(container)
        const empty = await api.get("/admin/personalization/readiness", headers)
        expect(empty.data.readiness).toEqual({
          segmentation: { ready: false, missing: ["100 more customers with an order", "20 more repeat customers"] },
          orders: 0,
          customers: 0,
          repeat_customers: 0,
          thresholds: { min_customers: 100, min_repeat_customers: 20 },
        })
        await seedSegmentableStore(container)
        const full = await api.get("/admin/personalization/readiness", headers)
        // 30 one-order, 40 two-order and 50 six-order customers.
        expect(full.data.readiness).toEqual(
          expect.objectContaining({ segmentation: { ready: true, missing: [] }, orders: 30 + 80 + 300, customers: 120, repeat_customers: 90 })
        )
        const noAuth = await api.get("/admin/personalization/readiness").catch((e: any) => e.response)
        expect(noAuth.status).toBe(401)
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
        const customers = await seedSegmentableStore(container)
        await runSegmentationWorkflow(container).run({ input: {} })
        const leaving = customers[100]
        expect((await memberships(container)).map((m) => m.customer_id)).toContain(leaving.id)
        await andWaitFor(container, "customer.deleted", () =>
          deleteCustomersWorkflow(container).run({ input: { ids: [leaving.id] } })
        )
        expect(await rowsMentioning(container, leaving.id)).toEqual(expect.objectContaining({ found: 0 }))
      })
    })

    describe("customer groups of segments", () => {

      it("keeps one group per segment with exactly its members, and never touches a group made by hand", async () => {
        const container = getContainer()
        const customers = await seedSegmentableStore(container)
        const customerModule = container.resolve(Modules.CUSTOMER)
        const byHand = await customerModule.createCustomerGroups({ name: "VIP (by hand)" })
        await customerModule.addCustomerToGroup({ customer_id: customers[0].id, customer_group_id: byHand.id })

        const { result } = await runSegmentationWorkflow(container).run({ input: {} })
        expect(result.status).toBe("completed")
        const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
        const segments = await service.listSegments({}, { take: null })
        expect(segments).toHaveLength(result.k as number)
        const members = await memberships(container)
        for (const segment of segments) {
          expect(segment.customer_group_id).toEqual(expect.stringMatching(/^cusgroup_/))
          const group = await customerModule.retrieveCustomerGroup(segment.customer_group_id as string)
          expect(group.name).toBe(groupName(segment))
          expect(await groupMembers(container, group.id)).toEqual(
            members.filter((m) => m.segment_key === segment.key).map((m) => m.customer_id).sort()
          )
        }
        expect(await groupMembers(container, byHand.id)).toEqual([customers[0].id])
        expect((await customerModule.retrieveCustomerGroup(byHand.id)).name).toBe("VIP (by hand)")
      })

      it("moves customers by difference, keeps control customers out, and deletes the group of a vanished segment", async () => {
        const container = getContainer()
        await seedSegmentableStore(container)
        await runSegmentationWorkflow(container).run({ input: {} })
        const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
        const segments = await service.listSegments({}, { take: null, order: { key: "ASC" } })
        const members = await memberships(container)
        // A new segmentation in which the last segment is gone (its customers join the first),
        // and the first customer of the first segment is in the control group.
        const [first] = segments
        const last = segments[segments.length - 1]
        const keys = members.map((m) => (m.segment_key === last.key ? first.key : m.segment_key))
        const control = members.findIndex((m) => m.segment_key === first.key)
        const { removed } = await service.replaceSegmentation(
          "pzsr_test",
          segments.slice(0, -1).map((s) => ({ key: s.key, name: s.name, description: s.description, centre: s.centre as Record<string, number>, size: s.size })),
          { customerIds: members.map((m) => m.customer_id), keys, inControl: members.map((_, i) => i === control) }
        )
        expect(removed).toEqual([{ key: last.key, customer_group_id: last.customer_group_id }])
        await syncSegmentGroupsWorkflow(container).run({ input: { removed } })

        const expected = members
          .filter((m, i) => keys[i] === first.key && i !== control)
          .map((m) => m.customer_id)
          .sort()
        expect(await groupMembers(container, first.customer_group_id as string)).toEqual(expected)
        const customerModule = container.resolve(Modules.CUSTOMER)
        expect(await customerModule.listCustomerGroups({ id: last.customer_group_id as string })).toEqual([])
      })

      it("takes a deleted customer out of the segment groups", async () => {
        const container = getContainer()
        const customers = await seedSegmentableStore(container)
        await runSegmentationWorkflow(container).run({ input: {} })
        const leaving = customers[110]
        const before = await container.resolve(Modules.CUSTOMER).listCustomerGroupCustomers({ customer_id: leaving.id }, { take: null })
        expect(before).toHaveLength(1)
        await andWaitFor(container, "customer.deleted", () => deleteCustomersWorkflow(container).run({ input: { ids: [leaving.id] } }))
        expect(await container.resolve(Modules.CUSTOMER).listCustomerGroupCustomers({ customer_id: leaving.id }, { take: null })).toEqual([])
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
