import type { MedusaResponse, MedusaStoreRequest } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { type Candidate, candidatesOf } from "../../../lib/candidates"
import { sendRecommendations, visibleProductIds } from "./serve"
import type { StoreGetRecommendationsParamsType } from "./validators"

/**
 * GET /store/recommendations: the logged-in customer's personal list (identity from the auth
 * context only); anonymous and unknown customers get trending, or the viewed product's
 * related list when `product_id` is given.
 */
export async function GET(req: MedusaStoreRequest<unknown, StoreGetRecommendationsParamsType>, res: MedusaResponse) {
  const q = req.validatedQuery as StoreGetRecommendationsParamsType
  const service = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const customerId = req.auth_context?.actor_type === "customer" ? req.auth_context.actor_id : undefined
  const salesChannelIds = (req.filterableFields as Record<string, unknown>).sales_channel_id as string[] // set by filterByValidSalesChannels

  if (q.product_id) {
    const [visible] = await visibleProductIds(req.scope, [q.product_id], { salesChannelIds })
    if (!visible) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Product with id: ${q.product_id} was not found`)
  }
  const exclude = new Set<string>(q.product_id ? [q.product_id] : [])
  if (customerId && q.exclude_purchased) {
    for (const id of await req.scope.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).listPurchasedProductIds(customerId)) exclude.add(id)
  }

  const personal = customerId ? await service.getActiveList("customer", customerId) : null
  let list = "trending"
  let primary: Candidate[] = []
  if (personal) {
    list = "personal"
    primary = candidatesOf(personal, list)
  } else if (q.product_id) {
    const related = await service.getActiveList("related", q.product_id)
    if (related) {
      list = "related"
      primary = candidatesOf(related, list, q.product_id)
    }
  }
  await sendRecommendations(req, res, { list, primary, limit: q.limit, exclude, categoryId: q.category_id, customerId: personal ? customerId : undefined })
}
