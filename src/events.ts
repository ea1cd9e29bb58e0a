/**
 * Every event name the plugin listens to or emits, in one place (subscribers, routes, workflows
 * and tests import them from here).
 */

/** Medusa's own events the plugin listens to. */
export const MedusaEvents = {
  ORDER_PLACED: "order.placed",
  ORDER_CANCELED: "order.canceled",
  ORDER_COMPLETED: "order.completed",
  ORDER_ARCHIVED: "order.archived",
  ORDER_EDIT_CONFIRMED: "order-edit.confirmed",
  ORDER_RETURN_RECEIVED: "order.return_received",
  ORDER_CLAIM_CREATED: "order.claim_created",
  ORDER_EXCHANGE_CREATED: "order.exchange_created",
  CUSTOMER_CREATED: "customer.created",
  CUSTOMER_UPDATED: "customer.updated",
  CUSTOMER_DELETED: "customer.deleted",
  PRODUCT_DELETED: "product.deleted",
} as const

/** Events that change what an order counts for: each makes the plugin read the order again. */
export const ORDER_CHANGED_EVENTS = [
  MedusaEvents.ORDER_PLACED,
  MedusaEvents.ORDER_CANCELED,
  MedusaEvents.ORDER_COMPLETED,
  MedusaEvents.ORDER_ARCHIVED,
  MedusaEvents.ORDER_EDIT_CONFIRMED,
  MedusaEvents.ORDER_RETURN_RECEIVED,
  MedusaEvents.ORDER_CLAIM_CREATED,
  MedusaEvents.ORDER_EXCHANGE_CREATED,
]

/**
 * The plugin's own events. `*_REQUESTED` hand an admin request to the process where jobs run;
 * the others tell a shop's subscribers what a run changed:
 * - SEGMENTATION_COMPLETED `{ run_id, customers, segments, changed }`: `changed` counts the
 *   customers whose segment differs from the previous run's (new customers included);
 * - SEGMENT_CUSTOMERS_CHANGED `{ run_id, segment_key, customer_group_id, added, removed }`: at
 *   most 1,000 customer ids in `added` and `removed` together per event, as many events as needed;
 * - MODEL_VERSION_ACTIVATED `{ version_id, previous_version_id, reason }`.
 * All three are emitted only once the run has succeeded; the segment campaign events once the
 * creation or ending workflow has.
 */
export const PersonalizationEvents = {
  REBUILD_REQUESTED: "personalization.rebuild.requested",
  SEGMENTATION_REQUESTED: "personalization.segmentation.requested",
  TRAINING_REQUESTED: "personalization.training.requested",
  SEGMENTATION_COMPLETED: "personalization.segmentation.completed",
  SEGMENT_CUSTOMERS_CHANGED: "personalization.segment.customers_changed",
  MODEL_VERSION_ACTIVATED: "personalization.model_version.activated",
  /** `{ id }`: a segment campaign was created (its group, Medusa campaign and promotion exist). */
  SEGMENT_CAMPAIGN_CREATED: "personalization.segment_campaign.created",
  /** `{ id }`: a segment campaign was ended (its promotion deactivated). */
  SEGMENT_CAMPAIGN_ENDED: "personalization.segment_campaign.ended",
  /** `{ campaign_id, send_id }`: an admin asked for a campaign's messages to be sent. */
  SEGMENT_CAMPAIGN_MESSAGES_REQUESTED: "personalization.segment_campaign.messages_requested",
} as const

/** Most customer ids one SEGMENT_CUSTOMERS_CHANGED event carries. */
export const SEGMENT_CHANGE_BATCH = 1000
