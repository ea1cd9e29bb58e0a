import { model } from "@medusajs/framework/utils"

/**
 * Which served recommendation ids have counted, per event type: each id (one serve of one
 * item) counts at most once per type. The id is `<sha256 of the recommendation id>:<type>`;
 * rows go when the recommendation id expires (`expires_at`), so the table holds at most a
 * day of events.
 */
export const ServedEvent = model
  .define("personalization_served_event", {
    id: model.text().primaryKey(),
    expires_at: model.dateTime(),
  })
  .indexes([{ on: ["expires_at"], where: null }])
