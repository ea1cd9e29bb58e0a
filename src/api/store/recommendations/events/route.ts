import type { MedusaResponse, MedusaStoreRequest } from "@medusajs/framework/http"
import { MedusaError, Modules } from "@medusajs/framework/utils"
import { takeRateLimit } from "../../../../lib/rate-limit"
import { verifyRecommendationId } from "../../../../lib/recommendation-token"
import { RECOMMENDATIONS_MODULE } from "../../../../modules/recommendations"
import type RecommendationsService from "../../../../modules/recommendations/service"
import { projectSecret } from "../serve"
import type { StorePostRecommendationEventsType } from "../validators"

/** Requests per publishable key and client address per minute. */
export const EVENTS_PER_MINUTE = 120

/**
 * POST /store/recommendations/events: impressions, clicks and add-to-carts of served items.
 * Every recommendation_id is verified (signature, age) before anything is counted; counts go
 * to daily aggregates per model version and list type (no per-customer rows).
 */
export async function POST(req: MedusaStoreRequest<StorePostRecommendationEventsType>, res: MedusaResponse) {
  const body = req.validatedBody as StorePostRecommendationEventsType
  const key = req.publishable_key_context?.key ?? "none"
  const limit = await takeRateLimit(req.scope.resolve(Modules.CACHE), `${key}:${req.ip ?? "unknown"}`, { limit: EVENTS_PER_MINUTE, windowSeconds: 60 })
  if (!limit.allowed) {
    res.setHeader("Retry-After", String(limit.retryAfterSeconds))
    res.status(429).json({ type: "too_many_requests", message: `Too many events: at most ${EVENTS_PER_MINUTE} requests a minute` })
    return
  }
  const secret = projectSecret(req.scope)
  const now = Math.floor(Date.now() / 1000)
  const counts = new Map<string, { version_id: string; list_type: string; event_type: typeof body.type; count: number }>()
  for (const [i, token] of body.recommendation_ids.entries()) {
    const verified = verifyRecommendationId(token, secret, now)
    if (!verified.ok) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `Invalid request: recommendation_ids.${i}: ${verified.error}`)
    }
    const { version, list } = verified.claims
    const k = `${version}:${list}`
    const entry = counts.get(k) ?? { version_id: version, list_type: list, event_type: body.type, count: 0 }
    entry.count++
    counts.set(k, entry)
  }
  await req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).recordEvents([...counts.values()])
  res.status(202).json({ accepted: body.recommendation_ids.length })
}
