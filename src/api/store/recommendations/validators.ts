import { z } from "@medusajs/framework/zod"

const booleanString = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean())

/** Pricing and field selection, as the core /store/products route reads them. */
const productContext = {
  fields: z.string().optional(),
  region_id: z.string().optional(),
  country_code: z.string().optional(),
  province: z.string().optional(),
  cart_id: z.string().optional(),
}

export const StoreGetRecommendationsParams = z
  .object({
    ...productContext,
    limit: z.coerce.number().int().min(1).max(50).default(10),
    /** The product being viewed: excluded from the list, and an anonymous visitor gets its related list. */
    product_id: z.string().min(1).optional(),
    /** Leave out products the customer bought before. */
    exclude_purchased: booleanString.default(false),
    /** Only products in this category (active, public categories only). */
    category_id: z.string().min(1).optional(),
  })
  .strict()

export const StoreGetProductRecommendationsParams = z
  .object({
    ...productContext,
    limit: z.coerce.number().int().min(1).max(50).default(10),
    type: z.enum(["related", "bought_together"]).default("related"),
  })
  .strict()

export const EVENT_TYPES = ["impression", "click", "add_to_cart"] as const

export const StorePostRecommendationEvents = z
  .object({
    type: z.enum(EVENT_TYPES),
    /** recommendation_id values of the served items (a strip's impressions come together). */
    recommendation_ids: z.array(z.string().min(1).max(512)).min(1).max(50),
  })
  .strict()

export type StoreGetRecommendationsParamsType = z.infer<typeof StoreGetRecommendationsParams>
export type StoreGetProductRecommendationsParamsType = z.infer<typeof StoreGetProductRecommendationsParams>
export type StorePostRecommendationEventsType = z.infer<typeof StorePostRecommendationEvents>
