import { type QueryKey, type UseQueryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { sdk } from "./sdk"

/**
 * Typed React Query hooks over the plugin's admin API (`/admin/personalization/*`). Every key
 * starts with `personalizationKeys.all`, so one invalidation refreshes every page and widget
 * of the plugin (after a run, an activation or an opt-out).
 */

export const API_ROOT = "/admin/personalization"

export const personalizationKeys = {
  all: ["personalization"] as const,
  readiness: () => [...personalizationKeys.all, "readiness"] as const,
  runs: (kind: RunKind) => [...personalizationKeys.all, "runs", kind] as const,
  segments: () => [...personalizationKeys.all, "segments"] as const,
  segmentHistory: (runs: number) => [...personalizationKeys.all, "segments", "history", runs] as const,
  segmentSample: (size: number) => [...personalizationKeys.all, "segments", "sample", size] as const,
  segment: (key: string) => [...personalizationKeys.all, "segments", "detail", key] as const,
  segmentCustomers: (key: string, limit: number, offset: number) =>
    [...personalizationKeys.all, "segments", "detail", key, "customers", limit, offset] as const,
  customer: (id: string) => [...personalizationKeys.all, "customers", id] as const,
  customerInsights: (id: string) => [...personalizationKeys.customer(id), "insights"] as const,
  customerRecommendations: (id: string, limit: number) => [...personalizationKeys.customer(id), "recommendations", limit] as const,
  productRecommendations: (id: string, limit: number) => [...personalizationKeys.all, "products", id, "recommendations", limit] as const,
  customerGroupSegment: (id: string) => [...personalizationKeys.all, "customer-groups", id, "segment"] as const,
  events: (since?: string) => [...personalizationKeys.all, "recommendation-events", since ?? "all"] as const,
}

type Query = Record<string, string | number | boolean | undefined>

/** GET or POST on the plugin's admin API; errors are the js-sdk's FetchError (with `.status`). */
export function adminFetch<T>(path: string, init: { method?: "GET" | "POST" | "DELETE"; query?: Query; body?: unknown } = {}): Promise<T> {
  return sdk.client.fetch<T>(`${API_ROOT}${path}`, {
    method: init.method ?? "GET",
    query: init.query,
    body: init.body as Record<string, unknown> | undefined,
  })
}

/** A query of the plugin's API with the dashboard's client (no retry on 404: the thing is absent). */
export function usePersonalizationQuery<T>(
  key: QueryKey,
  path: string,
  query?: Query,
  options: Omit<UseQueryOptions<T, Error, T, QueryKey>, "queryKey" | "queryFn"> = {}
) {
  return useQuery<T, Error, T, QueryKey>({
    queryKey: key,
    queryFn: () => adminFetch<T>(path, { query }),
    retry: (count, error) => statusOf(error) !== 404 && statusOf(error) !== 401 && count < 1,
    ...options,
  })
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === "number" ? status : undefined
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  return "The request failed."
}

// --- runs ---------------------------------------------------------------------------------

export type RunKind = "rebuild" | "segmentation" | "training"
export type RunStatus = "queued" | "running" | "completed" | "skipped" | "failed"
export type VersionStatus = "queued" | "running" | "skipped" | "failed" | "rejected" | "active" | "inactive"

interface RunBase {
  id: string
  reason: string | null
  progress: number
  started_at: string | null
  finished_at: string | null
  duration_ms: number | null
  created_at: string
}

export interface RebuildRun extends RunBase {
  status: RunStatus
  total_orders: number | null
  orders: number
  removed: number
  /**
   * "bulk": the ledger first, every aggregate recomputed at the end; "changes": only the orders
   * Medusa wrote since `changes_since`; null until the run has chosen.
   */
  mode: "pages" | "bulk" | "changes" | null
  changes_since: string | null
  aggregates_pending: boolean
}

export interface SegmentationRun extends RunBase {
  status: RunStatus
  as_of: string | null
  customers: number
  k: number | null
  silhouette: number | null
  prediction_window_days: number | null
  prediction_currency_code: string | null
  prediction_reason: string | null
  prediction_validation: { auc?: number; spearman?: number; buy_rate?: number } | null
}

export interface HoldoutMetrics {
  recall20: number
  ndcg10: number
  hr10: number
  coverage20: number
}

export interface ModelVersion extends RunBase {
  status: VersionStatus
  recipe: { model: string; options?: Record<string, unknown> } | null
  evaluation: {
    holdout_start?: number
    test_customers?: number
    candidate?: HoldoutMetrics
    active?: HoldoutMetrics | null
    popularity?: HoldoutMetrics
  } | null
  data: { lines?: number; customers?: number; products?: number } | null
  lists: number
  as_of: string | null
  activated_at: string | null
  pruned_at: string | null
  /** A nightly refresh's full-run version, whose lists it serves where it rebuilt none; null for a full run. */
  base_version_id: string | null
}

export type AnyRun = RebuildRun | SegmentationRun | ModelVersion

/** Statuses during which a run of that kind blocks another. */
export function isActive(status: string): boolean {
  return status === "queued" || status === "running"
}

const RUN_PATHS: Record<RunKind, { list: string; start: string }> = {
  rebuild: { list: "/rebuild/runs", start: "/rebuild" },
  segmentation: { list: "/segmentation/runs", start: "/segmentation/run" },
  training: { list: "/models", start: "/models/train" },
}

interface RunList<R> {
  runs?: R[]
  versions?: R[]
  count: number
}

/** The last runs of a kind, newest first; polled every 2 s while one is queued or running. */
export function useRuns<R extends AnyRun = AnyRun>(kind: RunKind, limit = 5) {
  const q = usePersonalizationQuery<RunList<R>>(personalizationKeys.runs(kind), RUN_PATHS[kind].list, { limit }, {
    refetchInterval: (query) => {
      const data = query.state.data as RunList<R> | undefined
      const rows = data?.runs ?? data?.versions ?? []
      return rows.some((r) => isActive(r.status)) ? 2000 : false
    },
  })
  const runs: R[] = q.data?.runs ?? q.data?.versions ?? []
  return { ...q, runs, count: q.data?.count ?? 0 }
}

export function useModelVersions(limit = 20) {
  return useRuns<ModelVersion>("training", limit)
}

/** Queues a run (202 with its id); refreshes the runs list, which then polls until it ends. */
export function useStartRun(kind: RunKind) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => adminFetch<{ run_id?: string; version_id?: string; status: string }>(RUN_PATHS[kind].start, { method: "POST", body: {} }),
    onSuccess: () => client.invalidateQueries({ queryKey: personalizationKeys.runs(kind) }),
  })
}

