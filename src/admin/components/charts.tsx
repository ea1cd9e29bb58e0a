import { Text, clx } from "@medusajs/ui"
import type { ReactNode } from "react"
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ErrorBar,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
} from "recharts"
import { chartTheme, seriesColor, semanticColors, tickProps, tooltipStyle } from "../lib/chart-theme"
import { formatNumber, formatPercent } from "../lib/format"

/**
 * Reusable charts of the plugin's admin pages (Recharts), coloured from the dashboard's CSS
 * variables (lib/chart-theme) so they read in light and dark mode. Every chart renders inside
 * a `ChartFrame` with `data-chart="<name>"`, which the browser tests find; animations are off
 * (figures appear at once, and screenshots are stable). `<Cell>`s are always passed as a
 * mapped array, never inside a fragment (Recharts finds them with react-is).
 */

export type Formatter = (value: number) => string

export interface Series {
  key: string
  label: string
  color?: string
  /** For bar charts: a key holding [below, above] distances for an error bar (an interval). */
  errorKey?: string
}

const defaultFormat: Formatter = (v) => formatNumber(v)

export function ChartFrame({
  name,
  title,
  description,
  height = 240,
  legend,
  children,
  className,
}: {
  name: string
  title?: string
  description?: ReactNode
  height?: number
  legend?: { label: string; color: string }[]
  children: ReactNode
  className?: string
}) {
  return (
    <figure className={clx("flex flex-col gap-y-2", className)} data-chart={name} aria-label={title ?? name}>
      {title || description ? (
        <figcaption className="flex flex-col gap-y-0.5">
          {title ? (
            <Text size="small" leading="compact" weight="plus">
              {title}
            </Text>
          ) : null}
          {description ? (
            <Text size="small" className="text-ui-fg-subtle">
              {description}
            </Text>
          ) : null}
        </figcaption>
      ) : null}
      <div style={{ width: "100%", height }}>
        <ResponsiveContainer width="100%" height="100%">
          {children as React.ReactElement}
        </ResponsiveContainer>
      </div>
      {legend && legend.length ? <ChartLegend items={legend} /> : null}
    </figure>
  )
}

export function ChartLegend({ items }: { items: { label: string; color: string }[] }) {
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1" data-chart-legend>
      {items.map((item) => (
        <li key={item.label} className="flex items-center gap-x-1.5">
          <span className="inline-block h-2 w-2 rounded-full" style={{ background: item.color }} />
          <Text size="xsmall" className="text-ui-fg-subtle">
            {item.label}
          </Text>
        </li>
      ))}
    </ul>
  )
}

function withColors(series: Series[]): (Series & { color: string })[] {
  return series.map((s, i) => ({ ...s, color: s.color ?? seriesColor(i) }))
}

/**
 * Bars for one or more series over categories. `layout="vertical"` puts categories on the y
 * axis (long labels); `colorBy` colours each bar of a single series by its row.
 */
