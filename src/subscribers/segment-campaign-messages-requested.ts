import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { PersonalizationEvents } from "../events"
import { runSegmentCampaignSend } from "../workflows/segment-campaigns/messages"

/** Sends a campaign's messages queued through the admin API, where subscribers and jobs run. */
export default async function segmentCampaignMessagesRequestedHandler({ event, container }: SubscriberArgs<{ campaign_id: string; send_id: string }>) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const send = await runSegmentCampaignSend(container, event.data.send_id)
    logger.info(`personalization segment campaign ${event.data.campaign_id}: send ${send.id} ${send.status}, ${send.sent} sent, ${send.failed} failed`)
  } catch (error) {
    logger.error(`personalization segment campaign ${event.data.campaign_id}: send ${event.data.send_id} failed: ${(error as Error).message}`)
    throw error
  }
}

export const config: SubscriberConfig = {
  event: PersonalizationEvents.SEGMENT_CAMPAIGN_MESSAGES_REQUESTED,
  context: { subscriberId: "personalization-segment-campaign-messages-requested" },
}
