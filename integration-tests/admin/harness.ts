/**
 * The admin suite's harness: browser tests of the Medusa admin served by `medusa develop`, which
 * scripts/test.mjs boots on a free port (never 9000) on the database the demo suite has just
 * seeded. Run them with `node scripts/test.mjs admin` (or `npm test -- demo admin`); a spec run
 * by hand needs PZ_ADMIN_URL pointing at such a server.
 *
 *   baseUrl                    the server (admin at `${baseUrl}/app`)
 *   launch()                   Debian's Chromium through playwright-core, headless
 *   newPage(browser)           a page in a fresh context, light theme unless set
 *   login(page)                logs in as the demo's admin through the login form
 *   gotoAdmin(page, path)      opens an admin page, waiting long enough for dev mode's first transform
 *   screenshot(page, name)     <name>-light.png and <name>-dark.png in the artifacts folder
 *   adminApi(path, init?)      the admin API with the demo admin's session, for comparing pages with it
 *   storeApi(path, init?)      the store API with the demo's publishable key
 */
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { type Browser, type Page, chromium } from "playwright-core"

// Browser globals, used only in functions that run in the page (the tsconfig has no DOM lib).
declare const document: any
declare const localStorage: any
declare const requestAnimationFrame: any

const url = process.env.PZ_ADMIN_URL
if (!url) {
  throw new Error(
    "PZ_ADMIN_URL is not set: the admin specs run against a server that `node scripts/test.mjs admin` boots " +
      "(or point PZ_ADMIN_URL at a running `medusa develop` of the demo store)"
  )
}
/** The server's origin, e.g. http://localhost:41234 (the admin lives under /app). */
export const baseUrl = url.replace(/\/$/, "")
/** Where screenshots go: a dot-folder, so `medusa develop` does not restart when one is written. */
export const artifactsDir = process.env.PZ_ADMIN_ARTIFACTS ?? join(__dirname, ".artifacts")
/** The demo's admin (scripts/demo.mjs creates it). */
export const ADMIN = { email: "admin@example.com", password: "supersecret" }
/** Dev mode transforms the dashboard on demand: the first navigation can take minutes on 2 cores. */
export const FIRST_NAVIGATION_MS = 180_000
/** The demo's publishable key title (scripts/demo.mjs). */
const DEMO_KEY_TITLE = "Personalization demo"

export type Theme = "light" | "dark"
const THEME_KEY = "medusa_admin_theme"

/** Debian's Chromium, headless (`apt-get install chromium`). */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] })
}

/**
 * A page in a new context (its own cookies) of 1440x900. The admin's theme starts as `theme`
 * (localStorage `medusa_admin_theme`) unless the page sets another one later. Uncaught page
 * errors are collected in `errors`: assert on them to catch a widget that throws.
 */
export async function newPage(browser: Browser, theme: Theme = "light"): Promise<Page & { errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  await context.addInitScript(
    ([key, value]: string[]) => {
      if (!localStorage.getItem(key)) localStorage.setItem(key, value)
    },
    [THEME_KEY, theme]
  )
  const page = (await context.newPage()) as Page & { errors: string[] }
  page.errors = []
  page.on("pageerror", (error) => page.errors.push(error.message))
  page.setDefaultNavigationTimeout(FIRST_NAVIGATION_MS)
  return page
}

/** Opens `${baseUrl}/app${path}` and waits for the document (not for network idle: the admin polls). */
export async function gotoAdmin(page: Page, path: string): Promise<void> {
  await page.goto(`${baseUrl}/app${path.startsWith("/") ? path : `/${path}`}`, { waitUntil: "domcontentloaded", timeout: FIRST_NAVIGATION_MS })
}

/**
 * Logs in through the admin's login form as the demo admin and waits until the admin has left
 * the login page (it goes to the page it came from, or /app/orders). Allows FIRST_NAVIGATION_MS
 * for the form to appear.
 */
export async function login(page: Page, { email = ADMIN.email, password = ADMIN.password } = {}): Promise<void> {
  await gotoAdmin(page, "/login")
  const emailField = page.locator('input[name="email"]')
  await emailField.waitFor({ state: "visible", timeout: FIRST_NAVIGATION_MS })
  await emailField.fill(email)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('button[type="submit"]').click()
  await page.waitForURL((u) => !u.pathname.startsWith("/app/login"), { timeout: 60_000 })
}

/**
 * Saves `<name>-light.png` and `<name>-dark.png` (full page) in the artifacts folder and returns
 * their paths. The theme is switched the way the admin's ThemeProvider does it (localStorage
 * `medusa_admin_theme` and the `light`/`dark` class on <html>), without a reload, so the page
 * keeps its state; colours from CSS variables follow at once. `reload: true` reloads the page
 * for each theme instead (for pages that read colours once in JavaScript; pass `ready`, a
 * selector to wait for after the reload). `element` (a selector) shots that element only: the
 * admin scrolls inside its main column, so a page shot shows the viewport's 1440x900, and a
 * widget far down is better taken by its own selector. The page is left in the theme it had.
 */
