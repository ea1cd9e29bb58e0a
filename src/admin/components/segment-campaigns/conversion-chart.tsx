import { Text } from "@medusajs/ui"
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts"
import type { CampaignDay } from "../../lib/segment-campaigns"
import { date, percent } from "./format"

const COLORS = { treatment: "var(--tag-blue-icon)", control: "var(--tag-orange-icon)" }

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
  if (!rows.length) {
    return (
      <div className="flex h-[240px] items-center justify-center">
        <Text size="small" className="text-ui-fg-muted">No days observed yet: the chart starts with the campaign's first day.</Text>
      </div>
    )
  }
  return (
    <div className="h-[260px] w-full" data-testid="conversion-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid stroke="var(--border-base)" strokeDasharray="3 3" />
          <XAxis dataKey="day" tickFormatter={(d: string) => date(d)} stroke="var(--fg-muted)" tick={{ fill: "var(--fg-subtle)", fontSize: 12 }} minTickGap={24} />
          <YAxis tickFormatter={(v: number) => percent(v, { digits: 0 })} stroke="var(--fg-muted)" tick={{ fill: "var(--fg-subtle)", fontSize: 12 }} width={48} />
          <Tooltip
            formatter={(v) => percent(Number(v))}
            labelFormatter={(d) => date(String(d))}
            contentStyle={{ background: "var(--bg-base)", border: "1px solid var(--border-base)", color: "var(--fg-base)", fontSize: 12 }}
          />
          <Legend wrapperStyle={{ fontSize: 12, color: "var(--fg-subtle)" }} />
          <Line type="stepAfter" dataKey="treatment" name="Treated" stroke={COLORS.treatment} strokeWidth={2} dot={false} isAnimationActive={false} />
          <Line type="stepAfter" dataKey="control" name="Control" stroke={COLORS.control} strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}
