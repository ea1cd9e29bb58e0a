import cacheModule from "@medusajs/cache-inmemory"
import type { ICacheService } from "@medusajs/framework/types"
import { takeRateLimit } from "../rate-limit"

/** Medusa's own in-memory cache module service, as a store without the Redis cache gets it. */
const memoryCache = (): ICacheService => new (cacheModule.service as any)({}, {})

async function burst(cache: ICacheService, nowMs: number, n: number) {
  let allowed = 0
  for (let i = 0; i < n; i++) if ((await takeRateLimit(cache, "k", { limit: 10, windowSeconds: 60, nowMs })).allowed) allowed++
  return allowed
}

describe("takeRateLimit", () => {
  it("allows the limit in a window, then refuses with the wait", async () => {
    const cache = memoryCache()
    expect(await burst(cache, 0, 15)).toBe(10)
    expect(await takeRateLimit(cache, "k", { limit: 10, windowSeconds: 60, nowMs: 15_000 })).toEqual({ allowed: false, retryAfterSeconds: 45 })
    expect((await takeRateLimit(cache, "other", { limit: 10, windowSeconds: 60, nowMs: 15_000 })).allowed).toBe(true)
  })

  it("weighs the previous window: no double burst across a boundary", async () => {
    const cache = memoryCache()
    expect(await burst(cache, 59_000, 10)).toBe(10)
    // 1 s into the next window the previous one still weighs 59/60 of its 10 (9.83): one more.
    expect(await burst(cache, 61_000, 10)).toBe(1)
    // Halfway through it weighs 5, plus that one: 4 more.
    expect(await burst(cache, 90_000, 10)).toBe(4)
  })

  it("counts a burst of concurrent requests exactly, key by key", async () => {
    const cache = memoryCache()
    const take = (key: string) => takeRateLimit(cache, key, { limit: 10, windowSeconds: 60, nowMs: 1_000 })
    const results = await Promise.all([...Array.from({ length: 40 }, () => take("a")), ...Array.from({ length: 5 }, () => take("b"))])
    expect(results.slice(0, 40).filter((r) => r.allowed)).toHaveLength(10)
    expect(results.slice(40).every((r) => r.allowed)).toBe(true)
    expect(await cache.get("personalization:rate:a:0")).toBe(10)
  })
})
