import type { MedusaResponse, MedusaStoreRequest } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { RECOMMENDATIONS_MODULE } from "../../../../../modules/recommendations"
import type RecommendationsService from "../../../../../modules/recommendations/service"
import { candidatesOf } from "../../../../../lib/candidates"
import { sendRecommendations, visibleProductIds } from "../../../recommendations/serve"
import type { StoreGetProductRecommendationsParamsType } from "../../../recommendations/validators"

/**
 * GET /store/products/:id/recommendations?type=related|bought_together[&exclude=<the other>&exclude_limit=N]:
 * the product's precomputed list, filled with trending; with `exclude`, the first N (default
 * `limit`) visible products of the product's other stored list are left out. 404 alike for an
 * unknown, unpublished or out-of-channel product.
 */
export async function GET(req: MedusaStoreRequest<unknown, StoreGetProductRecommendationsParamsType>, res: MedusaResponse) {
  const q = req.validatedQuery as StoreGetProductRecommendationsParamsType
  const productId = req.params.id
  const salesChannelIds = (req.filterableFields as Record<string, unknown>).sales_channel_id as string[] // set by filterByValidSalesChannels
  const [visible] = await visibleProductIds(req.scope, [productId], { salesChannelIds })
  if (!visible) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Product with id: ${productId} was not found`)
  const recommendations = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const stored = await recommendations.getActiveList(q.type, productId)
  const primary = stored ? candidatesOf(stored, q.type, productId) : []
  const exclude = new Set([productId])
  if (q.exclude) {
    const other = await recommendations.getActiveList(q.exclude, productId)
    // What the other strip shows first: its stored list's visible products, in order.
    const ids = (other?.items ?? []).map((i) => i.product_id).filter((id) => id !== productId)
    const shown = await visibleProductIds(req.scope, ids, { salesChannelIds })
    for (const id of shown.slice(0, q.exclude_limit ?? q.limit)) exclude.add(id)
  }
  await sendRecommendations(req, res, { list: q.type, primary, limit: q.limit, exclude })
}
