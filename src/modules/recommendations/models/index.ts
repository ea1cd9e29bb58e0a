export { ModelVersion } from "./model-version"
export { RecommendationList } from "./recommendation-list"
export { RecommendationEvent } from "./recommendation-event"
