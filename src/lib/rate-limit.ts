import type { ICacheService } from "@medusajs/framework/types"

/**
 * Fixed-window request counting in Medusa's cache module: Redis when the shop configures the
 * Redis cache (shared by every server process), process memory otherwise. Counting is
 * get-then-set, not atomic: concurrent requests of one client may undercount by the number in
 * flight, which a limit on storefront analytics events can afford.
 */
export async function takeRateLimit(
  cache: ICacheService,
  key: string,
  { limit, windowSeconds, nowMs = Date.now() }: { limit: number; windowSeconds: number; nowMs?: number }
): Promise<{ allowed: boolean; remaining: number; resetSeconds: number }> {
  const window = Math.floor(nowMs / 1000 / windowSeconds)
  const cacheKey = `personalization:rate:${key}:${window}`
  const used = Number((await cache.get<number>(cacheKey)) ?? 0)
  const resetSeconds = (window + 1) * windowSeconds - Math.floor(nowMs / 1000)
  if (used >= limit) return { allowed: false, remaining: 0, resetSeconds }
  await cache.set(cacheKey, used + 1, resetSeconds + 1)
  return { allowed: true, remaining: limit - used - 1, resetSeconds }
}
