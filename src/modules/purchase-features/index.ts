import { Module } from "@medusajs/framework/utils"
import optionsLoader from "../../lib/options-loader"
import PurchaseFeaturesService from "./service"

export const PURCHASE_FEATURES_MODULE = "purchaseFeatures"

export default Module(PURCHASE_FEATURES_MODULE, {
  service: PurchaseFeaturesService,
  loaders: [optionsLoader],
})
