import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { setCustomerOptOutWorkflow } from "../../../../../../workflows/opt-out"
import type { AdminOptOutBodyType } from "../../../validators"

/**
 * Opts a customer out of personalization (`opted_out: true`) or back in, through
 * setCustomerOptOutWorkflow: opting out at once removes their segment rows, segment group
 * places, personal lists and segment campaign places. 404 for an unknown customer.
 */
export async function POST(req: MedusaRequest<AdminOptOutBodyType>, res: MedusaResponse) {
  const { opted_out } = req.validatedBody as AdminOptOutBodyType
  const { result } = await setCustomerOptOutWorkflow(req.scope).run({ input: { customer_id: req.params.id, opted_out } })
  res.json(result)
}