export function BarSeriesChart<Row extends Record<string, unknown>>({
  name,
  title,
  description,
  data,
  categoryKey,
  series,
  height = 240,
  layout = "horizontal",
  valueFormat = defaultFormat,
  axisFormat,
  categoryFormat,
  categoryTooltipFormat,
  colorBy,
  reference,
  stacked = false,
  showLegend = series.length > 1,
}: {
  name: string
  title?: string
  description?: ReactNode
  data: Row[]
  categoryKey: keyof Row & string
  series: Series[]
  height?: number
  layout?: "horizontal" | "vertical"
  valueFormat?: Formatter
  /** Value-axis ticks (default: valueFormat); shorter, e.g. compact money. */
  axisFormat?: Formatter
  categoryFormat?: (value: string) => string
  /** The tooltip's title for a category (default: categoryFormat). */
  categoryTooltipFormat?: (value: string) => string
  colorBy?: (row: Row, index: number) => string
  reference?: { value: number; label?: string }
  stacked?: boolean
  showLegend?: boolean
}) {
  const s = withColors(series)
  const vertical = layout === "vertical"
  const categoryAxis = {
    dataKey: categoryKey as string,
    type: "category" as const,
    tick: tickProps,
    tickLine: false,
    axisLine: { stroke: chartTheme.axis },
    tickFormatter: categoryFormat,
    interval: 0 as const,
  }
  const valueAxis = {
    type: "number" as const,
    tick: tickProps,
    tickLine: false,
    axisLine: false,
    tickFormatter: (v: number) => (axisFormat ?? valueFormat)(v),
  }
  return (
    <ChartFrame
      name={name}
      title={title}
      description={description}
      height={height}
      legend={showLegend ? s.map((x) => ({ label: x.label, color: x.color })) : undefined}
    >
      <BarChart data={data} layout={layout} margin={{ top: 8, right: 16, bottom: 4, left: vertical ? 8 : 0 }} barCategoryGap="20%">
        <CartesianGrid stroke={chartTheme.grid} strokeDasharray="3 3" horizontal={!vertical} vertical={vertical} />
        {vertical ? (
          <>
            <XAxis {...valueAxis} />
            <YAxis {...categoryAxis} width={140} />
          </>
        ) : (
          <>
            <XAxis {...categoryAxis} />
            <YAxis {...valueAxis} width={64} />
          </>
        )}
        <Tooltip
          {...tooltipStyle}
          cursor={{ fill: chartTheme.cursor }}
          formatter={(value, label) => [valueFormat(Number(value)), String(label)]}
          labelFormatter={(label) => {
            const f = categoryTooltipFormat ?? categoryFormat
            return f ? f(String(label)) : String(label)
          }}
        />
        {reference ? (
          <ReferenceLine
            {...(vertical ? { x: reference.value } : { y: reference.value })}
            stroke={chartTheme.baseline}
            strokeDasharray="4 4"
            label={reference.label ? { value: reference.label, fill: chartTheme.tick, fontSize: 11, position: "insideTopRight" } : undefined}
          />
        ) : null}
        {s.map((x) => (
          <Bar
            key={x.key}
            dataKey={x.key}
            name={x.label}
            fill={x.color}
            radius={stacked ? 0 : vertical ? [0, 4, 4, 0] : [4, 4, 0, 0]}
            stackId={stacked ? "stack" : undefined}
            isAnimationActive={false}
          >
            {colorBy && s.length === 1 ? data.map((row, i) => <Cell key={i} fill={colorBy(row, i)} />) : null}
            {x.errorKey ? <ErrorBar dataKey={x.errorKey} width={6} stroke={chartTheme.text} direction={vertical ? "x" : "y"} /> : null}
          </Bar>
        ))}
      </BarChart>
    </ChartFrame>
  )
}

