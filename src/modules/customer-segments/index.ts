import { Module } from "@medusajs/framework/utils"
import optionsLoader from "../../lib/options-loader"
import CustomerSegmentsService from "./service"

export const CUSTOMER_SEGMENTS_MODULE = "customerSegments"

export default Module(CUSTOMER_SEGMENTS_MODULE, { service: CustomerSegmentsService, loaders: [optionsLoader] })
