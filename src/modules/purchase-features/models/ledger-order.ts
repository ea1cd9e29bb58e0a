import { model } from "@medusajs/framework/utils"

/**
 * The per-order ledger: one row per Medusa order, keyed by the order id, holding what the
 * order counts for as of its last sync. Handling an order is "replace its row", so a
 * repeated event changes nothing and a cancel takes exactly this order back out.
 */
export const LedgerOrder = model
  .define("personalization_order", {
    /** The Medusa order id. */
    id: model.text().primaryKey(),
    /** The customer the order counts for (a guest's order may count for the registered customer with its email). */
    customer_id: model.text(),
    /** The order's own customer_id in Medusa. */
    source_customer_id: model.text(),
    placed_at: model.dateTime(),
    currency_code: model.text(),
    /** Medusa order status at the last sync. */
    status: model.text(),
    /** Whether the status is one of the counted statuses (plugin option). */
    counted: model.boolean(),
    /** Spend in the order's currency: line subtotals after discounts, without tax and shipping, less received returns. */
    amount: model.bigNumber(),
    /** Units bought, less units returned. */
    item_quantity: model.number(),
    /** Ids of the promotions the order used (linked to it or in its line adjustments); null on rows synced before this column existed, until the next rebuild. */
    promotion_ids: model.json().nullable(),
    /** What the promotions took off the lines, without tax, in the order's currency (null like promotion_ids). */
    discount_total: model.bigNumber().nullable(),
    /** The order version the row was computed from. */
    version: model.number(),
    /** Database clock when the snapshot was read: an older read never replaces this row (null on rows from before this column). */
    read_at: model.dateTime().nullable(),
    /** Hash of the snapshot the row was written from: an identical snapshot is skipped (null on rows from before this column). */
    fingerprint: model.text().nullable(),
  })
  .indexes([
    { on: ["customer_id", "placed_at"], where: null },
    { on: ["source_customer_id"], where: null },
  ])
