import { model } from "@medusajs/framework/utils"

/**
 * The interaction matrix: one row per customer and product they bought.
 * The id is `<customer_id>:<product_id>`, a natural key that upserts target.
 */
export const CustomerProduct = model
  .define("personalization_customer_product", {
    id: model.text().primaryKey(),
    customer_id: model.text(),
    product_id: model.text(),
    /** Distinct counted orders with the product. */
    order_count: model.number(),
    /** Units bought less units returned. */
    quantity: model.number(),
    first_purchased_at: model.dateTime(),
    last_purchased_at: model.dateTime(),
  })
  .indexes([
    { on: ["customer_id"], where: null },
    { on: ["product_id"], where: null },
  ])
