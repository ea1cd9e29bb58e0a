/**
 * A segment campaign's input, checked against the store before anything is written, and the
 * plan the creation workflow carries out. Every refusal names its field.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { generateEntityId, MedusaError, Modules } from "@medusajs/framework/utils"
import { randomBytes } from "node:crypto"
import { configuredOptions } from "../../lib/configured-options"
import { resolveStoreCurrency } from "../../lib/store-currency"
import { CUSTOMER_SEGMENTS_MODULE } from "../../modules/customer-segments"
import type CustomerSegmentsService from "../../modules/customer-segments/service"

export type SegmentCampaignPromotion = {
  type: "percentage" | "fixed"
  target: "order" | "items"
  value: number
  currency_code?: string
  code?: string
  is_automatic: boolean
  usage_limit?: number
  budget?: { type: "spend" | "usage"; limit: number; currency_code?: string }
}

export type CreateSegmentCampaignInput = {
  name: string
  description?: string
  segment_key: string
  /** 0 to 0.5; 0 is allowed, and then nothing can be measured. Default 0.1. */
  control_share?: number
  starts_at?: Date | string
  ends_at: Date | string
  status?: "draft" | "active"
  promotion: SegmentCampaignPromotion
  /** Send each treated customer a message (on request, from the campaign page). */
  message?: { recommendations?: number } | null
  created_by?: string
}

export type SegmentCampaignPlan = {
  id: string
  name: string
  description: string | null
  segment_key: string
  segment_name: string
  segmentation_run_id: string
  control_share: number
  starts_at: string
  ends_at: string
  status: "draft" | "active"
  currency_code: string
  code: string
  promotion: SegmentCampaignPromotion
  message: { template: string; recommendations: number } | null
  created_by: string | null
}

const invalid = (field: string, message: string) => new MedusaError(MedusaError.Types.INVALID_DATA, `${field}: ${message}`)

/** A code for an automatic promotion (Medusa requires one): the segment's name and six random characters. */
export function generatedCode(segmentName: string): string {
  const base = segmentName.toUpperCase().replace(/[^A-Z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 24) || "SEGMENT"
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
  const tail = [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join("")
  return `${base}-${tail}`
}

/**
 * Checks a campaign against the store (the segment exists and has customers, the code is free,
 * currencies and budget agree as Medusa requires) and returns what creation will do. Throws
 * NOT_FOUND for an unknown segment and INVALID_DATA naming the field for anything else.
 */
export async function planSegmentCampaign(container: MedusaContainer, input: CreateSegmentCampaignInput, now = new Date()): Promise<SegmentCampaignPlan> {
  const p = input.promotion
  const controlShare = input.control_share ?? 0.1
  if (!(controlShare >= 0 && controlShare <= 0.5)) throw invalid("control_share", "must be from 0 to 0.5")
  const startsAt = input.starts_at ? new Date(input.starts_at) : now
  const endsAt = new Date(input.ends_at)
  if (Number.isNaN(startsAt.getTime())) throw invalid("starts_at", "is not a valid date")
  if (Number.isNaN(endsAt.getTime())) throw invalid("ends_at", "is not a valid date")
  if (endsAt <= startsAt) throw invalid("ends_at", "must be after starts_at")
  if (endsAt <= now) throw invalid("ends_at", "must be in the future")
  if (!(p.value > 0)) throw invalid("promotion.value", "must be greater than 0")
  if (p.type === "percentage" && p.value > 100) throw invalid("promotion.value", "a percentage must be at most 100")
  if (p.type === "fixed" && !p.currency_code) throw invalid("promotion.currency_code", "is required for a fixed amount")
  if (!p.is_automatic && !p.code) throw invalid("promotion.code", "is required unless the promotion is automatic")
  if (p.is_automatic && p.usage_limit !== undefined) {
    throw invalid("promotion.usage_limit", "an automatic promotion cannot have a usage limit (Medusa refuses it); use a usage budget instead")
  }
  let budget = p.budget
  if (budget?.type === "usage" && budget.currency_code) throw invalid("promotion.budget.currency_code", "a usage budget has no currency")
  if (budget?.type === "spend") {
    const currency = budget.currency_code ?? p.currency_code
    if (!currency) throw invalid("promotion.budget.currency_code", "is required for a spend budget")
    if (p.currency_code && currency !== p.currency_code) {
      throw invalid("promotion.budget.currency_code", `must be the promotion's currency (${p.currency_code}): Medusa requires a spend budget in the promotion's currency`)
    }
    budget = { ...budget, currency_code: currency }
  }

  const segments = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const runId = await segments.getCurrentRunId()
  const segment = runId ? (await segments.listCurrentSegments()).find((s) => s.key === input.segment_key) : undefined
  if (!runId || !segment) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Segment with key: ${input.segment_key} was not found`)
  if (!segment.size) throw invalid("segment_key", `segment "${segment.name}" has no customers`)

  const code = p.code ?? generatedCode(segment.name)
  const [taken] = await container.resolve(Modules.PROMOTION).listPromotions({ code }, { take: 1, select: ["id"] })
  if (taken) throw invalid("promotion.code", `"${code}" is already used by another promotion`)

  const options = configuredOptions().campaigns
  return {
    id: generateEntityId(undefined, "pzcmp"),
    name: input.name,
    description: input.description ?? null,
    segment_key: segment.key,
    segment_name: segment.name,
    segmentation_run_id: runId,
    control_share: controlShare,
    starts_at: startsAt.toISOString(),
    ends_at: endsAt.toISOString(),
    status: input.status ?? "draft",
    currency_code: p.currency_code ?? budget?.currency_code ?? (await resolveStoreCurrency(container)),
    code,
    promotion: { ...p, code, budget },
    message: input.message ? { template: options.messageTemplate, recommendations: input.message.recommendations ?? options.messageRecommendations } : null,
    created_by: input.created_by ?? null,
  }
}
