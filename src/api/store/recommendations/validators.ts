import { z } from "@medusajs/framework/zod"
import { flag, text, wholeNumber } from "../../validation"

/** Pricing and field selection, as the core /store/products route reads them. */
const productContext = {
  fields: text("fields", { max: 2000 }).optional(),
  region_id: text("region_id").optional(),
  country_code: text("country_code", { max: 10 }).optional(),
  province: text("province").optional(),
  cart_id: text("cart_id").optional(),
}

export const StoreGetRecommendationsParams = z
  .object({
    ...productContext,
    limit: wholeNumber("limit", { min: 1, max: 50 }).default(10),
    /** The product being viewed: excluded from the list, and an anonymous visitor gets its related list. */
    product_id: text("product_id").optional(),
    /** Leave out products the customer bought before. */
    exclude_purchased: flag("exclude_purchased").default(false),
    /** Only products in this category (active, public categories only). */
    category_id: text("category_id").optional(),
  })
  .strict()

const PRODUCT_LISTS = ["related", "bought_together"] as const

export const StoreGetProductRecommendationsParams = z
  .object({
    ...productContext,
    limit: wholeNumber("limit", { min: 1, max: 50 }).default(10),
    type: z.enum(PRODUCT_LISTS, { error: "type: must be related or bought_together" }).default("related"),
    /**
     * The product's other list, whose top `exclude_limit` (default `limit`) visible products are
     * left out of this one: a page showing both strips asks for the second with
     * `exclude=<the first>`, so no product stands in both.
     */
    exclude: z.enum(PRODUCT_LISTS, { error: "exclude: must be related or bought_together" }).optional(),
    exclude_limit: wholeNumber("exclude_limit", { min: 1, max: 50 }).optional(),
  })
  .strict()
  .refine((q) => q.exclude === undefined || q.exclude !== q.type, { message: "exclude: must be the other list than type", path: ["exclude"] })
  .refine((q) => q.exclude_limit === undefined || q.exclude !== undefined, { message: "exclude_limit: needs exclude", path: ["exclude_limit"] })

export const EVENT_TYPES = ["impression", "click", "add_to_cart"] as const

export const StorePostRecommendationEvents = z
  .object({
    type: z.enum(EVENT_TYPES, { error: `type: must be one of ${EVENT_TYPES.join(", ")}` }),
    /** recommendation_id values of the served items (a strip's impressions come together). */
    recommendation_ids: z
      .array(text("recommendation_ids[]", { max: 512 }), { error: "recommendation_ids: must be a list of recommendation ids" })
      .min(1, "recommendation_ids: must hold at least one id")
      .max(50, "recommendation_ids: must hold at most 50 ids"),
  })
  .strict()

export type StoreGetRecommendationsParamsType = z.infer<typeof StoreGetRecommendationsParams>
export type StoreGetProductRecommendationsParamsType = z.infer<typeof StoreGetProductRecommendationsParams>
export type StorePostRecommendationEventsType = z.infer<typeof StorePostRecommendationEvents>
