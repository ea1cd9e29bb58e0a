import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"
import { RECOMMENDATIONS_MODULE } from "../../../modules/recommendations"
import type RecommendationsService from "../../../modules/recommendations/service"

/**
 * Switches the store to `version_id` in one transaction; with `prune`, then drops the lists of
 * versions beyond the newest `training.keepVersions` inactive ones. Compensation switches back
 * to the previous version.
 */
export const activateVersionStep = createStep(
  "activate-model-version",
  async ({ version_id, prune = false }: { version_id: string; prune?: boolean }, { container }) => {
    const service = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
    const previous = await service.getActiveVersionId()
    await service.activateVersion(version_id)
    const keep = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).options.training.keepVersions
    const pruned = prune ? await service.pruneVersions(keep) : []
    return new StepResponse({ id: version_id, previous, pruned }, { previous, pruned })
  },
  async (undo, { container }) => {
    // Pruned lists are gone for good, so only a previous version that kept its lists comes back.
    if (!undo?.previous || undo.pruned.includes(undo.previous)) return
    await container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE).activateVersion(undo.previous)
  }
)
