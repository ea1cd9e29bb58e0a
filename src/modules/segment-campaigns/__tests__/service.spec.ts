import { moduleIntegrationTestRunner } from "@medusajs/test-utils"
import { testDatabaseName } from "../../../../integration-tests/helpers/test-run"
import { SEGMENT_CAMPAIGNS_MODULE } from ".."
import type SegmentCampaignsService from "../service"

jest.setTimeout(60_000)

const day = 86_400_000

moduleIntegrationTestRunner<SegmentCampaignsService>({
  moduleName: SEGMENT_CAMPAIGNS_MODULE,
  resolve: "./src/modules/segment-campaigns",
  dbName: testDatabaseName("segment_campaigns"),
  testSuite: ({ service }) => {
    async function campaign(overrides: Record<string, unknown> = {}) {
      return service.createSegmentCampaigns({
        name: "Test",
        segment_key: "seg-1",
        segment_name: "Champions",
        segmentation_run_id: "run_1",
        control_share: 0.1,
        starts_at: new Date(Date.now() - day),
        ends_at: new Date(Date.now() + 10 * day),
        promotion: {},
        currency_code: "eur",
        excluded: {},
        ...overrides,
      })
    }

    it("finds the customers of running campaigns only", async () => {
      const running = await campaign()
      const ended = await campaign({ status: "ended" })
      const past = await campaign({ ends_at: new Date(Date.now() - 1000) })
      await service.insertMembers(running.id, [{ customer_id: "c1", arm: "treatment" }, { customer_id: "c2", arm: "control" }])
      await service.insertMembers(ended.id, [{ customer_id: "c3", arm: "treatment" }])
      await service.insertMembers(past.id, [{ customer_id: "c4", arm: "treatment" }])
      expect([...(await service.listCustomersInRunningCampaigns(new Date()))].sort()).toEqual(["c1", "c2"])
    })

    it("takes customers out of every campaign, counts them as left per arm, and puts them back exactly", async () => {
      const a = await campaign()
      const b = await campaign()
      await service.insertMembers(a.id, [{ customer_id: "c1", arm: "treatment" }, { customer_id: "c2", arm: "control" }, { customer_id: "c3", arm: "treatment" }])
      await service.insertMembers(b.id, [{ customer_id: "c1", arm: "control" }])
      const removed = await service.removeMembers(["c1"])
      expect(removed.map((r) => [r.campaign_id, r.arm]).sort()).toEqual([[a.id, "treatment"], [b.id, "control"]].sort())
      expect(await service.listAllMembers(a.id)).toEqual([{ customer_id: "c2", arm: "control" }, { customer_id: "c3", arm: "treatment" }])
      const left = async (id: string) => {
        const c = await service.retrieveSegmentCampaign(id)
        return [c.left_treatment, c.left_control]
      }
      expect(await left(a.id)).toEqual([1, 0])
      expect(await left(b.id)).toEqual([0, 1])
      // Only from one campaign.
      expect((await service.removeMembers(["c2", "c9"], b.id)).length).toBe(0)
      await service.restoreMembers(removed)
      expect(await service.listAllMembers(b.id)).toEqual([{ customer_id: "c1", arm: "control" }])
      expect(await left(a.id)).toEqual([0, 0])
      expect(await left(b.id)).toEqual([0, 0])
    })

    it("lists the treated customers without a delivered message, and counts attempts", async () => {
      const a = await campaign()
      await service.insertMembers(a.id, ["c1", "c2", "c3", "c4"].map((customer_id, i) => ({ customer_id, arm: i === 3 ? "control" : "treatment" })))
      expect(await service.listUndelivered(a.id, "", 10)).toEqual(["c1", "c2", "c3"])
      await service.recordMessages(a.id, [
        { customer_id: "c1", status: "success", notification_id: "noti_1", error: null },
        { customer_id: "c2", status: "failure", notification_id: "noti_2", error: "mailbox full" },
      ])
      expect(await service.listUndelivered(a.id, "", 10)).toEqual(["c2", "c3"])
      expect(await service.listUndelivered(a.id, "c2", 10)).toEqual(["c3"])
      expect(await service.countUndelivered(a.id)).toBe(2)
      await service.recordMessages(a.id, [{ customer_id: "c2", status: "success", notification_id: "noti_3", error: null }])
      const [row] = await service.listSegmentCampaignMessages({ id: `${a.id}:c2` })
      expect(row).toMatchObject({ status: "success", notification_id: "noti_3", error: null, attempts: 2 })
      expect(row.sent_at).not.toBeNull()
      expect(await service.countMessages(a.id)).toEqual({ success: 2, failure: 0 })
      // A purge takes a customer's messages out everywhere; restoring puts them back.
      const purged = await service.purgeCustomerMessages("c2")
      expect(await service.countMessages(a.id)).toEqual({ success: 1, failure: 0 })
      await service.restoreMessages(purged)
      expect(await service.countMessages(a.id)).toEqual({ success: 2, failure: 0 })
    })

    it("stores a report's headline and replaces its days", async () => {
      const a = await campaign()
      const report = (revenue: number) => ({
        currency_code: "eur",
        window: { starts_at: "", observed_until: "", days: 2, pre_period_starts_at: "" },
        arms: {} as never,
        uplift: null,
        unmeasurable_reason: "x",
        days: [
          { day: "2026-01-01", arm: "treatment" as const, customers: 3, buyers: 1, orders: 1, revenue },
          { day: "2026-01-02", arm: "treatment" as const, customers: 3, buyers: 2, orders: 2, revenue: revenue * 2 },
        ],
      })
      await service.storeReport(a.id, report(10))
      await service.storeReport(a.id, report(25.5))
      expect(await service.listDays(a.id)).toEqual([
        { day: "2026-01-01", arm: "treatment", customers: 3, buyers: 1, orders: 1, revenue: 25.5 },
        { day: "2026-01-02", arm: "treatment", customers: 3, buyers: 2, orders: 2, revenue: 51 },
      ])
      const stored = await service.retrieveSegmentCampaign(a.id)
      expect(stored.report).toMatchObject({ unmeasurable_reason: "x" })
      expect((stored.report as Record<string, unknown>).days).toBeUndefined()
      // Deleting the campaign takes every row with it.
      await service.deleteCampaignCascade(a.id)
      expect(await service.listDays(a.id)).toEqual([])
      expect(await service.listSegmentCampaigns({ id: a.id })).toEqual([])
    })
  },
})
