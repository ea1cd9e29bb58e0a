import type { MedusaRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import type { Candidate } from "../../../lib/candidates"
import { configuredOptions } from "../../../lib/configured-options"
import { ReasonRenderer } from "../../../modules/recommendations/reason-text"
import { chooseCandidates, namedProductIds, reasonFacts } from "../../store/recommendations/serve"

export type AdminRecommendationItem = {
  product_id: string
  title: string | null
  handle: string | null
  thumbnail: string | null
  reason: string
  reason_code: string
}

type ProductRow = { id: string; title: string | null; handle: string | null; thumbnail: string | null }

/**
 * What the store routes would serve from `primary` (filled with trending and the newest
 * products, as they fill), for the admin: visible in `salesChannelId` (400 for an unknown
 * one) or, without it, in any sales channel; as product id, title,
 * handle and thumbnail, with the reason rendered in the request's locale.
 */
export async function adminRecommendationItems(
  req: MedusaRequest,
  {
    primary,
    limit,
    exclude,
    customerId,
    salesChannelId,
  }: { primary: Candidate[]; limit: number; exclude: Set<string>; customerId?: string; salesChannelId?: string }
): Promise<AdminRecommendationItem[]> {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data: channels } = await query.graph({ entity: "sales_channel", fields: ["id"], filters: salesChannelId ? { id: salesChannelId } : {} })
  if (salesChannelId && !channels.length) throw new MedusaError(MedusaError.Types.INVALID_DATA, `sales_channel_id: no sales channel with id ${salesChannelId}`)
  const chosen = await chooseCandidates(req.scope, { primary, limit, exclude, salesChannelIds: channels.map((c: { id: string }) => c.id) })
  const ids = [...new Set([...chosen.map((c) => c.product_id), ...namedProductIds(chosen)])]
  const [{ data: products }, facts] = await Promise.all([
    ids.length
      ? query.graph({ entity: "product", fields: ["id", "title", "handle", "thumbnail"], filters: { id: ids } }, { locale: req.locale } as never) // the store routes pass the locale the same way
      : Promise.resolve({ data: [] as ProductRow[] }),
    reasonFacts(req.scope, chosen, customerId),
  ])
  const byId = new Map((products as ProductRow[]).map((p) => [p.id, p]))
  const renderer = new ReasonRenderer(req.locale, configuredOptions().reasonTemplates)
  return chosen.flatMap((c, i): AdminRecommendationItem[] => {
    const product = byId.get(c.product_id)
    if (!product) return []
    const served = renderer.served(facts[i], (id) => byId.get(id)?.title ?? undefined)
    return [{ product_id: product.id, title: product.title, handle: product.handle, thumbnail: product.thumbnail, reason: served.text, reason_code: served.code }]
  })
}
