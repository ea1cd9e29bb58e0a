/**
 * Chart colours from the dashboard's CSS variables. Recharts writes them into SVG attributes
 * as `var(--…)`, so a chart follows the light and dark themes (the `.dark` class on <html>)
 * without re-rendering.
 */

export const chartTheme = {
  grid: "var(--border-base)",
  axis: "var(--border-strong)",
  tick: "var(--fg-muted)",
  label: "var(--fg-subtle)",
  text: "var(--fg-base)",
  background: "var(--bg-base)",
  cursor: "var(--bg-subtle-hover)",
  /** The store, a baseline or a comparison series. */
  baseline: "var(--tag-neutral-icon)",
  fontSize: 12,
} as const

/** Series colours, most distinct first; `seriesColor(i)` cycles through them. */
export const seriesPalette = [
  "var(--tag-blue-icon)",
  "var(--tag-orange-icon)",
  "var(--tag-green-icon)",
  "var(--tag-purple-icon)",
  "var(--tag-red-icon)",
  "var(--tag-blue-text)",
  "var(--tag-orange-text)",
  "var(--tag-green-text)",
  "var(--tag-purple-text)",
  "var(--tag-red-text)",
] as const

export function seriesColor(index: number): string {
  return seriesPalette[((index % seriesPalette.length) + seriesPalette.length) % seriesPalette.length]
}

/** Named colours for meanings that repeat across pages. */
export const semanticColors = {
  primary: "var(--tag-blue-icon)",
  positive: "var(--tag-green-icon)",
  negative: "var(--tag-red-icon)",
  warning: "var(--tag-orange-icon)",
  neutral: "var(--tag-neutral-icon)",
  accent: "var(--tag-purple-icon)",
} as const

/** Axis tick props shared by every chart. */
export const tickProps = { fill: chartTheme.tick, fontSize: chartTheme.fontSize } as const

/** Tooltip box in the dashboard's card style. */
export const tooltipStyle = {
  contentStyle: {
    background: "var(--bg-base)",
    border: "1px solid var(--border-base)",
    borderRadius: 8,
    boxShadow: "var(--elevation-flyout)",
    color: "var(--fg-base)",
    fontSize: 12,
  },
  labelStyle: { color: "var(--fg-subtle)", marginBottom: 4 },
  itemStyle: { color: "var(--fg-base)" },
} as const

/**
 * A stable colour per segment key across charts: keys sorted, each the palette colour of its
 * index, so "seg-2" has the same colour on the scatter, the history and the table.
 */
export function segmentColors(keys: string[]): Record<string, string> {
  const sorted = [...new Set(keys)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
  return Object.fromEntries(sorted.map((k, i) => [k, seriesColor(i)]))
}
