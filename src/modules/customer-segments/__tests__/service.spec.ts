import { moduleIntegrationTestRunner } from "@medusajs/test-utils"
import { testDatabaseName } from "../../../../integration-tests/helpers/test-run"
import { CUSTOMER_SEGMENTS_MODULE } from ".."
import type CustomerSegmentsService from "../service"
import type { RunDetails } from "../service"

jest.setTimeout(60_000)

const details = (customers: number): RunDetails => ({
  customers,
  as_of: new Date(),
  k: 2,
  silhouette: 0.5,
  inertia: 1,
  criterion: "test",
  scaling: {},
  prediction_window_days: 90,
  prediction_currency_code: "eur",
  prediction_training_customers: null,
  prediction_scored_customers: 0,
  prediction_validation: null,
  prediction_reason: "none",
  started_at: new Date(Date.now() - 1000),
})

const segment = (key: string, size: number) => ({ key, name: key.toUpperCase(), description: "", centre: { recency: 1 }, size })

moduleIntegrationTestRunner<CustomerSegmentsService>({
  moduleName: CUSTOMER_SEGMENTS_MODULE,
  resolve: "./src/modules/customer-segments",
  dbName: testDatabaseName("customer_segments"),
  testSuite: ({ service, MikroOrmWrapper }) => {
    async function stagedRun(members: [string, string][]) {
      const run = await service.createSegmentationRuns({ status: "running" })
      const keys = [...new Set(members.map(([, key]) => key))]
      await service.stageSegmentation(
        run.id,
        keys.map((k) => segment(k, members.filter(([, key]) => key === k).length)),
        { customerIds: members.map(([c]) => c), keys: members.map(([, k]) => k), inControl: members.map(() => false) }
      )
      return run.id
    }

    it("keeps readers on the current run until a staged run is published, then prunes the old memberships", async () => {
      const first = await stagedRun([["cus_1", "seg-1"], ["cus_2", "seg-2"]])
      expect(await service.getCurrentRunId()).toBeNull()
      expect(await service.publishRun(first, details(2))).toEqual({ previous_run_id: null })
      await service.updateSegments({ selector: { run_id: first, key: "seg-1" }, data: { customer_group_id: "cusgroup_1" } })

      const second = await stagedRun([["cus_1", "seg-2"], ["cus_2", "seg-2"], ["cus_3", "seg-1"]])
      // Staged, not current: readers still see the first run.
      expect(await service.getCurrentRunId()).toBe(first)
      expect((await service.getCurrentMembership("cus_1"))?.segment_key).toBe("seg-1")
      // A staged segment keeps the group of its key.
      expect((await service.listSegments({ run_id: second, key: "seg-1" }))[0].customer_group_id).toBe("cusgroup_1")

      const changes = await service.listSegmentChanges(second, first)
      expect(changes.changed).toBe(2) // cus_1 moved, cus_3 is new
      expect(Object.fromEntries(changes.bySegment)).toEqual({
        "seg-1": { added: ["cus_3"], removed: ["cus_1"] },
        "seg-2": { added: ["cus_1"], removed: [] },
      })

      expect(await service.publishRun(second, details(3))).toEqual({ previous_run_id: first })
      expect(await service.getCurrentRunId()).toBe(second)
      expect((await service.getCurrentMembership("cus_1"))?.segment_key).toBe("seg-2")
      expect(await service.pruneMemberships(second)).toBe(2)
      // The first run's segments stay: they are the history.
      expect((await service.listSegments({ run_id: first }, { take: null })).map((s) => s.key).sort()).toEqual(["seg-1", "seg-2"])
      expect((await service.retrieveSegmentationRun(second)).status).toBe("completed")
    })

    it("discards a failed run's staged rows, and removes deleted customers from a staged run with its sizes", async () => {
      const run = await stagedRun([["cus_1", "seg-1"], ["cus_2", "seg-1"], ["cus_3", "seg-2"]])
      expect(await service.listRunMembersAmong(run, ["cus_2", "cus_9"])).toEqual(["cus_2"])
      expect(await service.removeRunMembers(run, ["cus_2"])).toBe(1)
      expect((await service.listSegments({ run_id: run, key: "seg-1" }))[0].size).toBe(1)
      expect(await service.listRunMembers(run, "seg-1")).toEqual(["cus_1"])
      await service.discardRun(run)
      expect(await service.listSegments({ run_id: run }, { take: null })).toEqual([])
      expect(await service.listCustomerSegments({ run_id: run }, { take: null })).toEqual([])
    })

    it("purges a customer from every run, staged ones included, and can put the rows back", async () => {
      const current = await stagedRun([["cus_1", "seg-1"]])
      await service.publishRun(current, details(1))
      const staged = await stagedRun([["cus_1", "seg-2"]])
      const rows = await service.purgeCustomer("cus_1")
      expect(rows.map((r) => r.run_id).sort()).toEqual([current, staged].sort())
      expect(await service.listCustomerSegments({ customer_id: "cus_1" }, { take: null })).toEqual([])
      // Counted out of their segments' sizes (the staged run's too), and back in when restored.
      const size = async (run: string, key: string) => (await service.listSegments({ run_id: run, key }))[0].size
      expect([await size(current, "seg-1"), await size(staged, "seg-2")]).toEqual([0, 0])
      await service.restoreMemberships(rows)
      expect((await service.getCurrentMembership("cus_1"))?.segment_key).toBe("seg-1")
      expect([await size(current, "seg-1"), await size(staged, "seg-2")]).toEqual([1, 1])
      // Restoring twice changes nothing.
      await service.restoreMemberships(rows)
      expect(await size(current, "seg-1")).toBe(1)
    })

    it("marks only stale runs failed, with their staged rows gone", async () => {
      const stale = await stagedRun([["cus_1", "seg-1"]])
      const fresh = (await service.createSegmentationRuns({ status: "running" })).id
      await MikroOrmWrapper.forkManager().execute(`UPDATE personalization_segmentation_run SET updated_at = now() - interval '10 minutes' WHERE id = ?`, [stale])
      expect(await service.failStaleRuns(240, "dead")).toEqual([stale])
      expect(await service.retrieveSegmentationRun(stale)).toEqual(expect.objectContaining({ status: "failed", reason: "dead" }))
      expect((await service.retrieveSegmentationRun(fresh)).status).toBe("running")
      expect(await service.listCustomerSegments({ run_id: stale }, { take: null })).toEqual([])
    })
  },
})
