import type { MedusaContainer } from "@medusajs/framework/types"
import { MedusaError } from "@medusajs/framework/utils"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../../modules/customer-segments/service"
import { PURCHASE_FEATURES_MODULE } from "../../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../../modules/purchase-features/service"
import { resolveStoreCurrency } from "../../../../lib/store-currency"

export const segmentsOf = (scope: MedusaContainer) => scope.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
export const featuresOf = (scope: MedusaContainer) => scope.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)

/** The features segments are made of, as the admin names them, and the column of a stored centre each reads. */
export const SEGMENT_FEATURES = [
  { feature: "recency_days", label: "Days since the last order", column: "recency" },
  { feature: "frequency", label: "Orders", column: "invoices" },
  { feature: "monetary", label: "Spend", column: "spend" },
] as const
export type SegmentFeature = (typeof SEGMENT_FEATURES)[number]["feature"]

export type RunRow = Awaited<ReturnType<CustomerSegmentsService["listSegmentationRuns"]>>[number]
type SegmentRow = Awaited<ReturnType<CustomerSegmentsService["listSegments"]>>[number]

/** The current (latest completed) run, or null before any. */
export async function currentRun(scope: MedusaContainer): Promise<RunRow | null> {
  const service = segmentsOf(scope)
  const runId = await service.getCurrentRunId()
  if (!runId) return null
  const [run] = await service.listSegmentationRuns({ id: runId })
  return run ?? null
}

/** The run as the segment routes answer it. */
export async function runView(scope: MedusaContainer, run: RunRow) {
  return {
    id: run.id,
    as_of: run.as_of,
    finished_at: run.finished_at,
    currency_code: run.prediction_currency_code ?? (await resolveStoreCurrency(scope)),
    window_days: run.prediction_window_days,
  }
}

const centreOf = (row: SegmentRow) => {
  const stored = (row.centre ?? {}) as Record<string, number>
  return Object.fromEntries(SEGMENT_FEATURES.map((f) => [f.feature, Number(stored[f.column])])) as Record<SegmentFeature, number>
}

/**
 * A run's segments as the admin shows them: the stored row with its centre under the admin's
 * feature names, its share of the run's segmented customers, its size in the run before
 * (null when that run had no segment of this key, or there was none), and the mean purchase
 * prediction of its members (null without predictions).
 */
export async function segmentViews(scope: MedusaContainer, run: RunRow) {
  const service = segmentsOf(scope)
  const previousRunId = await service.getPreviousRunId(run.id)
  const [rows, previous, summary] = await Promise.all([
    service.listSegments({ run_id: run.id }, { take: null, order: { key: "ASC" } }),
    previousRunId ? service.listSegments({ run_id: previousRunId }, { take: null }) : Promise.resolve([] as SegmentRow[]),
    service.summarizeRunMembers(run.id),
  ])
  const total = rows.reduce((n, s) => n + s.size, 0)
  const previousSize = new Map(previous.map((s) => [s.key, s.size]))
  return rows.map((s) => ({
    key: s.key,
    name: s.name,
    description: s.description,
    centre: centreOf(s),
    size: s.size,
    share: total ? s.size / total : 0,
    previous_size: previousSize.get(s.key) ?? null,
    mean_buy_probability: summary.get(s.key)?.mean_buy_probability ?? null,
    mean_expected_spend: summary.get(s.key)?.mean_expected_spend ?? null,
    customer_group_id: s.customer_group_id,
    run_id: s.run_id,
  }))
}

export type SegmentView = Awaited<ReturnType<typeof segmentViews>>[number]

/** The current run and its segment of this key, or 404 naming the key. */
export async function requireSegment(scope: MedusaContainer, key: string): Promise<{ run: RunRow; segment: SegmentView; segments: SegmentView[] }> {
  const run = await currentRun(scope)
  const segments = run ? await segmentViews(scope, run) : []
  const segment = segments.find((s) => s.key === key)
  if (!run || !segment) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Segment with key: ${key} was not found`)
  return { run, segment, segments }
}

export type SamplePoint = { customer_id: string; segment_key: string; buy_probability: number | null } & Record<SegmentFeature, number>

/**
 * The seeded sample of a run's members (the service's md5 order) with each one's features as
 * of the run's moment: recency in whole days, counted orders, spend in the store currency.
 * Members whose orders are gone since (no features left) are left out.
 */
export async function samplePoints(scope: MedusaContainer, run: RunRow, size: number): Promise<{ points: SamplePoint[]; total: number }> {
  const { members, total } = await segmentsOf(scope).sampleRunMembers(run.id, size)
  if (!members.length) return { points: [], total }
  const asOf = run.as_of ? new Date(run.as_of) : new Date()
  const rows = await featuresOf(scope).listCustomerFeaturesAsOf({
    asOf,
    customerIds: members.map((m) => m.customer_id),
    limit: members.length,
    currency: await resolveStoreCurrency(scope),
  })
  const byId = new Map(rows.map((r) => [r.customer_id, r]))
  const points = members.flatMap((m): SamplePoint[] => {
    const f = byId.get(m.customer_id)
    return f
      ? [{ customer_id: m.customer_id, segment_key: m.segment_key, buy_probability: m.buy_probability, recency_days: f.recency_days, frequency: f.order_count, monetary: f.total_spend }]
      : []
  })
  return { points, total }
}
