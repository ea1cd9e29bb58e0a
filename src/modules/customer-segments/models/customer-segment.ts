import { model } from "@medusajs/framework/utils"

/** Each scored customer's segment as of the latest completed run. */
export const CustomerSegment = model
  .define("personalization_customer_segment", {
    customer_id: model.text().primaryKey(),
    segment_key: model.text(),
    run_id: model.text(),
    /** Held out of the segment's customer group, to measure what a segment promotion earns. */
    in_control: model.boolean().default(false),
  })
  .indexes([{ on: ["segment_key"], where: null }])
