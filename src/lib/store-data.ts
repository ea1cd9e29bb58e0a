import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import type { PurchaseLine } from "../ml/data/purchase-line"
import { PURCHASE_FEATURES_MODULE } from "../modules/purchase-features"
import type PurchaseFeaturesService from "../modules/purchase-features/service"

/** Customer metadata flag: `true` keeps a customer out of scoring, segment groups and personal lists. */
export const OPT_OUT_METADATA_KEY = "personalization_opt_out"

/** Whether customer metadata carries the opt-out flag (`true` or `"true"`, as the SQL reader takes it). */
export function isOptedOut(metadata: Record<string, unknown> | null | undefined): boolean {
  const value = metadata?.[OPT_OUT_METADATA_KEY]
  return value === true || value === "true"
}

type Knex = { raw: (sql: string, bindings?: unknown[]) => Promise<{ rows: { id: string }[] }> }

/** Ids of live customers whose metadata carries the opt-out flag. */
export async function listOptedOutCustomerIds(container: MedusaContainer): Promise<Set<string>> {
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION) as unknown as Knex // knex, typed by what we use
  const { rows } = await pg.raw(`SELECT id FROM customer WHERE deleted_at IS NULL AND metadata->>? = 'true'`, [OPT_OUT_METADATA_KEY])
  return new Set(rows.map((r) => r.id))
}

/**
 * Ids of deleted (soft-deleted) customers, through Medusa's query: a run writes nothing for them,
 * whatever it read before they were deleted.
 */
export async function listDeletedCustomerIds(container: MedusaContainer): Promise<Set<string>> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "customer", fields: ["id"], filters: { deleted_at: { $ne: null } }, withDeleted: true })
  return new Set(data.map((c: { id: string }) => c.id))
}

/**
 * Every counted purchase line placed before `until` (default: all), from the ledger, as
 * src/ml reads them; lines of customers in `exclude` are left out. Read in pages of 10,000.
 */
export async function loadPurchaseLines(
  container: MedusaContainer,
  { until, exclude = new Set<string>() }: { until?: Date; exclude?: Set<string> } = {}
): Promise<PurchaseLine[]> {
  const features = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
  const lines: PurchaseLine[] = []
  const limit = 10_000
  for (let afterId = ""; ; ) {
    const page = await features.listPurchaseLines({ until, afterId, limit })
    for (const { id: _id, ...line } of page) if (!exclude.has(line.customerId)) lines.push(line)
    if (page.length < limit) break
    afterId = page[page.length - 1].id
  }
  return lines
}
