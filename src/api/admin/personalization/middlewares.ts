import { type MiddlewareRoute, validateAndTransformBody, validateAndTransformQuery } from "@medusajs/framework/http"
import {
  AdminEventsParams,
  AdminListRunsParams,
  AdminNoParams,
  AdminOptOutBody,
  AdminRecommendationsParams,
  AdminRunBody,
  AdminSegmentCustomersParams,
  AdminSegmentHistoryParams,
  AdminSegmentSampleParams,
  AdminTrainBody,
} from "./validators"

const list = { defaults: [] as string[], isList: true }
const one = { defaults: [] as string[], isList: false }

/** Validation of every admin route of the plugin (the router already requires an admin session or token). */
export const adminPersonalizationMiddlewares: MiddlewareRoute[] = [
  { method: ["GET"], matcher: "/admin/personalization/readiness", middlewares: [validateAndTransformQuery(AdminNoParams, one)] },
  { method: ["POST"], matcher: "/admin/personalization/rebuild", middlewares: [validateAndTransformBody(AdminRunBody)] },
  { method: ["GET"], matcher: "/admin/personalization/rebuild/runs", middlewares: [validateAndTransformQuery(AdminListRunsParams, list)] },
  { method: ["GET"], matcher: "/admin/personalization/rebuild/runs/:id", middlewares: [validateAndTransformQuery(AdminNoParams, one)] },
  { method: ["POST"], matcher: "/admin/personalization/segmentation/run", middlewares: [validateAndTransformBody(AdminRunBody)] },
  { method: ["GET"], matcher: "/admin/personalization/segmentation/runs", middlewares: [validateAndTransformQuery(AdminListRunsParams, list)] },
  { method: ["GET"], matcher: "/admin/personalization/segmentation/runs/:id", middlewares: [validateAndTransformQuery(AdminNoParams, one)] },
  { method: ["GET"], matcher: "/admin/personalization/segments", middlewares: [validateAndTransformQuery(AdminNoParams, one)] },
  { method: ["GET"], matcher: "/admin/personalization/segments/history", middlewares: [validateAndTransformQuery(AdminSegmentHistoryParams, one)] },
  { method: ["GET"], matcher: "/admin/personalization/segments/sample", middlewares: [validateAndTransformQuery(AdminSegmentSampleParams, one)] },
  { method: ["GET"], matcher: "/admin/personalization/segments/:key", middlewares: [validateAndTransformQuery(AdminNoParams, one)] },
  {
    method: ["GET"],
    matcher: "/admin/personalization/segments/:key/customers",
    middlewares: [validateAndTransformQuery(AdminSegmentCustomersParams, list)],
  },
  { method: ["GET"], matcher: "/admin/personalization/customers/:id/scores", middlewares: [validateAndTransformQuery(AdminNoParams, one)] },
  { method: ["GET"], matcher: "/admin/personalization/customers/:id/insights", middlewares: [validateAndTransformQuery(AdminNoParams, one)] },
  {
    method: ["GET"],
    matcher: "/admin/personalization/customers/:id/recommendations",
    middlewares: [validateAndTransformQuery(AdminRecommendationsParams, one)],
  },
  { method: ["POST"], matcher: "/admin/personalization/customers/:id/opt-out", middlewares: [validateAndTransformBody(AdminOptOutBody)] },
  {
    method: ["GET"],
    matcher: "/admin/personalization/products/:id/recommendations",
    middlewares: [validateAndTransformQuery(AdminRecommendationsParams, one)],
  },
  { method: ["GET"], matcher: "/admin/personalization/customer-groups/:id/segment", middlewares: [validateAndTransformQuery(AdminNoParams, one)] },
  { method: ["POST"], matcher: "/admin/personalization/models/train", middlewares: [validateAndTransformBody(AdminTrainBody)] },
  { method: ["GET"], matcher: "/admin/personalization/models", middlewares: [validateAndTransformQuery(AdminListRunsParams, list)] },
  { method: ["GET"], matcher: "/admin/personalization/models/:id", middlewares: [validateAndTransformQuery(AdminNoParams, one)] },
  { method: ["POST"], matcher: "/admin/personalization/models/:id/activate", middlewares: [validateAndTransformBody(AdminRunBody)] },
  { method: ["GET"], matcher: "/admin/personalization/recommendation-events", middlewares: [validateAndTransformQuery(AdminEventsParams, one)] },
]
