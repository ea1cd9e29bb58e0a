import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { deleteCustomersWorkflow } from "@medusajs/core-flows"
import type { MedusaContainer } from "@medusajs/framework/types"
import { batchLinkProductsToCategoryWorkflow, createProductsWorkflow, updateProductsWorkflow } from "@medusajs/core-flows"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { PersonalizationEvents } from "../../src/events"
import { signRecommendationId } from "../../src/lib/recommendation-token"
import { runTraining } from "../../src/workflows/runs"
import { adminHeaders } from "../helpers/admin"
import { blockWrites } from "../helpers/blocking"
import { withOptions } from "../helpers/options"
import { type RecommendableStore, seedRecommendableStore, storeHeaders } from "../helpers/recommendations"
import { andWaitFor, deliver, pg, rowsMentioning, storeCurrency } from "../helpers/store"
import { RECOMMENDATIONS_MODULE } from "../../src/modules/recommendations"
import type RecommendationsService from "../../src/modules/recommendations/service"

jest.setTimeout(240_000)

/** Requests sent at once by the rate-limit tests. */
const BATCH = 25

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
      firstVersion = (await runTraining(getContainer())).id
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
        // Every serve of an item gets its own id.
        const again = await get("/store/recommendations?limit=20", storeHeaders(store.mainKey))
        expect(again.data.recommendations[0].recommendation_id).not.toBe(data.recommendations[0].recommendation_id)

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
        expect(version.duration_ms).toBeGreaterThan(0)
        expect(version.data).toEqual({ lines: expect.any(Number), customers: 122, products: 12 })
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

        const activated: Record<string, unknown>[] = []
        container.resolve(Modules.EVENT_BUS).subscribe(PersonalizationEvents.MODEL_VERSION_ACTIVATED, (async (event: { data: Record<string, unknown> }) => void activated.push(event.data)) as never, {
          subscriberId: "test-version-activated",
        })
        const queued = await andWaitFor<{ status: number; data: { version_id: string; status: string } }>(container, PersonalizationEvents.TRAINING_REQUESTED, () =>
          api.post("/admin/personalization/models/train", {}, admin)
        )
        expect(queued.status).toBe(202)
        expect(queued.data).toEqual({ version_id: expect.stringMatching(/^pzmv_/), status: "queued" })
        const { data: { version } } = await api.get(`/admin/personalization/models/${queued.data.version_id}`, admin)
        // Same recipe as the active version: it scores the same on the same holdout and refreshes the lists.
        expect(version).toMatchObject({ status: "active", progress: 1, reason: expect.stringMatching(/refreshed on newer data/) })
        expect(version.evaluation.active).toEqual(version.evaluation.candidate)
        expect(await activeVersionId(container)).toBe(version.id)
        await new Promise((r) => setTimeout(r, 300))
        expect(activated).toEqual([{ version_id: version.id, previous_version_id: firstVersion, reason: version.reason }])
      })

      it("offers a customer who bought A the B that A's co-buyers bought, with the reason", async () => {
        const { status, data } = await get(`/store/recommendations?region_id=${store.region.id}`, storeHeaders(store.mainKey, store.alice))
        expect(status).toBe(200)
        expect(data.list).toBe("personal")
        expect(data.count).toBe(10)
        const tea2 = data.recommendations.find((i: Item) => i.product.title === "Tea 2")
        expect(tea2.reason).toEqual({ code: "because_you_bought", params: { product_id: store.id("Tea 1") }, text: "Because you bought Tea 1" })
        expect(data.recommendations.find((i: Item) => i.product.title === "Tea 1").reason).toEqual({
          code: "buy_again",
          params: { orders: 1, every_days: null },
          text: "You bought this before",
        })
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

      it("fills a category's list with the category's newest visible products when its lists run short", async () => {
        const container = getContainer()
        const currency = await storeCurrency(container)
        const product = (title: string, channel: string, status: "published" | "draft" = "published") => ({
          title,
          status,
          options: [{ title: "Size", values: ["One"] }],
          variants: [{ title: "One", sku: `SKU-${title}`, options: { Size: "One" }, manage_inventory: false, prices: [{ amount: 10, currency_code: currency }] }],
          sales_channels: [{ id: channel }],
        })
        // Added after training: in no list, so only the newest-products fallback can serve them.
        const { result: added } = await createProductsWorkflow(container).run({
          input: { products: [product("Coffee 5", store.main.id), product("Coffee draft", store.main.id, "draft"), product("Coffee elsewhere", store.other.id), product("Teapot 2", store.main.id)] },
        })
        const coffee = added.filter((p) => p.title.startsWith("Coffee")).map((p) => p.id)
        await batchLinkProductsToCategoryWorkflow(container).run({ input: { id: store.coffeeCategory, add: coffee } })
        const { data } = await get(`/store/recommendations?category_id=${store.coffeeCategory}&limit=20`, storeHeaders(store.mainKey, store.alice))
        expect(titles(data).sort()).toEqual(["Coffee 1", "Coffee 2", "Coffee 3", "Coffee 4", "Coffee 5"])
        expect(data.recommendations.find((i: Item) => i.product.title === "Coffee 5").reason.code).toBe("new_arrival")
        // Without the category, the newest of the whole channel fill up: the new teapot too.
        const all = await get("/store/recommendations?limit=20", storeHeaders(store.mainKey))
        expect(titles(all.data)).toEqual(expect.arrayContaining(["Coffee 5", "Teapot 2"]))
        expect(titles(all.data)).not.toContain("Coffee draft")
      })

      it("serves related and bought-together lists per product, 404 alike for unknown, draft and other-channel products", async () => {
        // Mug and Spoon share orders and no word: complements.
        const together = await get(`/store/products/${store.id("Mug")}/recommendations?type=bought_together&limit=5`, storeHeaders(store.mainKey))
        expect(together.status).toBe(200)
        expect(together.data.list).toBe("bought_together")
        expect(titles(together.data)[0]).toBe("Spoon")
        expect(together.data.recommendations[0].reason).toEqual({ code: "bought_together", params: { product_id: store.id("Mug") }, text: "Often bought together with Mug" })
        expect(titles(together.data)).toHaveLength(5) // filled with trending after its own list
        // Tea 1 and Tea 2 share orders, but to the text they are the same product ("tea"): a
        // variant of the viewed product is an alternative, shown as related, not a complement.
        const teaTogether = await get(`/store/products/${store.id("Tea 1")}/recommendations?type=bought_together&limit=5`, storeHeaders(store.mainKey))
        expect(teaTogether.data.recommendations.filter((i: Item) => i.reason.code === "bought_together")).toEqual([])
        expect(titles(teaTogether.data)).not.toContain("Draft teapot")
        expect(titles(teaTogether.data)).not.toContain("Other-channel kettle")

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

      it("leaves the other list's top N out of a product's list with exclude, and refuses a bad exclude", async () => {
        const headers = storeHeaders(store.mainKey)
        const mug = store.id("Mug")
        const related = await get(`/store/products/${mug}/recommendations?type=related&limit=3`, headers)
        const relatedIds = related.data.recommendations.map((i: Item) => i.product.id)
        expect(relatedIds).toHaveLength(3)
        const plain = await get(`/store/products/${mug}/recommendations?type=bought_together&limit=10`, headers)
        // Spoon is Mug's best complement and, bought by the same customers, among its related top 3 too.
        expect(titles(plain.data)[0]).toBe("Spoon")
        expect(titles(related.data)).toContain("Spoon")
        const without = await get(`/store/products/${mug}/recommendations?type=bought_together&limit=10&exclude=related&exclude_limit=3`, headers)
        expect(without.status).toBe(200)
        const withoutIds = without.data.recommendations.map((i: Item) => i.product.id)
        expect(withoutIds).toHaveLength(9 - 3) // the main channel's products but Mug itself, minus the three
        for (const id of relatedIds) expect(withoutIds).not.toContain(id)
        expect(withoutIds).not.toContain(mug)
        // exclude_limit defaults to limit: the related top 2 go from a list of 2.
        const related2 = (await get(`/store/products/${mug}/recommendations?type=related&limit=2`, headers)).data.recommendations.map((i: Item) => i.product.id)
        const two = (await get(`/store/products/${mug}/recommendations?type=bought_together&limit=2&exclude=related`, headers)).data.recommendations.map((i: Item) => i.product.id)
        expect(two).toHaveLength(2)
        for (const id of related2) expect(two).not.toContain(id)
        // And the other way round: the other list's own items go (the trending that fills it up is not the list).
        const together3 = plain.data.recommendations.filter((i: Item) => i.reason.code === "bought_together").slice(0, 3).map((i: Item) => i.product.id)
        expect(together3.length).toBeGreaterThan(0)
        const relatedWithout = (await get(`/store/products/${mug}/recommendations?type=related&limit=5&exclude=bought_together&exclude_limit=3`, headers)).data.recommendations.map((i: Item) => i.product.id)
        for (const id of together3) expect(relatedWithout).not.toContain(id)

        for (const [query, field] of [
          ["type=related&exclude=related", "exclude: must be the other list than type"],
          ["exclude=similar", "field 'exclude'"],
          ["type=bought_together&exclude=related&exclude_limit=0", "exclude_limit"],
          ["type=bought_together&exclude=related&exclude_limit=51", "exclude_limit"],
          ["exclude_limit=3", "exclude_limit: needs exclude"],
        ]) {
          const bad = await get(`/store/products/${mug}/recommendations?${query}`, headers)
          expect([query, bad.status]).toEqual([query, 400])
          expect(bad.data.message).toContain(field)
        }
        // The route's other answers hold with exclude too: 404 for an unknown product, 400 without a key.
        expect((await get(`/store/products/prod_unknown/recommendations?type=bought_together&exclude=related`, headers)).status).toBe(404)
        expect((await get(`/store/products/${mug}/recommendations?type=bought_together&exclude=related`, { headers: {} })).status).toBe(400)
      })

      it("places a product nobody bought yet in the list of a customer who bought one like it, with the reason, in her language", async () => {
        const container = getContainer()
        // A new tea, published in the main channel, never ordered: no collaborative score can place it.
        const { result: [fresh] } = await createProductsWorkflow(container).run({
          input: {
            products: [
              {
                title: "Tea 5",
                description: "A first flush",
                status: "published",
                options: [{ title: "Size", values: ["One"] }],
                variants: [{ title: "One", sku: "SKU-Tea 5", options: { Size: "One" }, manage_inventory: false, prices: [{ amount: 10, currency_code: store.region.currency_code }] }],
                sales_channels: [{ id: store.main.id }],
              },
            ],
          },
        })
        await runTraining(container)
        // Alice bought Tea 1 only: the new tea takes the 4th place of her stored list, explained by Tea 1.
        const { data } = await get("/store/recommendations?limit=10", storeHeaders(store.mainKey, store.alice))
        const item = data.recommendations.find((i: Item) => i.product.id === fresh.id)
        expect(item.reason).toEqual({ code: "new_like_purchased", params: { product_id: store.id("Tea 1") }, text: "New, like Tea 1 that you bought" })
        // Bob drinks coffee: nothing in his history reads like it.
        const bob = await get("/store/recommendations?limit=10", storeHeaders(store.mainKey, store.bob))
        expect(bob.data.recommendations.map((i: Item) => i.reason.code)).not.toContain("new_like_purchased")
        // Its related list comes from its text: the other teas.
        const related = await get(`/store/products/${fresh.id}/recommendations?type=related&limit=4`, storeHeaders(store.mainKey))
        expect(related.data.recommendations.filter((i: Item) => i.reason.code === "related").map((i: Item) => i.product.title).sort()).toEqual(["Tea 1", "Tea 2", "Tea 3", "Tea 4"])

        await withOptions({ reasonTemplates: { de: { new_like_purchased: "Neu, wie {product}, das Sie gekauft haben" } } }, async () => {
          const de = await get("/store/recommendations?limit=10", { headers: { ...storeHeaders(store.mainKey, store.alice).headers, "x-medusa-locale": "de-DE" } })
          expect(de.data.recommendations.find((i: Item) => i.product.id === fresh.id).reason.text).toBe("Neu, wie Tea 1, das Sie gekauft haben")
        })
      })

      it("renders reasons when served: the product's current title, and the request's language", async () => {
        const container = getContainer()
        await updateProductsWorkflow(container).run({ input: { selector: { id: store.id("Tea 1") }, update: { title: "Green tea" } } })
        const { data } = await get("/store/recommendations?limit=10", storeHeaders(store.mainKey, store.alice))
        const tea2 = data.recommendations.find((i: Item) => i.product.title === "Tea 2")
        expect(tea2.reason.text).toBe("Because you bought Green tea")

        const german = {
          de: { because_you_bought: "Weil Sie {product} gekauft haben", bought_together: "Oft zusammen mit {product} gekauft" },
        }
        await withOptions({ reasonTemplates: german }, async () => {
          const headers = { headers: { ...storeHeaders(store.mainKey, store.alice).headers, "x-medusa-locale": "de-DE" } }
          const de = await get("/store/recommendations?limit=10", headers)
          expect(de.data.recommendations.find((i: Item) => i.product.title === "Tea 2").reason.text).toBe("Weil Sie Green tea gekauft haben")
          // No German template for buy-again: English.
          expect(de.data.recommendations.find((i: Item) => i.product.title === "Green tea").reason.text).toBe("You bought this before")
          const together = await get(`/store/products/${store.id("Mug")}/recommendations?type=bought_together&limit=1`, {
            headers: { ...storeHeaders(store.mainKey).headers, "x-medusa-locale": "de" },
          })
          expect(together.data.recommendations[0].reason).toEqual({
            code: "bought_together",
            params: { product_id: store.id("Mug") },
            text: "Oft zusammen mit Mug gekauft",
          })
        })
      })

      it("counts each served item once per event type, a click only after its impression, and refuses forged or expired ids", async () => {
        const { data } = await get("/store/recommendations?limit=4", storeHeaders(store.mainKey, store.alice))
        const ids = data.recommendations.map((i: Item) => i.recommendation_id)
        const post = (body: unknown) => api.post("/store/recommendations/events", body, storeHeaders(store.mainKey)).catch((e: any) => e.response)
        const first = await post({ type: "impression", recommendation_ids: ids })
        expect(first.status).toBe(202)
        expect(first.data).toEqual({ accepted: 4, counted: 4, without_impression: 0, repeated: 0 })
        expect((await post({ type: "impression", recommendation_ids: ids })).data).toEqual({ accepted: 4, counted: 0, without_impression: 0, repeated: 4 })
        // One id clicked 100 times: one click.
        for (let i = 0; i < 100; i++) expect((await post({ type: "click", recommendation_ids: [ids[0]] })).status).toBe(202)
        // A click on an item whose impression never came is no click-through: it is counted apart.
        const unseen = (await get("/store/recommendations?limit=1", storeHeaders(store.mainKey, store.alice))).data.recommendations[0].recommendation_id
        expect((await post({ type: "click", recommendation_ids: [unseen, unseen] })).data).toEqual({ accepted: 2, counted: 0, without_impression: 1, repeated: 1 })

        const [payload, signature] = ids[0].split(".")
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString())
        expect(claims).toEqual([firstVersion, "personal", expect.stringMatching(/^prod_/), expect.any(Number), expect.stringMatching(/^[\w-]{16}$/)])
        const forged = `${Buffer.from(JSON.stringify([firstVersion, "personal", store.id("Mug"), claims[3], claims[4]])).toString("base64url")}.${signature}`
        const refused = await post({ type: "click", recommendation_ids: [forged] })
        expect(refused.status).toBe(400)
        expect(refused.data.message).toMatch(/recommendation_ids.0: bad signature/)
        const standard = `${payload}.${Buffer.from(signature, "base64url").toString("base64")}`
        expect((await post({ type: "click", recommendation_ids: [standard] })).data.message).toMatch(/recommendation_ids.0: malformed/)
        const expired = signRecommendationId({ version: firstVersion, list: "personal", product: store.id("Mug"), issuedAt: Math.floor(Date.now() / 1000) - 2 * 86400 }, process.env.JWT_SECRET ?? "supersecret")
        expect((await post({ type: "click", recommendation_ids: [expired] })).data.message).toMatch(/expired/)
        expect((await post({ type: "view", recommendation_ids: [payload] })).status).toBe(400)
        expect((await post({ type: "click", recommendation_ids: [ids[1], forged] })).status).toBe(400) // all or nothing: ids[1] is not counted

        const { data: { events } } = await api.get(`/admin/personalization/recommendation-events?version_id=${firstVersion}`, admin)
        expect(events).toEqual([
          {
            version_id: firstVersion,
            list_type: "personal",
            impressions: 4,
            clicks: 1,
            add_to_carts: 0,
            clicks_without_impression: 1,
            add_to_carts_without_impression: 0,
            click_through_rate: 0.25,
          },
        ])
        expect((await api.get("/admin/personalization/recommendation-events").catch((e: any) => e.response)).status).toBe(401)
      })

      it("limits a client by its connection, whatever X-Forwarded-For says, counting events rather than requests", async () => {
        const { data } = await get("/store/recommendations?limit=10", storeHeaders(store.mainKey, store.alice))
        const ids: string[] = data.recommendations.map((i: Item) => i.recommendation_id)
        const post = (body: unknown, i: number) =>
          api
            .post("/store/recommendations/events", body, { headers: { ...storeHeaders(store.mainKey).headers, "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } })
            .catch((e: any) => e.response)
        let accepted = 0
        let refused: { status: number; headers: Record<string, string>; data: { message: string } } | undefined
        // In batches of 25 at once, so that the 1,000 requests fit in one minute on a busy machine.
        const started = Date.now()
        for (let i = 0; i < 1000; i += BATCH) {
          const responses = await Promise.all(Array.from({ length: BATCH }, (_, j) => post({ type: "impression", recommendation_ids: ids.slice(0, 2) }, i + j)))
          for (const response of responses) {
            if (response.status === 202) accepted += 2
            else if (!refused) refused = response
          }
        }
        expect(Date.now() - started).toBeLessThan(60_000)
        // 600 events a minute per client (the default): 300 requests of two ids; the rest refused.
        expect(accepted).toBe(600)
        expect(refused?.status).toBe(429)
        expect(Number(refused?.headers["retry-after"])).toBeGreaterThanOrEqual(1)
        expect(refused?.data.message).toMatch(/at most 600 per client in any minute/)
      })

      it("counts visitors behind a trusted proxy one by one, and a whole storefront against the key's ceiling", async () => {
        const { data } = await get("/store/recommendations?limit=2", storeHeaders(store.mainKey, store.alice))
        const ids: string[] = data.recommendations.map((i: Item) => i.recommendation_id)
        await withOptions({ events: { trustedProxyHops: 1, perKeyPerMinute: 1500 } }, async () => {
          const post = (i: number) =>
            api
              .post("/store/recommendations/events", { type: "impression", recommendation_ids: ids }, { headers: { ...storeHeaders(store.mainKey).headers, "x-forwarded-for": `203.0.${(i >> 8) & 255}.${i & 255}` } })
              .catch((e: any) => e.response)
          const statuses: number[] = []
          const started = Date.now()
          // Batches of 25 at once (750 is a multiple: the ceiling falls between two batches).
          for (let i = 0; i < 1000; i += BATCH) {
            for (const response of await Promise.all(Array.from({ length: BATCH }, (_, j) => post(i + j)))) statuses.push(response.status)
          }
          expect(Date.now() - started).toBeLessThan(60_000)
          // 1,000 visitors of two events each: none throttled by another's traffic, until the
          // storefront as a whole reaches the key's ceiling of 1,500 events.
          expect(statuses.slice(0, 750).every((s) => s === 202)).toBe(true)
          expect(statuses.slice(750).every((s) => s === 429)).toBe(true)
        })
      })
    })

    describe("customer deletion during a training run", () => {
      it("never stores a personal list for a customer deleted while the run was training", async () => {
        const container = getContainer()
        const block = await blockWrites(container.resolve(ContainerRegistrationKeys.CONFIG_MODULE).projectConfig.databaseUrl as string, "personalization_recommendation_list")
        const run = runTraining(container)
        try {
          await block.waitUntilBlocked()
          // Read and fitted before this; its lists are about to be written.
          await container.resolve(Modules.CUSTOMER).softDeleteCustomers([store.alice.id])
        } finally {
          await block.release()
        }
        const version = await run
        expect(version.status).toBe("active")
        const { rows } = await pg(container).raw(
          `SELECT version_id FROM personalization_recommendation_list WHERE kind = 'customer' AND subject_id = ? ORDER BY version_id`,
          [store.alice.id]
        )
        expect(rows).toEqual([{ version_id: firstVersion }]) // the earlier version's list goes with the customer.deleted purge
        const { data } = await get("/store/recommendations", storeHeaders(store.mainKey, store.alice))
        expect(data.list).toBe("trending")
      })
    })

    describe("model versions", () => {
      it("stores the same lists when three worker threads build the personal lists (listThreads)", async () => {
        const container = getContainer()
        const threaded = await withOptions({ training: { listThreads: 3 } }, () => runTraining(container))
        expect(threaded.status).toBe("active")
        const lists = async (id: string) =>
          (await pg(container).raw(`SELECT kind, subject_id, encode(items, 'hex') AS items FROM personalization_recommendation_list WHERE version_id = ? ORDER BY kind, subject_id`, [id])).rows
        const table = async (id: string) =>
          (await pg(container).raw(`SELECT index, product_id, buyers, recent_buyers FROM personalization_model_product WHERE version_id = ? ORDER BY index`, [id])).rows
        const [one, three] = [await lists(firstVersion), await lists(threaded.id)]
        expect(three.filter((l) => l.kind === "customer").length).toBeGreaterThan(100)
        expect(three).toEqual(one)
        expect(await table(threaded.id)).toEqual(await table(firstVersion))
        expect(threaded.lists).toBe(one.length)
      })

      it("keeps the active version when the candidate does not beat it, and rolls back on request", async () => {
        const container = getContainer()
        const rejected = await runTraining(container, { recipe: { model: "popularity", options: {} } })
        // Popularity itself can never beat popularity: every activation must.
        expect(rejected).toMatchObject({ status: "rejected", reason: expect.stringMatching(/^NDCG@10 0\.\d{4} does not beat popularity 0\.\d{4}$/) })
        expect(await activeVersionId(container)).toBe(firstVersion)

        const refreshed = await runTraining(container)
        expect(refreshed.status).toBe("active")
        expect(refreshed.reason).toMatch(/refreshed on newer data/)
        expect(await activeVersionId(container)).toBe(refreshed.id)

        const rollback = await api.post(`/admin/personalization/models/${firstVersion}/activate`, {}, admin)
        expect(rollback.data.version).toMatchObject({ id: firstVersion, status: "active" })
        expect(await activeVersionId(container)).toBe(firstVersion)
        const served = await get("/store/recommendations?limit=1", storeHeaders(store.mainKey, store.alice))
        const [payload] = served.data.recommendations[0].recommendation_id.split(".")
        expect(JSON.parse(Buffer.from(payload, "base64url").toString())[0]).toBe(firstVersion)
        // Served from the first version's own product table and lists.
        expect(served.data.list).toBe("personal")

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
        const result = await runTraining(container)
        expect(result).toMatchObject({ status: "skipped", reason: expect.stringMatching(/^not enough data: 1 customers with orders \(100 needed\)/) })
        expect(await activeVersionId(container)).toBe(firstVersion)
      })

      it("gives no personal list to a customer who opted out", async () => {
        const container = getContainer()
        await pg(container).raw(`UPDATE customer SET metadata = '{"personalization_opt_out": "true"}' WHERE id = ?`, [store.bob.id])
        const result = await runTraining(container)
        expect(result.status).toBe("active")
        const { data } = await get("/store/recommendations", storeHeaders(store.mainKey, store.bob))
        expect(data.list).toBe("trending")
        expect(data.recommendations.every((i: Item) => ["trending", "popular", "new_arrival"].includes(i.reason.code))).toBe(true)
      })

      it("never runs two trainings at once: one started at the same time waits a second for the lock, then is skipped", async () => {
        const container = getContainer()
        const runs = await Promise.all([runTraining(container), runTraining(container)])
        const ran = runs.filter((r) => r.status !== "skipped")
        // Whichever ran, ran alone: a run that got the lock within the wait started after the other had finished.
        if (ran.length === 2) {
          const [a, b] = [...ran].sort((x, y) => +new Date(x.started_at as Date) - +new Date(y.started_at as Date))
          expect(+new Date(b.started_at as Date)).toBeGreaterThanOrEqual(+new Date(a.finished_at as Date))
        } else {
          expect(runs.find((r) => r.status === "skipped")?.reason).toMatch(/^another training run holds the lock, or the lock store did not answer within 1 s/)
        }
        expect(ran.every((r) => r.status === "active")).toBe(true)
      })

      it("keeps only the newest versions' lists", async () => {
        const container = getContainer()
        for (let i = 0; i < 4; i++) await runTraining(container)
        const { rows } = await pg(container).raw(
          `SELECT status, COUNT(*)::int AS n FROM personalization_model_version WHERE lists > 0 GROUP BY status ORDER BY status`
        )
        expect(rows).toEqual([
          { status: "active", n: 1 },
          { status: "inactive", n: 3 }, // of four: keepVersions (default 3) keep their lists
        ])
      })
    })

    describe("nightly refresh", () => {
      // A full run whose collaborative part is a sparse item-kNN keeps neighbour rows a refresh can reuse.
      const KNN = { model: "hybrid", options: { collaborative: { model: "item-knn", options: { neighbours: 20 } } } } as const
      const versionOf = (recommendationId: string) => JSON.parse(Buffer.from(recommendationId.split(".")[0], "base64url").toString())[0]

      it("refreshes the active full run on the nights between full runs: only the changed customer's list and trending are rebuilt, the rest is served from the full run", async () => {
        const container = getContainer()
        const recommendations = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
        await pg(container).raw(`UPDATE personalization_model_version SET status = 'inactive'`)
        const full = await runTraining(container, { recipe: KNN as never })
        expect(full).toMatchObject({ status: "active", base_version_id: null })
        expect(await recommendations.hasSimilarityState(full.id)).toBe(true)
        const before = await recommendations.getActiveList("customer", store.alice.id)
        expect(before?.items.find((i) => i.product_id === store.id("Coffee 2"))?.code).not.toBe("buy_again")

        // Alice, who bought Tea 1 only, buys Coffee 2 today.
        const [order] = await container.resolve(Modules.ORDER).createOrders([
          { customer_id: store.alice.id, email: store.alice.email, currency_code: await storeCurrency(container), status: "completed", items: [{ title: "Line", product_id: store.id("Coffee 2"), quantity: 1, unit_price: 10 }] },
        ])
        await deliver(container, "order.placed", [{ id: order.id }])

        // A run from the admin or a script is always a full run; the nightly job's refreshes.
        const night = await runTraining(container, { refresh: true })
        expect(night).toMatchObject({ status: "active", base_version_id: full.id, evaluation: null, reason: expect.stringMatching(new RegExp(`^a refresh of ${full.id} .*the personal lists of the 1 customers`)) })
        const { rows } = await pg(container).raw(`SELECT kind, subject_id FROM personalization_recommendation_list WHERE version_id = ? ORDER BY kind`, [night.id])
        expect(rows).toEqual([{ kind: "customer", subject_id: store.alice.id }, { kind: "trending", subject_id: "" }])
        const alice = await recommendations.getActiveList("customer", store.alice.id)
        expect(alice?.version_id).toBe(night.id)
        expect(alice?.items.find((i) => i.product_id === store.id("Coffee 2"))?.code).toBe("buy_again")
        // Bob's list and the product lists are the full run's, through the store routes too.
        const bob = await get("/store/recommendations?limit=3", storeHeaders(store.mainKey, store.bob))
        expect(bob.data.list).toBe("personal")
        expect(versionOf(bob.data.recommendations[0].recommendation_id)).toBe(full.id)
        const herList = await get("/store/recommendations?limit=3", storeHeaders(store.mainKey, store.alice))
        expect(versionOf(herList.data.recommendations[0].recommendation_id)).toBe(night.id)
        const related = await get(`/store/products/${store.id("Tea 1")}/recommendations?limit=3`, storeHeaders(store.mainKey))
        expect(related.status).toBe(200)
        expect(versionOf(related.data.recommendations[0].recommendation_id)).toBe(full.id)

        // The next night refreshes the full run again (not the refresh): Alice's change still counts.
        const next = await runTraining(container, { refresh: true })
        expect(next).toMatchObject({ status: "active", base_version_id: full.id })
        expect((await recommendations.getActiveList("customer", store.alice.id))?.version_id).toBe(next.id)
        // The full run's lists and rows outlive any number of refreshes while they serve.
        for (let i = 0; i < 4; i++) await runTraining(container, { refresh: true })
        expect((await recommendations.retrieveModelVersion(full.id)).lists).toBeGreaterThan(100)
        expect((await recommendations.getActiveList("customer", store.bob.id))?.version_id).toBe(full.id)

        // With fullRunEveryDays 1, or once the full run is older than fullRunEveryDays, the nightly run is a full one.
        const daily = await withOptions({ training: { fullRunEveryDays: 1 } }, () => runTraining(container, { refresh: true }))
        expect(daily.base_version_id).toBeNull()
        expect(daily.evaluation).not.toBeNull()
      })

      it("runs a full run when the active full run is older than fullRunEveryDays, or kept no neighbour rows", async () => {
        const container = getContainer()
        // The first version is the small store's default (EASE inside the hybrid): no rows to keep.
        expect(await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).hasSimilarityState(firstVersion)).toBe(false)
        const noRows = await runTraining(container, { refresh: true })
        expect(noRows.base_version_id).toBeNull()
        expect(noRows.evaluation).not.toBeNull()
        await pg(container).raw(`UPDATE personalization_model_version SET status = 'inactive'`)
        const full = await runTraining(container, { recipe: KNN as never })
        expect(full.status).toBe("active")
        await pg(container).raw(`UPDATE personalization_model_version SET as_of = as_of - interval '7 days' WHERE id = ?`, [full.id])
        const weekly = await runTraining(container, { refresh: true })
        expect(weekly.base_version_id).toBeNull()
        expect(weekly.evaluation).not.toBeNull()
      })
    })

    describe("customer deletion", () => {
      it("removes the customer's lists from every version, and the customer then gets trending", async () => {
        const container = getContainer()
        await runTraining(container) // a second version with her list
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
