import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { CUSTOMER_SEGMENTS_MODULE } from "../../src/modules/customer-segments"
import type CustomerSegmentsService from "../../src/modules/customer-segments/service"
import { runSegmentation, runTraining } from "../../src/workflows/runs"
import { adminHeaders } from "../helpers/admin"
import { withOptions } from "../helpers/options"
import { type RecommendableStore, seedRecommendableStore, storeHeaders } from "../helpers/recommendations"
import { groupMembers, seedPredictableStore } from "../helpers/segments"
import { createCustomer, pg, storeCurrency } from "../helpers/store"

jest.setTimeout(300_000)

type Failure = { status: number; data: { message: string } }
const failure = (e: { response: unknown }) => e.response as Failure
type Served = { product: { id: string }; reason: { code: string; text: string } }
type Item = { product_id: string; title: string; handle: string; thumbnail: string | null; reason: string; reason_code: string }

async function membership(container: MedusaContainer, customerId: string) {
  const { rows } = await pg(container).raw(`SELECT run_id, segment_key, in_control, buy_probability, expected_spend FROM personalization_customer_segment WHERE customer_id = ?`, [customerId])
  return rows as { run_id: string; segment_key: string; in_control: boolean; buy_probability: number | null; expected_spend: number | null }[]
}

async function personalLists(container: MedusaContainer, customerId: string) {
  const { rows } = await pg(container).raw(`SELECT COUNT(*)::int AS n FROM personalization_recommendation_list WHERE kind = 'customer' AND subject_id = ?`, [customerId])
  return rows[0].n as number
}