export async function screenshot(
  page: Page,
  name: string,
  { reload = false, ready, element }: { reload?: boolean; ready?: string; element?: string } = {}
): Promise<{ light: string; dark: string }> {
  mkdirSync(artifactsDir, { recursive: true })
  const previous = await page.evaluate((key: string) => localStorage.getItem(key), THEME_KEY)
  const paths = { light: join(artifactsDir, `${name}-light.png`), dark: join(artifactsDir, `${name}-dark.png`) }
  for (const theme of ["light", "dark"] as const) {
    await setTheme(page, theme, reload)
    if (reload && ready) await page.locator(ready).first().waitFor({ timeout: FIRST_NAVIGATION_MS })
    if (element) await page.locator(element).first().screenshot({ path: paths[theme] })
    else await page.screenshot({ path: paths[theme], fullPage: true })
  }
  // Back to the theme the page had ("system" shows light in headless Chromium).
  if (previous !== "dark") await setTheme(page, "light", reload)
  await page.evaluate(
    ([key, value]: (string | null)[]) => (value === null ? localStorage.removeItem(key) : localStorage.setItem(key, value)),
    [THEME_KEY, previous]
  )
  return paths
}

async function setTheme(page: Page, theme: string, reload: boolean): Promise<void> {
  await page.evaluate(([key, value]: string[]) => localStorage.setItem(key, value), [THEME_KEY, theme])
  if (reload) {
    await page.reload({ waitUntil: "domcontentloaded", timeout: FIRST_NAVIGATION_MS })
    return
  }
  await page.evaluate(
    (value: string) =>
      new Promise<void>((done) => {
        const html = document.documentElement
        html.classList.remove(value === "light" ? "dark" : "light")
        html.classList.add(value)
        html.style.colorScheme = value
        requestAnimationFrame(() => requestAnimationFrame(() => done()))
      }),
    theme
  )
}

/** An answer of the API that was not 2xx. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: unknown, path: string) {
    super(`${path} answered ${status}: ${typeof body === "string" ? body : JSON.stringify(body)}`)
  }
}

type Init = { method?: string; body?: unknown; headers?: Record<string, string> }

async function request<T>(path: string, init: Init, headers: Record<string, string>): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { ...headers, ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    // not JSON: keep the text
  }
  if (!response.ok) throw new ApiError(response.status, body, path)
  return body as T
}

let adminCookie: Promise<string> | null = null

/**
 * The demo admin's session, as the admin itself gets one: POST /auth/user/emailpass for a token,
 * then POST /auth/session for the session cookie (one per test file).
 */
function adminSession(): Promise<string> {
  adminCookie ??= (async () => {
    const { token } = await request<{ token: string }>("/auth/user/emailpass", { body: ADMIN }, {})
    const response = await fetch(`${baseUrl}/auth/session`, { method: "POST", headers: { authorization: `Bearer ${token}` } })
    const cookie = response.headers.get("set-cookie")?.split(";")[0]
    if (!response.ok || !cookie) throw new Error(`/auth/session answered ${response.status} without a session cookie`)
    return cookie
  })()
  adminCookie.catch(() => (adminCookie = null))
  return adminCookie
}

/**
 * Calls the admin API with the demo admin's session and returns the parsed JSON; a non-2xx
 * answer throws an ApiError (with `status` and `body`). A `body` is sent as JSON (POST unless
 * `method` says otherwise). Example: `await adminApi("/admin/personalization/segments")`.
 */
export async function adminApi<T = any>(path: string, init: Init = {}): Promise<T> {
  return request<T>(path, init, { cookie: await adminSession() })
}

let publishableKey: Promise<string> | null = null

/** The demo store's publishable key (the one scripts/demo.mjs creates). */
export function demoPublishableKey(): Promise<string> {
  publishableKey ??= (async () => {
    const { api_keys } = await adminApi<{ api_keys: { title: string; token: string; revoked_at: string | null }[] }>(
      "/admin/api-keys?type=publishable&limit=100"
    )
    const key = api_keys.find((k) => k.title === DEMO_KEY_TITLE && !k.revoked_at) ?? api_keys.find((k) => !k.revoked_at)
    if (!key) throw new Error("the demo store has no publishable key")
    return key.token
  })()
  return publishableKey
}

/**
 * Calls the store API with the demo's publishable key (and `headers`, e.g. a customer's
 * `authorization`); JSON in and out as adminApi.
 */
export async function storeApi<T = any>(path: string, init: Init = {}): Promise<T> {
  return request<T>(path, init, { "x-publishable-api-key": await demoPublishableKey() })
}
