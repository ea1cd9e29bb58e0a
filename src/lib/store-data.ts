import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { type PurchaseColumns, PurchaseColumnsBuilder } from "../ml/data/purchase-columns"
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

/** Lines per page of the ledger readers below (keyset pages over the line table). */
const LINE_PAGE = 10_000

/** Every counted ledger line placed before `until`, page by page in line-id order, to `visit`. */
async function forEachLedgerLine(container: MedusaContainer, until: Date | undefined, visit: (line: PurchaseLine) => void): Promise<void> {
  const features = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
  const currency = await resolveStoreCurrency(container)
  for (let afterId = ""; ; ) {
    const page = await features.listPurchaseLines({ until, afterId, limit: LINE_PAGE, currency })
    for (const { id: _id, ...line } of page) visit(line)
    if (page.length < LINE_PAGE) return
    afterId = page[page.length - 1].id
  }
}

/**
 * Every counted purchase line placed before `until` (default: all), from the ledger, as
 * src/ml reads them; lines of customers in `exclude` are left out. One object per line (about
 * 200 bytes each): for bounded reads; the nightly runs read loadPurchaseColumns.
 */
export async function loadPurchaseLines(
  container: MedusaContainer,
  { until, exclude = new Set<string>() }: { until?: Date; exclude?: Set<string> } = {}
): Promise<PurchaseLine[]> {
  const lines: PurchaseLine[] = []
  await forEachLedgerLine(container, until, (line) => {
    if (!exclude.has(line.customerId)) lines.push(line)
  })
  return lines
}

/**
 * The same lines as loadPurchaseLines, in the same order, as columns: each page goes straight
 * into typed arrays with integer customer, product and order indexes (32 bytes a line plus the
 * id tables), so only one page of objects is alive at a time.
 */
export async function loadPurchaseColumns(
  container: MedusaContainer,
  { until, exclude = new Set<string>() }: { until?: Date; exclude?: Set<string> } = {}
): Promise<PurchaseColumns> {
  const builder = new PurchaseColumnsBuilder()
  await forEachLedgerLine(container, until, (line) => {
    if (!exclude.has(line.customerId)) builder.push(line)
  })
  return builder.finish()
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
