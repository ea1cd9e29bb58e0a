/**
 * The same plugin on Medusa's Redis modules (event bus, workflow engine, locking), as a shop
 * with several processes runs it. Run by `npm test` with REDIS_URL on a Redis database it has
 * marked as its own (scripts/test.mjs), emptied before the suite.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import Redis from "ioredis"
import { RUN_LOCK_KEYS } from "../../src/lib/run-lock"
import { RECOMMENDATIONS_MODULE } from "../../src/modules/recommendations"
import type RecommendationsService from "../../src/modules/recommendations/service"
import { runRebuild, runTraining } from "../../src/workflows/runs"
import { blockWrites } from "../helpers/blocking"
import { seedRecommendableStore } from "../helpers/recommendations"
import { createCustomer, createOrder, createProducts, customerFeatures, customerProducts, storeCurrency } from "../helpers/store"

jest.setTimeout(180_000)

const redisUrl = process.env.REDIS_URL
if (!redisUrl || !/\/([1-9]\d*)$/.test(redisUrl)) {
  throw new Error(`the Redis suite needs REDIS_URL on a database of its own (not 0), got "${redisUrl}"; run it through npm test`)
}
/** The key that marks the database as this run's (scripts/test.mjs set it); kept when the database is emptied. */
const marker = process.env.PZ_REDIS_MARKER

async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) {
      return value
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

beforeAll(async () => {
  const redis = new Redis(redisUrl)
  if (!marker || !(await redis.get(marker))) {
    await redis.quit()
    throw new Error(`${redisUrl} is not marked as this run's (run the suite through npm test, which takes a free database)`)
  }
  // Empty what an earlier run left, but the marker.
  for (let cursor = "0"; ; ) {
    const [next, keys] = await redis.scan(cursor, "COUNT", 1000)
    const stale = keys.filter((k) => k !== marker)
    if (stale.length) await redis.del(...stale)
    if (next === "0") break
    cursor = next
  }
  await redis.quit()
})

medusaIntegrationTestRunner({
  testSuite: ({ getContainer }) => {
    it("runs on the Redis event bus and locking provider", () => {
      const container = getContainer()
      expect(container.resolve(Modules.EVENT_BUS).constructor.name).toBe("RedisEventBusService")
      expect(container.resolve(Modules.LOCKING).constructor.name).toBe("LockingModuleService")
    })

    it("counts duplicated and concurrent order.placed deliveries through Redis exactly once each", async () => {
      const container = getContainer()
      const currency = await storeCurrency(container)
      const [p1] = await createProducts(container, 1)
      const customer = await createCustomer(container)
      const orders = []
      for (let i = 0; i < 10; i++) {
        orders.push(await createOrder(container, { customer, currency_code: currency,
          lines: [{ product: p1, quantity: 1, unit_price: 10 }] }))
      }
      // Every order delivered three times, all at once.
      const events = orders.flatMap((o) => [o, o, o]).map((o) => ({ name: "order.placed", data: { id: o.id } }))
      await container.resolve(Modules.EVENT_BUS).emit(events)

      const features = await waitUntil(
        () => customerFeatures(container, customer.id),
        (row) => row?.order_count === 10
      )
      // Give late duplicates time to land before checking that they changed nothing.
      await new Promise((resolve) => setTimeout(resolve, 2_000))
      expect(await customerFeatures(container, customer.id)).toEqual(
        expect.objectContaining({ order_count: 10, total_spend: 100, item_quantity: 10 })
      )
      expect(features).toBeDefined()
      expect(await customerProducts(container, customer.id)).toEqual([
        expect.objectContaining({ order_count: 10, quantity: 10 }),
      ])
    })

    it("skips a rebuild while another process holds the rebuild lock in Redis", async () => {
      const container = getContainer()
      const currency = await storeCurrency(container)
      const [p1] = await createProducts(container, 1)
      const customer = await createCustomer(container)
      await createOrder(container, { customer, currency_code: currency, lines: [{ product: p1, quantity: 1, unit_price: 1 }] })

      // Another process's rebuild, as the lock provider sees it.
      const locking = container.resolve(Modules.LOCKING)
      await locking.acquire(RUN_LOCK_KEYS.rebuild, { ownerId: "another-process", expire: 60 })
      const skipped = await runRebuild(container)
      expect(skipped).toEqual(expect.objectContaining({ status: "skipped", orders: 0, reason: expect.stringMatching(/^another rebuild run holds the lock/) }))
      expect(await customerFeatures(container, customer.id)).toBeUndefined()

      await locking.release(RUN_LOCK_KEYS.rebuild, { ownerId: "another-process" })
      const done = await runRebuild(container)
      expect(done).toEqual(expect.objectContaining({ status: "completed", orders: 1 }))
      expect(await customerFeatures(container, customer.id)).toEqual(expect.objectContaining({ order_count: 1 }))

      // The finished rebuild released the lock: another owner can take it at once.
      await expect(locking.acquire(RUN_LOCK_KEYS.rebuild, { ownerId: "next", expire: 5 })).resolves.toBeUndefined()
      await locking.release(RUN_LOCK_KEYS.rebuild, { ownerId: "next" })
    })

    it("skips a training run while another process holds the training lock in Redis", async () => {
      const container = getContainer()
      const locking = container.resolve(Modules.LOCKING)
      await locking.acquire(RUN_LOCK_KEYS.training, { ownerId: "another-process", expire: 60 })
      const skipped = await runTraining(container)
      expect(skipped).toEqual(expect.objectContaining({ status: "skipped", reason: expect.stringMatching(/^another training run holds the lock, or the lock store did not answer within 1 s/) }))
      await locking.release(RUN_LOCK_KEYS.training, { ownerId: "another-process" })

      // Free lock: the run gets past it (and stops at readiness: this store has no orders).
      const next = await runTraining(container)
      expect(next).toEqual(expect.objectContaining({ status: "skipped", reason: expect.stringMatching(/^not enough data/) }))
      await expect(locking.acquire(RUN_LOCK_KEYS.training, { ownerId: "next", expire: 5 })).resolves.toBeUndefined()
      await locking.release(RUN_LOCK_KEYS.training, { ownerId: "next" })
    })

    it("stops a training run whose lease is lost, and records why, instead of letting it run on unlocked", async () => {
      const container = getContainer()
      await seedRecommendableStore(container)
      const service = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
      const version = await service.createModelVersions({ status: "queued" })
      // The run is held at its first write (a small store trains faster than a renewal comes round).
      const block = await blockWrites(container.resolve(ContainerRegistrationKeys.CONFIG_MODULE).projectConfig.databaseUrl as string, "personalization_model_product")
      // A one-second lease, renewed every third of a second while the run holds it.
      const run = runTraining(container, { version_id: version.id, lock: { expireSeconds: 1 } })
      try {
        await block.waitUntilBlocked()
        // The lease disappears (Redis restarted, the key evicted): the next renewal finds it gone.
        const redis = new Redis(redisUrl as string)
        expect(await redis.del(`medusa_lock:${RUN_LOCK_KEYS.training}`)).toBe(1)
        await redis.quit()
        // Six renewals come round while the run waits; then it may write on.
        await new Promise((resolve) => setTimeout(resolve, 2_000))
      } finally {
        await block.release()
      }
      const stopped = await run
      expect(stopped).toEqual(expect.objectContaining({ status: "failed", reason: expect.stringMatching(/^the run lost its lock and stopped: Lost the lock/) }))
      expect(await service.getActiveVersionId()).toBeNull()
      expect((await service.retrieveModelVersion(version.id)).lists).toBe(0)
    })
  },
})
