import type { MedusaResponse, MedusaStoreRequest } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { RECOMMENDATIONS_MODULE } from "../../../../../modules/recommendations"
import type RecommendationsService from "../../../../../modules/recommendations/service"
import { candidatesOf } from "../../../../../lib/candidates"
import { sendRecommendations, visibleProductIds } from "../../../recommendations/serve"
import type { StoreGetProductRecommendationsParamsType } from "../../../recommendations/validators"

/**
 * GET /store/products/:id/recommendations?type=related|bought_together: the product's
 * precomputed list, filled with trending. 404 alike for an unknown, unpublished or
 * out-of-channel product.
 */
export async function GET(req: MedusaStoreRequest<unknown, StoreGetProductRecommendationsParamsType>, res: MedusaResponse) {
  const q = req.validatedQuery as StoreGetProductRecommendationsParamsType
  const productId = req.params.id
  const salesChannelIds = (req.filterableFields as Record<string, unknown>).sales_channel_id as string[] // set by filterByValidSalesChannels
  const [visible] = await visibleProductIds(req.scope, [productId], { salesChannelIds })
  if (!visible) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Product with id: ${productId} was not found`)
  const stored = await req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).getActiveList(q.type, productId)
  const primary = stored ? candidatesOf(stored, q.type, productId) : []
  await sendRecommendations(req, res, { list: q.type, primary, limit: q.limit, exclude: new Set([productId]) })
}
