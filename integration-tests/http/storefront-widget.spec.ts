import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core"
import { runTraining } from "../../src/workflows/runs"
import { adminHeaders } from "../helpers/admin"
import { type RecommendableStore, seedRecommendableStore, storeHeaders } from "../helpers/recommendations"

jest.setTimeout(240_000)

// Browser globals, used only inside functions that page.$$eval runs in the page (the test
// tsconfig has no DOM lib).
declare const document: any
declare const window: any

/** Products of the main channel: everything a strip of the main key may show. */
const MAIN_CHANNEL = ["Tea 1", "Tea 2", "Tea 3", "Tea 4", "Coffee 1", "Coffee 2", "Coffee 3", "Coffee 4", "Mug", "Spoon"]
const DEMO = "/personalization/storefront-demo"
const WIDGET = `${DEMO}/recommendations-strip.js`

type Card = { title: string; price: string | null; reason: string | null; href: string }
type EventRow = { version_id: string; list_type: string; impressions: number; clicks: number; add_to_carts: number }

/** A page that records uncaught errors and Content-Security-Policy violations. */
async function open(context: BrowserContext) {
  const page = await context.newPage()
  const pageErrors: string[] = []
  const cspViolations: string[] = []
  page.on("pageerror", (e) => pageErrors.push(e.message))
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
  })
  return { page, pageErrors, cspViolations }
}

const cards = (page: Page, section: string): Promise<Card[]> =>
  page.$$eval(`#${section} .pz-card`, (nodes: any[]) =>
    nodes.map((c) => ({
      title: c.querySelector(".pz-title")?.textContent ?? "",
      price: c.querySelector(".pz-price")?.textContent ?? null,
      reason: c.querySelector(".pz-reason")?.textContent ?? null,
      href: c.getAttribute("href"),
    }))
  )

