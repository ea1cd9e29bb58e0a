import { Module } from "@medusajs/framework/utils"
import RecommendationsService from "./service"

export const RECOMMENDATIONS_MODULE = "recommendations"

export default Module(RECOMMENDATIONS_MODULE, { service: RecommendationsService })
