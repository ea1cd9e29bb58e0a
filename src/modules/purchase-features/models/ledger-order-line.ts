import { model } from "@medusajs/framework/utils"

/**
 * Product lines of counted orders (the item-level part of the ledger). Rows of an order
 * are replaced whenever the order is synced; lines of deleted products are dropped.
 */
export const LedgerOrderLine = model
  .define("personalization_order_line", {
    /** The Medusa order line item id. */
    id: model.text().primaryKey(),
    order_id: model.text(),
    customer_id: model.text(),
    product_id: model.text(),
    /** Units bought less units returned (> 0: fully returned lines are not kept). */
    quantity: model.number(),
    /** Line spend in the order's currency, same definition as the order's amount. */
    amount: model.bigNumber(),
    placed_at: model.dateTime(),
  })
  .indexes([
    { on: ["order_id"], where: null },
    { on: ["customer_id", "product_id"], where: null },
    { on: ["product_id"], where: null },
  ])
