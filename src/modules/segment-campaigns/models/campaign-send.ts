import { model } from "@medusajs/framework/utils"

/** One sending of a campaign's messages (a background job in batches), with its progress. */
export const SegmentCampaignSend = model
  .define("personalization_segment_campaign_send", {
    id: model.id({ prefix: "pzsend" }).primaryKey(),
    campaign_id: model.text(),
    status: model.enum(["queued", "running", "completed", "failed"]).default("queued"),
    /** Treated customers this send has to reach (those without a delivered message when it started). */
    total: model.number().default(0),
    processed: model.number().default(0),
    sent: model.number().default(0),
    failed: model.number().default(0),
    /** Opted out or deleted since creation: not sent. */
    skipped: model.number().default(0),
    /** The first failure's message (Medusa's own, e.g. no provider for the channel). */
    error: model.text().nullable(),
    started_at: model.dateTime().nullable(),
    finished_at: model.dateTime().nullable(),
    heartbeat_at: model.dateTime().nullable(),
  })
  .indexes([{ on: ["campaign_id"], where: null }])
