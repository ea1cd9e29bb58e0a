import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { type Candidate, candidatesOf } from "../../../../../../lib/candidates"
import { isOptedOut } from "../../../../../../lib/store-data"
import { RECOMMENDATIONS_MODULE } from "../../../../../../modules/recommendations"
import type RecommendationsService from "../../../../../../modules/recommendations/service"
import { adminRecommendationItems } from "../../../recommendation-items"
import type { AdminRecommendationsParamsType } from "../../../validators"

/**
 * What GET /store/recommendations would serve this customer logged in (404 for an unknown
 * customer): their personal list of the active version filled with trending, or trending when
 * they have none or opted out. `version_id`: the active version (null when none is).
 */
export async function GET(req: MedusaRequest<unknown, AdminRecommendationsParamsType>, res: MedusaResponse) {
  const { limit, sales_channel_id: salesChannelId } = req.validatedQuery as AdminRecommendationsParamsType
  const customerId = req.params.id
  const { data: [customer] } = await req.scope
    .resolve(ContainerRegistrationKeys.QUERY)
    .graph({ entity: "customer", fields: ["id", "metadata"], filters: { id: customerId } })
  if (!customer) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Customer with id: ${customerId} was not found`)
  const service = req.scope.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const personal = isOptedOut(customer.metadata) ? null : await service.getActiveList("customer", customerId)
  const primary: Candidate[] = personal ? candidatesOf(personal, "personal") : []
  const [recommendations, versionId] = await Promise.all([
    adminRecommendationItems(req, { primary, limit, exclude: new Set(), customerId: personal ? customerId : undefined, salesChannelId }),
    service.getActiveVersionId(),
  ])
  res.json({ recommendations, list_type: personal ? "personal" : "trending", version_id: versionId })
}
