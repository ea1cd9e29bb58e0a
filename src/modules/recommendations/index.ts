import { Module } from "@medusajs/framework/utils"
import optionsLoader from "../../lib/options-loader"
import RecommendationsService from "./service"

export const RECOMMENDATIONS_MODULE = "recommendations"

export default Module(RECOMMENDATIONS_MODULE, { service: RecommendationsService, loaders: [optionsLoader] })
