import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../../../../modules/customer-segments/service"

/**
 * A customer's segment and purchase prediction as of the latest completed segmentation run:
 * `buy_probability` (0 to 1) of buying again and `expected_spend` (>= 0, in `currency_code`,
 * the store currency) within `window_days` days of `scored_at`; both null when the run could
 * not fit the model (`prediction_reason`). 404 for a customer the run did not segment (no
 * counted order, opted out, or deleted).
 */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const service = req.scope.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const member = await service.getCurrentMembership(req.params.id)
  if (!member) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `No segment or scores for customer: ${req.params.id}`)
  }
  const [[segment], [run]] = await Promise.all([
    service.listSegments({ run_id: member.run_id, key: member.segment_key }),
    service.listSegmentationRuns({ id: member.run_id }),
  ])
  res.json({
    scores: {
      customer_id: member.customer_id,
      segment: { key: member.segment_key, name: segment?.name ?? null },
      in_control: member.in_control,
      buy_probability: member.buy_probability,
      expected_spend: member.expected_spend,
      currency_code: run?.prediction_currency_code ?? null,
      window_days: run?.prediction_window_days ?? null,
      prediction_reason: run?.prediction_reason ?? null,
      run_id: member.run_id,
      scored_at: run?.as_of ?? null,
    },
  })
}
