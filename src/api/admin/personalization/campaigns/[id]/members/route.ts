import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { AdminCampaignMembersParamsType } from "../../validators"
import { campaignsOf, requireCampaign } from "../../view"

type Person = { id: string; email: string | null; first_name: string | null; last_name: string | null }

/**
 * The campaign's members (as drawn at creation, less those who left), by customer id, optionally
 * of one arm, each with the email and names Medusa has for them now. 404 for an unknown campaign.
 */
export async function GET(req: MedusaRequest<unknown, AdminCampaignMembersParamsType>, res: MedusaResponse) {
  const { arm, limit, offset } = req.validatedQuery as AdminCampaignMembersParamsType
  const campaign = await requireCampaign(req.scope, req.params.id)
  const [rows, count] = await campaignsOf(req.scope).listAndCountSegmentCampaignMembers(
    { campaign_id: campaign.id, ...(arm ? { arm } : {}) },
    { take: limit, skip: offset, order: { customer_id: "ASC" }, select: ["customer_id", "arm"] }
  )
  const ids = rows.map((r) => r.customer_id)
  const { data: people } = ids.length
    ? await req.scope.resolve(ContainerRegistrationKeys.QUERY).graph({ entity: "customer", fields: ["id", "email", "first_name", "last_name"], filters: { id: ids } })
    : { data: [] as Person[] }
  const person = new Map((people as Person[]).map((p) => [p.id, p]))
  res.json({
    members: rows.map((r) => ({
      customer_id: r.customer_id,
      arm: r.arm,
      email: person.get(r.customer_id)?.email ?? null,
      first_name: person.get(r.customer_id)?.first_name ?? null,
      last_name: person.get(r.customer_id)?.last_name ?? null,
    })),
    count,
    offset,
    limit,
  })
}
