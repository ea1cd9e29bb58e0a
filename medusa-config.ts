/**
 * The repository root is both the plugin and a runnable Medusa app (demo, tests).
 * Medusa adds ./src as a project plugin (routes, subscribers, jobs, links, admin);
 * the plugin's modules are listed here with the plugin options, as a shop's config
 * passes them through `plugins: [{ resolve: "medusa-plugin-personalization", options }]`.
 */
import { defineConfig, loadEnv, Modules } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

const databaseUrl =
  process.env.DATABASE_URL ?? "postgres://postgres@localhost:5432/medusa_personalization"
const redisUrl = process.env.REDIS_URL

// Options of this plugin, as a shop would write them (see README, "Options").
// The PERSONALIZATION_SCHEDULE_* variables exist for scripts/check-cluster.mjs.
const personalizationOptions = {
  currencyCode: process.env.PERSONALIZATION_CURRENCY ?? undefined,
  schedules: {
    rebuild: process.env.PERSONALIZATION_SCHEDULE_REBUILD,
    segmentation: process.env.PERSONALIZATION_SCHEDULE_SEGMENTATION,
    training: process.env.PERSONALIZATION_SCHEDULE_TRAINING,
  },
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
      storeCors: process.env.STORE_CORS ?? "http://localhost:8000,http://localhost:9000",
      adminCors: process.env.ADMIN_CORS ?? "http://localhost:9000,http://localhost:5173",
      authCors: process.env.AUTH_CORS ?? "http://localhost:8000,http://localhost:9000,http://localhost:5173",
      jwtSecret: process.env.JWT_SECRET ?? "supersecret",
      cookieSecret: process.env.COOKIE_SECRET ?? "supersecret",
    },
  },
  admin: {
    disable: process.env.MEDUSA_ADMIN_DISABLED === "true",
    backendUrl: process.env.MEDUSA_BACKEND_URL ?? "http://localhost:9000",
  },
  modules: [
    { resolve: "./src/modules/purchase-features", options: personalizationOptions },
    { resolve: "./src/modules/customer-segments" },
    { resolve: "./src/modules/recommendations" },
    ...redisModules,
  ],
})
