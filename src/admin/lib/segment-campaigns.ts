import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import type { Arm, ArmSummary, CampaignDay, CampaignReport as StoredReport } from "../../ml/campaigns/report"
import type { Interval } from "../../ml/campaigns/uplift"
import { adminFetch, personalizationKeys } from "./api"

/** Types and React Query hooks of the segment campaign routes (`/admin/personalization/campaigns`). */

/** The report's shapes are the server's own (type-only imports: nothing of the server is bundled). */
export type { Arm, ArmSummary, CampaignDay, Interval }
export type CampaignStatus = "draft" | "active" | "ended"
/** The report as the campaign row stores it: its days are served apart (`/report`'s `days`). */
export type CampaignReport = Omit<StoredReport, "days">

export type PromotionSpec = {
  type: "percentage" | "fixed"
  target: "order" | "items"
  value: number
  currency_code?: string
  code?: string
  is_automatic: boolean
  usage_limit?: number
  budget?: { type: "spend" | "usage"; limit: number; currency_code?: string }
}

export type SegmentCampaign = {
  id: string
  name: string
  description: string | null
  status: CampaignStatus
  segment_key: string
  segment_name: string
  control_share: number
  starts_at: string
  ends_at: string
  ended_at: string | null
  created_at: string
  currency_code: string
  promotion: PromotionSpec
  promotion_id: string | null
  promotion_code: string | null
  medusa_campaign_id: string | null
  customer_group_id: string | null
  excluded: Record<string, number>
  message: { template: string; recommendations: number } | null
  report: CampaignReport | null
  report_computed_at: string | null
  arms: Record<Arm, { created: number; left: number; current: number }>
  medusa_promotion: { id: string; code: string; status: string; is_automatic: boolean } | null
  messages: { success: number; failure: number } | null
}

export type CampaignPreview = {
  segment: { key: string; name: string; size: number }
  control_share: number
  eligible: number
  treatment: number
  control: number
  excluded: Record<string, number>
  warnings: string[]
}

export type CampaignSend = {
  id: string
  status: "queued" | "running" | "completed" | "failed"
  total: number
  processed: number
  sent: number
  failed: number
  skipped: number
  error: string | null
  started_at: string | null
  finished_at: string | null
  created_at: string
}

export type CampaignMessages = {
  campaign_id: string
  enabled: boolean
  sends: CampaignSend[]
  counts: { success: number; failure: number }
  failures: { customer_id: string; error: string | null; attempts: number; updated_at: string }[]
}

export type CreateCampaignBody = {
  name: string
  description?: string
  segment_key: string
  control_share: number
  starts_at?: string
  ends_at: string
  status: "draft" | "active"
  promotion: PromotionSpec
  message?: { recommendations?: number } | null
}

export type CampaignFilters = { limit?: number; offset?: number; status?: CampaignStatus; segment_key?: string; promotion_id?: string; medusa_campaign_id?: string }

const ROOT = [...personalizationKeys.all, "segment-campaigns"] as const
const BASE = "/campaigns"

export const campaignKeys = {
  all: ROOT,
  list: (filters: CampaignFilters) => [...ROOT, "list", filters] as const,
  detail: (id: string) => [...ROOT, "detail", id] as const,
  report: (id: string) => [...ROOT, "report", id] as const,
  messages: (id: string) => [...ROOT, "messages", id] as const,
  members: (id: string, arm: Arm, limit: number, offset: number) => [...ROOT, "members", id, arm, limit, offset] as const,
  preview: (segmentKey: string, controlShare: number) => [...ROOT, "preview", segmentKey, controlShare] as const,
}

export function useSegmentCampaigns(filters: CampaignFilters, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: campaignKeys.list(filters),
    queryFn: () => adminFetch<{ campaigns: SegmentCampaign[]; count: number; offset: number; limit: number }>(BASE, { query: filters as Record<string, string | number | undefined> }),
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
  })
}

export function useSegmentCampaign(id: string) {
  return useQuery({
    queryKey: campaignKeys.detail(id),
    queryFn: () => adminFetch<{ campaign: SegmentCampaign }>(`${BASE}/${id}`),
  })
}

export function useCampaignReport(id: string) {
  return useQuery({
    queryKey: campaignKeys.report(id),
    queryFn: () =>
      adminFetch<{ campaign_id: string; computed_at: string | null; left: Record<Arm, number>; report: CampaignReport | null; days: CampaignDay[] }>(`${BASE}/${id}/report`),
  })
}

export type CampaignMember = { customer_id: string; arm: Arm; email: string | null; first_name: string | null; last_name: string | null }

/** One arm's members, a page at a time, with Medusa's email and names. */
export function useCampaignMembers(id: string, arm: Arm, limit: number, offset: number) {
  return useQuery({
    queryKey: campaignKeys.members(id, arm, limit, offset),
    queryFn: () => adminFetch<{ members: CampaignMember[]; count: number; offset: number; limit: number }>(`${BASE}/${id}/members`, { query: { arm, limit, offset } }),
    placeholderData: keepPreviousData,
  })
}

/** The campaign's sends; polls every 2 s while one is queued or running. */
export function useCampaignMessages(id: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: campaignKeys.messages(id),
    queryFn: () => adminFetch<CampaignMessages>(`${BASE}/${id}/messages`),
    enabled: options.enabled ?? true,
    refetchInterval: (query) => (query.state.data?.sends.some((s) => s.status === "queued" || s.status === "running") ? 2000 : false),
  })
}

/** The arms a campaign would get now; writes nothing. */
export function useCampaignPreview(segmentKey: string | undefined, controlShare: number) {
  return useQuery({
    queryKey: campaignKeys.preview(segmentKey ?? "", controlShare),
    queryFn: () => adminFetch<{ preview: CampaignPreview }>(`${BASE}/preview`, { method: "POST", body: { segment_key: segmentKey, control_share: controlShare } }),
    enabled: !!segmentKey && Number.isFinite(controlShare) && controlShare >= 0 && controlShare <= 0.5,
    placeholderData: keepPreviousData,
    retry: false,
  })
}

function useInvalidateCampaigns() {
  const client = useQueryClient()
  return () => client.invalidateQueries({ queryKey: ROOT })
}

export function useCreateCampaign() {
  const invalidate = useInvalidateCampaigns()
  return useMutation({
    mutationFn: (body: CreateCampaignBody) => adminFetch<{ campaign: SegmentCampaign }>(BASE, { method: "POST", body }),
    onSuccess: invalidate,
  })
}

export function useEndCampaign(id: string) {
  const invalidate = useInvalidateCampaigns()
  return useMutation({
    mutationFn: () => adminFetch<{ campaign: SegmentCampaign }>(`${BASE}/${id}/end`, { method: "POST", body: {} }),
    onSuccess: invalidate,
  })
}

export function useRefreshReport(id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => adminFetch(`${BASE}/${id}/report`, { query: { refresh: true } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ROOT }),
  })
}

export function useSendMessages(id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => adminFetch<{ send: CampaignSend }>(`${BASE}/${id}/messages`, { method: "POST", body: {} }),
    onSuccess: () => client.invalidateQueries({ queryKey: campaignKeys.messages(id) }),
  })
}

