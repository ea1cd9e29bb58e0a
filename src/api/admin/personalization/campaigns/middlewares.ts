import { type MiddlewareRoute, validateAndTransformBody, validateAndTransformQuery } from "@medusajs/framework/http"
import { Nothing } from "../../../validation"
import { AdminCampaignMembersParams, AdminCreateCampaign, AdminListCampaignsParams, AdminPreviewCampaign, AdminReportParams } from "./validators"

const list = { defaults: [] as string[], isList: true }
const one = { defaults: [] as string[], isList: false }

/** Validation of the segment campaign routes (the router already requires an admin session or token). */
export const adminCampaignMiddlewares: MiddlewareRoute[] = [
  { method: ["GET"], matcher: "/admin/personalization/campaigns", middlewares: [validateAndTransformQuery(AdminListCampaignsParams, list)] },
  { method: ["POST"], matcher: "/admin/personalization/campaigns", middlewares: [validateAndTransformBody(AdminCreateCampaign)] },
  { method: ["POST"], matcher: "/admin/personalization/campaigns/preview", middlewares: [validateAndTransformBody(AdminPreviewCampaign)] },
  { method: ["GET"], matcher: "/admin/personalization/campaigns/:id", middlewares: [validateAndTransformQuery(Nothing, one)] },
  { method: ["POST"], matcher: "/admin/personalization/campaigns/:id/end", middlewares: [validateAndTransformBody(Nothing)] },
  { method: ["GET"], matcher: "/admin/personalization/campaigns/:id/report", middlewares: [validateAndTransformQuery(AdminReportParams, one)] },
  { method: ["GET"], matcher: "/admin/personalization/campaigns/:id/members", middlewares: [validateAndTransformQuery(AdminCampaignMembersParams, list)] },
  { method: ["GET"], matcher: "/admin/personalization/campaigns/:id/messages", middlewares: [validateAndTransformQuery(Nothing, one)] },
  { method: ["POST"], matcher: "/admin/personalization/campaigns/:id/messages", middlewares: [validateAndTransformBody(Nothing)] },
]
