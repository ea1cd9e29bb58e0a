import { model } from "@medusajs/framework/utils"

/**
 * What was removed, so that a snapshot read before the removal cannot bring it back: reads
 * happen outside the module's transaction, so a slow read may apply after a purge or after a
 * newer read that found the order gone.
 * - `customer:<md5 of the id>`: a purged (deleted) customer; every later snapshot naming the
 *   customer is dropped (Medusa never returns a deleted customer's orders again, so only stale
 *   reads do). A hash, so that the purge leaves no row holding the customer's id.
 * - `order:<id>`: a ledger order removed by a read at `removed_at` that found it absent; a
 *   snapshot read before that is dropped.
 */
export const Tombstone = model.define("personalization_tombstone", {
  id: model.text().primaryKey(),
  removed_at: model.dateTime(),
})
