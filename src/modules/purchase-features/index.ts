import { Module } from "@medusajs/framework/utils"
import validateOptionsLoader from "./loaders/validate-options"
import PurchaseFeaturesService from "./service"

export const PURCHASE_FEATURES_MODULE = "purchaseFeatures"

export default Module(PURCHASE_FEATURES_MODULE, {
  service: PurchaseFeaturesService,
  loaders: [validateOptionsLoader],
})
