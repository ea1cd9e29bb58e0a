import type { MedusaResponse, MedusaStoreRequest } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { clientAddress } from "../../../../lib/client-address"
import { configuredOptions } from "../../../../lib/configured-options"
import { TOKEN_TTL_SECONDS, recommendationIdHash, verifyRecommendationId } from "../../../../lib/recommendation-token"
import { RECOMMENDATIONS_MODULE } from "../../../../modules/recommendations"
import type RecommendationsService from "../../../../modules/recommendations/service"
import { projectSecret } from "../serve"
import type { StorePostRecommendationEventsType } from "../validators"

/**
 * POST /store/recommendations/events: impressions, clicks and add-to-carts of served items.
 * Every recommendation_id is verified (signature, age) before anything is counted or charged;
 * then the request's events (one per id) are taken from the client's and the publishable key's
 * budgets (`events` options; 429 with Retry-After past either), and each served item counts at
 * most once per event type into the daily aggregates (no per-customer rows).
 */
export async function POST(req: MedusaStoreRequest<StorePostRecommendationEventsType>, res: MedusaResponse) {
  const body = req.validatedBody as StorePostRecommendationEventsType
  const secret = projectSecret(req.scope)
  const now = Math.floor(Date.now() / 1000)
  const items = body.recommendation_ids.map((token, i) => {
    const verified = verifyRecommendationId(token, secret, now)
    if (!verified.ok) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `Invalid request: recommendation_ids.${i}: ${verified.error}`)
    }
    const { version, list, issuedAt } = verified.claims
    return { hash: recommendationIdHash(token), version_id: version, list_type: list, expires_at: new Date((issuedAt + TOKEN_TTL_SECONDS) * 1000) }
  })

  const limits = configuredOptions().events
  const key = req.publishable_key_context?.key ?? "none"
  const address = clientAddress({ socketAddress: req.socket?.remoteAddress, forwardedFor: req.headers["x-forwarded-for"] }, limits.trustedProxyHops)
  const service = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const budget = await service.takeEventBudget(
    [
      { bucket: `client:${key}:${address}`, limit: limits.perClientPerMinute },
      { bucket: `key:${key}`, limit: limits.perKeyPerMinute },
    ],
    items.length
  )
  if (!budget.allowed) {
    const which = budget.bucket.startsWith("key:") ? `${limits.perKeyPerMinute} per publishable key` : `${limits.perClientPerMinute} per client`
    res.setHeader("Retry-After", String(budget.retryAfterSeconds))
    res.status(429).json({ type: "too_many_requests", message: `Too many events: at most ${which} in any minute` })
    return
  }
  const counted = await service.countServedEvents(body.type, items)
  res.status(202).json({ accepted: body.recommendation_ids.length, ...counted })
}
