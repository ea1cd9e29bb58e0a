/**
 * A segment campaign's personalised message: one notification per treated customer on the
 * `email` channel, sent through Medusa's Notification module in batches by a background job.
 *
 * Each notification's idempotency key is `campaign:<campaign>:<customer>`. The notification
 * module checks keys without a lock, so a campaign's sends run under a plugin lock of their own
 * (one at a time, across processes). A batch call throws when any message in it failed, after
 * the others were sent: the job then reads back what the module stored for each key and
 * records it, so that a retry (a new send) sends only the failed ones. A failed notification's
 * row is deleted before it is sent again, because the module would retry it under a new id it
 * never stored, and record the retry as failed whatever happened.
 */
import type { INotificationModuleService, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules, QueryContext } from "@medusajs/framework/utils"
import { PersonalizationEvents } from "../../events"
import { type Candidate, candidatesOf, trendingCandidates } from "../../lib/candidates"
import { configuredOptions } from "../../lib/configured-options"
import { RUN_LOCK_EXPIRE_SECONDS, withLock } from "../../lib/run-lock"
import { isOptedOut } from "../../lib/store-data"
import { PURCHASE_FEATURES_MODULE } from "../../modules/purchase-features"
import type PurchaseFeaturesService from "../../modules/purchase-features/service"
import { RECOMMENDATIONS_MODULE } from "../../modules/recommendations"
import { type ReasonFacts, ReasonRenderer } from "../../modules/recommendations/reason-text"
import type RecommendationsService from "../../modules/recommendations/service"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../modules/segment-campaigns"
import type SegmentCampaignsService from "../../modules/segment-campaigns/service"
import { removeDepartedSegmentCampaignMembersWorkflow } from "./index"

export const MESSAGE_CHANNEL = "email"
export const messageIdempotencyKey = (campaignId: string, customerId: string) => `campaign:${campaignId}:${customerId}`
const sendLockKey = (campaignId: string) => `personalization:segment-campaign:${campaignId}:messages`
const STALE_SEND_SECONDS = 2 * RUN_LOCK_EXPIRE_SECONDS

export type MessageItem = { product_id: string; title: string; price: { amount: number; currency_code: string } | null; reason: string }

/**
 * The notification module as this job uses it: its generated list and delete methods take any
 * column of the notification, the idempotency key included, though the interface's types name
 * fewer.
 */
type Notifications = INotificationModuleService & {
  listNotifications(filters: { idempotency_key: string[] }, config: { select: string[]; take: null }): Promise<{ id: string; idempotency_key: string; status: string }[]>
  deleteNotifications(ids: string[]): Promise<void>
}

type Customer = { id: string; email: string | null; first_name: string | null; last_name: string | null; metadata: Record<string, unknown> | null }

/**
 * Each customer's top `n` products for the message: their personal list in the active model
 * version, filled up with trending products, published products only; each with its title, its
 * lowest variant price in the region of the customer's latest order (null without one), and
 * its reason in English (or the first locale of the reason templates).
 */
