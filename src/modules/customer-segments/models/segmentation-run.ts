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
  /** Share of the work done, 0 to 1. */
  progress: model.float().default(0),
  duration_ms: model.number().nullable(),
  started_at: model.dateTime().nullable(),
  finished_at: model.dateTime().nullable(),
})
