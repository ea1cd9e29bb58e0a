/**
 * The Models page on the demo store: versions with the API's status and metrics, the quality
 * chart, and a rollback from the page that makes the store route serve the older version.
 */
import type { Browser } from "playwright-core"
import { adminApi, launch, login, newPage, screenshot } from "./harness"
import { API, confirmPrompt, customerToken, openPluginPage, storeAsCustomer, versionOf, waitForRun } from "./helpers"

type Version = {
  id: string
  status: string
  lists: number
  evaluation: { candidate: { ndcg10: number | null } } | null
}

/** The demo customer the demo script prints (78 orders: a personal list in every version). */
const CUSTOMER_EMAIL = "customer-17841@example.com"

const listVersions = async () => (await adminApi<{ versions: Version[] }>(`${API}/models?limit=20`)).versions
const fmt = (x: number | null) => (x == null ? "–" : x.toFixed(3))

describe("admin: Models page", () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it("with one stored version says there is nothing to roll back to; after a second training run, rolling back from the page makes the store serve the older version", async () => {
    let versions = await listVersions()
    const page = await newPage(browser)
    await login(page)

    if (!versions.some((v) => v.status === "inactive" && v.lists > 0)) {
      // The demo's single version: nothing to roll back to, and no Activate button.
      await openPluginPage(page, "/personalization/models", "models")
      await page.locator("[data-version-id]").first().waitFor({ timeout: 60_000 })
      await page.getByText("There is nothing to roll back to").waitFor({ timeout: 30_000 })
      expect(await page.locator("[data-activate]").count()).toBe(0)

      // Train a second version (the same recipe on the same data: it is activated as a refresh).
      const { version_id } = await adminApi<{ version_id: string }>(`${API}/models/train`, { body: {} })
      const trained = await waitForRun<Version>(`${API}/models/${version_id}`, "version")
      expect(["active", "rejected"]).toContain(trained.status)
      versions = await listVersions()
    }

    const active = versions.find((v) => v.status === "active")
    const older = versions.find((v) => v.status === "inactive" && v.lists > 0)
    expect(active).toBeDefined()
    expect(older).toBeDefined()
    if (!active || !older) return

    const token = await customerToken(CUSTOMER_EMAIL)
    const servedBefore = await storeAsCustomer<{ list: string; recommendations: { recommendation_id: string }[] }>("/store/recommendations?limit=5", token)
    expect(servedBefore.list).toBe("personal")
    expect(new Set(servedBefore.recommendations.map((r) => versionOf(r.recommendation_id)))).toEqual(new Set([active.id]))

    await openPluginPage(page, "/personalization/models", "models")
    await page.locator(`[data-version-id="${active.id}"]`).waitFor({ timeout: 60_000 })
    // Every version of the API, with its status and the candidate's NDCG@10.
    for (const v of versions) {
      const row = page.locator(`[data-version-id="${v.id}"]`)
      expect(await row.getAttribute("data-version-status")).toBe(v.status)
      if (v.evaluation) expect(await row.locator('[data-metric="ndcg10-candidate"]').innerText()).toBe(fmt(v.evaluation.candidate.ndcg10))
    }
    // The quality chart: one dot per evaluated version on the candidate's line.
    const chart = page.locator('[data-chart="model-quality"]')
    await chart.locator("svg .recharts-line-dot").first().waitFor({ timeout: 60_000 })
    expect(await chart.locator("svg .recharts-line").count()).toBe(3)
    // Dots: the candidate, the version active then (when there was one) and popularity of each evaluated version.
    const dots = versions.reduce((n, v) => {
      const e = v.evaluation as { candidate?: { ndcg10: number | null }; active?: { ndcg10: number | null } | null; popularity?: { ndcg10: number | null } } | null
      return n + [e?.candidate, e?.active, e?.popularity].filter((m) => m && m.ndcg10 != null).length
    }, 0)
    expect(await chart.locator("svg .recharts-line-dot").count()).toBe(dots)
    // The admin scrolls inside its main column: a tall viewport puts the whole page in the shot.
    await page.setViewportSize({ width: 1440, height: 1300 })
    await screenshot(page, "models")

    // Roll back from the page.
    const activated = page.waitForResponse((r) => new URL(r.url()).pathname === `${API}/models/${older.id}/activate`)
    await page.locator(`[data-activate="${older.id}"]`).click()
    await confirmPrompt(page, "Activate")
    expect((await activated).status()).toBe(200)
    await page.locator(`[data-version-id="${older.id}"][data-version-status="active"]`).waitFor({ timeout: 30_000 })
    await page.locator(`[data-version-id="${active.id}"][data-version-status="inactive"]`).waitFor({ timeout: 30_000 })

    const after = await listVersions()
    expect(after.find((v) => v.id === older.id)?.status).toBe("active")
    const servedAfter = await storeAsCustomer<{ list: string; recommendations: { recommendation_id: string }[] }>("/store/recommendations?limit=5", token)
    expect(servedAfter.list).toBe("personal")
    expect(new Set(servedAfter.recommendations.map((r) => versionOf(r.recommendation_id)))).toEqual(new Set([older.id]))
    expect(page.errors).toEqual([])
    await page.context().close()
  })
})
