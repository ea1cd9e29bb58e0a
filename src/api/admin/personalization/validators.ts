import { z } from "@medusajs/framework/zod"
import { day, pagination, text } from "../../validation"

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
