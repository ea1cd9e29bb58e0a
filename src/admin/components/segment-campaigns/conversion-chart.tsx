import { LineSeriesChart } from "../charts"
import { EmptyState } from "../states"
import { semanticColors } from "../../lib/chart-theme"
import { formatDate, formatPercent } from "../../lib/format"
import type { CampaignDay } from "../../lib/segment-campaigns"

/** Rows of the chart: per day, the share of each arm that has bought at least once since the start. */
export function cumulativeConversion(days: CampaignDay[]) {
  const byDay = new Map<string, { day: string; treatment?: number; control?: number }>()
  for (const d of days) {
    const row = byDay.get(d.day) ?? { day: d.day }
    row[d.arm] = d.customers ? d.buyers / d.customers : 0
    byDay.set(d.day, row)
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day))
}

/** Cumulative conversion per arm over the campaign's days (treated against control). */
export function ConversionChart({ days }: { days: CampaignDay[] }) {
  const rows = cumulativeConversion(days)
  if (!rows.length) return <EmptyState title="No days observed yet" description="The chart starts with the campaign's first day." className="px-0" />
  return (
    <LineSeriesChart
      name="campaign-conversion"
      data={rows}
      xKey="day"
      xFormat={formatDate}
      valueFormat={(v) => formatPercent(v)}
      yDomain={[0, "auto"]}
      height={260}
      series={[
        { key: "treatment", label: "Treated", color: semanticColors.primary },
        { key: "control", label: "Control", color: semanticColors.warning },
      ]}
    />
  )
}
