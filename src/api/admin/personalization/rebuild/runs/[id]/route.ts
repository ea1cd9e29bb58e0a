import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PURCHASE_FEATURES_MODULE } from "../../../../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../../../../modules/purchase-features/service"

/** One rebuild run (404 for an unknown id). */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const run = await req.scope.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).retrieveRebuildRun(req.params.id)
  res.json({ run })
}