/** Lines for one or more series over an ordered x (runs, days, versions). */
export function LineSeriesChart<Row extends Record<string, unknown>>({
  name,
  title,
  description,
  data,
  xKey,
  series,
  height = 240,
  valueFormat = defaultFormat,
  axisFormat,
  xFormat,
  yDomain,
  showLegend = true,
}: {
  name: string
  title?: string
  description?: ReactNode
  data: Row[]
  xKey: keyof Row & string
  series: Series[]
  height?: number
  valueFormat?: Formatter
  axisFormat?: Formatter
  xFormat?: (value: string) => string
  yDomain?: [number | "auto", number | "auto"]
  showLegend?: boolean
}) {
  const s = withColors(series)
  return (
    <ChartFrame
      name={name}
      title={title}
      description={description}
      height={height}
      legend={showLegend ? s.map((x) => ({ label: x.label, color: x.color })) : undefined}
    >
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={chartTheme.grid} strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey={xKey as string} tick={tickProps} tickLine={false} axisLine={{ stroke: chartTheme.axis }} tickFormatter={xFormat} minTickGap={16} />
        <YAxis tick={tickProps} tickLine={false} axisLine={false} tickFormatter={(v: number) => (axisFormat ?? valueFormat)(v)} width={64} domain={yDomain ?? ["auto", "auto"]} />
        <Tooltip
          {...tooltipStyle}
          cursor={{ stroke: chartTheme.axis }}
          formatter={(value, label) => [valueFormat(Number(value)), String(label)]}
          labelFormatter={(label) => (xFormat ? xFormat(String(label)) : String(label))}
        />
        {s.map((x) => (
          <Line
            key={x.key}
            type="monotone"
            dataKey={x.key}
            name={x.label}
            stroke={x.color}
            strokeWidth={2}
            dot={{ r: 3, fill: x.color, strokeWidth: 0 }}
            activeDot={{ r: 5 }}
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ChartFrame>
  )
}

export interface ScatterGroup {
  key: string
  label: string
  color?: string
  points: { x: number; y: number; id?: string }[]
  /** Drawn fainter (for example the other segments when one is highlighted). */
  muted?: boolean
}

/** Powers of ten from 0 up to past `max`: ticks for a symlog axis. */
function decadeTicks(max: number): number[] {
  const ticks = [0]
  for (let t = 1; t <= Math.max(10, max * 1.01); t *= 10) ticks.push(t)
  return ticks
}

/**
 * Points in groups (one colour each). `yScale="symlog"` suits heavy-tailed amounts such as
 * spend (zero stays drawable); the tooltip always shows the true values.
 */
export function ScatterGroupsChart({
  name,
  title,
  description,
  groups,
  xLabel,
  yLabel,
  xFormat = defaultFormat,
  yFormat = defaultFormat,
  xScale = "linear",
  yScale = "linear",
  height = 320,
}: {
  name: string
  title?: string
  description?: ReactNode
  groups: ScatterGroup[]
  xLabel: string
  yLabel: string
  xFormat?: Formatter
  yFormat?: Formatter
  xScale?: "linear" | "symlog"
  yScale?: "linear" | "symlog"
  height?: number
}) {
  const colored = groups.map((g, i) => ({ ...g, color: g.color ?? seriesColor(i) }))
  // Muted groups first, so highlighted points are drawn on top.
  const ordered = [...colored].sort((a, b) => Number(!!b.muted) - Number(!!a.muted))
  const maxX = Math.max(0, ...groups.flatMap((g) => g.points.map((p) => p.x)))
  const maxY = Math.max(0, ...groups.flatMap((g) => g.points.map((p) => p.y)))
  return (
    <ChartFrame
      name={name}
      title={title}
      description={description}
      height={height}
      legend={colored.map((g) => ({ label: g.label, color: g.color }))}
    >
      <ScatterChart margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
        <CartesianGrid stroke={chartTheme.grid} strokeDasharray="3 3" />
        <XAxis
          type="number"
          dataKey="x"
          name={xLabel}
          scale={xScale}
          domain={[0, "auto"]}
          ticks={xScale === "symlog" ? decadeTicks(maxX) : undefined}
          tick={tickProps}
          tickLine={false}
          axisLine={{ stroke: chartTheme.axis }}
          tickFormatter={(v: number) => xFormat(v)}
          label={{ value: xLabel, position: "insideBottom", offset: -10, fill: chartTheme.label, fontSize: 12 }}
        />
        <YAxis
          type="number"
          dataKey="y"
          name={yLabel}
          scale={yScale}
          domain={[0, "auto"]}
          ticks={yScale === "symlog" ? decadeTicks(maxY) : undefined}
          tick={tickProps}
          tickLine={false}
          axisLine={false}
          width={72}
          tickFormatter={(v: number) => yFormat(v)}
          label={{ value: yLabel, angle: -90, position: "insideLeft", fill: chartTheme.label, fontSize: 12, dy: 40 }}
        />
        <ZAxis range={[14, 14]} />
        <Tooltip
          {...tooltipStyle}
          cursor={{ strokeDasharray: "3 3", stroke: chartTheme.axis }}
          formatter={(value, label) => [String(label) === xLabel ? xFormat(Number(value)) : yFormat(Number(value)), String(label)]}
        />
        {ordered.map((g) => (
          <Scatter
            key={g.key}
            name={g.label}
            data={g.points}
            fill={g.color}
            fillOpacity={g.muted ? 0.18 : 0.75}
            isAnimationActive={false}
            data-group={g.key}
          />
        ))}
      </ScatterChart>
    </ChartFrame>
  )
}

/** A histogram of shares or probabilities in bins [from, to). */
export function HistogramChart({
  name,
  title,
  description,
  bins,
  color = semanticColors.primary,
  binFormat = (from, to) => `${formatPercent(from, 0)}–${formatPercent(to, 0)}`,
  binTickFormat = (from) => formatPercent(from, 0),
  countLabel = "Customers",
  height = 220,
}: {
  name: string
  title?: string
  description?: ReactNode
  bins: { from: number; to: number; count: number }[]
  color?: string
  /** The tooltip's title of a bin. */
  binFormat?: (from: number, to: number) => string
  /** The axis label of a bin (short: its lower bound). */
  binTickFormat?: (from: number, to: number) => string
  countLabel?: string
  height?: number
}) {
  const data = bins.map((b, i) => ({ bin: String(i), count: b.count }))
  const at = (i: string) => bins[Number(i)]
  return (
    <BarSeriesChart
      name={name}
      title={title}
      description={description}
      data={data}
      categoryKey="bin"
      series={[{ key: "count", label: countLabel, color }]}
      height={height}
      valueFormat={(v) => formatNumber(v, { maximumFractionDigits: 0 })}
      categoryFormat={(i) => (at(i) ? binTickFormat(at(i).from, at(i).to) : i)}
      categoryTooltipFormat={(i) => (at(i) ? binFormat(at(i).from, at(i).to) : i)}
      showLegend={false}
    />
  )
}

/** A thin horizontal bar (run progress, a share); `value` 0..1. */
export function ProgressBar({
  value,
  color = semanticColors.primary,
  label,
  className,
}: {
  value: number
  color?: string
  label?: string
  className?: string
}) {
  const share = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0))
  return (
    <div
      className={clx("bg-ui-bg-subtle h-1.5 w-full overflow-hidden rounded-full", className)}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(share * 100)}
      aria-label={label}
    >
      <div className="h-full rounded-full transition-[width] duration-500" style={{ width: `${share * 100}%`, background: color }} />
    </div>
  )
}
