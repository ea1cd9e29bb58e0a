import { Module } from "@medusajs/framework/utils"
import optionsLoader from "../../lib/options-loader"
import SegmentCampaignsService from "./service"

export const SEGMENT_CAMPAIGNS_MODULE = "segmentCampaigns"

export default Module(SEGMENT_CAMPAIGNS_MODULE, { service: SegmentCampaignsService, loaders: [optionsLoader] })
