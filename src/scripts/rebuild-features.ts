/**
 * Recomputes the plugin's feature tables from Medusa's orders and prints the result.
 * `npm run demo` runs it after seeding, because orders created through the order module
 * (as the demo seed does) emit no `order.placed`.
 *
 *   MEDUSA_DISABLE_TELEMETRY=true npx medusa exec ./src/scripts/rebuild-features.ts
 */
import type { ExecArgs, Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { runRebuild } from "../workflows/runs"

export default async function rebuildFeatures({ container }: ExecArgs) {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const run = await runRebuild(container)
  logger.info(
    `rebuild-features: ${run.id} ${run.status}${run.reason ? ` (${run.reason})` : ""}: ${run.orders} orders in ${run.pages} pages (${run.mode ?? "-"} mode), ` +
      `${run.removed} removed, ${run.duration_ms ?? "-"} ms`
  )
  if (run.status !== "completed") throw new Error(`the rebuild did not complete: ${run.status}${run.reason ? ` (${run.reason})` : ""}`)
}
