import { model } from "@medusajs/framework/utils"

/**
 * Per-customer purchase aggregates over counted orders, recomputed from the ledger under
 * a per-customer lock. Nothing here ages: windowed counts ("orders in the last 90 days")
 * are computed at read time against an as-of date (see the service).
 */
export const CustomerFeatures = model.define("personalization_customer_features", {
  customer_id: model.text().primaryKey(),
  first_order_at: model.dateTime(),
  last_order_at: model.dateTime(),
  /** Counted orders in any currency. */
  order_count: model.number(),
  /** Counted orders in the store currency (the base of spend and average order value). */
  money_order_count: model.number(),
  /** Spend in the store currency over counted orders. */
  total_spend: model.bigNumber(),
  /** total_spend / money_order_count (0 when there is none). */
  average_order_value: model.bigNumber(),
  /** The currency of total_spend and average_order_value (lower-case ISO 4217). */
  currency_code: model.text(),
  /** Units bought in any currency, less returned units. */
  item_quantity: model.number(),
  /** Distinct live products bought. */
  distinct_products: model.number(),
})
