import { model } from "@medusajs/framework/utils"

/**
 * The report's cumulative figures of one arm at the end of one day of the campaign window (UTC),
 * for the chart of conversion over time; replaced whenever the report is recomputed.
 */
export const SegmentCampaignDay = model
  .define("personalization_segment_campaign_day", {
    /** `<campaign>:<arm>:<YYYY-MM-DD>` */
    id: model.text().primaryKey(),
    campaign_id: model.text(),
    day: model.dateTime(),
    arm: model.enum(["treatment", "control"]),
    customers: model.number(),
    buyers: model.number(),
    orders: model.number(),
    revenue: model.float(),
  })
  .indexes([{ on: ["campaign_id", "day"], where: null }])
