import { model } from "@medusajs/framework/utils"

/**
 * Daily counts of storefront events on recommendations, per model version and list type.
 * No raw event rows are kept (nothing per customer), so customer deletion has nothing to
 * remove here. The id is `<day>:<version>:<list>:<event>`. Each served item counts once per
 * event type; a click or add-to-cart of an item whose impression was never counted is kept
 * apart (`*_without_impression`), out of the click-through rate.
 */
export const RecommendationEvent = model
  .define("personalization_recommendation_event", {
    id: model.text().primaryKey(),
    /** UTC day, YYYY-MM-DD. */
    day: model.text(),
    version_id: model.text(),
    list_type: model.text(),
    event_type: model.enum(["impression", "click", "add_to_cart", "click_without_impression", "add_to_cart_without_impression"]),
    count: model.number().default(0),
  })
  .indexes([{ on: ["version_id", "day"], where: null }])
