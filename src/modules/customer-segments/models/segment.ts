import { model } from "@medusajs/framework/utils"

/**
 * A segment as one run found it. Rows are kept per run (a segment's history: its size and
 * centre over the runs); the current segments are those of the latest completed run. `key` is
 * the segment's stable identity ("seg-3"): a run maps its segments onto the previous run's by
 * centre, so keys, names and customer groups do not shuffle.
 */
export const Segment = model
  .define("personalization_segment", {
    id: model.id({ prefix: "pzseg" }).primaryKey(),
    run_id: model.text(),
    key: model.text(),
    name: model.text(),
    description: model.text(),
    /** Centre in original units: recency in days, orders, spend in the store currency. */
    centre: model.json(),
    size: model.number(),
    /**
     * The Medusa customer group this plugin keeps in step with the segment (its members minus
     * the control group). Recorded here, never found by name: groups made by hand are not ours.
     */
    customer_group_id: model.text().nullable(),
  })
  .indexes([
    { on: ["run_id", "key"], unique: true, where: null },
    { on: ["key"], where: null },
  ])
