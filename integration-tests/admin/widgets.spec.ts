/**
 * The plugin's widgets on Medusa's own pages of the demo store: the customer widget shows what
 * the API says (segment, predictions, recommendations), its opt-out switch takes effect at once
 * and in the next run; the product widget lists the API's related and bought-together
 * products; the customer-group widget marks the plugin's groups and stays away from others.
 */
import type { Browser } from "playwright-core"
import { adminApi, gotoAdmin, launch, login, newPage, screenshot } from "./harness"
import { API, confirmPrompt, customerToken, money, pct, storeAsCustomer, waitForRun } from "./helpers"

type Insights = {
  customer_id: string
  opted_out: boolean
  segment: { key: string; name: string; in_control: boolean } | null
  prediction: { buy_probability: number | null; expected_spend: number | null; currency_code: string | null } | null
  features: { orders: number } | null
}
type Item = { product_id: string }

/** The demo customer the demo script prints (segmented, with a personal list). */
const SHOWN_EMAIL = "customer-17841@example.com"

const insightsOf = async (id: string) => (await adminApi<{ insights: Insights }>(`${API}/customers/${id}/insights`)).insights
const idOfEmail = async (email: string) =>
  (await adminApi<{ customers: { id: string }[] }>(`/admin/customers?email=${encodeURIComponent(email)}&fields=id`)).customers[0].id
const ids = (page: import("playwright-core").Page, selector: string) =>
  page.locator(`${selector} [data-product-id]`).evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string | null }).getAttribute("data-product-id")))

