/**
 * The repository root is both the plugin and a runnable Medusa app (demo, tests).
 * Medusa adds ./src as a project plugin (routes, subscribers, jobs, links, admin);
 * the plugin's modules are listed here with the plugin options, as a shop's config
 * passes them through `plugins: [{ resolve: "medusa-plugin-personalization", options }]`.
 */
import { existsSync, realpathSync } from "node:fs"
import { join } from "node:path"
import { defineConfig, loadEnv, Modules } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

const databaseUrl =
  process.env.DATABASE_URL ?? "postgres://postgres@localhost:5432/medusa_personalization"
const redisUrl = process.env.REDIS_URL
// The admin, its API calls and CORS follow the server's port unless set explicitly.
const port = process.env.PORT ?? "9000"
const backendUrl = process.env.MEDUSA_BACKEND_URL || `http://localhost:${port}`

/**
 * Secrets sign every session and token (and the plugin's recommendation ids): never a default
 * outside tests. `npm run demo` writes random ones into .env on its first run.
 */
function secret(name: "JWT_SECRET" | "COOKIE_SECRET"): string {
  const value = process.env[name]
  if (value) return value
  if (process.env.NODE_ENV === "test") return "supersecret"
  throw new Error(`${name} is not set: put a long random value in .env (npm run demo writes one on its first run)`)
}

// Options of this plugin, as a shop would write them (see README, "Options"); like a shop's
// plugin entry, they reach every module of the plugin.
// The PERSONALIZATION_SCHEDULE_* variables exist for scripts/check-cluster.mjs,
// PERSONALIZATION_LIST_THREADS for bench:nightly's training stage.
const personalizationOptions = {
  currencyCode: process.env.PERSONALIZATION_CURRENCY ?? undefined,
  storefrontDemo: true,
  training: { listThreads: process.env.PERSONALIZATION_LIST_THREADS ? Number(process.env.PERSONALIZATION_LIST_THREADS) : undefined },
  schedules: {
    rebuild: process.env.PERSONALIZATION_SCHEDULE_REBUILD,
    segmentation: process.env.PERSONALIZATION_SCHEDULE_SEGMENTATION,
    training: process.env.PERSONALIZATION_SCHEDULE_TRAINING,
  },
}

/**
 * Notification providers: the local one on `feed` and `email`. Tests of failing sends choose
 * others with PZ_TEST_NOTIFICATION (test runs only): "flaky", a provider that refuses some
 * recipients; "feed-only", Medusa's default, with no provider for `email`.
 */
function notificationProviders() {
  const local = (channels: string[]) => ({ resolve: "@medusajs/medusa/notification-local", id: "local", options: { channels } })
  const test = process.env.NODE_ENV === "test" ? process.env.PZ_TEST_NOTIFICATION : undefined
  if (test === "flaky") {
    return [local(["feed"]), { resolve: join(__dirname, "integration-tests/fixtures/flaky-notification"), id: "flaky", options: { channels: ["email"] } }]
  }
  if (test === "feed-only") return [local(["feed"])]
  return [local(["feed", "email"])]
}

const redisModules = redisUrl
  ? [
      { key: Modules.EVENT_BUS, resolve: "@medusajs/medusa/event-bus-redis", options: { redisUrl } },
      {
        key: Modules.WORKFLOW_ENGINE,
        resolve: "@medusajs/medusa/workflow-engine-redis",
        options: { redis: { url: redisUrl } },
      },
      {
        key: Modules.LOCKING,
        resolve: "@medusajs/medusa/locking",
        options: {
          providers: [
            {
              resolve: "@medusajs/medusa/locking-redis",
              id: "locking-redis",
              is_default: true,
              options: { redisUrl },
            },
          ],
        },
      },
      { key: Modules.CACHE, resolve: "@medusajs/medusa/cache-redis", options: { redisUrl } },
    ]
  : []

module.exports = defineConfig({
  projectConfig: {
    databaseUrl,
    redisUrl,
    workerMode: (process.env.MEDUSA_WORKER_MODE as "shared" | "worker" | "server") ?? "shared",
    http: {
      storeCors: process.env.STORE_CORS ?? `http://localhost:8000,${backendUrl}`,
      adminCors: process.env.ADMIN_CORS ?? `${backendUrl},http://localhost:5173`,
      authCors: process.env.AUTH_CORS ?? `http://localhost:8000,${backendUrl},http://localhost:5173`,
      jwtSecret: secret("JWT_SECRET"),
      cookieSecret: secret("COOKIE_SECRET"),
    },
  },
  admin: {
    disable: process.env.MEDUSA_ADMIN_DISABLED === "true",
    backendUrl,
    // The plugin's admin pages import recharts. Vite finds it only when a page first asks for
    // it and then re-optimises and reloads the page silently; listing it pre-bundles it at start.
    // The dependency cache lives in this checkout's .medusa/ rather than node_modules/.vite, so
    // dev servers of several checkouts sharing one node_modules (worktrees, test runs) do not
    // overwrite each other's optimised dependencies ("504 Outdated Optimize Dep").
    // A checkout whose node_modules is a link to another's (worktrees, test clones) would have
    // Vite refuse the dashboard's fonts ("outside of Vite serving allow list"): allow the real
    // folder too (Vite merges this list with its default, the workspace root).
    vite: () => ({
      cacheDir: join(__dirname, ".medusa", "admin-vite"),
      optimizeDeps: { include: ["recharts"] },
      server: { fs: { allow: existsSync(join(__dirname, "node_modules")) ? [realpathSync(join(__dirname, "node_modules"))] : [] } },
    }),
  },
  modules: [
    { resolve: "./src/modules/purchase-features", options: personalizationOptions },
    { resolve: "./src/modules/customer-segments", options: personalizationOptions },
    { resolve: "./src/modules/recommendations", options: personalizationOptions },
    { resolve: "./src/modules/segment-campaigns", options: personalizationOptions },
    // Segment campaigns can send each treated customer a message on the email channel. The
    // local provider logs it (and stores it like any provider); `feed` stays on, as in Medusa's
    // default, for the admin's notification drawer. A shop puts its email provider here.
    { key: Modules.NOTIFICATION, resolve: "@medusajs/medusa/notification", options: { providers: notificationProviders() } },
    ...redisModules,
  ],
})
