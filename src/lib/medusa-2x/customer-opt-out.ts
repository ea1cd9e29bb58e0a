/**
 * Customers who opted out, read from Medusa 2.x's customer table (metadata jsonb) in one
 * statement. Kept in plain SQL rather than query.graph: query.graph cannot filter on a metadata
 * key, so it would page every customer into the process (a million rows at the target size) to
 * find the few flagged ones.
 */
import type { Pg } from "./pg"

/** Ids of live customers whose metadata carries `key` = true (or "true"). */
export async function listOptedOutCustomerIds(pg: Pg, key: string): Promise<Set<string>> {
  const { rows } = await pg.raw(`SELECT id FROM customer WHERE deleted_at IS NULL AND metadata->>? = 'true'`, [key])
  return new Set(rows.map((r: { id: string }) => r.id))
}
