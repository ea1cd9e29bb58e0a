import { model } from "@medusajs/framework/utils"

/**
 * A promotion for one segment, measured against a frozen control group. Created from the
 * segment's members at that moment (its arms never change afterwards except that customers who
 * are deleted or opt out leave); the treated arm gets a customer group of its own, and a Medusa
 * promotion limited to that group runs in a Medusa campaign with the same dates and budget.
 */
export const SegmentCampaign = model
  .define("personalization_segment_campaign", {
    id: model.id({ prefix: "pzcmp" }).primaryKey(),
    name: model.text(),
    description: model.text().nullable(),
    /** draft: the promotion exists but is not active; active: it applies within the dates; ended: deactivated, report kept. */
    status: model.enum(["draft", "active", "ended"]).default("draft"),
    /** The segment the members were drawn from, as the segmentation run of that moment named it. */
    segment_key: model.text(),
    segment_name: model.text(),
    segmentation_run_id: model.text(),
    /** Share of the drawn members put in the control arm, 0 to 0.5. */
    control_share: model.float(),
    starts_at: model.dateTime(),
    ends_at: model.dateTime(),
    /** The promotion as it was asked for: type, target, value, currency_code, code, automatic, budget. */
    promotion: model.json(),
    /** Currency of the report's revenue figures: the promotion's for fixed amounts, else the store's. */
    currency_code: model.text(),
    promotion_id: model.text().nullable(),
    promotion_code: model.text().nullable(),
    /** The Medusa campaign the promotion runs in. */
    medusa_campaign_id: model.text().nullable(),
    /** The treated arm's customer group (the promotion's customer.groups.id rule). */
    customer_group_id: model.text().nullable(),
    treatment_count: model.number().default(0),
    control_count: model.number().default(0),
    /** Segment members not drawn, by reason: opted_out, standing_holdout, in_other_campaign. */
    excluded: model.json(),
    /** Customers who left an arm after creation (deleted or opted out). */
    left_treatment: model.number().default(0),
    left_control: model.number().default(0),
    /** The personalised message, when the campaign sends one: { template, recommendations }. */
    message: model.json().nullable(),
    ended_at: model.dateTime().nullable(),
    /** The latest outcome report (src/ml/campaigns/report.ts) and when it was computed. */
    report: model.json().nullable(),
    report_computed_at: model.dateTime().nullable(),
    created_by: model.text().nullable(),
  })
  .indexes([
    { on: ["status"], where: null },
    { on: ["promotion_id"], where: null },
    { on: ["medusa_campaign_id"], where: null },
  ])