/** Makes a stored model version the one the store serves (rollback). */
export function useActivateVersion() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => adminFetch<{ version: ModelVersion }>(`/models/${encodeURIComponent(id)}/activate`, { method: "POST", body: {} }),
    onSuccess: () => client.invalidateQueries({ queryKey: personalizationKeys.all }),
  })
}

// --- readiness ----------------------------------------------------------------------------

export interface Readiness {
  segmentation: { ready: boolean; missing: string[] }
  customers: number
  repeat_customers: number
  thresholds: { min_customers: number; min_repeat_customers: number }
  [key: string]: unknown
}

export function useReadiness() {
  return usePersonalizationQuery<{ readiness: Readiness }>(personalizationKeys.readiness(), "/readiness")
}

// --- segments -----------------------------------------------------------------------------

export interface SegmentCentre {
  recency_days?: number
  frequency?: number
  monetary?: number
  /** Older runs store the centre under the feature columns' own names. */
  recency?: number
  invoices?: number
  spend?: number
  [key: string]: number | undefined
}

export interface Segment {
  key: string
  name: string
  description: string
  centre: SegmentCentre
  size: number
  share?: number
  previous_size?: number | null
  mean_buy_probability?: number | null
  mean_expected_spend?: number | null
  customer_group_id: string | null
  run_id: string
}

export interface SegmentsRun {
  id: string
  as_of: string | null
  finished_at: string | null
  currency_code: string | null
  window_days: number | null
}

export interface SegmentsResponse {
  segments: Segment[]
  run?: SegmentsRun | null
}

/** Centre in plain units whatever names the run stored it under. */
export function centreOf(segment: Pick<Segment, "centre">) {
  const c = segment.centre ?? {}
  return {
    recency_days: c.recency_days ?? c.recency ?? null,
    frequency: c.frequency ?? c.invoices ?? null,
    monetary: c.monetary ?? c.spend ?? null,
  }
}

export function useSegments() {
  return usePersonalizationQuery<SegmentsResponse>(personalizationKeys.segments(), "/segments")
}

export interface SegmentHistory {
  runs: { run_id: string; as_of: string | null; finished_at: string | null; segments: { key: string; name: string; size: number }[] }[]
}

export function useSegmentHistory(runs = 10) {
  return usePersonalizationQuery<SegmentHistory>(personalizationKeys.segmentHistory(runs), "/segments/history", { runs })
}

export interface SamplePoint {
  customer_id: string
  segment_key: string
  recency_days: number
  frequency: number
  monetary: number
}

export function useSegmentSample(size = 2000) {
  return usePersonalizationQuery<{ points: SamplePoint[]; total: number; currency_code: string | null }>(
    personalizationKeys.segmentSample(size),
    "/segments/sample",
    { size }
  )
}

