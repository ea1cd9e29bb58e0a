export { CustomerSegment } from "./customer-segment"
export { Segment } from "./segment"
export { SegmentationRun } from "./segmentation-run"
