import { model } from "@medusajs/framework/utils"

/** Each scored customer's segment as of the latest completed run. */
export const CustomerSegment = model
  .define("personalization_customer_segment", {
    customer_id: model.text().primaryKey(),
    segment_key: model.text(),
    run_id: model.text(),
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
  .indexes([{ on: ["segment_key"], where: null }])
