/**
 * Failing messages, with a provider on the `email` channel that refuses recipients whose address
 * contains "+fail" (integration-tests/fixtures/flaky-notification): the batch call throws after
 * the others were sent, the send records per customer what the notification module stored, the
 * campaign's messages show the failures with the provider's error, and a retry sends only the
 * failed ones, each once.
 */
process.env.PZ_TEST_NOTIFICATION = "flaky"

import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import { PersonalizationEvents } from "../../src/events"
import { runSegmentation } from "../../src/workflows/runs"
import { adminHeaders } from "../helpers/admin"
import { seedSegmentableStore } from "../helpers/segments"
import { andWaitFor, pg } from "../helpers/store"
import { campaignWithMessage } from "../helpers/campaigns"

jest.setTimeout(300_000)

const sends = () => ((globalThis as { __flakyNotificationSends?: { to: string; ok: boolean }[] }).__flakyNotificationSends ??= [])

afterAll(() => {
  delete process.env.PZ_TEST_NOTIFICATION
})

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    it("records failed messages with the provider's error and retries only those", async () => {
      const container = getContainer()
      const headers = await adminHeaders(container)
      await seedSegmentableStore(container, { emailPrefix: "flaky" })
      expect((await runSegmentation(container)).status).toBe("completed")
      const { campaign, treated } = await campaignWithMessage(container, api, headers)
      const customers = container.resolve(Modules.CUSTOMER)
      const failing = treated.slice(0, 2)
      for (const id of failing) await customers.updateCustomers(id, { email: `${id}+fail@example.com` })

      const start = sends().length
      const send = () => andWaitFor<{ status: number }>(container, PersonalizationEvents.SEGMENT_CAMPAIGN_MESSAGES_REQUESTED, () =>
        api.post(`/admin/personalization/campaigns/${campaign.id}/messages`, {}, headers)
      )
      expect((await send()).status).toBe(202)
      // Every treated customer was tried once; the two refused ones failed.
      expect(sends().slice(start).map((s) => s.to).sort()).toHaveLength(treated.length)
      expect(sends().slice(start).filter((s) => !s.ok).map((s) => s.to).sort()).toEqual(failing.map((id) => `${id}+fail@example.com`).sort())

      const { data } = await api.get(`/admin/personalization/campaigns/${campaign.id}/messages`, headers)
      expect(data.counts).toEqual({ success: treated.length - 2, failure: 2 })
      expect(data.sends[0]).toMatchObject({ status: "completed", sent: treated.length - 2, failed: 2 })
      expect(data.sends[0].error).toMatch(/mailbox of .*\+fail@example\.com is full/)
      expect(data.failures.map((f: { customer_id: string }) => f.customer_id).sort()).toEqual([...failing].sort())
      for (const f of data.failures) expect(f.error).toContain(`mailbox of ${f.customer_id}+fail@example.com is full`)

      // The mailboxes are fixed; a retry sends the two failed messages and nothing else.
      for (const id of failing) await customers.updateCustomers(id, { email: `${id}@example.com` })
      const retryStart = sends().length
      expect((await send()).status).toBe(202)
      expect(sends().slice(retryStart)).toEqual(failing.map((id) => ({ to: `${id}@example.com`, ok: true })).sort((a, b) => a.to.localeCompare(b.to)))
      const { data: after } = await api.get(`/admin/personalization/campaigns/${campaign.id}/messages`, headers)
      expect(after.counts).toEqual({ success: treated.length, failure: 0 })
      expect(after.failures).toEqual([])
      // One notification row per treated customer, each delivered.
      const { rows } = await pg(container).raw(
        `SELECT idempotency_key, status FROM notification WHERE resource_id = ? ORDER BY idempotency_key`,
        [campaign.id]
      )
      expect(rows.map((r) => r.idempotency_key)).toEqual(treated.map((id) => `campaign:${campaign.id}:${id}`).sort())
      expect(rows.every((r) => r.status === "success")).toBe(true)
    })
  },
})
