/**
 * What a list proposes, before a caller's filters: the items of a stored list, or trending
 * products when there is none, each with the facts its reason is rendered from. Shared by the
 * store routes, the admin's customer view and the segment campaign messages.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { PURCHASE_FEATURES_MODULE } from "../modules/purchase-features"
import type PurchaseFeaturesService from "../modules/purchase-features/service"
import { RECOMMENDATIONS_MODULE } from "../modules/recommendations"
import { type StoredList, TRENDING_WINDOW_DAYS } from "../modules/recommendations/list-format"
import type { ReasonFacts } from "../modules/recommendations/reason-text"
import type RecommendationsService from "../modules/recommendations/service"

/**
 * A product a list proposes, before the store's filters, and why. A buy-again reason's numbers
 * are the customer's current ones, looked up for the items actually served.
 */
export type Candidate = {
  product_id: string
  list: string
  version: string
  reason: ReasonFacts | { code: "buy_again"; params: null }
}

/** Version of lists computed at request time, when no model version is active. */
export const FALLBACK_VERSION = "fallback"

/** A stored list's items as candidates; related and bought-together reasons name the list's subject. */
export function candidatesOf(stored: StoredList, list: string, subject?: string): Candidate[] {
  return stored.items.map((item): Candidate => {
    const base = { product_id: item.product_id, list, version: stored.version_id }
    switch (item.code) {
      case "buy_again":
        return { ...base, reason: { code: "buy_again", params: null } }
      case "because_you_bought":
        return { ...base, reason: { code: "because_you_bought", params: { product_id: item.anchor_id as string } } }
      case "new_like_purchased":
        return { ...base, reason: { code: "new_like_purchased", params: { product_id: item.anchor_id as string } } }
      case "trending":
        return { ...base, reason: { code: "trending", params: { recent_buyers: item.recent_buyers, window_days: TRENDING_WINDOW_DAYS } } }
      case "popular":
        return { ...base, reason: { code: "popular", params: { buyers: item.buyers } } }
      case "related":
      case "bought_together":
        return { ...base, reason: { code: item.code, params: { product_id: subject ?? "" } } }
    }
  })
}

/**
 * Trending candidates: the active version's trending list; without one, distinct buyers of
 * the last 30 days from the feature tables (then all-time buyers), then the newest products,
 * so that a new shop still gets a list.
 */
export async function trendingCandidates(scope: MedusaContainer): Promise<Candidate[]> {
  const active = await scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).getActiveList("trending", "")
  if (active) return candidatesOf(active, "trending")
  const rows = await scope.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).listTrendingProducts(TRENDING_WINDOW_DAYS, 200)
  return rows.map((r): Candidate => ({
    product_id: r.product_id,
    list: "trending",
    version: FALLBACK_VERSION,
    reason:
      r.recent > 0
        ? { code: "trending", params: { recent_buyers: r.recent, window_days: TRENDING_WINDOW_DAYS } }
        : { code: "popular", params: { buyers: r.buyers } },
  }))
}

