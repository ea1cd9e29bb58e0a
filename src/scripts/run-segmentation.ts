/**
 * Runs a segmentation now and prints its segments. `npm run demo` runs it after the rebuild.
 *
 *   MEDUSA_DISABLE_TELEMETRY=true npx medusa exec ./src/scripts/run-segmentation.ts
 */
import type { ExecArgs, Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { CUSTOMER_SEGMENTS_MODULE } from "../modules/customer-segments"
import type CustomerSegmentsService from "../modules/customer-segments/service"
import { runSegmentation as runSegmentationRun } from "../workflows/runs"

export default async function runSegmentation({ container }: ExecArgs) {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const result = await runSegmentationRun(container)
  logger.info(
    `run-segmentation: ${result.id} ${result.status}${result.reason ? ` (${result.reason})` : ""}: ` +
      `${result.customers} customers, k=${result.k ?? "-"}, ${result.duration_ms} ms`
  )
  const segments = await container
    .resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    .listCurrentSegments()
  for (const s of segments) logger.info(`  ${s.key} ${s.name}: ${s.description}`)
  const validation = result.prediction_validation as { auc?: number; spearman?: number } | null
  logger.info(
    `  purchase prediction (${result.prediction_window_days ?? "-"} days): ${result.prediction_scored_customers ?? 0} customers scored` +
      (validation?.auc !== undefined ? `, out-of-fold AUC ${validation.auc.toFixed(3)}` : "") +
      (result.prediction_reason ? ` (${result.prediction_reason})` : "")
  )
}
