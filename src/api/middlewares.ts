import { type MiddlewareFunction, type MiddlewareRoute, defineMiddlewares, validateAndTransformBody, validateAndTransformQuery } from "@medusajs/framework/http"
import { listProductQueryConfig } from "@medusajs/medusa/api/store/products/query-config"
import {
  filterByValidSalesChannels,
  normalizeDataForContext,
  setPricingContext,
  setTaxContext,
} from "@medusajs/medusa/api/utils/middlewares/index"
import { adminCampaignMiddlewares } from "./admin/personalization/campaigns/middlewares"
import { adminPersonalizationMiddlewares } from "./admin/personalization/middlewares"
import {
  StoreGetProductRecommendationsParams,
  StoreGetRecommendationsParams,
  StorePostRecommendationEvents,
} from "./store/recommendations/validators"
import { PLUGIN_ROUTES, rejectMalformedInput } from "./validation"

/**
 * The core /store/products chain after validation: the key's sales channels, then the pricing
 * (region, customer groups) and tax context, so products come back priced like the core
 * route's. The router already checks the publishable key and reads the optional login.
 */
const productContext = [filterByValidSalesChannels(), normalizeDataForContext(), setPricingContext(), setTaxContext()] as unknown as MiddlewareFunction[] // typed for store requests; these routes are store routes
const productFields = { defaults: listProductQueryConfig.defaults, allowed: listProductQueryConfig.allowed, isList: false }

/**
 * Every route's own middlewares start with the input check (text that is not text never reaches
 * a validator or the database); the RegExp entry also catches paths that Express could not match
 * to a route with parameters (bad percent-encoding).
 */
const checked = (routes: MiddlewareRoute[]): MiddlewareRoute[] =>
  routes.map((route) => ({ ...route, middlewares: [rejectMalformedInput, ...(route.middlewares ?? [])] }))

export default defineMiddlewares({
  routes: [
    { matcher: PLUGIN_ROUTES, middlewares: [rejectMalformedInput] },
    ...checked([
    {
      method: ["GET"],
      matcher: "/store/recommendations",
      middlewares: [validateAndTransformQuery(StoreGetRecommendationsParams, productFields), ...productContext],
    },
    {
      method: ["GET"],
      matcher: "/store/products/:id/recommendations",
      middlewares: [validateAndTransformQuery(StoreGetProductRecommendationsParams, productFields), ...productContext],
    },
    {
      method: ["POST"],
      matcher: "/store/recommendations/events",
      middlewares: [validateAndTransformBody(StorePostRecommendationEvents)],
    },
    ...adminPersonalizationMiddlewares,
    ...adminCampaignMiddlewares,
    { method: ["GET"], matcher: "/personalization/storefront-demo" },
    { method: ["GET"], matcher: "/personalization/storefront-demo/recommendations-strip.js" },
    ]),
  ],
})
