/**
 * Recomputes the plugin's feature tables from Medusa's orders and prints the result.
 * `npm run demo` runs it after seeding, because orders created through the order module
 * (as the demo seed does) emit no `order.placed`.
 *
 *   MEDUSA_DISABLE_TELEMETRY=true npx medusa exec ./src/scripts/rebuild-features.ts
 */
import type { ExecArgs, Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { rebuildPurchaseFeaturesWorkflow } from "../workflows/purchase-features"

export default async function rebuildFeatures({ container }: ExecArgs) {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const { result } = await rebuildPurchaseFeaturesWorkflow(container).run({ input: {} })
  logger.info(
    `rebuild-features: ${result.status}: ${result.orders} orders in ${result.pages} pages, ` +
      `${result.removed} removed, ${result.duration_ms} ms`
  )
}
