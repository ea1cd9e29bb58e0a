import { model } from "@medusajs/framework/utils"

/** One rebuild of the feature tables from Medusa's orders: progress while it runs, what it did, or why it did not run. */
export const RebuildRun = model.define("personalization_rebuild_run", {
  id: model.id({ prefix: "pzrb" }).primaryKey(),
  status: model.enum(["queued", "running", "completed", "skipped", "failed"]).default("queued"),
  /** Why a run was skipped or failed. */
  reason: model.text().nullable(),
  /** Orders Medusa holds that the rebuild reads (known once it starts). */
  total_orders: model.number().nullable(),
  /** Orders read and written so far. */
  orders: model.number().default(0),
  /** Ledger orders removed because Medusa no longer has them or their customer was deleted. */
  removed: model.number().default(0),
  pages: model.number().default(0),
  /**
   * How the run read and wrote: "pages" reads every order and recomputes the aggregates of each
   * page's customers and pairs with the page; "bulk" reads every order, writes only the ledger
   * page by page, then recomputes every aggregate set-based at the end (a cold or a repairing
   * rebuild); "changes" reads only the orders changed since `changes_since` and syncs them as
   * events do (the nightly rebuild between full ones). Null until the run has chosen.
   */
  mode: model.enum(["pages", "bulk", "changes"]).nullable(),
  /** A "changes" run's lower bound: orders written in Medusa from this time on were read. */
  changes_since: model.dateTime().nullable(),
  /**
   * A bulk run whose ledger pages may be written while its final recompute has not finished:
   * the aggregates may lag the ledger until a later rebuild recomputes them all (the next
   * rebuild then runs in bulk mode).
   */
  aggregates_pending: model.boolean().default(false),
  /** Share of the work done, 0 to 1. */
  progress: model.float().default(0),
  started_at: model.dateTime().nullable(),
  finished_at: model.dateTime().nullable(),
  duration_ms: model.number().nullable(),
})
