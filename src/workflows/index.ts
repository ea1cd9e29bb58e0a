/**
 * The plugin's workflows, for a shop that extends them through their hooks or starts a run
 * itself: `import { runSegmentationWorkflow, runSegmentation } from "medusa-plugin-personalization/workflows"`.
 * Start runs with the run* functions, which hold the run's lock and record its outcome.
 */
export {
  deleteCustomerPurchaseFeaturesWorkflow,
  deleteProductPurchaseFeaturesWorkflow,
  mergeGuestPurchaseOrdersWorkflow,
  rebuildPurchaseFeaturesWorkflow,
  syncPurchaseOrdersWorkflow,
} from "./purchase-features"
export { setCustomerOptOutWorkflow } from "./opt-out"
export { runSegmentationWorkflow } from "./segmentation"
export { activateModelVersionWorkflow, runTrainingWorkflow } from "./training"
export { requestRunWorkflow } from "./common/request-run"
export { runRebuild, runSegmentation, runTraining } from "./runs"
