import { model } from "@medusajs/framework/utils"

/**
 * A precomputed list of one model version: a customer's personal list, a product's related or
 * bought-together list, or the trending list (subject ""). Rows are written before their
 * version becomes active and never changed afterwards, so readers of the active version never
 * see a half-written set. The id is `<version>:<kind>:<subject>`.
 */
export const RecommendationList = model
  .define("personalization_recommendation_list", {
    id: model.text().primaryKey(),
    version_id: model.text(),
    kind: model.enum(["customer", "related", "bought_together", "trending"]),
    subject_id: model.text(),
    /** Product ids, best first. */
    product_ids: model.array(),
    /** One reason per product: { code, params, text }. */
    reasons: model.json(),
  })
  .indexes([
    { on: ["subject_id", "kind", "version_id"], where: null },
    { on: ["version_id"], where: null },
  ])
