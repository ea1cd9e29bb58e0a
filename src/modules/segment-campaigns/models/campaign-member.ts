import { model } from "@medusajs/framework/utils"

/** A customer's arm in a segment campaign (id `<campaign>:<customer>`), fixed at creation. */
export const SegmentCampaignMember = model
  .define("personalization_segment_campaign_member", {
    id: model.text().primaryKey(),
    campaign_id: model.text(),
    customer_id: model.text(),
    arm: model.enum(["treatment", "control"]),
  })
  .indexes([
    { on: ["campaign_id", "arm", "customer_id"], where: null },
    { on: ["customer_id"], where: null },
  ])
