import { model } from "@medusajs/framework/utils"

/**
 * A precomputed list of one model version: a customer's personal list, a product's related or
 * bought-together list, or the trending list (subject ""). Rows are written before their
 * version becomes active and never changed afterwards, so readers of the active version never
 * see a half-written set. The id is `<version>:<kind>:<subject>`.
 *
 * The list itself is the `items` column (bytea, added by the module's migration because the
 * data model language has no binary type): products as indexes into the version's product
 * table (`personalization_model_product`) and a reason code per item, in the binary format of
 * list-format.ts. Reason text is rendered when a list is served.
 */
export const RecommendationList = model
  .define("personalization_recommendation_list", {
    id: model.text().primaryKey(),
    version_id: model.text(),
    kind: model.enum(["customer", "related", "bought_together", "trending"]),
    subject_id: model.text(),
  })
  .indexes([
    { on: ["subject_id", "kind", "version_id"], where: null },
    { on: ["version_id"], where: null },
  ])
