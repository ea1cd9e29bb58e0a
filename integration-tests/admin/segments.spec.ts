/**
 * Segments in the admin on the demo store: the table shows the API's segments and figures, the
 * charts render SVG from the API's data, and a segment's page leads to Medusa's customer page.
 */
import type { Browser } from "playwright-core"
import { adminApi, launch, login, newPage, screenshot } from "./harness"
import { API, int, money, openPluginPage, pct } from "./helpers"

type Segment = {
  key: string
  name: string
  size: number
  share: number
  mean_buy_probability: number | null
  mean_expected_spend: number | null
}

describe("admin: segments", () => {
  let browser: Browser
  let segments: Segment[]
  let currency: string

  beforeAll(async () => {
    browser = await launch()
    const body = await adminApi<{ segments: Segment[]; run: { currency_code: string } | null }>(`${API}/segments`)
    segments = body.segments
    currency = body.run?.currency_code ?? "gbp"
  })
  afterAll(async () => {
    await browser?.close()
  })

  it("the demo store has segments to show", () => {
    expect(segments.length).toBeGreaterThan(1)
  })

  it("lists every segment with the API's size, share and predictions, and draws the scatter and the history", async () => {
    const page = await newPage(browser)
    await login(page)
    await openPluginPage(page, "/personalization/segments", "segments")
    const rows = page.locator('[data-section="segments-table"] tbody tr')
    await rows.first().waitFor({ timeout: 60_000 })
    expect(await rows.count()).toBe(segments.length)

    for (const s of segments) {
      const row = rows.filter({ has: page.locator(`[data-segment-key="${s.key}"]`) })
      await expect(row.locator('[data-segment-key]').innerText()).resolves.toBe(s.name)
      expect(await row.locator('[data-cell="size"]').innerText()).toBe(`${int(s.size)} · ${pct(s.share)}`)
      if (s.mean_buy_probability != null) {
        expect(await row.locator('[data-cell="buy-probability"]').innerText()).toBe(pct(s.mean_buy_probability))
      }
      if (s.mean_expected_spend != null) {
        expect(await row.locator('[data-cell="expected-spend"]').innerText()).toBe(money(s.mean_expected_spend, currency))
      }
    }
    // Sorted by size, largest first (the default).
    const sizes = [...segments].sort((a, b) => b.size - a.size).map((s) => s.key)
    expect(await rows.locator("[data-segment-key]").evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string | null }).getAttribute("data-segment-key")))).toEqual(sizes)

    // The scatter: one SVG symbol per sampled customer, one group per segment in the sample.
    const sample = await adminApi<{ points: { segment_key: string }[] }>(`${API}/segments/sample?size=2000`)
    const scatter = page.locator('[data-chart="segment-scatter"]')
    await scatter.locator("svg .recharts-scatter").first().waitFor({ timeout: 60_000 })
    expect(await scatter.locator("svg .recharts-scatter-symbol").count()).toBe(sample.points.length)
    expect(await scatter.locator("svg .recharts-scatter").count()).toBe(new Set(sample.points.map((p) => p.segment_key)).size)

    // The history: a line (with a dot per run) for each segment of the last runs.
    const history = await adminApi<{ runs: { segments: { key: string }[] }[] }>(`${API}/segments/history?runs=10`)
    const chart = page.locator('[data-chart="segment-history"]')
    // (a line of a single run has no curve, only its dot: wait for the layer, not its visibility)
    await chart.locator("svg .recharts-line-dot").first().waitFor({ timeout: 60_000 })
    const keys = new Set(history.runs.flatMap((r) => r.segments.map((s) => s.key)))
    expect(await chart.locator("svg .recharts-line").count()).toBe(keys.size)
    const dots = history.runs.reduce((n, r) => n + r.segments.length, 0)
    expect(await chart.locator("svg .recharts-line-dot").count()).toBe(dots)

    // The admin scrolls inside its main column: a tall viewport puts the whole page in the shot.
    await page.setViewportSize({ width: 1440, height: 1700 })
    await screenshot(page, "segments")
    expect(page.errors).toEqual([])
    await page.context().close()
  })

  it("a segment's page draws its centre, history, scatter and histogram from the API, states its rules and links members to Medusa's customer page", async () => {
    const largest = [...segments].sort((a, b) => b.size - a.size)[0]
    const detail = await adminApi<{
      centre: { feature: string; segment: number; store: number }[]
      buy_probability_histogram: { count: number }[]
      rules: { text: string; member_accuracy: number; non_member_accuracy: number } | null
    }>(`${API}/segments/${largest.key}`)
    const members = await adminApi<{ customers: { customer_id: string; email: string | null }[]; count: number }>(
      `${API}/segments/${largest.key}/customers?limit=20&offset=0`
    )

    const page = await newPage(browser)
    await login(page)
    await openPluginPage(page, `/personalization/segments/${largest.key}`, "segment")
    await page.getByRole("heading", { name: largest.name }).waitFor({ timeout: 60_000 })
    expect(await page.locator('[data-figure="buy-probability"] [data-value]').innerText()).toBe(
      largest.mean_buy_probability == null ? "–" : pct(largest.mean_buy_probability)
    )

    // Centre against the store: two bars (segment, store) per feature.
    expect(detail.centre.length).toBeGreaterThan(0)
    for (const c of detail.centre) {
      const chart = page.locator(`[data-chart="centre-${c.feature}"]`)
      await chart.locator("svg .recharts-bar-rectangle").first().waitFor({ timeout: 60_000 })
      expect(await chart.locator("svg .recharts-bar-rectangle").count()).toBe([c.segment, c.store].filter((v) => v !== 0).length)
    }

    // The histogram: a bar for each non-empty bin of buy-again probability.
    if (detail.buy_probability_histogram.length) {
      const histogram = page.locator('[data-chart="buy-probability-histogram"]')
      await histogram.locator("svg .recharts-bar-rectangle").first().waitFor({ timeout: 60_000 })
      expect(await histogram.locator("svg .recharts-bar-rectangle").count()).toBe(detail.buy_probability_histogram.filter((b) => b.count > 0).length)
    }

    // Scatter with this segment highlighted, and its own size history.
    const scatter = page.locator('[data-chart="segment-scatter"]')
    await scatter.locator("svg .recharts-scatter-symbol").first().waitFor({ timeout: 60_000 })
    expect(await page.locator('[data-chart="segment-history"] svg .recharts-line').count()).toBe(1)

    if (detail.rules) {
      await page.locator('[data-section="rules"]').getByText(detail.rules.text).waitFor()
      expect(await page.locator("[data-rule-accuracy]").innerText()).toContain(pct(detail.rules.member_accuracy))
    }

    // Members: the API's first page, each linked to Medusa's customer page.
    const links = page.locator("[data-member-link]")
    await links.first().waitFor({ timeout: 60_000 })
    expect(await links.evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string | null }).getAttribute("data-member-link")))).toEqual(members.customers.map((c) => c.customer_id))
    await page.setViewportSize({ width: 1440, height: 2700 })
    await screenshot(page, "segment")

    const first = members.customers[0]
    await links.first().click()
    await page.waitForURL(new RegExp(`/app/customers/${first.customer_id}$`), { timeout: 60_000 })
    if (first.email) await page.getByText(first.email).first().waitFor({ timeout: 60_000 })
    expect(page.errors).toEqual([])
    await page.context().close()
  })
})