/** Waits until the demo page's event log shows `n` answered impression posts. */
async function impressionsSent(page: Page, n: number) {
  await page.waitForFunction((count: number) => document.querySelectorAll("#events li[data-type=impression]").length >= count, n)
  return page.$$eval("#events li[data-type=impression]", (nodes: any[]) => nodes.map((li) => li.textContent as string))
}

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let store: RecommendableStore
    let admin: { headers: Record<string, string> }
    let browser: Browser
    let context: BrowserContext
    let base: string

    // The runner restores the database to this seeded, trained state before every test.
    beforeAll(async () => {
      store = await seedRecommendableStore(getContainer())
      admin = await adminHeaders(getContainer())
      await runTraining(getContainer())
      base = api.defaults.baseURL as string
      browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] })
    })
    afterAll(async () => {
      await browser?.close()
    })
    beforeEach(async () => {
      context = await browser.newContext()
    })
    afterEach(async () => {
      await context.close()
    })

    const productPage = (productTitle: string, key = store.mainKey) =>
      `${base}${DEMO}?${new URLSearchParams({ key, product_id: store.id(productTitle), region_id: store.region.id })}`

    it("serves the page with a restrictive CSP and the widget as a JavaScript module, without a publishable key", async () => {
      const pageResponse = await api.get(DEMO)
      expect(pageResponse.status).toBe(200)
      expect(pageResponse.headers["content-type"]).toBe("text/html; charset=utf-8")
      const csp = pageResponse.headers["content-security-policy"] as string
      expect(csp).toMatch(/^default-src 'none'; script-src 'self' 'nonce-[\w+/=]+'; style-src 'nonce-[\w+/=]+'; connect-src 'self'/)

      const widget = await api.get(WIDGET)
      expect(widget.status).toBe(200)
      expect(widget.headers["content-type"]).toBe("text/javascript; charset=utf-8")
      expect(widget.data).toContain("export async function renderRecommendations(element, options)")
      expect(widget.data).not.toMatch(/\.innerHTML|outerHTML|insertAdjacentHTML|document\.write/)

      // Without a key the page explains itself and asks for nothing.
      const { page, pageErrors, cspViolations } = await open(context)
      await page.goto(`${base}${DEMO}`)
      expect(await page.isVisible("#help")).toBe(true)
      expect(await page.$$(".pz-card")).toHaveLength(0)
      expect(pageErrors).toEqual([])
      expect(cspViolations).toEqual([])
    })

    it("shows a product page's strips with the store's products, prices and reasons, and counts a click", async () => {
      const { page, pageErrors, cspViolations } = await open(context)
      // Spoon: bought with Mug (in orders of their own) by customers who also drink tea.
      await page.goto(productPage("Spoon"))
      const firstImpressions = await impressionsSent(page, 2)
      expect(firstImpressions).toEqual([expect.stringMatching(/HTTP 202$/), expect.stringMatching(/HTTP 202$/)])
      expect(await page.textContent("#heading")).toBe("Spoon")
      expect(await page.textContent("#bought-together h2")).toBe("Frequently bought together")

      const together = await cards(page, "bought-together")
      const related = await cards(page, "related")
      expect(together).toHaveLength(6)
      expect(related).toHaveLength(6)
      expect(together[0]).toEqual({
        title: "Mug",
        price: expect.stringMatching(/10(\.00)?/),
        reason: "Often bought together with Spoon",
        href: `?${new URLSearchParams({ key: store.mainKey, product_id: store.id("Mug"), region_id: store.region.id })}`,
      })
      // Related by who buys it: Mug (the same customers), then the teas they drink.
      expect(related[0].title).toBe("Mug")
      expect(related.slice(1, 4).every((c) => c.title.startsWith("Tea"))).toBe(true)
      for (const card of [...together, ...related]) {
        expect(MAIN_CHANNEL).toContain(card.title) // never the draft teapot or the other channel's kettle
        expect(card.title).not.toBe("Spoon") // nor the product on view
        expect(card.reason).toMatch(/\w/)
      }

      // Following the first card posts its click (keepalive: it outlives the page) and opens Mug's page.
      // The browser reports no response for a request of a page it left: the admin's count says it arrived.
      const click = page.waitForRequest((r) => r.url() === `${base}/store/recommendations/events` && r.postDataJSON()?.type === "click")
      await page.click("#bought-together .pz-card >> nth=0")
      expect((await click).headers()["x-publishable-api-key"]).toBe(store.mainKey)
      await page.waitForURL((url) => url.searchParams.get("product_id") === store.id("Mug"))
      await impressionsSent(page, 2)
      expect(await page.textContent("#heading")).toBe("Mug")
      const shownOnMug = (await cards(page, "bought-together")).length + (await cards(page, "related")).length

      const events = async () => (await api.get("/admin/personalization/recommendation-events", admin)).data.events as EventRow[]
      const sum = (rows: EventRow[], field: "impressions" | "clicks") => rows.reduce((s, r) => s + r[field], 0)
      let rows = await events()
      for (let tries = 0; sum(rows, "clicks") === 0 && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        rows = await events()
      }
      expect(sum(rows, "impressions")).toBe(together.length + related.length + shownOnMug)
      expect(sum(rows, "clicks")).toBe(1)
      expect(rows.find((r) => r.clicks === 1)?.list_type).toBe("bought_together")
      expect(pageErrors).toEqual([])
      expect(cspViolations).toEqual([])
    })

    it("renders product text as text, never as markup", async () => {
      // Mug heads Spoon's bought-together strip (see above).
      await getContainer().resolve(Modules.PRODUCT).updateProducts(store.id("Mug"), { title: `<img src=x onerror="window.pwned=1">Mug` })
      const { page, pageErrors } = await open(context)
      await page.goto(productPage("Spoon"))
      await impressionsSent(page, 2)
      const [first] = await cards(page, "bought-together")
      expect(first.title).toBe(`<img src=x onerror="window.pwned=1">Mug`)
      expect(await page.$$("#strips img")).toHaveLength(0) // the seeded products have no thumbnails
      expect(await page.evaluate("window.pwned")).toBeUndefined()
      expect(pageErrors).toEqual([])
    })

    it("gives a logged-in customer the personal list", async () => {
      const { page } = await open(context)
      await page.goto(`${base}${DEMO}`)
      const token = storeHeaders(store.mainKey, store.alice).headers.authorization.replace(/^Bearer /, "")
      // A string, not a function: the test's compiler would turn import() into require().
      const shown = await page.evaluate(`(async () => {
        const { renderRecommendations } = await import(${JSON.stringify(WIDGET)})
        const element = document.createElement("div")
        document.body.append(element)
        const result = await renderRecommendations(element, { publishableKey: ${JSON.stringify(store.mainKey)}, token: ${JSON.stringify(token)}, limit: 10 })
        const cards = [...element.querySelectorAll(".pz-card")].map((c) => [c.querySelector(".pz-title").textContent, c.querySelector(".pz-reason").textContent])
        return { result, cards }
      })()`) as { result: { list: string; count: number }; cards: [string, string][] }
      expect(shown.result).toEqual({ list: "personal", count: 10 })
      expect(shown.cards).toContainEqual(["Tea 2", "Because you bought Tea 1"])
      expect(shown.cards.map(([title]) => title).every((t) => MAIN_CHANNEL.includes(t))).toBe(true)
    })

    it("counts an impression only when the strip comes into view", async () => {
      const { page, pageErrors } = await open(context)
      await page.goto(`${base}${DEMO}`)
      // A strip below the fold: rendered, but not seen until the page scrolls to it.
      await page.evaluate(`(async () => {
        const { renderRecommendations } = await import(${JSON.stringify(WIDGET)})
        const spacer = document.createElement("div")
        spacer.style.height = "3000px"
        const element = document.createElement("div")
        element.id = "below"
        document.body.append(spacer, element)
        window.seenEvents = []
        window.rendered = await renderRecommendations(element, {
          publishableKey: ${JSON.stringify(store.mainKey)}, limit: 4, onEvent: (e) => window.seenEvents.push(e),
        })
      })()`)
      expect(await page.evaluate("window.rendered.count")).toBe(4)
      const posted: string[] = []
      page.on("request", (r) => {
        if (r.url() === `${base}/store/recommendations/events`) posted.push(r.postDataJSON()?.type)
      })
      await page.waitForTimeout(500)
      expect(posted).toEqual([])
      expect(await page.evaluate("window.seenEvents.length")).toBe(0)

      await page.evaluate("document.getElementById('below').scrollIntoView()")
      await page.waitForFunction(() => window.seenEvents.length === 1) // a function: under the page's CSP a string predicate cannot be evaluated
      expect(await page.evaluate("window.seenEvents.map((e) => [e.type, e.recommendation_ids.length, e.status])")).toEqual([["impression", 4, 202]])
      // Once: scrolling away and back posts nothing more.
      await page.evaluate("window.scrollTo(0, 0)")
      await page.evaluate("document.getElementById('below').scrollIntoView()")
      await page.waitForTimeout(300)
      expect(posted).toEqual(["impression"])
      expect(pageErrors).toEqual([])
    })

    it("shows nothing, and no error, with a wrong key or a product outside the key's channel", async () => {
      const { page, pageErrors, cspViolations } = await open(context)
      const refused = page.waitForResponse((r) => r.url().startsWith(`${base}/store/recommendations?`))
      await page.goto(`${base}${DEMO}?key=pk_wrong`)
      expect((await refused).status()).toBe(400)
      const direct = await page.evaluate(`(async () => {
        const { renderRecommendations } = await import(${JSON.stringify(WIDGET)})
        const element = document.createElement("div")
        element.append(document.createElement("span")) // replaced by the (empty) render
        document.body.append(element)
        const result = await renderRecommendations(element, { publishableKey: "pk_wrong", title: "Recommended" })
        return { result, children: element.childNodes.length }
      })()`)
      expect(direct).toEqual({ result: null, children: 0 })
      expect(await page.$eval("#for-you", (s: any) => s.childNodes.length)).toBe(0)
      expect(await page.$$("#events li")).toHaveLength(0)

      // Tea 1 is not sold in the other key's channel: its product lists answer 404.
      const notFound = page.waitForResponse((r) => r.url().includes(`/store/products/${store.id("Tea 1")}/recommendations`))
      await page.goto(productPage("Tea 1", store.otherKey))
      expect((await notFound).status()).toBe(404)
      expect(await page.$$(".pz-card")).toHaveLength(0)
      expect(pageErrors).toEqual([])
      expect(cspViolations).toEqual([])
    })
  },
})
