import { type MiddlewareFunction, defineMiddlewares, validateAndTransformBody, validateAndTransformQuery } from "@medusajs/framework/http"
import { listProductQueryConfig } from "@medusajs/medusa/api/store/products/query-config"
import {
  filterByValidSalesChannels,
  normalizeDataForContext,
  setPricingContext,
  setTaxContext,
} from "@medusajs/medusa/api/utils/middlewares/index"
import {
  StoreGetProductRecommendationsParams,
  StoreGetRecommendationsParams,
  StorePostRecommendationEvents,
} from "./store/recommendations/validators"

/**
 * The core /store/products chain after validation: the key's sales channels, then the pricing
 * (region, customer groups) and tax context, so products come back priced like the core
 * route's. The router already checks the publishable key and reads the optional login.
 */
const productContext = [filterByValidSalesChannels(), normalizeDataForContext(), setPricingContext(), setTaxContext()] as unknown as MiddlewareFunction[] // typed for store requests; these routes are store routes
const productFields = { defaults: listProductQueryConfig.defaults, allowed: listProductQueryConfig.allowed, isList: false }

export default defineMiddlewares({
  routes: [
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
  ],
})
