import { useMemo } from "react"
import { type Segment, useSegmentHistory, useSegmentSample } from "../lib/api"
import { chartTheme } from "../lib/chart-theme"
import { formatDate, formatInteger, formatMoney, formatNumber } from "../lib/format"
import { LineSeriesChart, ScatterGroupsChart } from "./charts"
import { EmptyState, ErrorState, LoadingState } from "./states"

/** Segment size over the last runs; one line per segment, or only `only` (the segment page). */
export function SegmentHistoryChart({
  colors,
  names,
  only,
  runs = 10,
}: {
  colors: Record<string, string>
  names: Record<string, string>
  only?: string
  runs?: number
}) {
  const q = useSegmentHistory(runs)
  const { rows, keys } = useMemo(() => {
    const history = q.data?.runs ?? []
    const keys = new Set<string>()
    const rows = history.map((run) => {
      const row: Record<string, string | number | null> = { run: run.as_of ?? run.finished_at ?? run.run_id }
      for (const s of run.segments) {
        if (only && s.key !== only) continue
        keys.add(s.key)
        row[s.key] = s.size
      }
      return row
    })
    for (const row of rows) for (const k of keys) if (!(k in row)) row[k] = null
    return { rows, keys: [...keys].sort((a, b) => a.localeCompare(b, "en", { numeric: true })) }
  }, [q.data, only])
  if (q.isLoading) return <LoadingState className="px-0" rows={4} />
  if (q.isError) return <ErrorState className="px-0" error={q.error} title="Could not load the segment history" onRetry={() => void q.refetch()} />
  if (rows.length === 0) return <EmptyState className="px-0 py-0" title="No completed runs yet" />
  return (
    <LineSeriesChart
      name="segment-history"
      title={only ? "Size over the last runs" : "Segment sizes over the last runs"}
      description={
        rows.length === 1
          ? "One completed run so far: the line grows with each run."
          : `Customers per segment in each of the last ${rows.length} completed runs.`
      }
      data={rows}
      xKey="run"
      xFormat={(v) => formatDate(v)}
      series={keys.map((k) => ({ key: k, label: names[k] ?? k, color: colors[k] }))}
      valueFormat={(v) => formatInteger(v)}
      showLegend={!only}
      yDomain={[0, "auto"]}
    />
  )
}

/**
 * Recency x spend of a seeded sample of all segmented customers, coloured by segment. With
 * `highlight`, the other segments are drawn faint behind it.
 */
export function SegmentScatterChart({
  colors,
  names,
  highlight,
  size = 2000,
}: {
  colors: Record<string, string>
  names: Record<string, string>
  highlight?: string
  size?: number
}) {
  const q = useSegmentSample(size)
  const groups = useMemo(() => {
    const by = new Map<string, { x: number; y: number; id: string }[]>()
    for (const p of q.data?.points ?? []) {
      const list = by.get(p.segment_key) ?? []
      list.push({ x: p.recency_days, y: p.monetary, id: p.customer_id })
      by.set(p.segment_key, list)
    }
    return [...by.entries()]
      .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))
      .map(([key, points]) => ({
        key,
        label: names[key] ?? key,
        color: highlight && key !== highlight ? chartTheme.baseline : colors[key],
        muted: !!highlight && key !== highlight,
        points,
      }))
  }, [q.data, colors, names, highlight])
  if (q.isLoading) return <LoadingState className="px-0" rows={6} />
  if (q.isError) return <ErrorState className="px-0" error={q.error} title="Could not load the customer sample" onRetry={() => void q.refetch()} />
  const points = q.data?.points.length ?? 0
  if (!points) return <EmptyState className="px-0 py-0" title="No segmented customers yet" />
  const currency = q.data?.currency_code
  return (
    <ScatterGroupsChart
      name="segment-scatter"
      title="Recency and spend of your customers"
      description={`${formatInteger(points)} of ${formatInteger(q.data?.total)} customers (the same sample each time for this run). Left: bought recently; up: spent more (log scale).`}
      groups={groups}
      xLabel="Days since last order"
      yLabel="Spend"
      xFormat={(v) => formatNumber(v, { maximumFractionDigits: 0 })}
      yFormat={(v) => formatMoney(v, currency, { compact: true })}
      yScale="symlog"
    />
  )
}

export function namesOf(segments: Pick<Segment, "key" | "name">[]): Record<string, string> {
  return Object.fromEntries(segments.map((s) => [s.key, s.name]))
}
