import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { candidatesOf } from "../../../../../../lib/candidates"
import { RECOMMENDATIONS_MODULE } from "../../../../../../modules/recommendations"
import type RecommendationsService from "../../../../../../modules/recommendations/service"
import { adminRecommendationItems } from "../../../recommendation-items"
import type { AdminRecommendationsParamsType } from "../../../validators"

/**
 * A product's related and bought-together lists as GET /store/products/:id/recommendations
 * serves them (the active version's list, filled with trending), for the admin (404 for an
 * unknown product). `version_id`: the active version (null when none is).
 */
export async function GET(req: MedusaRequest<unknown, AdminRecommendationsParamsType>, res: MedusaResponse) {
  const { limit, sales_channel_id: salesChannelId } = req.validatedQuery as AdminRecommendationsParamsType
  const productId = req.params.id
  const { data: [product] } = await req.scope.resolve(ContainerRegistrationKeys.QUERY).graph({ entity: "product", fields: ["id"], filters: { id: productId } })
  if (!product) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Product with id: ${productId} was not found`)
  const service = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const list = async (type: "related" | "bought_together") => {
    const stored = await service.getActiveList(type, productId)
    return adminRecommendationItems(req, { primary: stored ? candidatesOf(stored, type, productId) : [], limit, exclude: new Set([productId]), salesChannelId })
  }
  const [related, boughtTogether, versionId] = await Promise.all([list("related"), list("bought_together"), service.getActiveVersionId()])
  res.json({ related, bought_together: boughtTogether, version_id: versionId })
}