export async function messageRecommendations(container: MedusaContainer, customerIds: string[], n: number): Promise<Map<string, MessageItem[]>> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const lists = container.resolve<RecommendationsService>(RECOMMENDATIONS_MODULE)
  const features = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
  const trending = await trendingCandidates(container)
  const picks = new Map<string, Candidate[]>()
  for (const id of customerIds) {
    const stored = await lists.getActiveList("customer", id)
    picks.set(id, [...(stored ? candidatesOf(stored, "personal") : []), ...trending])
  }
  const productIds = [...new Set([...picks.values()].flatMap((c) => c.slice(0, 4 * n).map((x) => x.product_id)))]
  const { data: products } = await query.graph({
    entity: "product",
    fields: ["id", "title", "status"],
    filters: { id: productIds, status: "published" },
  })
  const titles = new Map((products as { id: string; title: string }[]).map((p) => [p.id, p.title]))

  const { data: orders } = await query.graph({
    entity: "order",
    fields: ["id", "customer_id", "region_id", "currency_code", "created_at"],
    filters: { customer_id: customerIds },
  })
  const regionOf = new Map<string, { region_id: string; currency_code: string; at: number }>()
  for (const o of orders as { customer_id: string; region_id: string | null; currency_code: string; created_at: string }[]) {
    const at = new Date(o.created_at).getTime()
    if (o.region_id && (regionOf.get(o.customer_id)?.at ?? -Infinity) < at) regionOf.set(o.customer_id, { region_id: o.region_id, currency_code: o.currency_code, at })
  }

  const chosen = new Map<string, Candidate[]>()
  for (const [customer, candidates] of picks) {
    const seen = new Set<string>()
    chosen.set(customer, candidates.filter((c) => titles.has(c.product_id) && !seen.has(c.product_id) && seen.add(c.product_id)).slice(0, n))
  }
  const prices = new Map<string, Map<string, { amount: number; currency_code: string }>>()
  for (const { region_id, currency_code } of new Map([...regionOf.values()].map((r) => [r.region_id, r])).values()) {
    const ids = [...new Set([...chosen].filter(([c]) => regionOf.get(c)?.region_id === region_id).flatMap(([, list]) => list.map((x) => x.product_id)))]
    if (!ids.length) continue
    const { data } = await query.graph({
      entity: "product",
      fields: ["id", "variants.calculated_price.calculated_amount", "variants.calculated_price.currency_code"],
      filters: { id: ids },
      context: { variants: { calculated_price: QueryContext({ region_id, currency_code }) } },
    })
    const byProduct = new Map<string, { amount: number; currency_code: string }>()
    for (const p of data as { id: string; variants: { calculated_price?: { calculated_amount: number | null; currency_code: string } | null }[] }[]) {
      const amounts = p.variants.map((v) => v.calculated_price).filter((c): c is { calculated_amount: number; currency_code: string } => c?.calculated_amount != null)
      if (amounts.length) {
        const lowest = amounts.reduce((a, b) => (b.calculated_amount < a.calculated_amount ? b : a))
        byProduct.set(p.id, { amount: Number(lowest.calculated_amount), currency_code: lowest.currency_code })
      }
    }
    prices.set(region_id, byProduct)
  }

  const locale = Object.keys(configuredOptions().reasonTemplates)[0]
  const renderer = new ReasonRenderer(locale, configuredOptions().reasonTemplates)
  const out = new Map<string, MessageItem[]>()
  for (const [customer, list] of chosen) {
    const intervals = await features.getRepurchaseIntervals(customer, list.filter((c) => c.reason.code === "buy_again").map((c) => c.product_id))
    const region = regionOf.get(customer)?.region_id
    out.set(
      customer,
      list.map((c) => {
        const facts: ReasonFacts =
          c.reason.code === "buy_again" && c.reason.params === null
            ? { code: "buy_again", params: intervals.get(c.product_id) ?? { orders: 1, every_days: null } }
            : (c.reason as ReasonFacts)
        return {
          product_id: c.product_id,
          title: titles.get(c.product_id) as string,
          price: (region && prices.get(region)?.get(c.product_id)) || null,
          reason: renderer.text(facts, (id) => titles.get(id)),
        }
      })
    )
  }
  return out
}

/**
 * Queues a send of a campaign's messages (the route answers 202 with it at once; the job runs
 * where jobs run). A send that is already queued or running is returned instead of a second one.
 */
