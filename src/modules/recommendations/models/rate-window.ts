import { model } from "@medusajs/framework/utils"

/**
 * Event counts of one rate-limit bucket (a client or a publishable key) in one 10-second slot;
 * the id is `<bucket>:<slot>`. Slots older than the limit's window are deleted as new ones come.
 */
export const RateWindow = model
  .define("personalization_rate_window", {
    id: model.text().primaryKey(),
    bucket: model.text(),
    slot: model.number(),
    count: model.number().default(0),
  })
  .indexes([{ on: ["bucket", "slot"], where: null }])
