import { model } from "@medusajs/framework/utils"

/**
 * A model version's product table: the lists of the version name products by `index`. Also the
 * per-product numbers that trending and popular reasons show, as of the version's data.
 * The id is `<version>:<index>`.
 */
export const ModelProduct = model
  .define("personalization_model_product", {
    id: model.text().primaryKey(),
    version_id: model.text(),
    index: model.number(),
    product_id: model.text(),
    /** Distinct customers who bought it. */
    buyers: model.number().default(0),
    /** Distinct customers who bought it in the version's trending window. */
    recent_buyers: model.number().default(0),
  })
  .indexes([{ on: ["version_id", "index"], unique: true, where: null }])