export async function requestSegmentCampaignMessages(container: MedusaContainer, campaignId: string) {
  const service = container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
  const [campaign] = await service.listSegmentCampaigns({ id: campaignId }, { take: 1 })
  if (!campaign) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Segment campaign with id: ${campaignId} was not found`)
  if (!campaign.message) throw new MedusaError(MedusaError.Types.INVALID_DATA, `message: segment campaign ${campaignId} was created without a message`)
  if (campaign.status === "ended") throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `Segment campaign ${campaignId} has ended: its messages can no longer be sent`)
  await service.failStaleSends(STALE_SEND_SECONDS, `the send stopped without finishing (no progress for ${STALE_SEND_SECONDS} s: its process ended)`)
  const [open] = await service.listSegmentCampaignSends({ campaign_id: campaignId, status: ["queued", "running"] }, { take: 1 })
  if (open) return { send: open, created: false }
  const send = await service.createSegmentCampaignSends({ campaign_id: campaignId, status: "queued", total: await service.countUndelivered(campaignId) })
  await container.resolve(Modules.EVENT_BUS).emit({ name: PersonalizationEvents.SEGMENT_CAMPAIGN_MESSAGES_REQUESTED, data: { campaign_id: campaignId, send_id: send.id } })
  return { send, created: true }
}

/**
 * Sends a campaign's messages as send `sendId`: under the campaign's send lock, members who left
 * go first, then every treated customer without a delivered message gets one, in batches, with
 * progress on the send row. Control customers and opted-out customers get nothing.
 */
export async function runSegmentCampaignSend(container: MedusaContainer, sendId: string) {
  const service = container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
  const send = await service.retrieveSegmentCampaignSend(sendId)
  const campaign = await service.retrieveSegmentCampaign(send.campaign_id)
  const outcome = await withLock(container, sendLockKey(campaign.id), "another send of this campaign is running", async () => {
    await service.updateSegmentCampaignSends({ id: sendId, status: "running", started_at: new Date(), heartbeat_at: new Date() })
    await removeDepartedSegmentCampaignMembersWorkflow(container).run({ input: { campaign_id: campaign.id } })
    const total = await service.countUndelivered(campaign.id)
    const progress = { total, processed: 0, sent: 0, failed: 0, skipped: 0, error: null as string | null }
    await service.updateSegmentCampaignSends({ id: sendId, total })
    const batchSize = configuredOptions().campaigns.messageBatchSize
    for (let after = ""; ; ) {
      const ids = await service.listUndelivered(campaign.id, after, batchSize)
      if (!ids.length) break
      after = ids[ids.length - 1]
      const result = await sendBatch(container, campaign, ids)
      progress.processed += ids.length
      progress.sent += result.sent
      progress.failed += result.failed
      progress.skipped += result.skipped
      progress.error ??= result.error
      await service.updateSegmentCampaignSends({ id: sendId, ...progress, heartbeat_at: new Date() })
    }
    await service.updateSegmentCampaignSends({ id: sendId, status: "completed", finished_at: new Date() })
    return progress
  })
  if (outcome.status !== "done") {
    await service.updateSegmentCampaignSends({ id: sendId, status: "failed", error: outcome.reason, finished_at: new Date() })
  }
  return service.retrieveSegmentCampaignSend(sendId)
}

type CampaignForMessage = { id: string; name: string; promotion_code: string | null; ends_at: Date; message: Record<string, unknown> | null }

async function sendBatch(container: MedusaContainer, campaign: CampaignForMessage, customerIds: string[]) {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const notifications = container.resolve(Modules.NOTIFICATION) as Notifications
  const service = container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
  const { data } = await query.graph({ entity: "customer", fields: ["id", "email", "first_name", "last_name", "metadata"], filters: { id: customerIds } })
  const customers = (data as Customer[]).filter((c) => !isOptedOut(c.metadata) && c.email)
  const skipped = customerIds.length - customers.length
  if (!customers.length) return { sent: 0, failed: 0, skipped, error: null }

  const message = campaign.message as { template: string; recommendations: number }
  const items = await messageRecommendations(container, customers.map((c) => c.id), message.recommendations)
  const keys = customers.map((c) => messageIdempotencyKey(campaign.id, c.id))
  const earlier = await notifications.listNotifications({ idempotency_key: keys }, { select: ["id", "idempotency_key", "status"], take: null })
  const failedBefore = earlier.filter((n) => n.status === "failure").map((n) => n.id)
  if (failedBefore.length) await notifications.deleteNotifications(failedBefore)

  let error: string | null = null
  try {
    await notifications.createNotifications(
      customers.map((c) => ({
        to: c.email as string,
        channel: MESSAGE_CHANNEL,
        template: message.template,
        receiver_id: c.id,
        resource_id: campaign.id,
        resource_type: "personalization_segment_campaign",
        trigger_type: "personalization.segment_campaign.message",
        idempotency_key: messageIdempotencyKey(campaign.id, c.id),
        data: {
          campaign_id: campaign.id,
          campaign_name: campaign.name,
          customer: { id: c.id, first_name: c.first_name, last_name: c.last_name },
          promotion_code: campaign.promotion_code,
          ends_at: new Date(campaign.ends_at).toISOString(),
          recommendations: items.get(c.id) ?? [],
        },
      }))
    )
  } catch (e) {
    error = e instanceof Error ? e.message : String(e)
  }
  const stored = await notifications.listNotifications({ idempotency_key: keys }, { select: ["id", "idempotency_key", "status"], take: null })
  const byKey = new Map(stored.map((n) => [n.idempotency_key, n]))
  const outcomes = customers.map((c) => {
    const n = byKey.get(messageIdempotencyKey(campaign.id, c.id))
    const ok = n?.status === "success"
    const why = ok ? null : ((error && n ? errorFor(error, n.id) : error) ?? `the notification is ${n?.status ?? "missing"}`)
    return { customer_id: c.id, status: ok ? ("success" as const) : ("failure" as const), notification_id: n?.id ?? null, error: why }
  })
  await service.recordMessages(campaign.id, outcomes)
  const failures = outcomes.filter((o) => o.status === "failure")
  return { sent: outcomes.length - failures.length, failed: failures.length, skipped, error: failures[0]?.error ?? null }
}

/**
 * One notification's part of the module's aggregated error (one message per failed
 * notification, each naming its id, joined by line breaks; a provider's own message may span
 * lines): the part that names `notificationId`, else the first.
 */
export function errorFor(aggregate: string, notificationId: string): string {
  const parts = aggregate.split(/\r?\n(?=Could not find a notification provider|Notification provider |Failed to send notification with id )/)
  return (parts.find((p) => p.includes(notificationId)) ?? parts[0]).trim()
}
