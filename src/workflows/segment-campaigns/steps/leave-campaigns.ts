import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { listDeletedCustomerIds, listOptedOutCustomerIds } from "../../../lib/store-data"
import { SEGMENT_CAMPAIGNS_MODULE } from "../../../modules/segment-campaigns"
import type { MemberRow } from "../../../modules/segment-campaigns/service"
import type SegmentCampaignsService from "../../../modules/segment-campaigns/service"

type Container = MedusaContainer

/** The group pairs of removed treated members (their campaign's treated group). */
async function groupPairs(container: Container, rows: MemberRow[]) {
  const treated = rows.filter((r) => r.arm === "treatment")
  if (!treated.length) return []
  const campaigns = await container
    .resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
    .listSegmentCampaigns({ id: [...new Set(treated.map((r) => r.campaign_id))] }, { select: ["id", "customer_group_id"], take: null })
  const groupOf = new Map(campaigns.map((c) => [c.id, c.customer_group_id]))
  return treated.flatMap((r) => {
    const group = groupOf.get(r.campaign_id)
    return group ? [{ customer_id: r.customer_id, customer_group_id: group }] : []
  })
}

async function leave(container: Container, customerIds: string[], campaignId?: string) {
  const rows = await container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).removeMembers(customerIds, campaignId)
  const pairs = await groupPairs(container, rows)
  if (pairs.length) {
    // Medusa keeps a deleted customer's group rows: take them out of the treated group explicitly.
    await container.resolve(Modules.CUSTOMER).removeCustomerFromGroup(pairs)
  }
  return { rows, pairs }
}

async function undo(container: Container, data: { rows: MemberRow[]; pairs: { customer_id: string; customer_group_id: string }[] } | undefined) {
  if (!data?.rows.length) return
  await container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).restoreMembers(data.rows)
  if (data.pairs.length) await container.resolve(Modules.CUSTOMER).addCustomerToGroup(data.pairs)
}

/**
 * A customer leaves every segment campaign (deleted or opted out): out of both arms, out of the
 * treated group, counted as having left. With `purge_messages` (a deletion), their message rows
 * go too. Compensation: puts everything back.
 */
export const leaveSegmentCampaignsStep = createStep(
  "leave-segment-campaigns",
  async ({ customer_id, purge_messages = false }: { customer_id: string; purge_messages?: boolean }, { container }) => {
    const left = await leave(container, [customer_id])
    const messages = purge_messages ? await container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).purgeCustomerMessages(customer_id) : []
    return new StepResponse(left.rows.length, { ...left, messages })
  },
  async (data, { container }) => {
    await undo(container, data)
    if (data?.messages.length) await container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE).restoreMessages(data.messages)
  }
)

/**
 * Before a report or a send: members who were deleted or opted out since the campaign was made
 * (and whose leaving no event recorded, e.g. an opt-out set through customer metadata) leave it
 * now. Compensation: puts them back.
 */
export const removeDepartedMembersStep = createStep(
  "remove-departed-segment-campaign-members",
  async ({ campaign_id }: { campaign_id: string }, { container }) => {
    const service = container.resolve<SegmentCampaignsService>(SEGMENT_CAMPAIGNS_MODULE)
    const [optedOut, deleted] = await Promise.all([listOptedOutCustomerIds(container), listDeletedCustomerIds(container)])
    const members = await service.listAllMembers(campaign_id)
    const departed = members.filter((m) => optedOut.has(m.customer_id) || deleted.has(m.customer_id)).map((m) => m.customer_id)
    const left = departed.length ? await leave(container, departed, campaign_id) : { rows: [], pairs: [] }
    return new StepResponse(left.rows.length, left)
  },
  async (data, { container }) => undo(container, data)
)
