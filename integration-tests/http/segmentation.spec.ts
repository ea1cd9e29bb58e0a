import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { deleteCustomersWorkflow } from "@medusajs/core-flows"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { PersonalizationEvents } from "../../src/events"
import { RUN_LOCK_KEYS } from "../../src/lib/run-lock"
import { CUSTOMER_SEGMENTS_MODULE } from "../../src/modules/customer-segments"
import type CustomerSegmentsService from "../../src/modules/customer-segments/service"
import { runSegmentation } from "../../src/workflows/runs"
import { deleteCustomerPurchaseFeaturesWorkflow } from "../../src/workflows/purchase-features"
import { runSegmentationWorkflow } from "../../src/workflows/segmentation"
import { adminHeaders } from "../helpers/admin"
import { blockWrites } from "../helpers/blocking"
import { withOptions } from "../helpers/options"
import { andWaitFor, pg, rowsMentioning, storeCurrency } from "../helpers/store"
import { groupMembers, PREDICTABLE, seedPredictableStore, seedSegmentableStore } from "../helpers/segments"

jest.setTimeout(240_000)

/** The current run's memberships. */
async function memberships(container: MedusaContainer) {
  const runId = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).getCurrentRunId()
  const { rows } = await pg(container).raw(
    `SELECT customer_id, segment_key, in_control FROM personalization_customer_segment WHERE run_id = ? ORDER BY customer_id`,
    [runId ?? ""]
  )
  return rows as { customer_id: string; segment_key: string; in_control: boolean }[]
}

/** Every plugin-owned group with its name and members, by segment key. */
async function segmentGroups(container: MedusaContainer) {
  const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const out: Record<string, { id: string; name: string; members: string[] }> = {}
  for (const s of await service.listCurrentSegments()) {
    const group = await container.resolve(Modules.CUSTOMER).retrieveCustomerGroup(s.customer_group_id as string)
    out[s.key] = { id: group.id, name: group.name as string, members: await groupMembers(container, group.id) }
  }
  return out
}

const databaseUrl = (container: MedusaContainer) => container.resolve(ContainerRegistrationKeys.CONFIG_MODULE).projectConfig.databaseUrl as string

// A hook handler for the test that injects a failure after the run is published; off unless a test turns it on.
let failAfterPublish = false
const hookCalls: { run_id: string; status: string; customers: number; k: number | null }[] = []
runSegmentationWorkflow.hooks.segmentationCompleted(async (input) => {
  hookCalls.push(input)
  if (failAfterPublish) throw new Error("injected failure after publishing")
})

