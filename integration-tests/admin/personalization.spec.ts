/**
 * The Personalization page on the demo store: readiness in the API's numbers, the last runs of
 * each kind, and a segmentation run started from its button that the page follows to its end.
 */
import type { Browser } from "playwright-core"
import { adminApi, launch, login, newPage, screenshot } from "./harness"
import { API, confirmPrompt, int, openPluginPage, waitForRun } from "./helpers"

describe("admin: Personalization page", () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it("shows readiness with the API's counts and the last runs of each kind", async () => {
    const { readiness } = await adminApi<{
      readiness: { segmentation: { ready: boolean }; orders: number; customers: number; repeat_customers: number }
    }>(`${API}/readiness`)
    const page = await newPage(browser)
    await login(page)
    await openPluginPage(page, "/personalization", "personalization")
    // The sidebar has the entry with its two children.
    const nav = page.locator("nav, aside").first()
    await nav.getByRole("link", { name: "Personalization" }).first().waitFor({ timeout: 60_000 })
    await nav.getByRole("link", { name: "Segments" }).first().waitFor()
    await nav.getByRole("link", { name: "Models" }).first().waitFor()

    const state = page.locator("[data-readiness]")
    await state.waitFor({ timeout: 60_000 })
    expect(await state.getAttribute("data-readiness")).toBe(readiness.segmentation.ready ? "ready" : "not-ready")
    expect(await page.locator('[data-figure="Orders counted"] [data-value]').innerText()).toBe(int(readiness.orders))
    expect(await page.locator('[data-figure="Customers with an order"] [data-value]').innerText()).toBe(int(readiness.customers))
    expect(await page.locator('[data-figure="Repeat customers"] [data-value]').innerText()).toBe(int(readiness.repeat_customers))

    // The last runs: the newest run of each kind is the API's newest.
    const newest = {
      rebuild: (await adminApi<{ runs: { id: string; status: string }[] }>(`${API}/rebuild/runs?limit=5`)).runs[0],
      segmentation: (await adminApi<{ runs: { id: string; status: string }[] }>(`${API}/segmentation/runs?limit=5`)).runs[0],
      training: (await adminApi<{ versions: { id: string; status: string }[] }>(`${API}/models?limit=5`)).versions[0],
    }
    for (const [kind, run] of Object.entries(newest)) {
      const first = page.locator(`[data-runs="${kind}"] tbody tr`).first()
      await first.waitFor({ timeout: 60_000 })
      expect(await first.getAttribute("data-run-id")).toBe(run.id)
      expect(await first.getAttribute("data-run-status")).toBe(run.status)
    }
    // The admin scrolls inside its main column: a tall viewport puts the whole page in the shot.
    await page.setViewportSize({ width: 1440, height: 1400 })
    await screenshot(page, "personalization")
    expect(page.errors).toEqual([])
    await page.context().close()
  })

  it("starts a segmentation run from its button, disables the button while it runs and shows it completed", async () => {
    const page = await newPage(browser)
    await login(page)
    await openPluginPage(page, "/personalization", "personalization")
    const section = page.locator('[data-runs="segmentation"]')
    const button = section.locator('[data-run-now="segmentation"]')
    await section.locator("tbody tr").first().waitFor({ timeout: 60_000 })
    const before = await section.locator("tbody tr").first().getAttribute("data-run-id")
    await button.waitFor()
    expect(await button.isEnabled()).toBe(true)

    const started = page.waitForResponse((r) => new URL(r.url()).pathname === `${API}/segmentation/run` && r.request().method() === "POST")
    await button.click()
    await confirmPrompt(page, "Run now")
    const response = await started
    expect(response.status()).toBe(202)
    const { run_id } = (await response.json()) as { run_id: string }
    expect(run_id).not.toBe(before)

    // The new run heads the list, and the button stays disabled until it ends.
    const row = section.locator(`tbody tr[data-run-id="${run_id}"]`)
    await row.waitFor({ timeout: 30_000 })
    const statusWhileQueued = await row.getAttribute("data-run-status")
    if (statusWhileQueued === "queued" || statusWhileQueued === "running") expect(await button.isDisabled()).toBe(true)

    const run = await waitForRun<{ status: string; customers: number }>(`${API}/segmentation/runs/${run_id}`, "run")
    expect(run.status).toBe("completed")
    // The page polls until the run ends, then shows it as the API has it.
    await page.locator(`[data-runs="segmentation"] tbody tr[data-run-id="${run_id}"][data-run-status="completed"]`).waitFor({ timeout: 30_000 })
    expect(await row.innerText()).toContain(`${int(run.customers)} customers`)
    await page.waitForFunction(
      (selector: string) => !(globalThis as unknown as { document: { querySelector(s: string): { disabled: boolean } | null } }).document.querySelector(selector)?.disabled,
      '[data-run-now="segmentation"]',
      { timeout: 30_000 }
    )
    expect(page.errors).toEqual([])
    await page.context().close()
  })
})
