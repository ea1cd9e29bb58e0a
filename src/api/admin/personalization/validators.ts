import { z } from "@medusajs/framework/zod"
import { day, pagination, text, wholeNumber } from "../../validation"

/** Recommenders a training run can fit as its candidate; "hybrid" is what the plugin serves by default. */
export const TRAINABLE_MODELS = ["hybrid", "ease", "item-knn", "als", "popularity", "trending"] as const

export const AdminListRunsParams = z.object(pagination()).strict()
export type AdminListRunsParamsType = z.infer<typeof AdminListRunsParams>

export const AdminNoParams = z.object({}).strict()

export const AdminRunBody = z.object({}).strict()

export const AdminTrainBody = z
  .object({ model: z.enum(TRAINABLE_MODELS, { error: `model: must be one of ${TRAINABLE_MODELS.join(", ")}` }).optional() })
  .strict()
export type AdminTrainBodyType = z.infer<typeof AdminTrainBody>

export const AdminSegmentCustomersParams = z.object(pagination()).strict()
export type AdminSegmentCustomersParamsType = z.infer<typeof AdminSegmentCustomersParams>

export const AdminEventsParams = z
  .object({
    /** First UTC day counted, YYYY-MM-DD; default: all days. */
    since: day("since").optional(),
    version_id: text("version_id").optional(),
  })
  .strict()
export type AdminEventsParamsType = z.infer<typeof AdminEventsParams>

export const AdminSegmentHistoryParams = z.object({ runs: wholeNumber("runs", { min: 1, max: 50 }).default(10) }).strict()
export type AdminSegmentHistoryParamsType = z.infer<typeof AdminSegmentHistoryParams>

export const AdminSegmentSampleParams = z.object({ size: wholeNumber("size", { min: 1, max: 5000 }).default(2000) }).strict()
export type AdminSegmentSampleParamsType = z.infer<typeof AdminSegmentSampleParams>

export const AdminRecommendationsParams = z
  .object({
    limit: wholeNumber("limit", { min: 1, max: 50 }).default(10),
    /** Serve as for a publishable key of this sales channel; default: products of any channel. */
    sales_channel_id: text("sales_channel_id").optional(),
  })
  .strict()
export type AdminRecommendationsParamsType = z.infer<typeof AdminRecommendationsParams>

export const AdminOptOutBody = z
  .object({ opted_out: z.boolean({ error: "opted_out: must be true or false" }) })
  .strict()
export type AdminOptOutBodyType = z.infer<typeof AdminOptOutBody>