export interface SegmentDetail {
  segment: Segment
  store: { recency_days: number; frequency: number; monetary: number; buy_probability: number | null }
  centre: { feature: string; label: string; segment: number; store: number }[]
  buy_probability_histogram: { from: number; to: number; count: number }[]
  rules: {
    conditions: { feature: string; label: string; operator: "<=" | ">"; threshold: number }[]
    text: string
    member_accuracy: number
    non_member_accuracy: number
  } | null
  /** Present when the route adds the run (currency and window of the figures). */
  run?: SegmentsRun | null
}

export function useSegment(key: string) {
  return usePersonalizationQuery<SegmentDetail>(personalizationKeys.segment(key), `/segments/${encodeURIComponent(key)}`)
}

export interface SegmentMember {
  customer_id: string
  in_control: boolean
  buy_probability: number | null
  expected_spend: number | null
  email?: string | null
  first_name?: string | null
  last_name?: string | null
}

export interface SegmentCustomers {
  segment: Segment
  prediction: { run_id: string; window_days: number | null; currency_code: string | null; reason: string | null } | null
  customers: SegmentMember[]
  count: number
  limit: number
  offset: number
}

export function useSegmentCustomers(key: string, limit: number, offset: number) {
  return usePersonalizationQuery<SegmentCustomers>(
    personalizationKeys.segmentCustomers(key, limit, offset),
    `/segments/${encodeURIComponent(key)}/customers`,
    { limit, offset },
    { placeholderData: (previous) => previous }
  )
}

// --- customers ----------------------------------------------------------------------------

export interface CustomerInsights {
  customer_id: string
  opted_out: boolean
  features: {
    orders: number
    spend: number
    currency_code: string | null
    first_order_at: string | null
    last_order_at: string | null
    recency_days: number | null
  } | null
  segment: { key: string; name: string; in_control: boolean } | null
  no_segment_reason: string | null
  prediction: {
    buy_probability: number | null
    expected_spend: number | null
    currency_code: string | null
    window_days: number | null
    scored_at: string | null
  } | null
  campaigns: { id: string; name: string; arm: "treatment" | "control"; status: string }[]
}

export function useCustomerInsights(id: string | undefined) {
  return usePersonalizationQuery<{ insights: CustomerInsights }>(
    personalizationKeys.customerInsights(id ?? ""),
    `/customers/${encodeURIComponent(id ?? "")}/insights`,
    undefined,
    { enabled: !!id }
  )
}

export interface RecommendationItem {
  product_id: string
  title: string | null
  handle: string | null
  thumbnail: string | null
  reason: string | null
  reason_code: string | null
}

export function useCustomerRecommendations(id: string | undefined, limit = 10) {
  return usePersonalizationQuery<{ recommendations: RecommendationItem[]; list_type: string; version_id: string | null }>(
    personalizationKeys.customerRecommendations(id ?? "", limit),
    `/customers/${encodeURIComponent(id ?? "")}/recommendations`,
    { limit },
    { enabled: !!id }
  )
}

/** Sets or clears the customer's opt-out; refreshes everything the plugin shows. */
export function useSetOptOut(id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (optedOut: boolean) =>
      adminFetch<{ customer_id: string; opted_out: boolean }>(`/customers/${encodeURIComponent(id)}/opt-out`, {
        method: "POST",
        body: { opted_out: optedOut },
      }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: personalizationKeys.all })
      // The customer page's own record (its metadata holds the flag).
      await client.invalidateQueries({ queryKey: ["customers"] })
    },
  })
}

// --- products and groups ------------------------------------------------------------------

export function useProductRecommendations(id: string | undefined, limit = 10) {
  return usePersonalizationQuery<{ related: RecommendationItem[]; bought_together: RecommendationItem[]; version_id: string | null }>(
    personalizationKeys.productRecommendations(id ?? "", limit),
    `/products/${encodeURIComponent(id ?? "")}/recommendations`,
    { limit },
    { enabled: !!id }
  )
}

export interface GroupSegment {
  segment: { key: string; name: string; run_id: string } | null
  managed: boolean
  campaign?: { id: string; name: string } | null
}

export function useCustomerGroupSegment(id: string | undefined) {
  return usePersonalizationQuery<GroupSegment>(
    personalizationKeys.customerGroupSegment(id ?? ""),
    `/customer-groups/${encodeURIComponent(id ?? "")}/segment`,
    undefined,
    { enabled: !!id }
  )
}

// --- recommendation events ----------------------------------------------------------------

export interface EventRow {
  version_id: string
  list_type: string
  impressions: number
  clicks: number
  add_to_carts: number
  clicks_without_impression: number
  add_to_carts_without_impression: number
  click_through_rate: number | null
}

export function useRecommendationEvents(since?: string) {
  return usePersonalizationQuery<{ events: EventRow[] }>(personalizationKeys.events(since), "/recommendation-events", { since })
}
