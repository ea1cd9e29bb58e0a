import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { RECOMMENDATIONS_MODULE } from "../modules/recommendations"
import type RecommendationsService from "../modules/recommendations/service"

/** Hourly: forget served recommendation ids that have expired (they can no longer be sent as events). */
export default async function pruneServedEventsJob(container: MedusaContainer) {
  const pruned = await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).pruneServedEvents()
  container.resolve(ContainerRegistrationKeys.LOGGER).debug(`personalization: pruned ${pruned} expired served ids`)
}

export const config = { name: "personalization-prune-served-events", schedule: "17 * * * *" }
