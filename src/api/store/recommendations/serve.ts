import type { MedusaStoreRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, QueryContext } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { wrapProductsWithTaxPrices } from "@medusajs/medusa/api/store/products/helpers"
import type { ServedReason } from "../../../ml/pipeline/training"
import { signRecommendationId } from "../../../lib/recommendation-token"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"

/** A product a list proposes, before the store's filters. */
export type Candidate = { product_id: string; reason: ServedReason; list: string; version: string }

type Knex = { raw: <R>(sql: string, bindings?: unknown[]) => Promise<{ rows: R[] }> }

/** Version of lists computed at request time, when no model version is active. */
export const FALLBACK_VERSION = "fallback"
const TRENDING_DAYS = 30

const pg = (scope: MedusaContainer) => scope.resolve(ContainerRegistrationKeys.PG_CONNECTION) as unknown as Knex // knex, typed by what we use

/**
 * The ids among `ids` that the store may show, in the given order: live, published, in one of
 * the key's sales channels and, with `categoryId`, in that category if it is active and public.
 */
export async function visibleProductIds(
  scope: MedusaContainer,
  ids: string[],
  { salesChannelIds, categoryId }: { salesChannelIds: string[]; categoryId?: string }
): Promise<string[]> {
  if (!ids.length) return []
  const { rows } = await pg(scope).raw<{ id: string }>(
    `SELECT c.id FROM jsonb_array_elements_text(?::jsonb) WITH ORDINALITY AS c(id, ord)
     JOIN product p ON p.id = c.id AND p.status = 'published' AND p.deleted_at IS NULL
     WHERE EXISTS (SELECT 1 FROM product_sales_channel psc
                   WHERE psc.product_id = c.id AND psc.deleted_at IS NULL
                     AND psc.sales_channel_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))))
       AND (?::text IS NULL OR EXISTS (
             SELECT 1 FROM product_category_product pcp
             JOIN product_category pc ON pc.id = pcp.product_category_id
               AND pc.is_active AND NOT pc.is_internal AND pc.deleted_at IS NULL
             WHERE pcp.product_id = c.id AND pcp.product_category_id = ?))
     ORDER BY c.ord`,
    [JSON.stringify(ids), JSON.stringify(salesChannelIds), categoryId ?? null, categoryId ?? null]
  )
  return rows.map((r) => r.id)
}

/** Products the customer bought (counted orders), for `exclude_purchased`. */
export async function purchasedProductIds(scope: MedusaContainer, customerId: string): Promise<Set<string>> {
  const { rows } = await pg(scope).raw<{ product_id: string }>(
    `SELECT product_id FROM personalization_customer_product WHERE customer_id = ?`,
    [customerId]
  )
  return new Set(rows.map((r) => r.product_id))
}

/**
 * Trending candidates: the active version's trending list; without one, distinct buyers of
 * the last 30 days from the feature tables (then all-time buyers), then the newest products,
 * so that a new shop still gets a list.
 */
export async function trendingCandidates(scope: MedusaContainer): Promise<Candidate[]> {
  const active = await scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).getActiveList("trending", "")
  if (active) {
    return active.product_ids.map((product_id, i) => ({ product_id, reason: active.reasons[i], list: "trending", version: active.version_id }))
  }
  const { rows } = await pg(scope).raw<{ product_id: string; recent: number; buyers: number }>(
    `SELECT product_id,
            (COUNT(DISTINCT customer_id) FILTER (WHERE placed_at >= now() - make_interval(days => ?)))::int AS recent,
            COUNT(DISTINCT customer_id)::int AS buyers
     FROM personalization_order_line
     GROUP BY product_id
     ORDER BY recent DESC, buyers DESC, product_id
     LIMIT 200`,
    [TRENDING_DAYS]
  )
  return rows.map((r): Candidate => ({
    product_id: r.product_id,
    list: "trending",
    version: FALLBACK_VERSION,
    reason:
      r.recent > 0
        ? {
            code: "trending",
            params: { recent_buyers: r.recent, window_days: TRENDING_DAYS },
            text: `Trending: ${r.recent} customer${r.recent === 1 ? "" : "s"} bought it in the last ${TRENDING_DAYS} days`,
          }
        : { code: "popular", params: { buyers: r.buyers }, text: `Popular: bought by ${r.buyers} customer${r.buyers === 1 ? "" : "s"}` },
  }))
}

