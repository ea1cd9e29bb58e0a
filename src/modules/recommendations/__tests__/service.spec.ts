import { moduleIntegrationTestRunner } from "@medusajs/test-utils"
import { testDatabaseName } from "../../../../integration-tests/helpers/test-run"
import { RECOMMENDATIONS_MODULE } from ".."
import { PackedListWriter, REASON_CODE } from "../../../ml/recommend/packed-lists"
import { SIMILARITY_PART_BYTES, similarityStateParts } from "../../../ml/pipeline/similarity-state"
import type RecommendationsService from "../service"

jest.setTimeout(60_000)

const MINUTE = 60_000

moduleIntegrationTestRunner<RecommendationsService>({
  moduleName: RECOMMENDATIONS_MODULE,
  resolve: "./src/modules/recommendations",
  dbName: testDatabaseName("recommendations"),
  // The migrations, not the data model: the list bytes are a column the data model language cannot describe.
  pathToMigrations: "./src/modules/recommendations/migrations",
  testSuite: ({ service }) => {
    describe("event budgets", () => {
      const take = (events: number, atMs: number, limit = 100) => service.takeEventBudget([{ bucket: "client:k:1.2.3.4", limit }], events, atMs)

      it("never admits more than the limit in any 60 s window, at any spacing of requests", async () => {
        // Requests of 1 to 9 events at pseudo-random moments over six minutes, each admitted or not.
        const t0 = Date.UTC(2026, 0, 1)
        const admitted: { at: number; events: number }[] = []
        let seed = 7
        let at = t0
        for (let i = 0; i < 600; i++) {
          seed = (seed * 1103515245 + 12345) % 2 ** 31
          at += seed % 1500
          const events = 1 + (seed % 9)
          if ((await take(events, at)).allowed) admitted.push({ at, events })
        }
        let worst = 0
        for (const a of admitted) {
          const inWindow = admitted.filter((b) => b.at > a.at - MINUTE && b.at <= a.at).reduce((n, b) => n + b.events, 0)
          worst = Math.max(worst, inWindow)
        }
        expect(worst).toBeLessThanOrEqual(100)
        // And the limit is not far from being reached: about one minute's worth every minute.
        const total = admitted.reduce((n, a) => n + a.events, 0)
        expect(total).toBeGreaterThan(((at - t0) / MINUTE) * 100 * 0.75)
      })

      it("counts events, not requests, refuses a request that would go over, and says when to come back", async () => {
        const t = Date.UTC(2026, 0, 1, 0, 0, 5)
        expect(await take(60, t)).toEqual({ allowed: true })
        expect(await take(40, t + 1000)).toEqual({ allowed: true })
        const refused = await take(1, t + 2000)
        expect(refused).toEqual({ allowed: false, bucket: "client:k:1.2.3.4", retryAfterSeconds: expect.any(Number) })
        // The first 60 events' slot leaves the checked window 70 s after its start.
        const wait = (refused as { retryAfterSeconds: number }).retryAfterSeconds
        expect(wait).toBeGreaterThan(55)
        expect(wait).toBeLessThanOrEqual(70)
        expect((await take(1, t + 2000 + wait * 1000)).allowed).toBe(true)
      })

      it("takes from every bucket or from none, and keeps the buckets apart", async () => {
        const t = Date.UTC(2026, 0, 1)
        const both = (bucket: string, events: number) =>
          service.takeEventBudget([{ bucket, limit: 10 }, { bucket: "key:k", limit: 15 }], events, t)
        expect((await both("client:a", 10)).allowed).toBe(true)
        expect(await both("client:a", 1)).toEqual(expect.objectContaining({ allowed: false, bucket: "client:a" }))
        expect((await both("client:b", 5)).allowed).toBe(true)
        expect(await both("client:c", 1)).toEqual(expect.objectContaining({ allowed: false, bucket: "key:k" }))
        // Refused takes charged nothing: b still has 5 of its 10, the key none of its 15.
        expect((await service.takeEventBudget([{ bucket: "client:b", limit: 10 }], 5, t)).allowed).toBe(true)
      })

      it("admits exactly the limit to concurrent requests of one bucket", async () => {
        const t = Date.UTC(2026, 0, 1)
        const results = await Promise.all(Array.from({ length: 40 }, () => take(1, t, 10)))
        expect(results.filter((r) => r.allowed)).toHaveLength(10)
      })
    })

    describe("served events", () => {
      const item = (hash: string) => ({ hash, version_id: "pzmv_1", list_type: "personal", expires_at: new Date(Date.now() + MINUTE) })

      it("counts an item once per event type, and a click without an impression apart", async () => {
        expect(await service.countServedEvents("impression", [item("a"), item("b"), item("a")])).toEqual({ counted: 2, without_impression: 0, repeated: 1 })
        expect(await service.countServedEvents("click", [item("a")])).toEqual({ counted: 1, without_impression: 0, repeated: 0 })
        expect(await service.countServedEvents("click", [item("a")])).toEqual({ counted: 0, without_impression: 0, repeated: 1 })
        expect(await service.countServedEvents("click", [item("c")])).toEqual({ counted: 0, without_impression: 1, repeated: 0 })
        expect(await service.countServedEvents("add_to_cart", [item("b")])).toEqual({ counted: 1, without_impression: 0, repeated: 0 })
        expect(await service.summarizeEvents()).toEqual([
          {
            version_id: "pzmv_1",
            list_type: "personal",
            impressions: 2,
            clicks: 1,
            add_to_carts: 1,
            clicks_without_impression: 1,
            add_to_carts_without_impression: 0,
            click_through_rate: 0.5,
          },
        ])
      })

      it("forgets ids once they have expired", async () => {
        await service.countServedEvents("impression", [{ ...item("old"), expires_at: new Date(Date.now() - 1000) }, item("new")])
        expect(await service.pruneServedEvents()).toBe(1)
        expect((await service.listServedEvents({}, { take: null })).map((r) => r.id)).toEqual(["new:impression"])
      })
    })

    describe("lists", () => {
      async function version(status: "running" | "inactive") {
        const v = await service.createModelVersions({ status })
        await service.writeProductTable(v.id, { ids: ["prod_a", "prod_b", "prod_c"], buyers: Int32Array.from([5, 3, 1]), recentBuyers: Int32Array.from([2, 0, 1]) })
        const writer = new PackedListWriter("customer", 3)
        writer.add("cus_1", { items: [1, 2], codes: [REASON_CODE.buy_again, REASON_CODE.because_you_bought], anchors: [-1, 1] })
        writer.add("cus_2", { items: [0], codes: [REASON_CODE.trending], anchors: [-1] })
        await service.writeListBatch(v.id, writer.take())
        return v.id
      }

      it("stores a version's lists and serves them by product id with the version's buyer counts", async () => {
        const id = await version("running")
        await service.markVersionBuilt(id, 2)
        await service.activateVersion(id, { reason: "test", evaluation: { test_customers: 1 }, started_at: new Date(Date.now() - 5000) })
        const v = await service.retrieveModelVersion(id)
        expect(v).toEqual(expect.objectContaining({ status: "active", reason: "test", evaluation: { test_customers: 1 }, lists: 2, progress: 1 }))
        expect(v.duration_ms).toBeGreaterThanOrEqual(5000)
        expect(await service.getActiveList("customer", "cus_1")).toEqual({
          version_id: id,
          items: [
            { product_id: "prod_b", code: "buy_again", anchor_id: null, buyers: 3, recent_buyers: 0 },
            { product_id: "prod_c", code: "because_you_bought", anchor_id: "prod_b", buyers: 1, recent_buyers: 1 },
          ],
        })
        expect(await service.getActiveList("customer", "cus_3")).toBeNull()
      })

      it("purges a customer's lists from every version, a pending one included, and can put them back", async () => {
        const active = await version("running")
        await service.markVersionBuilt(active, 2)
        await service.activateVersion(active)
        const pending = await version("running")
        const purged = await service.purgeCustomer("cus_1")
        expect(purged.map((r) => r.version_id).sort()).toEqual([active, pending].sort())
        expect(await service.getActiveList("customer", "cus_1")).toBeNull()
        expect(await service.getActiveList("customer", "cus_2")).not.toBeNull()
        await service.restoreLists(purged)
        expect((await service.getActiveList("customer", "cus_1"))?.items.map((i) => i.product_id)).toEqual(["prod_b", "prod_c"])
      })

      it("removes listed customers from one version only", async () => {
        const a = await version("inactive")
        const b = await version("inactive")
        expect(await service.removeCustomerLists(b, ["cus_1", "cus_9"])).toBe(1)
        // What is left of cus_1: the list of version a.
        expect((await service.purgeCustomer("cus_1")).map((r) => r.version_id)).toEqual([a])
      })

      /** A built refresh of `base`: its own product table (another order), cus_1's list and trending; no cus_2, no related lists. */
      async function refreshOf(base: string) {
        const v = await service.createModelVersions({ status: "running", base_version_id: base })
        await service.writeProductTable(v.id, { ids: ["prod_c", "prod_a", "prod_new"], buyers: Int32Array.from([2, 6, 1]), recentBuyers: Int32Array.from([1, 3, 1]) })
        const personal = new PackedListWriter("customer", 3)
        personal.add("cus_1", { items: [2, 0], codes: [REASON_CODE.popular, REASON_CODE.buy_again], anchors: [-1, -1] })
        await service.writeListBatch(v.id, personal.take())
        const trending = new PackedListWriter("trending", 3)
        trending.add("", { items: [1], codes: [REASON_CODE.trending], anchors: [-1] })
        await service.writeListBatch(v.id, trending.take())
        await service.markVersionBuilt(v.id, 2)
        return v.id
      }

      it("serves a refresh's own lists, and its base's where it has none, each read with its own version's product table", async () => {
        const base = await version("running")
        const related = new PackedListWriter("related", 3)
        related.add("prod_a", { items: [1], codes: [REASON_CODE.related], anchors: [-1] })
        await service.writeListBatch(base, related.take())
        await service.markVersionBuilt(base, 3)
        await service.activateVersion(base)
        const refresh = await refreshOf(base)
        // Not active yet: the base serves everything.
        expect((await service.getActiveList("customer", "cus_1"))?.version_id).toBe(base)
        await service.activateVersion(refresh)
        expect(await service.getActiveList("customer", "cus_1")).toEqual({
          version_id: refresh,
          items: [
            { product_id: "prod_new", code: "popular", anchor_id: null, buyers: 1, recent_buyers: 1 },
            { product_id: "prod_c", code: "buy_again", anchor_id: null, buyers: 2, recent_buyers: 1 },
          ],
        })
        expect(await service.getActiveList("customer", "cus_2")).toEqual({
          version_id: base,
          items: [{ product_id: "prod_a", code: "trending", anchor_id: null, buyers: 5, recent_buyers: 2 }],
        })
        expect((await service.getActiveList("related", "prod_a"))?.version_id).toBe(base)
        expect((await service.getActiveList("trending", ""))?.items.map((i) => i.product_id)).toEqual(["prod_a"])
        expect(await service.getActiveList("customer", "cus_9")).toBeNull()
        // A customer purged: gone from the refresh and from the base alike.
        expect((await service.purgeCustomer("cus_1")).map((r) => r.version_id).sort()).toEqual([base, refresh].sort())
        expect(await service.getActiveList("customer", "cus_1")).toBeNull()
      })

      it("never prunes the active refresh's base, prunes a base's refreshes with it, and refuses to activate a refresh whose base is gone", async () => {
        const base = await version("running")
        await service.markVersionBuilt(base, 2)
        await service.activateVersion(base)
        await service.writeSimilarityState(base, { ids: ["prod_a", "prod_b"], asOf: 1, rows: { nRows: 2, nCols: 2, indptr: Int32Array.from([0, 1, 2]), indices: Int32Array.from([1, 0]), data: Float32Array.from([0.5, 0.5]) } })
        const first = await refreshOf(base)
        await service.activateVersion(first)
        const second = await refreshOf(base)
        await service.activateVersion(second)
        // keep 0: every inactive version goes but the active refresh's base.
        expect(await service.pruneVersions(0)).toEqual([first])
        expect(await service.hasSimilarityState(base)).toBe(true)
        expect((await service.getActiveList("customer", "cus_2"))?.version_id).toBe(base)
        // A full run replaces them: the old base goes, and its refresh with it.
        const next = await version("running")
        await service.markVersionBuilt(next, 2)
        await service.activateVersion(next)
        expect((await service.pruneVersions(0)).sort()).toEqual([base, second].sort())
        expect(await service.hasSimilarityState(base)).toBe(false)
        const orphan = await refreshOf(base)
        await expect(service.activateVersion(orphan)).rejects.toThrow(/refreshes version .* lists are gone/)
        expect((await service.retrieveModelVersion(next)).status).toBe("active")
      })

      it("stores neighbour rows in parts and reads them back, and forgets them with the version's lists", async () => {
        const id = await version("running")
        // 5,000 rows of 500 neighbours: 10 MB of indices and of data, so each spans two parts of SIMILARITY_PART_BYTES.
        const n = 5000
        const k = 500
        const indptr = Int32Array.from({ length: n + 1 }, (_, i) => i * k)
        const indices = Int32Array.from({ length: n * k }, (_, e) => (e * 7919) % n)
        const data = Float32Array.from({ length: n * k }, (_, e) => ((e % 1000) + 1) / 1000)
        const state = { ids: Array.from({ length: n }, (_, i) => `prod_${i}`), asOf: Date.UTC(2026, 11, 1), rows: { nRows: n, nCols: n, indptr, indices, data } }
        expect(indices.byteLength).toBeGreaterThan(SIMILARITY_PART_BYTES)
        const parts = similarityStateParts(state)
        expect(parts.length).toBe(6) // the header, indptr, and two parts each of indices and data
        expect(await service.writeSimilarityState(id, state)).toBe(parts.reduce((sum, p) => sum + p.byteLength, 0))
        const back = await service.readSimilarityState(id)
        expect(back?.ids).toEqual(state.ids)
        expect(back?.asOf).toBe(state.asOf)
        expect(Buffer.from(back!.rows.indices.buffer).equals(Buffer.from(indices.buffer))).toBe(true)
        expect(Buffer.from(back!.rows.data.buffer).equals(Buffer.from(data.buffer))).toBe(true)
        expect(Array.from(back!.rows.indptr)).toEqual(Array.from(indptr))
        // Written again (a retried run): replaced, not doubled.
        await service.writeSimilarityState(id, state)
        expect((await service.readSimilarityState(id))?.rows.indices.length).toBe(n * k)
        await service.pruneVersionLists(id)
        expect(await service.readSimilarityState(id)).toBeNull()
      })

      it("keeps one list per subject, kind and version: a second write of it fails, a second restore is a no-op", async () => {
        const id = await version("running")
        const again = new PackedListWriter("customer", 3)
        again.add("cus_2", { items: [2], codes: [REASON_CODE.popular], anchors: [-1] })
        await expect(service.writeListBatch(id, again.take())).rejects.toThrow(/duplicate key/)
        // The same subject under another kind is another list.
        const related = new PackedListWriter("related", 3)
        related.add("cus_2", { items: [1], codes: [REASON_CODE.related], anchors: [-1] })
        expect(await service.writeListBatch(id, related.take())).toBe(1)
        const purged = await service.purgeCustomer("cus_1")
        await service.restoreLists(purged)
        await service.restoreLists(purged)
        expect(await service.purgeCustomer("cus_1")).toEqual(purged)
      })
    })
  },
})
