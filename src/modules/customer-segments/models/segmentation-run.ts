import { model } from "@medusajs/framework/utils"

/** One segmentation run: what it found, how long it took, or why it did not run. */
export const SegmentationRun = model.define("personalization_segmentation_run", {
  id: model.id({ prefix: "pzsr" }).primaryKey(),
  status: model.enum(["queued", "running", "completed", "skipped", "failed"]).default("queued"),
  /** Why a run was skipped or failed. */
  reason: model.text().nullable(),
  /** The moment the customers' features were taken at. */
  as_of: model.dateTime().nullable(),
  customers: model.number().default(0),
  k: model.number().nullable(),
  criterion: model.text().nullable(),
  silhouette: model.float().nullable(),
  inertia: model.float().nullable(),
  /** The feature transform (log1p and standardisation parameters) the segments live in. */
  scaling: model.json().nullable(),
  /**
   * Purchase prediction: fitted on features at as_of - window with labels from [as_of - window,
   * as_of), then scored at as_of. The window in days; the store currency of expected spend.
   */
  prediction_window_days: model.number().nullable(),
  prediction_currency_code: model.text().nullable(),
  /** Customers the model was fitted on (those with an order before as_of - window). */
  prediction_training_customers: model.number().nullable(),
  /** Customers who got scores. */
  prediction_scored_customers: model.number().nullable(),
  /** Out-of-fold figures of the fit on its own training data: { auc, spearman, buy_rate }. */
  prediction_validation: model.json().nullable(),
  /** Why the run stored no scores (too little history, or the fit failed). */
  prediction_reason: model.text().nullable(),
  /** Share of the work done, 0 to 1. */
  progress: model.float().default(0),
  duration_ms: model.number().nullable(),
  started_at: model.dateTime().nullable(),
  finished_at: model.dateTime().nullable(),
})
