import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { deleteCustomersWorkflow } from "@medusajs/core-flows"
import type { MedusaContainer } from "@medusajs/framework/types"
import { TRAINING_REQUESTED_EVENT } from "../../src/api/admin/personalization/models/train/route"
import { signRecommendationId } from "../../src/lib/recommendation-token"
import { runTrainingWorkflow } from "../../src/workflows/training"
import { adminHeaders } from "../helpers/admin"
import { type RecommendableStore, seedRecommendableStore, storeHeaders } from "../helpers/recommendations"
import { andWaitFor, pg, rowsMentioning } from "../helpers/store"

jest.setTimeout(240_000)

type Item = { recommendation_id: string; reason: { code: string; params: Record<string, unknown>; text: string }; product: { id: string; title: string; variants: { calculated_price?: { calculated_amount: number } }[] } }
type ListResponse = { list: string; count: number; recommendations: Item[] }

const titles = (r: ListResponse) => r.recommendations.map((i) => i.product.title)

async function activeVersionId(container: MedusaContainer): Promise<string | null> {
  const { rows } = await pg(container).raw(`SELECT id FROM personalization_model_version WHERE status = 'active'`)
  return (rows[0]?.id as string) ?? null
}

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let store: RecommendableStore
    let admin: { headers: Record<string, string> }
    let firstVersion: string
    const get = (url: string, headers: { headers: Record<string, string> }) => api.get(url, headers).catch((e: any) => e.response)

    // The runner snapshots the database after beforeAll and restores it before every test: each
    // test starts from the seeded store with one trained, active version.
    beforeAll(async () => {
      store = await seedRecommendableStore(getContainer())
      admin = await adminHeaders(getContainer())
      const { result } = await runTrainingWorkflow(getContainer()).run({ input: {} })
      firstVersion = result.id
    })

    describe("without an active version", () => {
      it("serves trending products, visible ones only, each with a reason and a recommendation id", async () => {
        await pg(getContainer()).raw(`UPDATE personalization_model_version SET status = 'inactive'`)
        const { status, data } = await get("/store/recommendations?limit=20", storeHeaders(store.mainKey))
        expect(status).toBe(200)
        expect(data.list).toBe("trending")
        // Every visible product of the main channel, the most recently bought first; never the draft or the other channel's.
        expect(titles(data).sort()).toEqual(["Coffee 1", "Coffee 2", "Coffee 3", "Coffee 4", "Mug", "Spoon", "Tea 1", "Tea 2", "Tea 3", "Tea 4"])
        expect(titles(data).slice(0, 2).sort()).toEqual(["Coffee 4", "Tea 4"]) // 30 recent buyers each
        expect(data.recommendations[0].reason).toEqual({ code: "trending", params: { recent_buyers: 30, window_days: 30 }, text: "Trending: 30 customers bought it in the last 30 days" })
        expect(data.recommendations[0].recommendation_id).toMatch(/^[\w-]+\.[\w-]+$/)

        // A bad login is anonymous on store routes: never 401.
        const badLogin = await get("/store/recommendations", { headers: { ...storeHeaders(store.mainKey).headers, authorization: "Bearer not-a-token" } })
        expect(badLogin.status).toBe(200)
        expect(badLogin.data.list).toBe("trending")
      })

      it("answers 400 without a publishable key or with a bad parameter, naming it", async () => {
        expect((await get("/store/recommendations", { headers: {} })).status).toBe(400)
        const limit = await get("/store/recommendations?limit=51", storeHeaders(store.mainKey))
        expect(limit.status).toBe(400)
        expect(limit.data.message).toMatch(/limit/)
        // Identity comes from the login only: there is no customer parameter to ask for someone else's list.
        const other = await get(`/store/recommendations?customer_id=${store.alice.id}`, storeHeaders(store.mainKey))
        expect(other.status).toBe(400)
        expect(other.data.message).toMatch(/customer_id/)
        const type = await get(`/store/products/${store.id("Tea 1")}/recommendations?type=similar`, storeHeaders(store.mainKey))
        expect(type.status).toBe(400)
        expect(type.data.message).toMatch(/type/)
      })
    })

    describe("training", () => {
      it("made a first version that beat popularity on the holdout", async () => {
        const { data: { version } } = await api.get(`/admin/personalization/models/${firstVersion}`, admin)
        expect(version).toMatchObject({ status: "active", progress: 1, recipe: { model: "hybrid" }, reason: expect.stringMatching(/^first version: NDCG@10/) })
        expect(version.evaluation.test_customers).toBe(60)
        expect(version.evaluation.candidate.ndcg10).toBeGreaterThan(version.evaluation.popularity.ndcg10)
        expect(version.lists).toBeGreaterThan(120) // a list per active customer, per product, and trending
      })

      it("runs through the admin API: 202, then a new active version", async () => {
        const container = getContainer()
        expect((await api.post("/admin/personalization/models/train", {}).catch((e: any) => e.response)).status).toBe(401)
        const bad = await api.post("/admin/personalization/models/train", { model: "magic" }, admin).catch((e: any) => e.response)
        expect(bad.status).toBe(400)
        expect(bad.data.message).toMatch(/model/)

        const queued = await andWaitFor<{ status: number; data: { version_id: string; status: string } }>(container, TRAINING_REQUESTED_EVENT, () =>
          api.post("/admin/personalization/models/train", {}, admin)
        )
        expect(queued.status).toBe(202)
        expect(queued.data).toEqual({ version_id: expect.stringMatching(/^pzmv_/), status: "queued" })
        const { data: { version } } = await api.get(`/admin/personalization/models/${queued.data.version_id}`, admin)
        // Same recipe as the active version: it scores the same on the same holdout and refreshes the lists.
        expect(version).toMatchObject({ status: "active", progress: 1, reason: expect.stringMatching(/refreshed on newer data/) })
        expect(version.evaluation.active).toEqual(version.evaluation.candidate)
        expect(await activeVersionId(container)).toBe(version.id)
      })

      it("offers a customer who bought A the B that A's co-buyers bought, with the reason", async () => {
        const { status, data } = await get(`/store/recommendations?region_id=${store.region.id}`, storeHeaders(store.mainKey, store.alice))
        expect(status).toBe(200)
        expect(data.list).toBe("personal")
        expect(data.count).toBe(10)
        const tea2 = data.recommendations.find((i: Item) => i.product.title === "Tea 2")
        expect(tea2.reason).toEqual({ code: "because_you_bought", params: { product_id: store.id("Tea 1"), co_buyers: 60 }, text: "Because you bought Tea 1" })
        // Tea before coffee: her list is hers.
        expect(titles(data).indexOf("Tea 2")).toBeLessThan(titles(data).indexOf("Coffee 2"))
        expect(titles(data)).not.toContain("Draft teapot")
        expect(titles(data)).not.toContain("Other-channel kettle")
        // Priced like the core /store/products route with region_id.
        expect(tea2.product.variants[0].calculated_price?.calculated_amount).toBe(10)

        const bob = await get("/store/recommendations", storeHeaders(store.mainKey, store.bob))
        expect(bob.data.list).toBe("personal")
        expect(titles(bob.data).indexOf("Coffee 2")).toBeLessThan(titles(bob.data).indexOf("Tea 2"))
      })

      it("leaves out purchased products, the viewed product and other categories on request", async () => {
        const withOwn = await get("/store/recommendations?limit=3", storeHeaders(store.mainKey, store.alice))
        const without = await get("/store/recommendations?limit=20&exclude_purchased=true", storeHeaders(store.mainKey, store.alice))
        expect(titles(withOwn.data)).toContain("Tea 1") // bought before: "buy again" comes first
        expect(titles(without.data)).not.toContain("Tea 1")
        const viewing = await get(`/store/recommendations?product_id=${store.id("Tea 2")}`, storeHeaders(store.mainKey, store.alice))
        expect(titles(viewing.data)).not.toContain("Tea 2")
        const anonymousViewing = await get(`/store/recommendations?product_id=${store.id("Tea 1")}`, storeHeaders(store.mainKey))
        expect(anonymousViewing.data.list).toBe("related")
        expect(titles(anonymousViewing.data).slice(0, 3).sort()).toEqual(["Tea 2", "Tea 3", "Tea 4"])
        const draft = await get(`/store/recommendations?product_id=${store.id("Draft teapot")}`, storeHeaders(store.mainKey))
        expect(draft.status).toBe(404)

        const coffee = await get(`/store/recommendations?category_id=${store.coffeeCategory}&limit=20`, storeHeaders(store.mainKey, store.alice))
        expect(titles(coffee.data).sort()).toEqual(["Coffee 1", "Coffee 2", "Coffee 3", "Coffee 4"])
        const hidden = await get(`/store/recommendations?category_id=${store.hiddenCategory}`, storeHeaders(store.mainKey, store.alice))
        expect(hidden.data.recommendations).toEqual([]) // an internal category shows nothing
      })

      it("serves related and bought-together lists per product, 404 alike for unknown, draft and other-channel products", async () => {
        const together = await get(`/store/products/${store.id("Tea 1")}/recommendations?type=bought_together&limit=5`, storeHeaders(store.mainKey))
        expect(together.status).toBe(200)
        expect(together.data.list).toBe("bought_together")
        expect(titles(together.data)[0]).toBe("Tea 2")
        expect(together.data.recommendations[0].reason).toEqual({ code: "bought_together", params: { product_id: store.id("Tea 1") }, text: "Often bought together with Tea 1" })
        expect(titles(together.data)).not.toContain("Draft teapot")
        expect(titles(together.data)).not.toContain("Other-channel kettle")
        expect(titles(together.data)).toHaveLength(5) // filled with trending after its own list

        const related = await get(`/store/products/${store.id("Coffee 1")}/recommendations`, storeHeaders(store.mainKey))
        expect(related.data.list).toBe("related")
        expect(titles(related.data)[0]).toMatch(/^Coffee/)

        for (const id of ["prod_unknown", store.id("Draft teapot"), store.id("Other-channel kettle")]) {
          const response = await get(`/store/products/${id}/recommendations`, storeHeaders(store.mainKey))
          expect([id, response.status]).toEqual([id, 404])
        }
        // The other key sees its own channel's product.
        const otherChannel = await get(`/store/products/${store.id("Other-channel kettle")}/recommendations`, storeHeaders(store.otherKey))
        expect(otherChannel.status).toBe(200)
        expect(titles(otherChannel.data)).toEqual([])
      })

      it("counts events of valid recommendation ids per version and list, and refuses forged or expired ones", async () => {
        const { data } = await get("/store/recommendations?limit=4", storeHeaders(store.mainKey, store.alice))
        const ids = data.recommendations.map((i: Item) => i.recommendation_id)
        const post = (body: unknown) => api.post("/store/recommendations/events", body, storeHeaders(store.mainKey)).catch((e: any) => e.response)
        expect((await post({ type: "impression", recommendation_ids: ids })).status).toBe(202)
        expect((await post({ type: "click", recommendation_ids: [ids[0]] })).status).toBe(202)

        const [payload, signature] = ids[0].split(".")
        const forged = `${Buffer.from(JSON.stringify([firstVersion, "personal", store.id("Mug"), Math.floor(Date.now() / 1000)])).toString("base64url")}.${signature}`
        const refused = await post({ type: "click", recommendation_ids: [forged] })
        expect(refused.status).toBe(400)
        expect(refused.data.message).toMatch(/recommendation_ids.0: bad signature/)
        const expired = signRecommendationId({ version: firstVersion, list: "personal", product: store.id("Mug"), issuedAt: Math.floor(Date.now() / 1000) - 2 * 86400 }, process.env.JWT_SECRET ?? "supersecret")
        expect((await post({ type: "click", recommendation_ids: [expired] })).data.message).toMatch(/expired/)
        expect((await post({ type: "view", recommendation_ids: [payload] })).status).toBe(400)
        expect((await post({ type: "click", recommendation_ids: ids })).status).toBe(202) // all or nothing: the refused ones counted nothing

        const { data: { events } } = await api.get(`/admin/personalization/recommendation-events?version_id=${firstVersion}`, admin)
        expect(events).toEqual([
          { version_id: firstVersion, list_type: "personal", impressions: 4, clicks: 5, add_to_carts: 0, click_through_rate: 1.25 },
        ])
        expect((await api.get("/admin/personalization/recommendation-events").catch((e: any) => e.response)).status).toBe(401)

        // Limited per key and address: 120 requests a minute, then 429.
        let status = 202
        let sent = 0
        while (status === 202 && sent < 200) {
          status = (await post({ type: "impression", recommendation_ids: [ids[0]] })).status
          sent++
        }
        expect(status).toBe(429)
        // 6 requests earlier in this test; a sliding window: no double allowance at a minute boundary.
        expect(sent).toBeGreaterThan(100)
        expect(sent).toBeLessThanOrEqual(125)
      })
    })

    describe("model versions", () => {
      it("keeps the active version when the candidate does not beat it, and rolls back on request", async () => {
        const container = getContainer()
        const { result: rejected } = await runTrainingWorkflow(container).run({ input: { recipe: { model: "popularity", options: {} } } })
        expect(rejected).toMatchObject({ status: "rejected", reason: expect.stringMatching(/does not beat the active version's/) })
        expect(await activeVersionId(container)).toBe(firstVersion)

        const { result: refreshed } = await runTrainingWorkflow(container).run({ input: {} })
        expect(refreshed.status).toBe("active")
        expect(refreshed.reason).toMatch(/refreshed on newer data/)
        expect(await activeVersionId(container)).toBe(refreshed.id)

        const rollback = await api.post(`/admin/personalization/models/${firstVersion}/activate`, {}, admin)
        expect(rollback.data.version).toMatchObject({ id: firstVersion, status: "active" })
        expect(await activeVersionId(container)).toBe(firstVersion)
        const served = await get("/store/recommendations?limit=1", storeHeaders(store.mainKey, store.alice))
        const [payload] = served.data.recommendations[0].recommendation_id.split(".")
        expect(JSON.parse(Buffer.from(payload, "base64url").toString())[0]).toBe(firstVersion)

        const notBuilt = await api.post(`/admin/personalization/models/${rejected.id}/activate`, {}, admin).catch((e: any) => e.response)
        expect(notBuilt.status).toBe(400)
        const unknown = await api.post("/admin/personalization/models/pzmv_nope/activate", {}, admin).catch((e: any) => e.response)
        expect(unknown.status).toBe(404)
        expect((await api.get("/admin/personalization/models/pzmv_nope", admin).catch((e: any) => e.response)).status).toBe(404)

        const { data: list } = await api.get("/admin/personalization/models?limit=2", admin)
        expect(list.count).toBe(3) // the first version, the rejected one, the refresh
        expect(list.versions).toHaveLength(2)
      })

      it("admin model and event routes answer 401 without authentication and 400 naming a bad field", async () => {
        for (const [method, url] of [
          ["get", "/admin/personalization/models"],
          ["get", `/admin/personalization/models/${firstVersion}`],
          ["post", `/admin/personalization/models/${firstVersion}/activate`],
          ["get", "/admin/personalization/readiness"],
        ] as const) {
          const response = await (method === "post" ? api.post(url, {}) : api.get(url)).catch((e: any) => e.response)
          expect([url, response.status]).toEqual([url, 401])
        }
        for (const [url, field] of [
          ["/admin/personalization/models?limit=0", "limit"],
          ["/admin/personalization/models?status=active", "status"],
          ["/admin/personalization/recommendation-events?since=yesterday", "since"],
        ]) {
          const response = await get(url, admin)
          expect([url, response.status]).toEqual([url, 400])
          expect(response.data.message).toContain(field)
        }
        const body = await api.post(`/admin/personalization/models/${firstVersion}/activate`, { force: true }, admin).catch((e: any) => e.response)
        expect(body.status).toBe(400)
        expect(body.data.message).toContain("force")
        // Nothing changed hands on the refused requests.
        expect(await activeVersionId(getContainer())).toBe(firstVersion)
      })

      it("skips below the readiness thresholds, saying what is missing, and the store keeps serving", async () => {
        const container = getContainer()
        await pg(container).raw(`DELETE FROM personalization_customer_features WHERE customer_id <> ?`, [store.alice.id])
        const { result } = await runTrainingWorkflow(container).run({ input: {} })
        expect(result).toMatchObject({ status: "skipped", reason: expect.stringMatching(/^not enough data: 1 customers with orders \(100 needed\)/) })
        expect(await activeVersionId(container)).toBe(firstVersion)
      })

      it("gives no personal list to a customer who opted out", async () => {
        const container = getContainer()
        await pg(container).raw(`UPDATE customer SET metadata = '{"personalization_opt_out": "true"}' WHERE id = ?`, [store.bob.id])
        const { result } = await runTrainingWorkflow(container).run({ input: {} })
        expect(result.status).toBe("active")
        const { data } = await get("/store/recommendations", storeHeaders(store.mainKey, store.bob))
        expect(data.list).toBe("trending")
        expect(data.recommendations.every((i: Item) => ["trending", "popular", "new_arrival"].includes(i.reason.code))).toBe(true)
      })

      it("trains once when two runs start at the same time", async () => {
        const container = getContainer()
        const runs = await Promise.all([runTrainingWorkflow(container).run({ input: {} }), runTrainingWorkflow(container).run({ input: {} })])
        const statuses = runs.map((r) => r.result.status).sort()
        expect(statuses).toEqual(["active", "skipped"])
        expect(runs.find((r) => r.result.status === "skipped")?.result.reason).toBe("another training run is in progress")
      })

      it("keeps only the newest versions' lists", async () => {
        const container = getContainer()
        for (let i = 0; i < 4; i++) await runTrainingWorkflow(container).run({ input: {} })
        const { rows } = await pg(container).raw(
          `SELECT status, COUNT(*)::int AS n FROM personalization_model_version WHERE lists > 0 GROUP BY status ORDER BY status`
        )
        expect(rows).toEqual([
          { status: "active", n: 1 },
          { status: "inactive", n: 3 }, // of four: keepVersions (default 3) keep their lists
        ])
      })
    })

    describe("customer deletion", () => {
      it("removes the customer's lists from every version, and the customer then gets trending", async () => {
        const container = getContainer()
        await runTrainingWorkflow(container).run({ input: {} }) // a second version with her list
        const before = await pg(container).raw(`SELECT COUNT(*)::int AS n FROM personalization_recommendation_list WHERE subject_id = ?`, [store.alice.id])
        expect(before.rows[0].n).toBe(2)
        await andWaitFor(container, "customer.deleted", () => deleteCustomersWorkflow(container).run({ input: { ids: [store.alice.id] } }))
        expect(await rowsMentioning(container, store.alice.id)).toEqual(expect.objectContaining({ found: 0 }))
        const { data } = await get("/store/recommendations", storeHeaders(store.mainKey, store.alice))
        expect(data.list).toBe("trending")
      })
    })
  },
})
