/**
 * The same plugin on Medusa's Redis modules (event bus, workflow engine, locking), as a shop
 * with several processes runs it. Run by `npm test` with REDIS_URL on its own Redis database
 * (15 by default), flushed before the suite.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { Modules } from "@medusajs/framework/utils"
import Redis from "ioredis"
import { rebuildPurchaseFeaturesWorkflow } from "../../src/workflows/purchase-features"
import { REBUILD_LOCK_KEY } from "../../src/workflows/purchase-features/steps/rebuild-purchase-features"
import { TRAINING_LOCK_KEY, runTrainingWorkflow } from "../../src/workflows/training"
import { createCustomer, createOrder, createProducts, customerFeatures, customerProducts, storeCurrency } from "../helpers/store"

jest.setTimeout(180_000)

const redisUrl = process.env.REDIS_URL
if (!redisUrl || !/\/([1-9]\d*)$/.test(redisUrl)) {
  throw new Error(`the Redis suite needs REDIS_URL on a database of its own (not 0), got "${redisUrl}"`)
}

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
  await redis.flushdb()
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
      await locking.acquire(REBUILD_LOCK_KEY, { ownerId: "another-process", expire: 60 })
      const skipped = await rebuildPurchaseFeaturesWorkflow(container).run({ input: {} })
      expect(skipped.result).toEqual(expect.objectContaining({ status: "skipped", orders: 0 }))
      expect(await customerFeatures(container, customer.id)).toBeUndefined()

      await locking.release(REBUILD_LOCK_KEY, { ownerId: "another-process" })
      const done = await rebuildPurchaseFeaturesWorkflow(container).run({ input: {} })
      expect(done.result).toEqual(expect.objectContaining({ status: "completed", orders: 1 }))
      expect(await customerFeatures(container, customer.id)).toEqual(expect.objectContaining({ order_count: 1 }))

      // The finished rebuild released the lock: another owner can take it at once.
      await expect(locking.acquire(REBUILD_LOCK_KEY, { ownerId: "next", expire: 5 })).resolves.toBeUndefined()
      await locking.release(REBUILD_LOCK_KEY, { ownerId: "next" })
    })

    it("skips a training run while another process holds the training lock in Redis", async () => {
      const container = getContainer()
      const locking = container.resolve(Modules.LOCKING)
      await locking.acquire(TRAINING_LOCK_KEY, { ownerId: "another-process", expire: 60 })
      const skipped = await runTrainingWorkflow(container).run({ input: {} })
      expect(skipped.result).toEqual(expect.objectContaining({ status: "skipped", reason: "another training run is in progress" }))
      await locking.release(TRAINING_LOCK_KEY, { ownerId: "another-process" })

      // Free lock: the run gets past it (and stops at readiness: this store has no orders).
      const next = await runTrainingWorkflow(container).run({ input: {} })
      expect(next.result).toEqual(expect.objectContaining({ status: "skipped", reason: expect.stringMatching(/^not enough data/) }))
      await expect(locking.acquire(TRAINING_LOCK_KEY, { ownerId: "next", expire: 5 })).resolves.toBeUndefined()
      await locking.release(TRAINING_LOCK_KEY, { ownerId: "next" })
    })
  },
})
