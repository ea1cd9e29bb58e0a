import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import type { PurchaseLine } from "../ml/data/purchase-line"
import type { ProductText } from "../ml/recommend/content"
import { PURCHASE_FEATURES_MODULE } from "../modules/purchase-features"
import type PurchaseFeaturesService from "../modules/purchase-features/service"
import { listOptedOutCustomerIds as listOptedOutIn2x } from "./medusa-2x/customer-opt-out"
import { appPg } from "./medusa-2x/pg"
import { resolveStoreCurrency } from "./store-currency"

/** Customer metadata flag: `true` keeps a customer out of scoring, segment groups and personal lists. */
export const OPT_OUT_METADATA_KEY = "personalization_opt_out"

/** Whether customer metadata carries the opt-out flag (`true` or `"true"`, as the SQL reader takes it). */
export function isOptedOut(metadata: Record<string, unknown> | null | undefined): boolean {
  const value = metadata?.[OPT_OUT_METADATA_KEY]
  return value === true || value === "true"
}

/** Ids of live customers whose metadata carries the opt-out flag (through the Medusa 2.x adapter). */
export async function listOptedOutCustomerIds(container: MedusaContainer): Promise<Set<string>> {
  return listOptedOutIn2x(appPg(container), OPT_OUT_METADATA_KEY)
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
  const currency = await resolveStoreCurrency(container)
  const lines: PurchaseLine[] = []
  const limit = 10_000
  for (let afterId = ""; ; ) {
    const page = await features.listPurchaseLines({ until, afterId, limit, currency })
    for (const { id: _id, ...line } of page) if (!exclude.has(line.customerId)) lines.push(line)
    if (page.length < limit) break
    afterId = page[page.length - 1].id
  }
  return lines
}

/** Products per query.graph page of loadProductTexts. */
const PRODUCT_PAGE = 1000

type ProductRow = {
  id: string
  title?: string | null
  description?: string | null
  categories?: ({ name?: string | null } | null)[] | null
  collection?: { title?: string | null } | null
  tags?: ({ value?: string | null } | null)[] | null
  type?: { value?: string | null } | null
}

/**
 * The text of every live product (title, description, category names, collection title, tag
 * values, type), through Medusa's query in pages of PRODUCT_PAGE ordered by id, as src/ml's
 * content recommender reads them. Drafts are included: lists are filtered when served.
 */
export async function loadProductTexts(container: MedusaContainer): Promise<ProductText[]> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const out: ProductText[] = []
  const names = (xs: ({ [k: string]: string | null | undefined } | null)[] | null | undefined, key: string) =>
    (xs ?? []).map((x) => x?.[key]).filter((v): v is string => typeof v === "string" && v.length > 0)
  for (let skip = 0; ; skip += PRODUCT_PAGE) {
    const { data } = await query.graph({
      entity: "product",
      fields: ["id", "title", "description", "categories.name", "collection.title", "tags.value", "type.value"],
      pagination: { skip, take: PRODUCT_PAGE, order: { id: "ASC" } },
    })
    for (const p of data as ProductRow[]) {
      out.push({
        id: p.id,
        title: p.title ?? null,
        description: p.description ?? null,
        categories: names(p.categories, "name"),
        collection: p.collection?.title ?? null,
        tags: names(p.tags, "value"),
        type: p.type?.value ?? null,
      })
    }
    if (data.length < PRODUCT_PAGE) return out
  }
}
