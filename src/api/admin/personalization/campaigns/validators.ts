import { z } from "@medusajs/framework/zod"
import { flag, pagination, text } from "../../../validation"

/** An instant in ISO 8601 with a time zone ("2026-12-01T09:00:00Z"), as a Date. */
const instant = (field: string) =>
  z
    .string({ error: `${field}: must be a date and time (ISO 8601)` })
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/, `${field}: must be a date (UTC) or a date and time with a time zone in ISO 8601, e.g. 2026-12-01T09:00:00Z`)
    .refine((v) => !Number.isNaN(new Date(v).getTime()), `${field}: is not a valid date`)
    .transform((v) => new Date(v))

const currency = (field: string) =>
  z
    .string({ error: `${field}: must be a three-letter currency code` })
    .regex(/^[a-zA-Z]{3}$/, `${field}: must be a three-letter currency code such as "eur"`)
    .transform((v) => v.toLowerCase())

const amount = (field: string) =>
  z.number({ error: `${field}: must be a number` }).positive(`${field}: must be greater than 0`).max(1e12, `${field}: is too large`)

export const CAMPAIGN_STATUSES = ["draft", "active", "ended"] as const

/** The promotion a segment campaign creates (Medusa's promotion and campaign fields it sets). */
export const CampaignPromotionInput = z
  .object({
    /** percentage: value is a percentage (0-100]; fixed: an amount in `currency_code`. */
    type: z.enum(["percentage", "fixed"], { error: "promotion.type: must be percentage or fixed" }),
    /** order: off the order's items total; items: off each item. */
    target: z.enum(["order", "items"], { error: "promotion.target: must be order or items" }).default("order"),
    value: amount("promotion.value"),
    currency_code: currency("promotion.currency_code").optional(),
    /** The code customers enter; required unless the promotion is automatic (then one is generated). */
    code: text("promotion.code", { max: 100 })
      .regex(/^[A-Za-z0-9_-]+$/, "promotion.code: must contain only letters, digits, - and _")
      .optional(),
    is_automatic: z.boolean({ error: "promotion.is_automatic: must be true or false" }).default(false),
    /** How many times the promotion may be used in all (Medusa's promotion limit); not for automatic promotions. */
    usage_limit: z.number({ error: "promotion.usage_limit: must be a whole number" }).int("promotion.usage_limit: must be a whole number").min(1, "promotion.usage_limit: must be at least 1").optional(),
    /** The Medusa campaign's budget: total discount (spend, in a currency) or number of uses. */
    budget: z
      .object({
        type: z.enum(["spend", "usage"], { error: "promotion.budget.type: must be spend or usage" }),
        limit: amount("promotion.budget.limit"),
        currency_code: currency("promotion.budget.currency_code").optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
export type CampaignPromotionInputType = z.infer<typeof CampaignPromotionInput>

export const AdminCreateCampaign = z
  .object({
    name: text("name"),
    description: text("description", { max: 2000 }).optional(),
    segment_key: text("segment_key", { max: 100 }),
    control_share: z
      .number({ error: "control_share: must be a number from 0 to 0.5" })
      .min(0, "control_share: must be from 0 to 0.5")
      .max(0.5, "control_share: must be from 0 to 0.5")
      .default(0.1),
    starts_at: instant("starts_at").optional(),
    ends_at: instant("ends_at"),
    status: z.enum(["draft", "active"], { error: "status: must be draft or active" }).default("draft"),
    promotion: CampaignPromotionInput,
    /** Send each treated customer a message with the code and their recommendations (sent on request). */
    message: z
      .object({
        recommendations: z.number({ error: "message.recommendations: must be a whole number from 1 to 20" }).int().min(1).max(20).optional(),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict()
export type AdminCreateCampaignType = z.infer<typeof AdminCreateCampaign>

export const AdminPreviewCampaign = z
  .object({
    segment_key: text("segment_key", { max: 100 }),
    control_share: z
      .number({ error: "control_share: must be a number from 0 to 0.5" })
      .min(0, "control_share: must be from 0 to 0.5")
      .max(0.5, "control_share: must be from 0 to 0.5")
      .default(0.1),
  })
  .strict()
export type AdminPreviewCampaignType = z.infer<typeof AdminPreviewCampaign>

export const AdminListCampaignsParams = z
  .object({
    ...pagination(),
    status: z.enum(CAMPAIGN_STATUSES, { error: `status: must be one of ${CAMPAIGN_STATUSES.join(", ")}` }).optional(),
    segment_key: text("segment_key", { max: 100 }).optional(),
    promotion_id: text("promotion_id").optional(),
    medusa_campaign_id: text("medusa_campaign_id").optional(),
  })
  .strict()
export type AdminListCampaignsParamsType = z.infer<typeof AdminListCampaignsParams>

export const AdminCampaignMembersParams = z
  .object({
    ...pagination(),
    arm: z.enum(["treatment", "control"], { error: "arm: must be treatment or control" }).optional(),
  })
  .strict()
export type AdminCampaignMembersParamsType = z.infer<typeof AdminCampaignMembersParams>

export const AdminReportParams = z.object({ refresh: flag("refresh").optional() }).strict()
export type AdminReportParamsType = z.infer<typeof AdminReportParams>
