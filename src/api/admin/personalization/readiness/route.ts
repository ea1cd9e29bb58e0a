import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PURCHASE_FEATURES_MODULE } from "../../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../../modules/purchase-features/service"
import { configuredOptions } from "../../../../lib/configured-options"

/**
 * Whether the store has enough data for segmentation (the readiness options): below the
 * thresholds, runs are skipped and storefronts get trending products.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const features = req.scope.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
  const volume = await features.getDataVolume()
  const { minCustomers, minRepeatCustomers } = configuredOptions().readiness
  const missing: string[] = []
  if (volume.customers < minCustomers) missing.push(`${minCustomers - volume.customers} more customers with an order`)
  if (volume.repeat_customers < minRepeatCustomers) {
    missing.push(`${minRepeatCustomers - volume.repeat_customers} more repeat customers`)
  }
  res.json({
    readiness: {
      segmentation: { ready: missing.length === 0, missing },
      ...volume,
      thresholds: { min_customers: minCustomers, min_repeat_customers: minRepeatCustomers },
    },
  })
}
