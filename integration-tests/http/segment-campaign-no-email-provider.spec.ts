/**
 * A shop without a notification provider for `email` (Medusa's default: `feed` only): sending a
 * campaign's messages fails with Medusa's own message, recorded on the send and per customer.
 */
process.env.PZ_TEST_NOTIFICATION = "feed-only"

import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { PersonalizationEvents } from "../../src/events"
import { runSegmentation } from "../../src/workflows/runs"
import { adminHeaders } from "../helpers/admin"
import { campaignWithMessage } from "../helpers/campaigns"
import { seedSegmentableStore } from "../helpers/segments"
import { andWaitFor } from "../helpers/store"

jest.setTimeout(300_000)

afterAll(() => {
  delete process.env.PZ_TEST_NOTIFICATION
})

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    it("fails the send with Medusa's message when no provider serves the email channel", async () => {
      const container = getContainer()
      const headers = await adminHeaders(container)
      await seedSegmentableStore(container, { emailPrefix: "noemail" })
      expect((await runSegmentation(container)).status).toBe("completed")
      const { campaign, treated } = await campaignWithMessage(container, api, headers)
      await andWaitFor(container, PersonalizationEvents.SEGMENT_CAMPAIGN_MESSAGES_REQUESTED, () =>
        api.post(`/admin/personalization/campaigns/${campaign.id}/messages`, {}, headers)
      )
      const { data } = await api.get(`/admin/personalization/campaigns/${campaign.id}/messages`, headers)
      expect(data.sends[0]).toMatchObject({ status: "completed", sent: 0, failed: treated.length })
      expect(data.sends[0].error).toMatch(/^Could not find a notification provider for channel: email/)
      expect(data.counts).toEqual({ success: 0, failure: treated.length })
      expect(data.failures[0].error).toMatch(/^Could not find a notification provider for channel: email/)
    })
  },
})
