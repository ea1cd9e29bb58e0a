import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../../../../modules/customer-segments/service"
import type { AdminSegmentCustomersParamsType } from "../../../validators"

/**
 * The customers of a segment, paginated by customer id (404 for an unknown segment key), each
 * with the purchase prediction of the run that placed them: `buy_probability` (0 to 1) and
 * `expected_spend` in the next `prediction.window_days` days, in `prediction.currency_code`;
 * both null when that run could not fit the model (`prediction.reason`). Each customer's
 * email and names come from Medusa (null for a customer deleted since).
 */
export async function GET(req: MedusaRequest<unknown, AdminSegmentCustomersParamsType>, res: MedusaResponse) {
  const { limit, offset } = req.validatedQuery as AdminSegmentCustomersParamsType
  const service = req.scope.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const runId = await service.getCurrentRunId()
  const [segment] = runId ? await service.listSegments({ run_id: runId, key: req.params.key }) : []
  if (!segment) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Segment with key: ${req.params.key} was not found`)
  }
  const [members, count] = await service.listAndCountCustomerSegments(
    { run_id: runId as string, segment_key: segment.key },
    { take: limit, skip: offset, order: { customer_id: "ASC" } }
  )
  const [[run], { data: people }] = await Promise.all([
    service.listSegmentationRuns({ id: segment.run_id }),
    members.length
      ? req.scope.resolve(ContainerRegistrationKeys.QUERY).graph({
          entity: "customer",
          fields: ["id", "email", "first_name", "last_name"],
          filters: { id: members.map((m) => m.customer_id) },
        })
      : Promise.resolve({ data: [] as { id: string; email: string | null; first_name: string | null; last_name: string | null }[] }),
  ])
  const person = new Map(people.map((p: { id: string; email: string | null; first_name: string | null; last_name: string | null }) => [p.id, p]))
  res.json({
    segment,
    prediction: run
      ? {
          run_id: run.id,
          window_days: run.prediction_window_days,
          currency_code: run.prediction_currency_code,
          reason: run.prediction_reason,
        }
      : null,
    customers: members.map((m) => ({
      customer_id: m.customer_id,
      email: person.get(m.customer_id)?.email ?? null,
      first_name: person.get(m.customer_id)?.first_name ?? null,
      last_name: person.get(m.customer_id)?.last_name ?? null,
      in_control: m.in_control,
      buy_probability: m.buy_probability,
      expected_spend: m.expected_spend,
    })),
    count,
    limit,
    offset,
  })
}
