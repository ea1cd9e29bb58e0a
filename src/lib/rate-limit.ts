import type { ICacheService } from "@medusajs/framework/types"

/**
 * Sliding-window request counting in Medusa's cache module (Redis when the shop configures the
 * Redis cache, so every server process shares the counts; process memory otherwise). The
 * count of the last `windowSeconds` is estimated as this window's requests plus the previous
 * window's, weighted by how much of it still lies in the last `windowSeconds` (the usual
 * sliding-window counter): no burst of twice the limit across a window boundary. Counting is
 * get-then-set, not atomic: concurrent requests of one client may undercount by the number in
 * flight, which a limit on storefront analytics events can afford.
 */
export async function takeRateLimit(
  cache: ICacheService,
  key: string,
  { limit, windowSeconds, nowMs = Date.now() }: { limit: number; windowSeconds: number; nowMs?: number }
): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const windowMs = windowSeconds * 1000
  const window = Math.floor(nowMs / windowMs)
  const elapsed = (nowMs - window * windowMs) / windowMs
  const currentKey = `personalization:rate:${key}:${window}`
  const [current, previous] = await Promise.all([
    cache.get<number>(currentKey),
    cache.get<number>(`personalization:rate:${key}:${window - 1}`),
  ])
  const used = Number(current ?? 0)
  const estimate = used + Number(previous ?? 0) * (1 - elapsed)
  if (estimate >= limit) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - elapsed) * windowSeconds)) }
  // Kept for two windows: the next window still weighs this one.
  await cache.set(currentKey, used + 1, 2 * windowSeconds)
  return { allowed: true, retryAfterSeconds: 0 }
}