async function newestProductIds(scope: MedusaContainer, salesChannelIds: string[], categoryId: string | undefined, limit: number) {
  const { rows } = await pg(scope).raw<{ id: string }>(
    `SELECT p.id FROM product p
     WHERE p.status = 'published' AND p.deleted_at IS NULL
       AND EXISTS (SELECT 1 FROM product_sales_channel psc
                   WHERE psc.product_id = p.id AND psc.deleted_at IS NULL
                     AND psc.sales_channel_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))))
       AND (?::text IS NULL OR EXISTS (
             SELECT 1 FROM product_category_product pcp
             JOIN product_category pc ON pc.id = pcp.product_category_id
               AND pc.is_active AND NOT pc.is_internal AND pc.deleted_at IS NULL
             WHERE pcp.product_id = p.id AND pcp.product_category_id = ?))
     ORDER BY p.created_at DESC, p.id
     LIMIT ?`,
    [JSON.stringify(salesChannelIds), categoryId ?? null, categoryId ?? null, limit]
  )
  return rows.map((r) => r.id)
}

/**
 * Answers a recommendation request: the list's visible candidates first, then trending (and
 * the newest products) to fill up to `limit`, each with its reason and a signed
 * `recommendation_id`; products as the core /store/products route returns them (fields,
 * prices and taxes from the same middlewares).
 */
export async function sendRecommendations(
  req: MedusaStoreRequest,
  res: MedusaResponse,
  { list, primary, limit, exclude, categoryId }: { list: string; primary: Candidate[]; limit: number; exclude: Set<string>; categoryId?: string }
) {
  const scope = req.scope
  const salesChannelIds = (req.filterableFields as Record<string, unknown>).sales_channel_id as string[] // set by filterByValidSalesChannels
  const chosen: Candidate[] = []
  const seen = new Set(exclude)
  // Candidates are checked in chunks: most lists fill from their first few items.
  const take = async (candidates: Candidate[]) => {
    const fresh = candidates.filter((c) => !seen.has(c.product_id))
    const chunk = Math.max(2 * limit, 20)
    for (let start = 0; start < fresh.length && chosen.length < limit; start += chunk) {
      const part = fresh.slice(start, start + chunk)
      const visible = new Set(await visibleProductIds(scope, part.map((c) => c.product_id), { salesChannelIds, categoryId }))
      for (const c of part) {
        if (chosen.length >= limit) break
        if (!visible.has(c.product_id) || seen.has(c.product_id)) continue
        seen.add(c.product_id)
        chosen.push(c)
      }
    }
  }
  await take(primary)
  if (chosen.length < limit) await take(await trendingCandidates(scope))
  if (chosen.length < limit) {
    const newest = await newestProductIds(scope, salesChannelIds, categoryId, limit + seen.size)
    for (const id of newest) {
      if (chosen.length >= limit) break
      if (seen.has(id)) continue
      seen.add(id)
      chosen.push({ product_id: id, list: "trending", version: FALLBACK_VERSION, reason: { code: "new_arrival", params: {}, text: "New in the shop" } })
    }
  }

  const products = await fetchProducts(req, chosen.map((c) => c.product_id))
  const secret = projectSecret(scope)
  const issuedAt = Math.floor(Date.now() / 1000)
  const recommendations = chosen
    .filter((c) => products.has(c.product_id))
    .map((c) => ({
      recommendation_id: signRecommendationId({ version: c.version, list: c.list, product: c.product_id, issuedAt }, secret),
      reason: c.reason,
      product: products.get(c.product_id),
    }))
  res.json({ list, recommendations, count: recommendations.length })
}

async function fetchProducts(req: MedusaStoreRequest, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  if (!ids.length) return new Map()
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const context: Record<string, unknown> = {}
  if (req.pricingContext) context.variants = { calculated_price: QueryContext(req.pricingContext) }
  const { data } = await query.graph(
    { entity: "product", fields: req.queryConfig.fields, filters: { id: ids }, context },
    { locale: req.locale } as never // the core route passes the request locale the same way
  )
  await wrapProductsWithTaxPrices(req as never, data) // typed for the core's own request type
  return new Map(data.map((p: Record<string, unknown>) => [p.id as string, p]))
}

/** The app's JWT secret signs recommendation ids: no extra secret to configure. */
export function projectSecret(scope: MedusaContainer): string {
  const config = scope.resolve(ContainerRegistrationKeys.CONFIG_MODULE)
  return String(config.projectConfig.http.jwtSecret ?? "")
}
