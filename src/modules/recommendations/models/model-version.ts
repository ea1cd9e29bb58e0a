import { model } from "@medusajs/framework/utils"

/**
 * One training run and, when it produced lists, the model version they belong to. At most one
 * version is `active`: the store routes read its lists. `inactive` versions keep their lists
 * (the newest few, for rollback); `rejected`, `skipped` and `failed` runs never had any.
 */
export const ModelVersion = model.define("personalization_model_version", {
  id: model.id({ prefix: "pzmv" }).primaryKey(),
  status: model.enum(["queued", "running", "skipped", "failed", "rejected", "active", "inactive"]).default("queued"),
  /** Why the run was skipped, failed or rejected, or why it was activated. */
  reason: model.text().nullable(),
  /** The recommender and options the version was fitted with. */
  recipe: model.json().nullable(),
  /** Holdout evaluation: candidate, active version and popularity (src/ml/pipeline/training.ts). */
  evaluation: model.json().nullable(),
  /** Size of the data fitted: lines, customers, products. */
  data: model.json().nullable(),
  /** Precomputed lists stored for this version; 0 once pruned. */
  lists: model.number().default(0),
  /** Share of the work done, 0 to 1. */
  progress: model.float().default(0),
  as_of: model.dateTime().nullable(),
  started_at: model.dateTime().nullable(),
  finished_at: model.dateTime().nullable(),
  duration_ms: model.number().nullable(),
  activated_at: model.dateTime().nullable(),
  pruned_at: model.dateTime().nullable(),
  /**
   * A nightly refresh's full-run version: the refresh stores only the lists it rebuilt (the
   * personal lists of customers whose purchases changed, and trending), and serving reads the
   * rest from the base. Null for a full run.
   */
  base_version_id: model.text().nullable(),
})