async function createCampaign(api: any, headers: unknown, segmentKey: string, name: string) {
  const { data } = await api.post(
    "/admin/personalization/campaigns",
    {
      name,
      segment_key: segmentKey,
      control_share: 0.3,
      ends_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      status: "active",
      promotion: { type: "percentage", target: "order", value: 10, code: name.toUpperCase().replace(/\W/g, "") },
    },
    headers
  )
  return data.campaign as { id: string; name: string; customer_group_id: string; status: string }
}

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let store: RecommendableStore
    let predictable: { id: string; email: string }[]
    let admin: { headers: Record<string, string> }
    let versionId: string

    // The runner snapshots the database after beforeAll and restores it before every test: a
    // store with recommendations (122 customers) and a year of history (120 more), one active
    // version, and one segmentation run with purchase predictions.
    beforeAll(async () => {
      const container = getContainer()
      store = await seedRecommendableStore(container)
      predictable = (await seedPredictableStore(container)) as { id: string; email: string }[]
      admin = await adminHeaders(container)
      versionId = (await runTraining(container)).id
      const run = await runSegmentation(container)
      if (run.status !== "completed" || run.prediction_scored_customers === 0) throw new Error(`setup: segmentation ${run.status}, ${run.prediction_reason}`)
    })

    describe("customer insights", () => {
      it("gives a segmented customer's features, segment, prediction and campaign arm", async () => {
        const container = getContainer()
        const regular = predictable[0] // 12 orders of 30, the newest 5 days ago, the first 335 days ago
        const [member] = await membership(container, regular.id)
        const [run] = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).listSegmentationRuns({ id: member.run_id })
        const [segment] = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).listSegments({ run_id: member.run_id, key: member.segment_key })
        const { data } = await api.get(`/admin/personalization/customers/${regular.id}/insights`, admin)
        expect(data.insights).toEqual({
          customer_id: regular.id,
          opted_out: false,
          features: {
            orders: 12,
            spend: 360,
            currency_code: await storeCurrency(container),
            first_order_at: expect.any(String),
            last_order_at: expect.any(String),
            recency_days: 5,
          },
          segment: { key: member.segment_key, name: segment.name, in_control: member.in_control },
          no_segment_reason: null,
          prediction: {
            buy_probability: member.buy_probability,
            expected_spend: member.expected_spend,
            currency_code: run.prediction_currency_code,
            window_days: 90,
            scored_at: new Date(run.as_of as Date).toISOString(),
          },
          campaigns: [],
        })
        expect(member.buy_probability).toEqual(expect.any(Number))
        const days = (iso: string) => Math.round((Date.now() - new Date(iso).getTime()) / 86_400_000)
        expect([days(data.insights.features.first_order_at), days(data.insights.features.last_order_at)]).toEqual([335, 5])

        const campaign = await createCampaign(api, admin, member.segment_key, "Insights campaign")
        const { rows: [arm] } = await pg(container).raw(`SELECT arm FROM personalization_segment_campaign_member WHERE campaign_id = ? AND customer_id = ?`, [campaign.id, regular.id])
        const again = await api.get(`/admin/personalization/customers/${regular.id}/insights`, admin)
        expect(again.data.insights.campaigns).toEqual([{ id: campaign.id, name: "Insights campaign", arm: arm.arm, status: "active" }])
      })

      it("says why a customer has no segment: no order, opted out, or what the store still needs", async () => {
        const container = getContainer()
        const newcomer = await createCustomer(container)
        const { data: fresh } = await api.get(`/admin/personalization/customers/${newcomer.id}/insights`, admin)
        expect(fresh.insights).toEqual(
          expect.objectContaining({ customer_id: newcomer.id, opted_out: false, features: null, segment: null, prediction: null, campaigns: [] })
        )
        expect(fresh.insights.no_segment_reason).toMatch(/no counted order/)

        const optedOut = await createCustomer(container)
        await container.resolve(Modules.CUSTOMER).updateCustomers(optedOut.id, { metadata: { personalization_opt_out: true } })
        const { data: out } = await api.get(`/admin/personalization/customers/${optedOut.id}/insights`, admin)
        expect(out.insights.opted_out).toBe(true)
        expect(out.insights.no_segment_reason).toMatch(/opted out/)

        // No completed run, and a store below the readiness thresholds: the reason names what is missing.
        await pg(container).raw(`UPDATE personalization_segmentation_run SET status = 'failed'`)
        const { data: { readiness } } = await api.get("/admin/personalization/readiness", admin)
        const { data: below } = await withOptions({ readiness: { minCustomers: 1000 } }, () => api.get(`/admin/personalization/customers/${predictable[0].id}/insights`, admin) as Promise<{ data: any }>)
        expect(below.insights.features).toEqual(expect.objectContaining({ orders: 12 }))
        expect(below.insights.segment).toBeNull()
        expect(below.insights.no_segment_reason).toBe(`No segmentation run has completed yet: the store needs ${1000 - readiness.customers} more customers with an order.`)
        expect(readiness.customers).toBe(242)
      })
    })

    describe("recommendations for the admin", () => {
      it("match what the store routes serve: a customer's personal list, trending once opted out, a product's lists", async () => {
        const container = getContainer()
        const storeList = async (customer: { id: string }) => {
          const { data } = await api.get("/store/recommendations?limit=10", storeHeaders(store.mainKey, customer))
          return data as { list: string; recommendations: Served[] }
        }
        const served = await storeList(store.alice)
        expect(served.list).toBe("personal")
        const { data } = await api.get(`/admin/personalization/customers/${store.alice.id}/recommendations?limit=10&sales_channel_id=${store.main.id}`, admin)
        expect(data.list_type).toBe("personal")
        expect(data.version_id).toBe(versionId)
        expect(data.recommendations.map((r: Item) => [r.product_id, r.reason_code, r.reason])).toEqual(
          served.recommendations.map((r) => [r.product.id, r.reason.code, r.reason.text])
        )
        expect(data.recommendations[0]).toEqual({
          product_id: served.recommendations[0].product.id,
          title: expect.any(String),
          handle: expect.any(String),
          thumbnail: null,
          reason: served.recommendations[0].reason.text,
          reason_code: served.recommendations[0].reason.code,
        })
        // Without a channel, products of any channel qualify: the limit still holds.
        const anyChannel = await api.get(`/admin/personalization/customers/${store.alice.id}/recommendations?limit=3`, admin)
        expect(anyChannel.data.recommendations).toHaveLength(3)

        // Opted out (the flag set by any update): trending, as the store route would once the lists are gone.
        await container.resolve(Modules.CUSTOMER).updateCustomers(store.bob.id, { metadata: { personalization_opt_out: "true" } })
        const bob = await api.get(`/admin/personalization/customers/${store.bob.id}/recommendations?sales_channel_id=${store.main.id}`, admin)
        expect(bob.data.list_type).toBe("trending")
        const anonymous = await api.get("/store/recommendations?limit=10", storeHeaders(store.mainKey))
        expect(bob.data.recommendations.map((r: Item) => r.product_id)).toEqual(anonymous.data.recommendations.map((r: Served) => r.product.id))

        const tea = store.id("Tea 1")
        const { data: product } = await api.get(`/admin/personalization/products/${tea}/recommendations?limit=5&sales_channel_id=${store.main.id}`, admin)
        expect(product.version_id).toBe(versionId)
        for (const type of ["related", "bought_together"] as const) {
          const { data: fromStore } = await api.get(`/store/products/${tea}/recommendations?type=${type}&limit=5`, storeHeaders(store.mainKey))
          expect([type, product[type].map((r: Item) => [r.product_id, r.reason_code, r.reason])]).toEqual([
            type,
            fromStore.recommendations.map((r: Served) => [r.product.id, r.reason.code, r.reason.text]),
          ])
          expect(product[type].map((r: Item) => r.product_id)).not.toContain(tea)
        }
        expect(product.related[0].reason_code).toBe("related")
      })
    })

    describe("opt-out", () => {
      it("takes a customer out at once (segment row, segment group, personal lists, campaigns) and back in", async () => {
        const container = getContainer()
        const customer = predictable[0]
        const customers = container.resolve(Modules.CUSTOMER)
        await customers.updateCustomers(customer.id, { metadata: { note: "vip" } })
        const [member] = await membership(container, customer.id)
        const campaign = await createCampaign(api, admin, member.segment_key, "Opt-out campaign")
        const [segment] = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).listSegments({ run_id: member.run_id, key: member.segment_key })
        const groupsOf = async () => {
          const rows = await customers.listCustomerGroupCustomers({ customer_id: customer.id }, { take: null })
          return rows.map((r) => r.customer_group_id).sort()
        }
        const { rows: campaignRowsBefore } = await pg(container).raw(`SELECT arm FROM personalization_segment_campaign_member WHERE customer_id = ?`, [customer.id])
        expect(campaignRowsBefore).toHaveLength(1)
        expect(await personalLists(container, customer.id)).toBeGreaterThan(0)
        const before = await groupsOf()
        expect(before.length).toBeGreaterThan(0) // the segment's group (out of the standing holdout) or the campaign's treated group
        const storeBefore = await api.get("/store/recommendations", storeHeaders(store.mainKey, customer))
        expect(storeBefore.data.list).toBe("personal")

        const { status, data } = await api.post(`/admin/personalization/customers/${customer.id}/opt-out`, { opted_out: true }, admin)
        expect(status).toBe(200)
        expect(data).toEqual({ customer_id: customer.id, opted_out: true })
        const [after] = await customers.listCustomers({ id: customer.id }, { select: ["metadata"] })
        expect(after.metadata).toEqual({ note: "vip", personalization_opt_out: true })
        expect(await membership(container, customer.id)).toEqual([])
        const [shrunk] = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).listSegments({ run_id: member.run_id, key: member.segment_key })
        expect(shrunk.size).toBe(segment.size - 1)
        expect(await personalLists(container, customer.id)).toBe(0)
        expect(await groupsOf()).toEqual([])
        expect(await groupMembers(container, segment.customer_group_id as string)).not.toContain(customer.id)
        const { rows: campaignRows } = await pg(container).raw(`SELECT 1 FROM personalization_segment_campaign_member WHERE customer_id = ?`, [customer.id])
        expect(campaignRows).toEqual([])
        const { rows: [left] } = await pg(container).raw(`SELECT left_treatment + left_control AS n FROM personalization_segment_campaign WHERE id = ?`, [campaign.id])
        expect(left.n).toBe(1)
        expect((await api.get("/store/recommendations", storeHeaders(store.mainKey, customer))).data.list).toBe("trending")
        const insights = await api.get(`/admin/personalization/customers/${customer.id}/insights`, admin)
        expect(insights.data.insights).toEqual(expect.objectContaining({ opted_out: true, segment: null, prediction: null, campaigns: [] }))

        // The next run leaves them out.
        expect((await runSegmentation(container)).status).toBe("completed")
        expect(await membership(container, customer.id)).toEqual([])

        // Back in: the flag goes, the other metadata stays; the next run places them again.
        const back = await api.post(`/admin/personalization/customers/${customer.id}/opt-out`, { opted_out: false }, admin)
        expect(back.data).toEqual({ customer_id: customer.id, opted_out: false })
        const [restored] = await customers.listCustomers({ id: customer.id }, { select: ["metadata"] })
        expect(restored.metadata).toEqual({ note: "vip" })
        expect((await runSegmentation(container)).status).toBe("completed")
        expect(await membership(container, customer.id)).toHaveLength(1)
      })
    })

    describe("input and access", () => {
      it("answers 400 naming the field, 401 without a session, 404 for an unknown customer or product", async () => {
        const bad: [string, string, unknown, RegExp][] = [
          ["post", `/admin/personalization/customers/${store.alice.id}/opt-out`, {}, /opted_out/],
          ["post", `/admin/personalization/customers/${store.alice.id}/opt-out`, { opted_out: "yes" }, /opted_out/],
          ["post", `/admin/personalization/customers/${store.alice.id}/opt-out`, { opted_out: true, reason: "x" }, /reason/],
          ["get", `/admin/personalization/customers/${store.alice.id}/recommendations?limit=51`, null, /limit/],
          ["get", `/admin/personalization/customers/${store.alice.id}/recommendations?sales_channel_id=sc_nope`, null, /sales_channel_id/],
          ["get", `/admin/personalization/customers/${store.alice.id}/insights?x=1`, null, /x/],
          ["get", `/admin/personalization/products/${store.id("Tea 1")}/recommendations?limit=0`, null, /limit/],
        ]
        for (const [method, path, body, field] of bad) {
          const response = await (method === "get" ? api.get(path, admin) : api.post(path, body, admin)).catch(failure)
          expect([path, response.status]).toEqual([path, 400])
          expect([path, response.data.message]).toEqual([path, expect.stringMatching(field)])
        }
        const routes: [string, string][] = [
          ["get", `/admin/personalization/customers/${store.alice.id}/insights`],
          ["get", `/admin/personalization/customers/${store.alice.id}/recommendations`],
          ["post", `/admin/personalization/customers/${store.alice.id}/opt-out`],
          ["get", `/admin/personalization/products/${store.id("Tea 1")}/recommendations`],
        ]
        for (const [method, path] of routes) {
          const response = await (method === "get" ? api.get(path) : api.post(path, { opted_out: true })).catch(failure)
          expect([path, response.status]).toEqual([path, 401])
        }
        for (const [method, path] of [
          ["get", "/admin/personalization/customers/cus_nope/insights"],
          ["get", "/admin/personalization/customers/cus_nope/recommendations"],
          ["post", "/admin/personalization/customers/cus_nope/opt-out"],
          ["get", "/admin/personalization/products/prod_nope/recommendations"],
        ]) {
          const response = await (method === "get" ? api.get(path, admin) : api.post(path, { opted_out: true }, admin)).catch(failure)
          expect([path, response.status]).toEqual([path, 404])
          expect(response.data.message).toMatch(/_nope/)
        }
        // Nothing was written by the refused opt-outs.
        const [alice] = await getContainer().resolve(Modules.CUSTOMER).listCustomers({ id: store.alice.id }, { select: ["metadata"] })
        expect(alice.metadata ?? {}).toEqual({})
      })

      it("lists model versions with their holdout evaluation under documented keys", async () => {
        const { data } = await api.get("/admin/personalization/models", admin)
        const metrics = { recall20: expect.any(Number), ndcg10: expect.any(Number), hr10: expect.any(Number), coverage20: expect.any(Number) }
        expect(data.versions[0]).toEqual(expect.objectContaining({ id: versionId, status: "active" }))
        expect(data.versions[0].evaluation).toEqual({
          holdout_start: expect.any(Number),
          test_customers: expect.any(Number),
          candidate: metrics,
          active: null,
          popularity: metrics,
        })
      })
    })
  },
})
