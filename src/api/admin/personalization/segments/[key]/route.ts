import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { describeMembers } from "../../../../../ml/segmentation/rules"
import { requireSegment, runView, SEGMENT_FEATURES, type SamplePoint, samplePoints, segmentsOf } from "../view"

/**
 * Customers the store means and the rules are computed over: the run's seeded sample (all
 * members up to this many), so the page costs the same at any store size.
 */
const FEATURE_SAMPLE = 20_000
const HISTOGRAM_BINS = 10

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null)
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits

/** A condition in words: whole-number features as "at most 3" / "at least 4", spend with its currency. */
function conditionText(feature: (typeof SEGMENT_FEATURES)[number], operator: "<=" | ">", threshold: number, currency: string) {
  if (feature.feature === "monetary") {
    return `${feature.label.toLowerCase()} ${operator === "<=" ? "at most" : "above"} ${threshold.toFixed(2)} ${currency.toUpperCase()}`
  }
  const bound = operator === "<=" ? Math.floor(threshold) : Math.floor(threshold) + 1
  return `${feature.label.toLowerCase()} ${operator === "<=" ? "at most" : "at least"} ${bound}`
}

/**
 * One segment of the current run (404 for an unknown key): the segment, the store's means,
 * the segment's mean features against the store's, the distribution of its members' buy
 * probability, and the segment as plain rules (a depth-3 decision tree, "member or not", over
 * recency, orders and spend: the path to the leaf with the most members); with the run the
 * figures come from (its currency and prediction window).
 */
export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const { run, segment } = await requireSegment(req.scope, req.params.key)
  const service = segmentsOf(req.scope)
  const [{ points }, view, storeBuy, bins] = await Promise.all([
    samplePoints(req.scope, run, FEATURE_SAMPLE),
    runView(req.scope, run),
    service.meanBuyProbability(run.id),
    service.buyProbabilityBins(run.id, segment.key, HISTOGRAM_BINS),
  ])
  const members = points.filter((p) => p.segment_key === segment.key)
  const meanOf = (rows: SamplePoint[], feature: (typeof SEGMENT_FEATURES)[number]["feature"]) => mean(rows.map((p) => p[feature]))
  const store = {
    recency_days: meanOf(points, "recency_days"),
    frequency: meanOf(points, "frequency"),
    monetary: meanOf(points, "monetary"),
    buy_probability: storeBuy,
  }
  const countOf = new Map(bins.map((b) => [b.bin, b.count]))
  const histogram = bins.length
    ? Array.from({ length: HISTOGRAM_BINS }, (_, i) => ({ from: round(i / HISTOGRAM_BINS, 10), to: round((i + 1) / HISTOGRAM_BINS, 10), count: countOf.get(i) ?? 0 }))
    : []

  const fitted = describeMembers(
    points.map((p) => SEGMENT_FEATURES.map((f) => p[f.feature])),
    points.map((p) => p.segment_key === segment.key),
    { maxDepth: 3, minLeaf: Math.max(1, Math.round(points.length / 100)) }
  )
  const rules = fitted
    ? {
        conditions: fitted.conditions.map((c) => ({
          feature: SEGMENT_FEATURES[c.feature].feature,
          label: SEGMENT_FEATURES[c.feature].label,
          operator: c.operator,
          threshold: c.threshold,
        })),
        text: fitted.conditions.length
          ? fitted.conditions.map((c) => conditionText(SEGMENT_FEATURES[c.feature], c.operator, c.threshold, view.currency_code)).join(" and ")
          : "every customer",
        member_accuracy: fitted.member_accuracy,
        non_member_accuracy: fitted.non_member_accuracy,
        customers: points.length,
      }
    : null

  res.json({
    segment,
    store,
    centre: SEGMENT_FEATURES.map((f) => ({ feature: f.feature, label: f.label, segment: meanOf(members, f.feature), store: store[f.feature] })),
    buy_probability_histogram: histogram,
    rules,
    run: view,
  })
}
