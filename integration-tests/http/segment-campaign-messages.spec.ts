/**
 * A segment campaign's personalised message with Medusa's local notification provider on the
 * `email` channel (the dev app's configuration): counted from the notification module's own
 * rows, every treated customer gets exactly one message carrying their own recommendations,
 * control and opted-out customers none, and sending again sends nothing more.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { PersonalizationEvents } from "../../src/events"
import { candidatesOf } from "../../src/lib/candidates"
import { RECOMMENDATIONS_MODULE } from "../../src/modules/recommendations"
import type RecommendationsService from "../../src/modules/recommendations/service"
import { CUSTOMER_SEGMENTS_MODULE } from "../../src/modules/customer-segments"
import type CustomerSegmentsService from "../../src/modules/customer-segments/service"
import { runSegmentation, runTraining } from "../../src/workflows/runs"
import { adminHeaders } from "../helpers/admin"
import { seedRecommendableStore } from "../helpers/recommendations"
import { andWaitFor, pg } from "../helpers/store"

jest.setTimeout(300_000)

type Message = { id: string; to: string; channel: string; template: string; receiver_id: string; idempotency_key: string; status: string; data: Record<string, any> }

async function campaignNotifications(container: MedusaContainer, campaignId: string): Promise<Message[]> {
  const notifications = container.resolve(Modules.NOTIFICATION) as unknown as { listNotifications: (f: object, c: object) => Promise<Message[]> }
  return notifications.listNotifications({ resource_id: campaignId }, { take: null, order: { receiver_id: "ASC" } })
}

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    it("sends every treated customer one message with their own recommendations, and nothing twice", async () => {
      const container = getContainer()
      const headers = await adminHeaders(container)
      const store = await seedRecommendableStore(container)
      // The tea drinkers' orders were placed in the store's region: their prices are known.
      await pg(container).raw(`UPDATE "order" SET region_id = ? WHERE email ~ '^rec-[0-9]*[02468]@'`, [store.region.id])
      expect((await runSegmentation(container)).status).toBe("completed")
      const version = await runTraining(container)
      expect(version.status).toBe("active")
      // The segment whose members' personal lists differ most (tea and coffee drinkers), so that
      // "their own recommendations" cannot pass with one list for everybody.
      const segmentsService = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
      const runId = (await segmentsService.getCurrentRunId()) as string
      const lists = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
      const ownList = async (customerId: string) => {
        const stored = await lists.getActiveList("customer", customerId)
        return stored ? candidatesOf(stored, "personal").map((c) => c.product_id) : []
      }
      let segment = null as null | { key: string; distinct: number }
      for (const s of await segmentsService.listCurrentSegments()) {
        const ids = await segmentsService.listRunMembers(runId, s.key)
        const distinct = new Set(await Promise.all(ids.map(async (id) => JSON.stringify((await ownList(id)).slice(0, 3))))).size
        if (!segment || distinct > segment.distinct) segment = { key: s.key, distinct }
      }
      expect(segment!.distinct).toBeGreaterThan(1)

      const created = await api.post(
        "/admin/personalization/campaigns",
        {
          name: "Tea and coffee",
          segment_key: segment!.key,
          control_share: 0.3,
          ends_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
          status: "active",
          promotion: { type: "percentage", value: 15, is_automatic: true },
          message: { recommendations: 3 },
        },
        headers
      )
      expect(created.status).toBe(200)
      const campaign = created.data.campaign
      expect(campaign.promotion_code).toMatch(/^[A-Z0-9-]+-[A-Z2-9]{6}$/)
      const { rows: members } = await pg(container).raw(
        `SELECT customer_id, arm FROM personalization_segment_campaign_member WHERE campaign_id = ? ORDER BY customer_id`,
        [campaign.id]
      )
      const treated = members.filter((m) => m.arm === "treatment").map((m) => m.customer_id as string)
      const control = members.filter((m) => m.arm === "control").map((m) => m.customer_id as string)
      expect(control.length).toBeGreaterThan(0)
      // One treated customer opts out after creation, through a plain metadata update (no event).
      const optedOut = treated[0]
      await container.resolve(Modules.CUSTOMER).updateCustomers(optedOut, { metadata: { personalization_opt_out: "true" } })

      const queued = await andWaitFor<{ status: number }>(container, PersonalizationEvents.SEGMENT_CAMPAIGN_MESSAGES_REQUESTED, () =>
        api.post(`/admin/personalization/campaigns/${campaign.id}/messages`, {}, headers)
      )
      expect(queued.status).toBe(202)
      const sent = await campaignNotifications(container, campaign.id)
      const expected = treated.slice(1)
      expect(sent.map((n) => n.receiver_id)).toEqual(expected)
      expect(new Set(sent.map((n) => n.idempotency_key))).toEqual(new Set(expected.map((c) => `campaign:${campaign.id}:${c}`)))
      expect(sent.every((n) => n.channel === "email" && n.status === "success" && n.template === "personalization-segment-campaign")).toBe(true)
      for (const id of [...control, optedOut]) expect(sent.some((n) => n.receiver_id === id)).toBe(false)

      // Each message carries the code and the customer's own list: the first three products of
      // their stored personal list that the store may show (published), in order.
      const { rows: live } = await pg(container).raw(`SELECT id FROM product WHERE status = 'published' AND deleted_at IS NULL`)
      const published = new Set(live.map((row) => row.id as string))
      const emails = new Map(store.customers.map((c) => [c.id, c.email]))
      for (const n of sent) {
        const own = (await ownList(n.receiver_id)).filter((id) => published.has(id)).slice(0, 3)
        expect(own).toHaveLength(3)
        expect({ who: n.receiver_id, products: n.data.recommendations.map((r: { product_id: string }) => r.product_id) }).toEqual({ who: n.receiver_id, products: own })
        expect(n.to).toBe(emails.get(n.receiver_id))
        expect(n.data.promotion_code).toBe(campaign.promotion_code)
        for (const item of n.data.recommendations) {
          expect(typeof item.title).toBe("string")
          expect(item.reason.length).toBeGreaterThan(0)
        }
        const tea = /^rec-[0-9]*[02468]@/.test(n.to)
        expect({ to: n.to, price: n.data.recommendations[0].price }).toEqual({ to: n.to, price: tea ? { amount: 10, currency_code: expect.any(String) } : null })
      }
      // The lists differ between customers: tea drinkers get tea, coffee drinkers coffee.
      expect(new Set(sent.map((n) => JSON.stringify(n.data.recommendations.map((r: { product_id: string }) => r.product_id)))).size).toBeGreaterThan(1)

      const { data: state } = await api.get(`/admin/personalization/campaigns/${campaign.id}/messages`, headers)
      expect(state.counts).toEqual({ success: expected.length, failure: 0 })
      expect(state.sends[0]).toMatchObject({ status: "completed", total: expected.length, processed: expected.length, sent: expected.length, failed: 0 })
      expect(state.failures).toEqual([])
      const after = await api.get(`/admin/personalization/campaigns/${campaign.id}`, headers)
      expect(after.data.campaign.arms.treatment.left).toBe(1)

      // A second click: a new send that finds no one left to reach; the module holds the same rows.
      const again = await andWaitFor<{ status: number }>(container, PersonalizationEvents.SEGMENT_CAMPAIGN_MESSAGES_REQUESTED, () =>
        api.post(`/admin/personalization/campaigns/${campaign.id}/messages`, {}, headers)
      )
      expect(again.status).toBe(202)
      expect((await campaignNotifications(container, campaign.id)).map((n) => n.id)).toEqual(sent.map((n) => n.id))
      const { data: twice } = await api.get(`/admin/personalization/campaigns/${campaign.id}/messages`, headers)
      expect(twice.sends[0]).toMatchObject({ status: "completed", total: 0, sent: 0 })
    })
  },
})
