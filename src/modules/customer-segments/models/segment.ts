import { model } from "@medusajs/framework/utils"

/**
 * A segment as of the latest completed run. `key` is its stable identity ("seg-3"): a new run
 * maps its segments onto the previous run's (by centre), so keys and names do not shuffle.
 */
export const Segment = model
  .define("personalization_segment", {
    id: model.id({ prefix: "pzseg" }).primaryKey(),
    key: model.text(),
    name: model.text(),
    description: model.text(),
    /** Centre in original units: recency in days, orders, spend in the store currency. */
    centre: model.json(),
    size: model.number(),
    /** The run that last produced this segment. */
    run_id: model.text(),
    /**
     * The Medusa customer group this plugin keeps in step with the segment (its members minus
     * the control group). Recorded here, never found by name: groups made by hand are not ours.
     */
    customer_group_id: model.text().nullable(),
  })
  .indexes([{ on: ["key"], unique: true, where: null }])
