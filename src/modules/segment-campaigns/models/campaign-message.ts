import { model } from "@medusajs/framework/utils"

/**
 * The personalised message of a segment campaign to one treated customer (id
 * `<campaign>:<customer>`, also the notification's idempotency key `campaign:<campaign>:<customer>`):
 * what the notification module stored for it the last time it was sent.
 */
export const SegmentCampaignMessage = model
  .define("personalization_segment_campaign_message", {
    id: model.text().primaryKey(),
    campaign_id: model.text(),
    customer_id: model.text(),
    status: model.enum(["success", "failure"]),
    notification_id: model.text().nullable(),
    error: model.text().nullable(),
    attempts: model.number().default(1),
    sent_at: model.dateTime().nullable(),
  })
  .indexes([{ on: ["campaign_id", "status"], where: null }])
