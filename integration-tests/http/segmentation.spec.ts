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
import { andWaitFor, pg, rowsMentioning, storeCurrency } from "../helpers/store"
import { groupMembers, PREDICTABLE, seedPredictableStore, seedSegmentableStore } from "../helpers/segments"

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

        // No one who had ordered 90 days ago has ordered since: nothing to learn a purchase
        // prediction from, so the run completes with null scores and says why.
        expect(run).toEqual(
          expect.objectContaining({
            prediction_window_days: 90,
            prediction_currency_code: await storeCurrency(container),
            prediction_training_customers: 70,
            prediction_scored_customers: 0,
            prediction_validation: null,
          })
        )
        expect(run.prediction_reason).toMatch(
          /^not enough history to fit the purchase prediction: 70 customers with an order before \S+ \(100 needed\), 0 of them bought again in the 90 days after \(5 needed\)$/
        )
        expect(page.data.prediction).toEqual({ run_id: run.id, window_days: 90, currency_code: run.prediction_currency_code, reason: run.prediction_reason })
        for (const m of page.data.customers) expect(m).toEqual(expect.objectContaining({ buy_probability: null, expected_spend: null }))
        const scores = await api.get(`/admin/personalization/customers/${members[0].customer_id}/scores`, headers)
        expect(scores.status).toBe(200)
        expect(scores.data.scores).toEqual(
          expect.objectContaining({ buy_probability: null, expected_spend: null, prediction_reason: run.prediction_reason, run_id: run.id })
        )
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

    describe("purchase prediction", () => {
      it("scores every segmented customer, recent repeat buyers above long-lapsed one-time buyers, and no opted-out customer", async () => {
        const container = getContainer()
        const headers = await adminHeaders(container)
        const customers = await seedPredictableStore(container, { optOut: 3 })
        const { result } = await runSegmentationWorkflow(container).run({ input: {} })
        expect(result).toEqual(expect.objectContaining({ status: "completed", customers: 117 }))

        const { data: { run } } = await api.get(`/admin/personalization/segmentation/runs/${result.id}`, headers)
        const currency = await storeCurrency(container)
        // All 117 had ordered 90 days ago; 47 regulars and 30 occasional buyers ordered since.
        expect(run).toEqual(
          expect.objectContaining({
            prediction_window_days: 90,
            prediction_currency_code: currency,
            prediction_training_customers: 117,
            prediction_scored_customers: 117,
            prediction_reason: null,
          })
        )
        expect(run.prediction_validation.buy_rate).toBeCloseTo(77 / 117, 10)
        // Out-of-fold on its own training rows, where the planted behaviours are plain.
        expect(run.prediction_validation.auc).toBeGreaterThan(0.9)
        expect(run.prediction_validation.auc).toBeLessThanOrEqual(1)
        expect(run.prediction_validation.spearman).toBeGreaterThan(0)

        const { rows } = await pg(container).raw(
          `SELECT customer_id, segment_key, in_control, buy_probability, expected_spend, run_id FROM personalization_customer_segment`
        )
        const rowOf = new Map(rows.map((r) => [r.customer_id as string, r as { segment_key: string; buy_probability: number; expected_spend: number }]))
        expect(rows).toHaveLength(117)
        for (const r of rows) {
          expect(r.run_id).toBe(run.id)
          expect(r.buy_probability).toBeGreaterThanOrEqual(0)
          expect(r.buy_probability).toBeLessThanOrEqual(1)
          expect(r.expected_spend).toBeGreaterThanOrEqual(0)
        }
        for (const optedOut of customers.slice(0, 3)) expect(rowOf.has(optedOut.id)).toBe(false)

        const scoresOf = (from: number, to: number) => customers.slice(from, to).map((c) => rowOf.get(c.id)!)
        const regular = scoresOf(3, PREDICTABLE.regular[1])
        const lapsed = scoresOf(...PREDICTABLE.lapsed)
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
        expect(Math.min(...regular.map((r) => r.buy_probability))).toBeGreaterThan(Math.max(...lapsed.map((r) => r.buy_probability)))
        expect(mean(regular.map((r) => r.expected_spend))).toBeGreaterThan(mean(lapsed.map((r) => r.expected_spend)))

        // The scores route and the segment's member list answer what the run stored.
        const one = customers[3]
        const stored = rowOf.get(one.id)!
        const scores = await api.get(`/admin/personalization/customers/${one.id}/scores`, headers)
        expect(scores.status).toBe(200)
        expect(scores.data.scores).toEqual({
          customer_id: one.id,
          segment: { key: stored.segment_key, name: expect.any(String) },
          in_control: false,
          buy_probability: stored.buy_probability,
          expected_spend: stored.expected_spend,
          currency_code: currency,
          window_days: 90,
          prediction_reason: null,
          run_id: run.id,
          scored_at: run.as_of,
        })
        const { data: { segments } } = await api.get("/admin/personalization/segments", headers)
        expect(scores.data.scores.segment.name).toBe(segments.find((s: { key: string }) => s.key === stored.segment_key).name)
        const page = await api.get(`/admin/personalization/segments/${stored.segment_key}/customers?limit=500`, headers)
        expect(page.data.prediction).toEqual({ run_id: run.id, window_days: 90, currency_code: currency, reason: null })
        expect(page.data.customers.length).toBeGreaterThan(0)
        for (const m of page.data.customers) {
          const r = rowOf.get(m.customer_id)!
          expect(m).toEqual({ customer_id: m.customer_id, in_control: false, buy_probability: r.buy_probability, expected_spend: r.expected_spend })
        }

        const optedOut = await api.get(`/admin/personalization/customers/${customers[0].id}/scores`, headers).catch((e: any) => e.response)
        expect(optedOut.status).toBe(404)
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
          ["get", "/admin/personalization/customers/cus_x/scores"],
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
        const scores = await api.get("/admin/personalization/customers/cus_nope/scores", headers).catch((e: any) => e.response)
        expect(scores.status).toBe(404)
        expect(scores.data.message).toContain("cus_nope")
        const query = await api.get("/admin/personalization/customers/cus_nope/scores?colour=blue", headers).catch((e: any) => e.response)
        expect(query.status).toBe(400)
        expect(query.data.message).toContain("colour")
      })
    })
  },
})
