/**
 * Which products the store may show, read from Medusa 2.x's product tables (product,
 * product_sales_channel, product_category_product, product_category). Serving calls it for
 * every list, so it stays one indexed statement per chunk of candidates, in the given order:
 * query.graph would need a product query plus a sales-channel link query per chunk and could
 * not keep the candidates' order, on the path whose p99 `npm run bench:serve` measures.
 */
import type { Pg } from "./pg"

export type VisibilityFilter = { salesChannelIds: string[]; categoryId?: string }

/**
 * Product `id` is in one of the sales channels (first parameter, a JSON array) and, when the
 * category (second and third parameters: its id, or null for any) is given, in that category
 * while it is active and public.
 */
const inChannelAndCategory = (id: string) => `EXISTS (SELECT 1 FROM product_sales_channel psc
                   WHERE psc.product_id = ${id} AND psc.deleted_at IS NULL
                     AND psc.sales_channel_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))))
       AND (?::text IS NULL OR EXISTS (
             SELECT 1 FROM product_category_product pcp
             JOIN product_category pc ON pc.id = pcp.product_category_id
               AND pc.is_active AND NOT pc.is_internal AND pc.deleted_at IS NULL
             WHERE pcp.product_id = ${id} AND pcp.product_category_id = ?))`

/**
 * The ids among `ids` that are live, published, in one of `salesChannelIds` and, with
 * `categoryId`, in that category if it is active and public; in the given order.
 */
export async function listVisibleProductIds(pg: Pg, ids: string[], { salesChannelIds, categoryId }: VisibilityFilter): Promise<string[]> {
  if (!ids.length) return []
  const { rows } = await pg.raw(
    `SELECT c.id FROM jsonb_array_elements_text(?::jsonb) WITH ORDINALITY AS c(id, ord)
     JOIN product p ON p.id = c.id AND p.status = 'published' AND p.deleted_at IS NULL
     WHERE ${inChannelAndCategory("c.id")}
     ORDER BY c.ord`,
    [JSON.stringify(ids), JSON.stringify(salesChannelIds), categoryId ?? null, categoryId ?? null]
  )
  return rows.map((r: { id: string }) => r.id)
}

/**
 * The newest `limit` visible products (same filter), newest first. Medusa has no index on
 * `product.created_at`, so this sorts every candidate: with a category, only the category's
 * products (read from its links: a category request is the one that reaches this fallback
 * most, since few of a personal or trending list's items are in one category); without, the
 * catalogue's.
 */
export async function newestVisibleProductIds(pg: Pg, { salesChannelIds, categoryId }: VisibilityFilter, limit: number): Promise<string[]> {
  if (categoryId) {
    const { rows } = await pg.raw(
      `SELECT p.id FROM product_category pc
       JOIN product_category_product pcp ON pcp.product_category_id = pc.id
       JOIN product p ON p.id = pcp.product_id AND p.status = 'published' AND p.deleted_at IS NULL
       WHERE pc.id = ? AND pc.is_active AND NOT pc.is_internal AND pc.deleted_at IS NULL
         AND EXISTS (SELECT 1 FROM product_sales_channel psc
                     WHERE psc.product_id = p.id AND psc.deleted_at IS NULL
                       AND psc.sales_channel_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))))
       ORDER BY p.created_at DESC, p.id
       LIMIT ?`,
      [categoryId, JSON.stringify(salesChannelIds), limit]
    )
    return rows.map((r: { id: string }) => r.id)
  }
  const { rows } = await pg.raw(
    `SELECT p.id FROM product p
     WHERE p.status = 'published' AND p.deleted_at IS NULL
       AND ${inChannelAndCategory("p.id")}
     ORDER BY p.created_at DESC, p.id
     LIMIT ?`,
    [JSON.stringify(salesChannelIds), categoryId ?? null, categoryId ?? null, limit]
  )
  return rows.map((r: { id: string }) => r.id)
}