// A customerPurged hook handler that fails the purge when a test asks it to.
let failPurge = false
deleteCustomerPurchaseFeaturesWorkflow.hooks.customerPurged(async () => {
  if (failPurge) throw new Error("injected failure at the end of the purge")
})

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    beforeEach(() => {
      failPurge = false
      failAfterPublish = false
      hookCalls.length = 0
    })

    describe("segmentation runs", () => {
      it("runs through the admin API: 202, then a completed run whose segments cover every customer", async () => {
        const container = getContainer()
        const headers = await adminHeaders(container)
        await seedSegmentableStore(container)

        const queued = await andWaitFor<{ status: number; data: { run_id: string; status: string } }>(
          container,
          PersonalizationEvents.SEGMENTATION_REQUESTED,
          () => api.post("/admin/personalization/segmentation/run", {}, headers)
        )
        expect(queued.status).toBe(202)
        expect(queued.data).toEqual({ run_id: expect.stringMatching(/^pzsr_/), status: "queued" })

        const { data: { run } } = await api.get(`/admin/personalization/segmentation/runs/${queued.data.run_id}`, headers)
        expect(run).toEqual(expect.objectContaining({ status: "completed", customers: 120, criterion: "silhouette-floor", progress: 1, reason: null }))
        expect(run.k).toBeGreaterThanOrEqual(3)
        expect(run.silhouette).toBeGreaterThan(0)
        expect(run.duration_ms).toBeGreaterThan(0)
        expect(run.scaling).toEqual(expect.objectContaining({ names: ["recency", "invoices", "spend"] }))

        const { data: { segments } } = await api.get("/admin/personalization/segments", headers)
        expect(segments).toHaveLength(run.k)
        expect(segments.reduce((n: number, s: { size: number }) => n + s.size, 0)).toBe(120)
        for (const s of segments) {
          expect(s).toEqual(expect.objectContaining({ key: expect.stringMatching(/^seg-\d+$/), name: expect.any(String), run_id: run.id }))
          expect(Object.keys(s.centre).sort()).toEqual(["frequency", "monetary", "recency_days"])
        }
        // The frequent big spenders (six orders each) share one segment, whose centre says so.
        const members = await memberships(container)
        expect(members).toHaveLength(120)
        const big = segments.find((s: { centre: { frequency: number } }) => s.centre.frequency > 5)
        expect(big).toBeDefined()

        const page = await api.get(`/admin/personalization/segments/${big.key}/customers?limit=5&offset=0`, headers)
        expect(page.data).toEqual(expect.objectContaining({ count: big.size, limit: 5, offset: 0, customers: expect.any(Array) }))
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

      it("keeps segment keys, names and memberships when nothing changed, keeps each run's segments as history, and leaves opted-out customers out", async () => {
        const container = getContainer()
        const customers = await seedSegmentableStore(container, { optOut: 3 })
        const first = await runSegmentation(container)
        expect(first).toEqual(expect.objectContaining({ status: "completed", customers: 117 }))
        const before = await memberships(container)
        const current = (runId: string) =>
          pg(container).raw(`SELECT key, name, size FROM personalization_segment WHERE run_id = ? ORDER BY key`, [runId]).then((r) => r.rows)
        const segmentsBefore = await current(first.id)

        const second = await runSegmentation(container)
        expect(second.status).toBe("completed")
        expect(await memberships(container)).toEqual(before)
        expect(await current(second.id)).toEqual(segmentsBefore)
        // The first run's segments stay as history; its memberships went once the second was current.
        expect(await current(first.id)).toEqual(segmentsBefore)
        const { rows: runs } = await pg(container).raw(`SELECT DISTINCT run_id FROM personalization_customer_segment`)
        expect(runs).toEqual([{ run_id: second.id }])
        const optedOut = new Set(customers.slice(0, 3).map((c) => c.id))
        expect(before.filter((m) => optedOut.has(m.customer_id))).toEqual([])
      })

      it("keeps the previous run's k unless another k wins by segmentation.kMargin", async () => {
        const container = getContainer()
        await seedSegmentableStore(container)
        const first = await runSegmentation(container)
        expect(first.status).toBe("completed")
        // Pretend the previous run chose another k (both are at least 4, the smallest k the criterion takes).
        const other = first.k === 4 ? 5 : 4
        await pg(container).raw(`UPDATE personalization_segmentation_run SET k = ? WHERE id = ?`, [other, first.id])
        // With a margin no silhouette difference can beat, the previous k stays.
        const kept = await withOptions({ segmentation: { kMargin: 0.5 } }, () => runSegmentation(container))
        expect(kept).toEqual(expect.objectContaining({ status: "completed", k: other }))
        const { data: { segments } } = await api.get("/admin/personalization/segments", await adminHeaders(container))
        expect(segments).toHaveLength(other)
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
        const result = await runSegmentation(container)
        expect(result).toEqual(
          expect.objectContaining({
            status: "skipped",
            reason: "not enough data: 0 customers with orders (100 needed), 0 repeat customers (20 needed)",
            progress: 1,
          })
        )
        expect(await memberships(container)).toEqual([])
        expect(hookCalls).toEqual([{ run_id: result.id, status: "skipped", customers: 0, k: null }])
      })

      it("removes a deleted customer's membership with the rest of their rows", async () => {
        const container = getContainer()
        const customers = await seedSegmentableStore(container)
        await runSegmentation(container)
        const leaving = customers[100]
        expect((await memberships(container)).map((m) => m.customer_id)).toContain(leaving.id)
        await andWaitFor(container, "customer.deleted", () => deleteCustomersWorkflow(container).run({ input: { ids: [leaving.id] } }))
        expect(await rowsMentioning(container, leaving.id)).toEqual(expect.objectContaining({ found: 0 }))
      })

      it("never puts back a customer deleted while the run was segmenting", async () => {
        const container = getContainer()
        const customers = await seedSegmentableStore(container)
        const leaving = customers[110]
        // The run reads every customer first, then waits to write its memberships: the customer
        // is deleted right then (soft-deleted in Medusa; no purge has run yet).
        const block = await blockWrites(databaseUrl(container), "personalization_customer_segment")
        const run = runSegmentation(container)
        try {
          await block.waitUntilBlocked()
          await container.resolve(Modules.CUSTOMER).softDeleteCustomers([leaving.id])
        } finally {
          await block.release()
        }
        const result = await run
        expect(result.status).toBe("completed")
        expect(result.customers).toBe(120) // read before the deletion
        const members = await memberships(container)
        expect(members.map((m) => m.customer_id)).not.toContain(leaving.id)
        expect(members).toHaveLength(119)
        expect(await container.resolve(Modules.CUSTOMER).listCustomerGroupCustomers({ customer_id: leaving.id }, { take: null })).toEqual([])
        const { rows } = await pg(container).raw(`SELECT COUNT(*)::int AS n FROM personalization_customer_segment WHERE customer_id = ?`, [leaving.id])
        expect(rows[0].n).toBe(0)
        // Sizes count who is in the segment now.
        const sizes = (await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).listCurrentSegments()).reduce((n, s) => n + s.size, 0)
        expect(sizes).toBe(119)
      })

      it("tells subscribers once per run what changed, in batches, and calls the segmentationCompleted hook with the result", async () => {
        const container = getContainer()
        await seedSegmentableStore(container)
        const eventBus = container.resolve(Modules.EVENT_BUS)
        const received: { name: string; data: Record<string, unknown> }[] = []
        const completed = async (event: { name: string; data: Record<string, unknown> }) => void received.push(event)
        eventBus.subscribe(PersonalizationEvents.SEGMENTATION_COMPLETED, completed as never, { subscriberId: "test-segmentation-completed" })
        eventBus.subscribe(PersonalizationEvents.SEGMENT_CUSTOMERS_CHANGED, completed as never, { subscriberId: "test-segment-changed" })

        const first = await runSegmentation(container)
        const second = await runSegmentation(container)
        await new Promise((r) => setTimeout(r, 500)) // the local event bus delivers on the next ticks
        const ofRun = (id: string, name: string) => received.filter((e) => e.data.run_id === id && e.name === name)
        expect(ofRun(first.id, PersonalizationEvents.SEGMENTATION_COMPLETED)).toEqual([
          expect.objectContaining({ data: { run_id: first.id, customers: 120, segments: first.k, changed: 120 } }),
        ])
        // The first run brings everyone in: one event per segment (each holds fewer than 1,000 ids), only additions.
        const changes = ofRun(first.id, PersonalizationEvents.SEGMENT_CUSTOMERS_CHANGED)
        expect(changes).toHaveLength(first.k as number)
        expect(changes.flatMap((e) => e.data.added as string[]).sort()).toEqual((await memberships(container)).map((m) => m.customer_id).sort())
        for (const e of changes) expect(e.data).toEqual(expect.objectContaining({ removed: [], customer_group_id: expect.stringMatching(/^cusgroup_/) }))
        // Nothing moved in the second run: one completed event, no change events.
        expect(ofRun(second.id, PersonalizationEvents.SEGMENTATION_COMPLETED)).toEqual([
          expect.objectContaining({ data: expect.objectContaining({ changed: 0 }) }),
        ])
        expect(ofRun(second.id, PersonalizationEvents.SEGMENT_CUSTOMERS_CHANGED)).toEqual([])
        expect(hookCalls).toEqual([
          { run_id: first.id, status: "completed", customers: 120, k: first.k },
          { run_id: second.id, status: "completed", customers: 120, k: second.k },
        ])
      })
    })

    describe("runs that stop without finishing", () => {
      it("marks a dead run failed when the next run of its kind is asked for, and leaves another process's live run alone", async () => {
        const container = getContainer()
        const headers = await adminHeaders(container)
        const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
        // A run whose process was killed: "running", not updated for ten minutes, its lock long gone.
        const dead = await service.createSegmentationRuns({ status: "running", started_at: new Date(Date.now() - 600_000), progress: 0.3 })
        await pg(container).raw(`UPDATE personalization_segmentation_run SET updated_at = now() - interval '10 minutes' WHERE id = ?`, [dead.id])
        // Nothing touches it merely because time passed or a process started.
        expect((await service.retrieveSegmentationRun(dead.id)).status).toBe("running")

        // Another process holds the segmentation lock (a live run, silent for as long): left alone.
        const locking = container.resolve(Modules.LOCKING)
        await locking.acquire(RUN_LOCK_KEYS.segmentation, { ownerId: "another-process", expire: 60 })
        try {
          const asked = await andWaitFor<{ data: { run_id: string } }>(container, PersonalizationEvents.SEGMENTATION_REQUESTED, () =>
            api.post("/admin/personalization/segmentation/run", {}, headers)
          )
          expect((await service.retrieveSegmentationRun(dead.id)).status).toBe("running")
          const skipped = await service.retrieveSegmentationRun(asked.data.run_id)
          expect(skipped).toEqual(expect.objectContaining({ status: "skipped", reason: expect.stringMatching(/^another segmentation run holds the lock/) }))
        } finally {
          await locking.release(RUN_LOCK_KEYS.segmentation, { ownerId: "another-process" })
        }

        // With the lock free, asking for a run marks the dead one failed, with the reason.
        const asked = await andWaitFor<{ data: { run_id: string } }>(container, PersonalizationEvents.SEGMENTATION_REQUESTED, () =>
          api.post("/admin/personalization/segmentation/run", {}, headers)
        )
        expect(await service.retrieveSegmentationRun(dead.id)).toEqual(
          expect.objectContaining({ status: "failed", reason: expect.stringMatching(/^the run stopped without finishing/) })
        )
        expect((await service.retrieveSegmentationRun(asked.data.run_id)).status).toBe("skipped") // an empty store: not enough data
      })
    })

    describe("purchase prediction", () => {
      it("scores every segmented customer, recent repeat buyers above long-lapsed one-time buyers, and no opted-out customer", async () => {
        const container = getContainer()
        const headers = await adminHeaders(container)
        const customers = await seedPredictableStore(container, { optOut: 3 })
        const result = await runSegmentation(container)
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
        // The model evaluate serves by default, fitted on all 117 (no sample below 50,000).
        expect(run.prediction_validation.model).toBe("purchase-model")
        expect(run.prediction_validation.fitted_customers).toBe(117)
        // Out-of-fold on its own training rows, where the planted behaviours are plain.
        expect(run.prediction_validation.auc).toBeGreaterThan(0.9)
        expect(run.prediction_validation.auc).toBeLessThanOrEqual(1)

        // The prediction came before the segments: their descriptions carry the buy-again
        // probability (the mean of their members' stored scores) and money in the store currency.
        const { data: { segments: described } } = await api.get("/admin/personalization/segments", headers)
        const symbol = new Intl.NumberFormat("en-GB", { style: "currency", currency }).formatToParts(1).find((p) => p.type === "currency")!.value
        for (const s of described) {
          const { rows: members } = await pg(container).raw(`SELECT buy_probability FROM personalization_customer_segment WHERE segment_key = ?`, [s.key])
          const probabilities = (members as { buy_probability: number }[]).map((r) => r.buy_probability)
          const mean = probabilities.reduce((a, b) => a + b, 0) / probabilities.length
          expect(s.description).toContain(`, ${Math.round(100 * mean)}% likely to order in the next 90 days`)
          expect(s.description).toContain(symbol)
        }

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
          expect(m).toEqual({
            customer_id: m.customer_id,
            email: expect.stringMatching(/^pred-\d+@example\.com$/),
            first_name: null,
            last_name: null,
            in_control: false,
            buy_probability: r.buy_probability,
            expected_spend: r.expected_spend,
          })
        }

        const optedOut = await api.get(`/admin/personalization/customers/${customers[0].id}/scores`, headers).catch((e: any) => e.response)
        expect(optedOut.status).toBe(404)
      })
    })

    describe("customer groups of segments", () => {
      it("keeps one group per segment, named as the segment, with exactly its members, and never touches a group made by hand", async () => {
        const container = getContainer()
        const customers = await seedSegmentableStore(container)
        const customerModule = container.resolve(Modules.CUSTOMER)
        const byHand = await customerModule.createCustomerGroups({ name: "VIP (by hand)" })
        await customerModule.addCustomerToGroup({ customer_id: customers[0].id, customer_group_id: byHand.id })

        const result = await runSegmentation(container)
        expect(result.status).toBe("completed")
        const segments = await container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE).listCurrentSegments()
        expect(segments).toHaveLength(result.k as number)
        const members = await memberships(container)
        const groups = await segmentGroups(container)
        for (const segment of segments) {
          expect(groups[segment.key].name).toBe(segment.name) // no internal key in the name
          expect(groups[segment.key].members).toEqual(members.filter((m) => m.segment_key === segment.key).map((m) => m.customer_id).sort())
          const group = await customerModule.retrieveCustomerGroup(groups[segment.key].id)
          expect(group.metadata).toEqual({ personalization_segment_key: segment.key })
        }
        expect(await groupMembers(container, byHand.id)).toEqual([customers[0].id])
        expect((await customerModule.retrieveCustomerGroup(byHand.id)).name).toBe("VIP (by hand)")
      })

      it("gives a suffix to a name the shop's own group has, and swaps names between segments through temporary names", async () => {
        const container = getContainer()
        await seedSegmentableStore(container)
        const customerModule = container.resolve(Modules.CUSTOMER)
        const first = await runSegmentation(container)
        const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
        const [a, b] = await service.listCurrentSegments()
        const groups = await segmentGroups(container)
        // The two segments' groups carry each other's names: this run must swap them back, and
        // names are unique, so one cannot take the other's name before it has let go of it.
        await customerModule.updateCustomerGroups(groups[a.key].id, { name: "temporary" })
        await customerModule.updateCustomerGroups(groups[b.key].id, { name: a.name })
        await customerModule.updateCustomerGroups(groups[a.key].id, { name: b.name })
        // And the shop names a group of its own like a third segment.
        const third = (await service.listCurrentSegments())[2]
        await customerModule.updateCustomerGroups(groups[third.key].id, { name: `${third.name} old` })
        const shops = await customerModule.createCustomerGroups({ name: third.name })

        const second = await runSegmentation(container)
        expect(second.status).toBe("completed")
        const after = await segmentGroups(container)
        expect(after[a.key]).toEqual({ ...groups[a.key], name: a.name })
        expect(after[b.key]).toEqual({ ...groups[b.key], name: b.name })
        expect(after[third.key].name).toBe(`${third.name} (personalization)`)
        expect((await customerModule.retrieveCustomerGroup(shops.id)).name).toBe(third.name)
        expect(first.id).not.toBe(second.id)
      })

      it("moves customers by difference, keeps control customers out, and deletes the group of a vanished segment", async () => {
        const container = getContainer()
        await seedSegmentableStore(container)
        const first = await runSegmentation(container)
        const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
        const customerModule = container.resolve(Modules.CUSTOMER)
        // A segment the next run will not find, with a group of its own.
        const vanishing = await customerModule.createCustomerGroups({ name: "Gone soon", metadata: { personalization_segment_key: "seg-99" } })
        await service.createSegments({
          run_id: first.id,
          key: "seg-99",
          name: "Gone soon",
          description: "",
          centre: { recency: 5000, invoices: 500, spend: 5_000_000 }, // far from every customer
          size: 0,
          customer_group_id: vanishing.id,
        })

        const second = await withOptions({ controlShare: 0.3 }, () => runSegmentation(container))
        expect(second.status).toBe("completed")
        const members = await memberships(container)
        const control = members.filter((m) => m.in_control)
        expect(control.length).toBeGreaterThan(10)
        expect(control.length).toBeLessThan(60)
        for (const [key, group] of Object.entries(await segmentGroups(container))) {
          expect(group.members).toEqual(members.filter((m) => m.segment_key === key && !m.in_control).map((m) => m.customer_id).sort())
        }
        expect(await customerModule.listCustomerGroups({ id: vanishing.id })).toEqual([])
      })

      it("takes a deleted customer out of the segment groups", async () => {
        const container = getContainer()
        const customers = await seedSegmentableStore(container)
        await runSegmentation(container)
        const leaving = customers[110]
        const before = await container.resolve(Modules.CUSTOMER).listCustomerGroupCustomers({ customer_id: leaving.id }, { take: null })
        expect(before).toHaveLength(1)
        await andWaitFor(container, "customer.deleted", () => deleteCustomersWorkflow(container).run({ input: { ids: [leaving.id] } }))
        expect(await container.resolve(Modules.CUSTOMER).listCustomerGroupCustomers({ customer_id: leaving.id }, { take: null })).toEqual([])
      })

      it("puts back everything a purge removed when its last step fails: features, membership, group", async () => {
        const container = getContainer()
        const customers = await seedSegmentableStore(container)
        await runSegmentation(container)
        const target = customers[105]
        const snapshot = async () => ({
          memberships: (await memberships(container)).filter((m) => m.customer_id === target.id),
          groups: (await container.resolve(Modules.CUSTOMER).listCustomerGroupCustomers({ customer_id: target.id }, { take: null })).map((g) => g.customer_group_id),
          features: (await pg(container).raw(`SELECT order_count FROM personalization_customer_features WHERE customer_id = ?`, [target.id])).rows,
        })
        const before = await snapshot()
        expect(before.memberships).toHaveLength(1)
        expect(before.groups).toHaveLength(1)
        failPurge = true
        // The workflow rejects with the step's error as it stored it (a plain object with the message).
        await expect(deleteCustomerPurchaseFeaturesWorkflow(container).run({ input: { customer_id: target.id } })).rejects.toMatchObject({
          message: "injected failure at the end of the purge",
        })
        expect(await snapshot()).toEqual(before)
        failPurge = false
        await deleteCustomerPurchaseFeaturesWorkflow(container).run({ input: { customer_id: target.id } })
        expect(await snapshot()).toEqual({ memberships: [], groups: [], features: [] })
      })

      it("leaves the previous segments and groups as they were when the group sync fails part way, or a later step fails", async () => {
        const container = getContainer()
        await seedSegmentableStore(container)
        const first = await runSegmentation(container)
        const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
        const state = async () => ({
          current: await service.getCurrentRunId(),
          segments: (await service.listCurrentSegments()).map((s) => [s.key, s.name, s.size]),
          members: await memberships(container),
          groups: await segmentGroups(container),
          groupCount: (await container.resolve(Modules.CUSTOMER).listCustomerGroups({}, { take: null })).length,
        })
        const before = await state()

        // The sync fails part way: the next run takes control customers out of every group, and
        // the database refuses the removals from the second group it reaches (a trigger stands in
        // for any failure of the customer module there), after the first group's went through.
        const keys = Object.keys(before.groups).sort()
        const secondGroup = before.groups[keys[1]].id
        await pg(container).raw(`CREATE FUNCTION pz_test_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql`)
        await pg(container).raw(
          `CREATE TRIGGER pz_test_refuse BEFORE DELETE ON customer_group_customer FOR EACH ROW
           WHEN (OLD.customer_group_id = '${secondGroup}') EXECUTE FUNCTION pz_test_refuse()`
        )
        await expect(withOptions({ controlShare: 0.3 }, () => runSegmentation(container))).rejects.toThrow("refused by the test")
        await pg(container).raw(`DROP TRIGGER pz_test_refuse ON customer_group_customer`)
        expect(await state()).toEqual(before)
        const [failed] = await service.listSegmentationRuns({ status: "failed" })
        expect(failed.reason).toMatch(/^the run failed: .*refused by the test/)

        // A step after the publication fails (a hook handler): the previous run is current again.
        failAfterPublish = true
        await expect(withOptions({ controlShare: 0.3 }, () => runSegmentation(container))).rejects.toThrow("injected failure after publishing")
        expect(await state()).toEqual(before)
        expect(await service.getCurrentRunId()).toBe(first.id)
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
        expect(body.data.message).toContain("k")
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