describe("admin: widgets", () => {
  let browser: Browser
  let optedOutId: string | null = null
  let createdGroupId: string | null = null

  beforeAll(async () => {
    browser = await launch()
  })
  afterAll(async () => {
    // Leave the demo store as it was: the customer opted back in, the test's group deleted.
    if (optedOutId) await adminApi(`${API}/customers/${optedOutId}/opt-out`, { body: { opted_out: false } }).catch(() => undefined)
    if (createdGroupId) await adminApi(`/admin/customer-groups/${createdGroupId}`, { method: "DELETE" }).catch(() => undefined)
    await browser?.close()
  })

  it("the customer widget shows the segment, the predictions and the recommendations the API gives", async () => {
    const id = await idOfEmail(SHOWN_EMAIL)
    const insights = await insightsOf(id)
    const recs = await adminApi<{ recommendations: Item[]; list_type: string }>(`${API}/customers/${id}/recommendations?limit=10`)
    expect(insights.segment).not.toBeNull()
    expect(recs.recommendations.length).toBeGreaterThan(0)

    const page = await newPage(browser)
    await login(page)
    await gotoAdmin(page, `/customers/${id}`)
    const widget = page.locator('[data-widget="personalization-customer"]')
    await widget.locator("[data-segment-name]").waitFor({ timeout: 180_000 })
    expect(await widget.locator("[data-segment-name]").innerText()).toBe(insights.segment?.name)
    expect(await widget.locator(`[data-segment="${insights.segment?.key}"]`).count()).toBe(1)
    expect((await widget.locator("[data-holdout]").count()) > 0).toBe(!!insights.segment?.in_control)
    const p = insights.prediction
    expect(await widget.locator('[data-stat="buy-probability"] [data-value]').innerText()).toBe(p?.buy_probability == null ? "–" : pct(p.buy_probability))
    expect(await widget.locator('[data-stat="expected-spend"] [data-value]').innerText()).toBe(
      p?.expected_spend == null || !p.currency_code ? "–" : money(p.expected_spend, p.currency_code)
    )
    expect(await widget.locator('[data-stat="orders"] [data-value]').innerText()).toBe(String(insights.features?.orders))

    const list = widget.locator('[data-section="customer-recommendations"]')
    await list.locator("[data-product-id]").first().waitFor({ timeout: 60_000 })
    expect(await list.getAttribute("data-list-type")).toBe(recs.list_type)
    expect(await ids(page, '[data-recommendations="customer"]')).toEqual(recs.recommendations.map((r) => r.product_id))
    await page.setViewportSize({ width: 1440, height: 1400 })
    await screenshot(page, "customer-widget", { element: '[data-widget="personalization-customer"]' })
    expect(page.errors).toEqual([])
    await page.context().close()
  })

  it("the opt-out switch sets the metadata flag, stops the personal list at once, and the next run leaves the customer out", async () => {
    // A segmented customer with a personal list, other than the one the other specs use.
    const shown = await idOfEmail(SHOWN_EMAIL)
    const { segments } = await adminApi<{ segments: { key: string; size: number }[] }>(`${API}/segments`)
    const largest = [...segments].sort((a, b) => b.size - a.size)[0]
    const { customers } = await adminApi<{ customers: { customer_id: string; email: string | null }[] }>(
      `${API}/segments/${largest.key}/customers?limit=50&offset=0`
    )
    let chosen: { id: string; token: string } | null = null
    for (const c of customers) {
      if (c.customer_id === shown || !c.email) continue
      const token = await customerToken(c.email)
      const served = await storeAsCustomer<{ list: string }>("/store/recommendations?limit=3", token)
      if (served.list === "personal") {
        chosen = { id: c.customer_id, token }
        break
      }
    }
    expect(chosen).not.toBeNull()
    if (!chosen) return

    const page = await newPage(browser)
    await login(page)
    await gotoAdmin(page, `/customers/${chosen.id}`)
    const widget = page.locator('[data-widget="personalization-customer"]')
    const toggle = widget.locator('[data-opt-out-switch="on"]')
    await toggle.waitFor({ timeout: 180_000 })
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === `${API}/customers/${chosen?.id}/opt-out`)
    await toggle.click()
    await confirmPrompt(page, "Opt out")
    expect((await answered).status()).toBe(200)
    optedOutId = chosen.id
    await widget.locator('[data-opt-out-switch="off"]').waitFor({ timeout: 30_000 })
    await widget.locator("[data-no-segment]").waitFor({ timeout: 30_000 })

    // The flag in Medusa's customer record, and the store route serves trending at once.
    const { customer } = await adminApi<{ customer: { metadata: Record<string, unknown> | null } }>(`/admin/customers/${chosen.id}?fields=id,metadata`)
    expect(customer.metadata?.personalization_opt_out).toBe(true)
    const served = await storeAsCustomer<{ list: string }>("/store/recommendations?limit=3", chosen.token)
    expect(served.list).toBe("trending")
    expect((await insightsOf(chosen.id)).segment).toBeNull()

    // The next segmentation run leaves them out.
    const { run_id } = await adminApi<{ run_id: string }>(`${API}/segmentation/run`, { body: {} })
    const run = await waitForRun<{ status: string }>(`${API}/segmentation/runs/${run_id}`, "run")
    expect(run.status).toBe("completed")
    const after = await insightsOf(chosen.id)
    expect(after.opted_out).toBe(true)
    expect(after.segment).toBeNull()
    const scores = await adminApi(`${API}/customers/${chosen.id}/scores`).then(
      () => 200,
      (e: { status?: number }) => e.status
    )
    expect(scores).toBe(404)
    expect(page.errors).toEqual([])
    await page.context().close()
  })

  it("the product widget lists the API's related and bought-together products", async () => {
    const shown = await idOfEmail(SHOWN_EMAIL)
    const recs = await adminApi<{ recommendations: Item[] }>(`${API}/customers/${shown}/recommendations?limit=10`)
    // A product with both lists, among those the shown customer is recommended.
    let product: { id: string; related: Item[]; bought_together: Item[] } | null = null
    for (const r of recs.recommendations) {
      const lists = await adminApi<{ related: Item[]; bought_together: Item[] }>(`${API}/products/${r.product_id}/recommendations?limit=10`)
      if (lists.related.length && lists.bought_together.length) {
        product = { id: r.product_id, ...lists }
        break
      }
    }
    expect(product).not.toBeNull()
    if (!product) return

    const page = await newPage(browser)
    await login(page)
    await gotoAdmin(page, `/products/${product.id}`)
    const widget = page.locator('[data-widget="personalization-product"]')
    await widget.locator("[data-product-id]").first().waitFor({ timeout: 180_000 })
    expect(await ids(page, '[data-recommendations="related"]')).toEqual(product.related.map((r) => r.product_id))
    expect(await ids(page, '[data-recommendations="bought-together"]')).toEqual(product.bought_together.map((r) => r.product_id))
    await page.setViewportSize({ width: 1440, height: 1600 })
    await screenshot(page, "product-widget", { element: '[data-widget="personalization-product"]' })
    expect(page.errors).toEqual([])
    await page.context().close()
  })

  it("the customer-group widget names the segment of a plugin group and shows nothing on another group", async () => {
    const { segments } = await adminApi<{ segments: { key: string; name: string; customer_group_id: string | null }[] }>(`${API}/segments`)
    const managed = segments.find((s) => s.customer_group_id)
    expect(managed).toBeDefined()
    if (!managed?.customer_group_id) return
    const answer = await adminApi<{ managed: boolean; segment: { key: string } | null }>(`${API}/customer-groups/${managed.customer_group_id}/segment`)
    expect(answer.managed).toBe(true)

    const page = await newPage(browser)
    await login(page)
    await gotoAdmin(page, `/customer-groups/${managed.customer_group_id}`)
    const widget = page.locator('[data-widget="personalization-group"]')
    await widget.waitFor({ timeout: 180_000 })
    expect(await widget.getAttribute("data-managed-segment")).toBe(answer.segment?.key)
    expect(await widget.locator("[data-segment-link]").innerText()).toBe(managed.name)
    await screenshot(page, "group-widget", { element: '[data-widget="personalization-group"]' })

    const { customer_group } = await adminApi<{ customer_group: { id: string } }>("/admin/customer-groups", { body: { name: `Hand-made ${Date.now()}` } })
    createdGroupId = customer_group.id
    expect((await adminApi<{ managed: boolean }>(`${API}/customer-groups/${customer_group.id}/segment`)).managed).toBe(false)
    await gotoAdmin(page, `/customer-groups/${customer_group.id}`)
    await page.getByRole("heading", { name: /Hand-made/ }).first().waitFor({ timeout: 60_000 })
    // The page has rendered its own sections; the plugin's widget stays absent.
    await page.waitForTimeout(3000)
    expect(await page.locator('[data-widget="personalization-group"]').count()).toBe(0)
    expect(page.errors).toEqual([])
    await page.context().close()
  })
})
