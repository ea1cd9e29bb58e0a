import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PURCHASE_FEATURES_MODULE } from "../../../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../../../modules/purchase-features/service"
import type { AdminListRunsParamsType } from "../../validators"

/** Rebuild runs, newest first: status, mode, progress, orders read, removed, duration, reason. */
export async function GET(req: MedusaRequest<unknown, AdminListRunsParamsType>, res: MedusaResponse) {
  const { limit, offset } = req.validatedQuery as AdminListRunsParamsType
  const service = req.scope.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
  const [runs, count] = await service.listAndCountRebuildRuns({}, { take: limit, skip: offset, order: { created_at: "DESC" } })
  res.json({ runs, count, limit, offset })
}
