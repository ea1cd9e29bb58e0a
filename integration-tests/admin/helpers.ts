/**
 * Helpers of the admin page specs: numbers formatted as the pages format them (en-US, the
 * headless browser's locale), the plugin's admin API, run polling and a store customer login.
 */
import type { Page } from "playwright-core"
import { adminApi, baseUrl, demoPublishableKey, gotoAdmin } from "./harness"

export const API = "/admin/personalization"

const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1, minimumFractionDigits: 0 })
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 })

/** A share as the pages show it ("33.9%"). */
export const pct = (x: number) => percent.format(x)
/** A count as the pages show it ("2,950"). */
export const int = (x: number) => integer.format(x)
/** An amount in the store currency as the pages show it ("£167.03", "£9,809"). */
export function money(x: number, currency: string): string {
  const digits = Math.abs(x) >= 1000 ? 0 : 2
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase(), maximumFractionDigits: digits, minimumFractionDigits: digits }).format(x)
}

/** Opens an admin page and waits for the plugin page's root element (`data-page`). */
export async function openPluginPage(page: Page, path: string, name: string): Promise<void> {
  await gotoAdmin(page, path)
  await page.locator(`[data-page="${name}"]`).waitFor({ timeout: 180_000 })
}

/** Waits until a run (rebuild, segmentation or training) is no longer queued or running; returns it. */
export async function waitForRun<T extends { status: string }>(path: string, key: "run" | "version", timeoutMs = 480_000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const body = await adminApi<Record<string, T>>(path)
    const run = body[key]
    if (run.status !== "queued" && run.status !== "running") return run
    if (Date.now() > until) throw new Error(`${path} still ${run.status} after ${timeoutMs / 1000} s`)
    await new Promise((r) => setTimeout(r, 2000))
  }
}

/** The model version of a served recommendation (the id's payload is base64url JSON: version, list, product, time, nonce). */
export function versionOf(recommendationId: string): string {
  return JSON.parse(Buffer.from(recommendationId.split(".")[0], "base64url").toString("utf8"))[0]
}

/** A store-route bearer token for a demo customer (every demo customer's password is "demo-password"). */
export async function customerToken(email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/auth/customer/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "demo-password" }),
  })
  if (!response.ok) throw new Error(`customer login for ${email} answered ${response.status}`)
  return ((await response.json()) as { token: string }).token
}

/** GET a store route as a logged-in customer. */
export async function storeAsCustomer<T = any>(path: string, token: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { "x-publishable-api-key": await demoPublishableKey(), authorization: `Bearer ${token}` },
  })
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as T
}

/** Confirms the open usePrompt dialog with its confirm button. */
export async function confirmPrompt(page: Page, label: string): Promise<void> {
  const dialog = page.getByRole("alertdialog")
  await dialog.waitFor({ timeout: 10_000 })
  await dialog.getByRole("button", { name: label, exact: true }).click()
  await dialog.waitFor({ state: "hidden", timeout: 10_000 })
}
