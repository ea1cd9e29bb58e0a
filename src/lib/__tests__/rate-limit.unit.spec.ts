import type { ICacheService } from "@medusajs/framework/types"
import { takeRateLimit } from "../rate-limit"

/** The cache module's contract, kept in a Map (TTL ignored: the windows are in the keys). */
function memoryCache(): ICacheService {
  const m = new Map<string, unknown>()
  return {
    get: async <T>(k: string) => (m.has(k) ? (m.get(k) as T) : null),
    set: async (k: string, v: unknown) => void m.set(k, v),
    invalidate: async (k: string) => void m.delete(k),
  }
}

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
})
