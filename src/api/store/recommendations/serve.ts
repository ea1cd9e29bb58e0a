import type { MedusaStoreRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, QueryContext } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { wrapProductsWithTaxPrices } from "@medusajs/medusa/api/store/products/helpers"
import { type Candidate, FALLBACK_VERSION, trendingCandidates } from "../../../lib/candidates"
import { configuredOptions } from "../../../lib/configured-options"
import { appPg } from "../../../lib/medusa-2x/pg"
import { listVisibleProductIds, newestVisibleProductIds } from "../../../lib/medusa-2x/product-visibility"
import { signRecommendationId } from "../../../lib/recommendation-token"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { type ReasonFacts, ReasonRenderer } from "../../../modules/recommendations/reason-text"

/**
 * The ids among `ids` that the store may show, in the given order: live, published, in one of
 * the key's sales channels and, with `categoryId`, in that category if it is active and public.
 */
export const visibleProductIds = (
  scope: MedusaContainer,
  ids: string[],
  filters: { salesChannelIds: string[]; categoryId?: string }
): Promise<string[]> => listVisibleProductIds(appPg(scope), ids, filters)

/**
 * What a list serves, before products are fetched: the visible candidates of `primary` first,
 * then trending (and the newest products) to fill up to `limit`, none in `exclude` and none
 * twice. Visible: live, published, in one of `salesChannelIds` and, with `categoryId`, in that
 * active, public category. The store routes and the admin's views of them share it.
 */
export async function chooseCandidates(
  scope: MedusaContainer,
  { primary, limit, exclude, salesChannelIds, categoryId }: { primary: Candidate[]; limit: number; exclude: Set<string>; salesChannelIds: string[]; categoryId?: string }
): Promise<Candidate[]> {
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
    const newest = await newestVisibleProductIds(appPg(scope), { salesChannelIds, categoryId }, limit + seen.size)
    for (const id of newest) {
      if (chosen.length >= limit) break
      if (seen.has(id)) continue
      seen.add(id)
      chosen.push({ product_id: id, list: "trending", version: FALLBACK_VERSION, reason: { code: "new_arrival", params: {} } })
    }
  }
  return chosen
}

/** Products a chosen list's reasons name (the customer's own, or a list's subject). */
export const namedProductIds = (chosen: Candidate[]) =>
  [...new Set(chosen.flatMap((c) => (c.reason.params && "product_id" in c.reason.params ? [c.reason.params.product_id] : [])))]

/**
 * Each chosen candidate's reason facts: a buy-again reason gets `customerId`'s current orders
 * of the product and the mean days between them.
 */
export async function reasonFacts(scope: MedusaContainer, chosen: Candidate[], customerId?: string): Promise<ReasonFacts[]> {
  const intervals = customerId
    ? await scope.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).getRepurchaseIntervals(
        customerId,
        chosen.filter((c) => c.reason.code === "buy_again").map((c) => c.product_id)
      )
    : new Map<string, { orders: number; every_days: number | null }>()
  return chosen.map((c) =>
    c.reason.code === "buy_again" && c.reason.params === null
      ? { code: "buy_again", params: intervals.get(c.product_id) ?? { orders: 1, every_days: null } }
      : (c.reason as ReasonFacts)
  )
}

/**
 * Answers a recommendation request: the list's visible candidates first, then trending (and
 * the newest products) to fill up to `limit`, each with its reason rendered in the request's
 * locale with the products' current titles, and a signed `recommendation_id` unique to this
 * serve; products as the core /store/products route returns them (fields, prices and taxes
 * from the same middlewares).
 */
export async function sendRecommendations(
  req: MedusaStoreRequest,
  res: MedusaResponse,
  {
    list,
    primary,
    limit,
    exclude,
    categoryId,
    customerId,
  }: { list: string; primary: Candidate[]; limit: number; exclude: Set<string>; categoryId?: string; customerId?: string }
) {
  const scope = req.scope
  const salesChannelIds = (req.filterableFields as Record<string, unknown>).sales_channel_id as string[] // set by filterByValidSalesChannels
  const chosen = await chooseCandidates(scope, { primary, limit, exclude, salesChannelIds, categoryId })
  const [products, titles, facts] = await Promise.all([
    fetchProducts(req, chosen.map((c) => c.product_id)),
    productTitles(req, namedProductIds(chosen)),
    reasonFacts(scope, chosen, customerId),
  ])
  const titleOf = (id: string) => {
    const product = products.get(id)
    return typeof product?.title === "string" ? product.title : titles.get(id)
  }
  const renderer = new ReasonRenderer(req.locale, configuredOptions().reasonTemplates)
  const secret = projectSecret(scope)
  const issuedAt = Math.floor(Date.now() / 1000)
  const recommendations = chosen
    .map((c, i) => ({ c, facts: facts[i] }))
    .filter(({ c }) => products.has(c.product_id))
    .map(({ c, facts }) => ({
      recommendation_id: signRecommendationId({ version: c.version, list: c.list, product: c.product_id, issuedAt }, secret),
      reason: renderer.served(facts, titleOf),
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

/** Current titles (in the request's locale) of products a reason names: the customer's own, or a list's subject. */
async function productTitles(req: MedusaStoreRequest, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map()
  const { data } = await req.scope.resolve(ContainerRegistrationKeys.QUERY).graph(
    { entity: "product", fields: ["id", "title"], filters: { id: ids } },
    { locale: req.locale } as never // as fetchProducts
  )
  return new Map(data.map((p: { id: string; title: string }) => [p.id, p.title]))
}

/** The app's JWT secret signs recommendation ids: no extra secret to configure. */
export function projectSecret(scope: MedusaContainer): string {
  const config = scope.resolve(ContainerRegistrationKeys.CONFIG_MODULE)
  return String(config.projectConfig.http.jwtSecret ?? "")
}
