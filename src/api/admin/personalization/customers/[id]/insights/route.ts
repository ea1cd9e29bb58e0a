import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { configuredOptions } from "../../../../../../lib/configured-options"
import { isOptedOut } from "../../../../../../lib/store-data"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../../../../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../../../../../modules/segment-campaigns/service"
import { currentRun, featuresOf, segmentsOf } from "../../../segments/view"

const DAY_MS = 86_400_000

/** What segmentation still needs, in words (the readiness route's thresholds), or null when it has enough. */
async function missingData(req: MedusaRequest): Promise<string | null> {
  const volume = await featuresOf(req.scope).getDataVolume()
  const { minCustomers, minRepeatCustomers } = configuredOptions().readiness
  const missing: string[] = []
  if (volume.customers < minCustomers) missing.push(`${minCustomers - volume.customers} more customers with an order`)
  if (volume.repeat_customers < minRepeatCustomers) missing.push(`${minRepeatCustomers - volume.repeat_customers} more repeat customers`)
  return missing.length ? missing.join(" and ") : null
}

/**
 * Everything the plugin knows of one customer (404 for an unknown id): the opt-out flag, their
 * purchase features now (null without a counted order), their segment of the current run and
 * whether they are in its standing holdout, or why they have none; their purchase prediction
 * of that run; and the segment campaigns they are in, with their arm.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const customerId = req.params.id
  const { data: [customer] } = await req.scope
    .resolve(ContainerRegistrationKeys.QUERY)
    .graph({ entity: "customer", fields: ["id", "metadata"], filters: { id: customerId } })
  if (!customer) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Customer with id: ${customerId} was not found`)
  const optedOut = isOptedOut(customer.metadata)
  const segments = segmentsOf(req.scope)
  const campaignsModule = req.scope.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)

  const [[stored], run, member, places] = await Promise.all([
    featuresOf(req.scope).listCustomerFeatures({ customer_id: customerId }, { take: 1 }),
    currentRun(req.scope),
    segments.getCurrentMembership(customerId),
    campaignsModule.listSegmentCampaignMembers({ customer_id: customerId }, { take: null, select: ["campaign_id", "arm"] }),
  ])
  const features = stored
    ? {
        orders: stored.order_count,
        spend: Number(stored.total_spend),
        currency_code: stored.currency_code,
        first_order_at: stored.first_order_at,
        last_order_at: stored.last_order_at,
        recency_days: Math.floor((Date.now() - new Date(stored.last_order_at).getTime()) / DAY_MS),
      }
    : null

  const [segmentRow] = member ? await segments.listSegments({ run_id: member.run_id, key: member.segment_key }, { take: 1 }) : []
  const segment = member ? { key: member.segment_key, name: segmentRow?.name ?? member.segment_key, in_control: member.in_control } : null
  let reason: string | null = null
  if (!segment) {
    const missing = await missingData(req)
    if (optedOut) reason = "The customer opted out of personalization: segmentation runs leave them out."
    else if (!features) reason = "The customer has no counted order yet: segments are made of customers with at least one order."
    else if (!run) reason = missing ? `No segmentation run has completed yet: the store needs ${missing}.` : "No segmentation run has completed yet."
    else if (features.first_order_at && run.as_of && new Date(features.first_order_at) >= new Date(run.as_of)) {
      reason = `The customer's first order came after the last segmentation run (${new Date(run.as_of).toISOString()}): the next run places them.`
    } else reason = "The last segmentation run did not place this customer: the next run will."
  }

  const prediction =
    member && run && member.buy_probability !== null
      ? {
          buy_probability: member.buy_probability,
          expected_spend: member.expected_spend,
          currency_code: run.prediction_currency_code,
          window_days: run.prediction_window_days,
          scored_at: run.as_of,
        }
      : null

  const campaignRows = places.length
    ? await campaignsModule.listSegmentCampaigns({ id: places.map((p) => p.campaign_id) }, { take: null, select: ["id", "name", "status"] })
    : []
  const campaignOf = new Map(campaignRows.map((c) => [c.id, c]))
  const campaigns = places.flatMap((p) => {
    const c = campaignOf.get(p.campaign_id)
    return c ? [{ id: c.id, name: c.name, arm: p.arm, status: c.status }] : []
  })

  res.json({
    insights: {
      customer_id: customerId,
      opted_out: optedOut,
      features,
      segment,
      no_segment_reason: reason,
      prediction,
      campaigns,
    },
  })
}
