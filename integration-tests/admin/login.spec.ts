/**
 * The demo admin on a port other than 9000 (issue 11): the admin the dev server serves calls its
 * own origin (the backend URL follows PORT), so logging in works and lands on the dashboard.
 */
import type { Browser } from "playwright-core"
import { adminApi, baseUrl, gotoAdmin, launch, login, newPage, screenshot } from "./harness"

// Browser globals, used only in functions that run in the page (the tsconfig has no DOM lib).
declare const document: any

describe("admin login on a non-default port", () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
  })

  it("runs on a port other than 9000", () => {
    expect(new URL(baseUrl).port).not.toBe("9000")
    expect(new URL(baseUrl).port).not.toBe("")
  })

  it("logs in with the demo admin and shows the dashboard, every API call to its own origin", async () => {
    const page = await newPage(browser)
    const apiHosts = new Set<string>()
    page.on("request", (r) => {
      const u = new URL(r.url())
      if (/^\/(admin|auth|store)\//.test(u.pathname)) apiHosts.add(u.host)
    })
    const failedAuth: string[] = []
    page.on("response", (r) => {
      if (r.status() === 401 && !new URL(r.url()).pathname.startsWith("/auth/")) failedAuth.push(r.url())
    })

    await login(page)
    // The admin goes to the orders list after a login from /app/login.
    await page.waitForURL(/\/app\/orders/)
    await page.getByRole("heading", { name: "Orders" }).first().waitFor({ timeout: 60_000 })
    // The dashboard's own data came back: the demo store's orders are listed with the API's count.
    const { count } = await adminApi<{ count: number }>("/admin/orders?limit=1&fields=id")
    expect(count).toBeGreaterThan(0)
    await page.locator("table tbody tr").first().waitFor({ timeout: 60_000 })

    expect([...apiHosts]).toEqual([new URL(baseUrl).host])
    // The dashboard's own font loads (Vite refuses files outside its allow list, e.g. a linked node_modules).
    const fonts = await page.evaluate(async () => {
      await document.fonts.ready
      return [...document.fonts].filter((f: any) => f.status === "loaded").map((f: any) => f.family as string)
    })
    expect(fonts.map((f: string) => f.replace(/["']/g, ""))).toContain("Inter")
    expect(failedAuth).toEqual([])
    // The session survives a reload (the cookie belongs to this origin).
    await gotoAdmin(page, "/customers")
    await page.getByRole("heading", { name: "Customers" }).first().waitFor({ timeout: 60_000 })
    expect(new URL(page.url()).pathname).toBe("/app/customers")
    const shots = await screenshot(page, "customers")
    expect(shots.dark).toMatch(/customers-dark\.png$/)
    expect(page.errors).toEqual([])
    await page.context().close()
  })

  it("refuses a wrong password and stays on the login page", async () => {
    const page = await newPage(browser)
    await gotoAdmin(page, "/login")
    await page.locator('input[name="email"]').waitFor({ timeout: 180_000 })
    await page.locator('input[name="email"]').fill("admin@example.com")
    await page.locator('input[name="password"]').fill("not-the-password")
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === "/auth/user/emailpass")
    await page.locator('button[type="submit"]').click()
    expect((await answer).status()).toBe(401)
    await page.waitForTimeout(1000)
    expect(new URL(page.url()).pathname).toBe("/app/login")
    await page.context().close()
  })
})
