import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { runSegmentation } from "../../src/workflows/runs"
import { adminHeaders } from "../helpers/admin"
import { PREDICTABLE, seedPredictableStore } from "../helpers/segments"
import { pg, storeCurrency } from "../helpers/store"

jest.setTimeout(300_000)

type Failure = { status: number; data: { message: string } }
const failure = (e: { response: unknown }) => e.response as Failure

/**
 * What seedPredictableStore planted for customer `i` (recency as of a run right after the seed):
 * regulars 12 orders of 30 + i, the newest 5 + i % 10 days ago; lapsed one order of 10 + i,
 * 250 + 2 (i - 50) days ago; occasional 4 orders of 20 + i, the newest 11 + i % 30 days ago.
 */
function planted(i: number) {
  if (i < PREDICTABLE.regular[1]) return { recency_days: 5 + (i % 10), frequency: 12, monetary: 12 * (30 + i) }
  if (i < PREDICTABLE.lapsed[1]) return { recency_days: 250 + 2 * (i - 50), frequency: 1, monetary: 10 + i }
  return { recency_days: 11 + (i % 30), frequency: 4, monetary: 4 * (20 + i) }
}

async function memberships(container: MedusaContainer, runId: string) {
  const { rows } = await pg(container).raw(
    `SELECT customer_id, segment_key, buy_probability, expected_spend FROM personalization_customer_segment WHERE run_id = ? ORDER BY customer_id`,
    [runId]
  )
  return rows as { customer_id: string; segment_key: string; buy_probability: number | null; expected_spend: number | null }[]
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    describe("admin segment routes", () => {
      it("answers empty before the first completed run", async () => {
        const headers = await adminHeaders(getContainer())
        expect((await api.get("/admin/personalization/segments", headers)).data).toEqual({ segments: [], run: null })
        expect((await api.get("/admin/personalization/segments/history", headers)).data).toEqual({ runs: [] })
        const sample = await api.get("/admin/personalization/segments/sample", headers)
        expect(sample.data).toEqual({ points: [], total: 0, currency_code: await storeCurrency(getContainer()) })
        const unknown = await api.get("/admin/personalization/segments/seg-1", headers).catch(failure)
        expect(unknown.status).toBe(404)
      })

      it("serves segments with shares, history, a seeded sample, rules and members with names, and the groups the plugin manages", async () => {
        const container = getContainer()
        const headers = await adminHeaders(container)
        const customers = await seedPredictableStore(container)
        const indexOf = new Map(customers.map((c, i) => [c.id, i]))
        const first = await runSegmentation(container)
        const second = await runSegmentation(container)
        expect([first.status, second.status]).toEqual(["completed", "completed"])
        const members = await memberships(container, second.id)
        expect(members).toHaveLength(120)
        const { rows: firstSizes } = await pg(container).raw(`SELECT key, size FROM personalization_segment WHERE run_id = ?`, [first.id])
        const firstSize = new Map((firstSizes as { key: string; size: number }[]).map((r) => [r.key, r.size]))

        // 1. segments: shares of the 120, the first run's sizes as previous, the members' mean predictions.
        const { data: list } = await api.get("/admin/personalization/segments", headers)
        expect(list.run).toEqual({
          id: second.id,
          as_of: new Date(second.as_of as Date).toISOString(),
          finished_at: new Date(second.finished_at as Date).toISOString(),
          currency_code: await storeCurrency(container),
          window_days: 90,
        })
        expect(list.segments.length).toBe(second.k)
        expect(list.segments.reduce((n: number, s: { size: number }) => n + s.size, 0)).toBe(120)
        for (const s of list.segments) {
          const mine = members.filter((m) => m.segment_key === s.key)
          expect(s.size).toBe(mine.length)
          expect(s.share).toBeCloseTo(mine.length / 120, 10)
          expect(s.previous_size).toBe(firstSize.get(s.key) ?? null)
          expect(s.mean_buy_probability).toBeCloseTo(mean(mine.map((m) => m.buy_probability as number)), 5)
          expect(s.mean_expected_spend).toBeCloseTo(mean(mine.map((m) => m.expected_spend as number)), 3)
          expect(Object.keys(s.centre).sort()).toEqual(["frequency", "monetary", "recency_days"])
          expect(s).toEqual(expect.objectContaining({ run_id: second.id, customer_group_id: expect.stringMatching(/^cusgroup_/), name: expect.any(String) }))
        }
        // The regulars (12 orders) share a segment whose centre says so.
        const regularKey = members.find((m) => indexOf.get(m.customer_id) === 0)!.segment_key
        expect(list.segments.find((s: { key: string }) => s.key === regularKey).centre.frequency).toBeGreaterThan(10)

        // 2. history, oldest first; `runs` keeps the newest.
        const { data: history } = await api.get("/admin/personalization/segments/history?runs=10", headers)
        expect(history.runs.map((r: { run_id: string }) => r.run_id)).toEqual([first.id, second.id])
        expect(history.runs[0].segments.map((s: { key: string; size: number }) => [s.key, s.size]).sort()).toEqual([...firstSize.entries()].sort())
        expect((await api.get("/admin/personalization/segments/history?runs=1", headers)).data.runs.map((r: { run_id: string }) => r.run_id)).toEqual([second.id])

        // 3. sample: the planted features, the same sample twice, a smaller one is its start.
        const { data: sample } = await api.get("/admin/personalization/segments/sample?size=50", headers)
        expect(sample.total).toBe(120)
        expect(sample.points).toHaveLength(50)
        const segmentOf = new Map(members.map((m) => [m.customer_id, m.segment_key]))
        for (const p of sample.points) {
          expect(p).toEqual({ customer_id: p.customer_id, segment_key: segmentOf.get(p.customer_id), ...planted(indexOf.get(p.customer_id)!) })
        }
        expect((await api.get("/admin/personalization/segments/sample?size=50", headers)).data).toEqual(sample)
        const small = await api.get("/admin/personalization/segments/sample?size=10", headers)
        expect(small.data.points).toEqual(sample.points.slice(0, 10))
        expect((await api.get("/admin/personalization/segments/sample", headers)).data.points).toHaveLength(120)

        // 4. one segment: store means over the 120 (hand-computed from the plan), its own means,
        // the histogram of its members' buy probability, rules that classify as they say.
        const { data: detail } = await api.get(`/admin/personalization/segments/${regularKey}`, headers)
        expect(detail.segment).toEqual(list.segments.find((s: { key: string }) => s.key === regularKey))
        expect(detail.run).toEqual(list.run)
        // recency (50 x 9.5 + 40 x 289 + 30 x 25.5) / 120; orders (600 + 40 + 120) / 120; spend (32700 + 3180 + 14940) / 120
        expect(detail.store.recency_days).toBeCloseTo(12800 / 120, 8)
        expect(detail.store.frequency).toBeCloseTo(760 / 120, 8)
        expect(detail.store.monetary).toBeCloseTo(50820 / 120, 6)
        expect(detail.store.buy_probability).toBeCloseTo(mean(members.map((m) => m.buy_probability as number)), 5)
        const mine = members.filter((m) => m.segment_key === regularKey)
        const features = mine.map((m) => planted(indexOf.get(m.customer_id)!))
        expect(detail.centre).toEqual([
          { feature: "recency_days", label: "Days since the last order", segment: expect.any(Number), store: detail.store.recency_days },
          { feature: "frequency", label: "Orders", segment: expect.any(Number), store: detail.store.frequency },
          { feature: "monetary", label: "Spend", segment: expect.any(Number), store: detail.store.monetary },
        ])
        expect(detail.centre[0].segment).toBeCloseTo(mean(features.map((f) => f.recency_days)), 8)
        expect(detail.centre[1].segment).toBeCloseTo(mean(features.map((f) => f.frequency)), 8)
        expect(detail.centre[2].segment).toBeCloseTo(mean(features.map((f) => f.monetary)), 6)
        expect(detail.buy_probability_histogram).toHaveLength(10)
        expect(detail.buy_probability_histogram[0]).toEqual({ from: 0, to: 0.1, count: expect.any(Number) })
        detail.buy_probability_histogram.forEach((bin: { from: number; to: number; count: number }, i: number) => {
          const inBin = mine.filter((m) => Math.min(Math.floor((m.buy_probability as number) * 10), 9) === i).length
          expect([i, bin.count]).toEqual([i, inBin])
        })
        const rules = detail.rules
        expect(rules.conditions.length).toBeGreaterThanOrEqual(1)
        expect(rules.conditions.length).toBeLessThanOrEqual(3)
        const covers = (f: ReturnType<typeof planted>) =>
          rules.conditions.every((c: { feature: keyof typeof f; operator: string; threshold: number }) => (c.operator === "<=" ? f[c.feature] <= c.threshold : f[c.feature] > c.threshold))
        const everyone = customers.map((c, i) => ({ member: segmentOf.get(c.id) === regularKey, f: planted(i) }))
        const memberCount = everyone.filter((e) => e.member).length
        expect(rules.member_accuracy).toBeCloseTo(everyone.filter((e) => e.member && covers(e.f)).length / memberCount, 10)
        expect(rules.non_member_accuracy).toBeCloseTo(everyone.filter((e) => !e.member && !covers(e.f)).length / (120 - memberCount), 10)
        expect(rules.member_accuracy).toBeGreaterThan(0.9)
        expect(rules.text).toMatch(/^(days since the last order|orders|spend) (at most|at least|above) /)
        expect(rules.customers).toBe(120)

        // 5. members with Medusa's email and names; a customer deleted since has none.
        const customerModule = container.resolve(Modules.CUSTOMER)
        const named = mine[0].customer_id
        const gone = mine[1].customer_id
        await customerModule.updateCustomers(named, { first_name: "Ada", last_name: "Lovelace" })
        await customerModule.softDeleteCustomers([gone])
        const { data: page } = await api.get(`/admin/personalization/segments/${regularKey}/customers?limit=500`, headers)
        expect(page.count).toBe(mine.length)
        const row = (id: string) => page.customers.find((c: { customer_id: string }) => c.customer_id === id)
        expect(row(named)).toEqual(expect.objectContaining({ email: `pred-${indexOf.get(named)}@example.com`, first_name: "Ada", last_name: "Lovelace" }))
        expect(row(gone)).toEqual(expect.objectContaining({ email: null, first_name: null, last_name: null }))
        expect(row(mine[2].customer_id)).toEqual(expect.objectContaining({ email: `pred-${indexOf.get(mine[2].customer_id)}@example.com`, first_name: null }))

        // 10. customer groups: a segment's group, a campaign's treated group, a group made by hand.
        const group = list.segments.find((s: { key: string }) => s.key === regularKey).customer_group_id
        expect((await api.get(`/admin/personalization/customer-groups/${group}/segment`, headers)).data).toEqual({
          segment: { key: regularKey, name: detail.segment.name, run_id: second.id },
          managed: true,
        })
        const [own] = await customerModule.createCustomerGroups([{ name: "VIP by hand" }])
        expect((await api.get(`/admin/personalization/customer-groups/${own.id}/segment`, headers)).data).toEqual({ segment: null, managed: false })
        const created = await api.post(
          "/admin/personalization/campaigns",
          {
            name: "Regulars",
            segment_key: regularKey,
            control_share: 0.3,
            ends_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
            status: "active",
            promotion: { type: "percentage", target: "order", value: 10, code: "REG10" },
          },
          headers
        )
        const campaign = created.data.campaign
        expect((await api.get(`/admin/personalization/customer-groups/${campaign.customer_group_id}/segment`, headers)).data).toEqual({
          segment: { key: regularKey, name: detail.segment.name, run_id: second.id },
          managed: true,
          campaign: { id: campaign.id, name: "Regulars" },
        })
        const unknownGroup = await api.get("/admin/personalization/customer-groups/cusgroup_nope/segment", headers).catch(failure)
        expect(unknownGroup.status).toBe(404)
      })

      it("refuses bad input with 400 naming the field, 401 without a session, 404 for an unknown segment", async () => {
        const headers = await adminHeaders(getContainer())
        const bad: [string, RegExp][] = [
          ["/admin/personalization/segments/history?runs=0", /runs/],
          ["/admin/personalization/segments/history?runs=51", /runs/],
          ["/admin/personalization/segments/sample?size=5001", /size/],
          ["/admin/personalization/segments/sample?size=abc", /size/],
          ["/admin/personalization/segments/seg-1?colour=red", /colour/],
          ["/admin/personalization/customer-groups/cusgroup_x/segment?x=1", /x/],
          ["/admin/personalization/segments/seg-1/customers?limit=0", /limit/],
        ]
        for (const [path, field] of bad) {
          const response = await api.get(path, headers).catch(failure)
          expect([path, response.status]).toEqual([path, 400])
          expect(response.data.message).toMatch(field)
        }
        for (const path of [
          "/admin/personalization/segments",
          "/admin/personalization/segments/history",
          "/admin/personalization/segments/sample",
          "/admin/personalization/segments/seg-1",
          "/admin/personalization/segments/seg-1/customers",
          "/admin/personalization/customer-groups/cusgroup_x/segment",
        ]) {
          const response = await api.get(path).catch(failure)
          expect([path, response.status]).toEqual([path, 401])
        }
        const unknown = await api.get("/admin/personalization/segments/seg-404", headers).catch(failure)
        expect(unknown.status).toBe(404)
        expect(unknown.data.message).toMatch(/seg-404/)
      })
    })
  },
})
