import { model } from "@medusajs/framework/utils"

/**
 * A customer's segment in one run (id `<run>:<customer>`). A run writes its memberships before
 * it becomes the current one, so readers see the previous run's or this run's, never a mix;
 * once it is current, the older runs' memberships are deleted.
 */
export const CustomerSegment = model
  .define("personalization_customer_segment", {
    id: model.text().primaryKey(),
    customer_id: model.text(),
    run_id: model.text(),
    segment_key: model.text(),
    /** Held out of the segment's customer group, to measure what a segment promotion earns. */
    in_control: model.boolean().default(false),
    /**
     * Purchase prediction of the run: P(buys again within the run's prediction window), 0 to 1,
     * and the expected spend in that window in the store currency (the run's
     * prediction_currency_code), >= 0. Null when the run could not fit the model (its
     * prediction_reason says why).
     */
    buy_probability: model.float().nullable(),
    expected_spend: model.float().nullable(),
  })
  .indexes([
    { on: ["customer_id"], where: null },
    { on: ["run_id", "segment_key", "customer_id"], where: null },
  ])
