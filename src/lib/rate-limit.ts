import type { ICacheService } from "@medusajs/framework/types"

/** Per cache and key, the tail of the takes in flight in this process. */
const inFlight = new WeakMap<ICacheService, Map<string, Promise<unknown>>>()

/** Runs `take` after every earlier take of the same cache and key in this process has finished. */
function oneAtATime<T>(cache: ICacheService, key: string, take: () => Promise<T>): Promise<T> {
  let queues = inFlight.get(cache)
  if (!queues) inFlight.set(cache, (queues = new Map()))
  const run = (queues.get(key) ?? Promise.resolve()).then(take)
  const tail = run.catch(() => undefined)
  queues.set(key, tail)
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key)
  })
  return run
}

/**
 * Sliding-window request counting in Medusa's cache module (Redis when the shop configures the
 * Redis cache, so every server process shares the counts; process memory otherwise). The
 * count of the last `windowSeconds` is estimated as this window's requests plus the previous
 * window's, weighted by how much of it still lies in the last `windowSeconds` (the usual
 * sliding-window counter): no burst of twice the limit across a window boundary.
 *
 * The cache module offers get and set, no atomic increment, so the takes of one key run one at
 * a time within a process: a burst of concurrent requests to one server process is counted
 * exactly. Across several server processes sharing a Redis cache, requests of one client that
 * reach different processes at the same instant can still each read the same count (a few
 * extra requests may pass), which a limit on storefront analytics events can afford.
 */
export function takeRateLimit(
  cache: ICacheService,
  key: string,
  { limit, windowSeconds, nowMs }: { limit: number; windowSeconds: number; nowMs?: number }
): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  return oneAtATime(cache, key, async () => {
    const now = nowMs ?? Date.now()
    const windowMs = windowSeconds * 1000
    const window = Math.floor(now / windowMs)
    const elapsed = (now - window * windowMs) / windowMs
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
  })
}
