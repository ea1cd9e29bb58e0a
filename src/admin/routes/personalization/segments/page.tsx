import { defineRouteConfig } from "@medusajs/admin-sdk"
import {
  Container,
  DataTable,
  type DataTableSortingState,
  Heading,
  Text,
  createDataTableColumnHelper,
  useDataTable,
} from "@medusajs/ui"
import { useMemo, useState } from "react"
import { useNavigate } from "react-router-dom"
import { ProgressBar } from "../../../components/charts"
import { SegmentHistoryChart, SegmentScatterChart, namesOf } from "../../../components/segment-charts"
import { EmptyState, ErrorState, LoadingState, SafeBoundary } from "../../../components/states"
import { type Segment, useSegments } from "../../../lib/api"
import { segmentColors } from "../../../lib/chart-theme"
import { formatDateTime, formatInteger, formatMoney, formatPercent, formatSigned } from "../../../lib/format"

export interface SegmentRow extends Segment {
  share: number
  change: number | null
  color: string
}

const columnHelper = createDataTableColumnHelper<SegmentRow>()

/** Descriptions open with "230 customers (28.8%): …"; the table shows the size beside it. */
function withoutSizePrefix(description: string): string {
  const m = /^[\d,.\s]+customers?\s*\([^)]*\):\s*/.exec(description)
  if (!m) return description
  const rest = description.slice(m[0].length)
  return rest.charAt(0).toUpperCase() + rest.slice(1)
}

function sortRows(rows: SegmentRow[], sorting: DataTableSortingState | null): SegmentRow[] {
  if (!sorting) return rows
  const key = sorting.id as keyof SegmentRow
  const sign = sorting.desc ? -1 : 1
  return [...rows].sort((a, b) => {
    const x = a[key]
    const y = b[key]
    if (x == null && y == null) return 0
    if (x == null) return 1
    if (y == null) return -1
    return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * sign
  })
}

function SegmentsTable() {
  const q = useSegments()
  const navigate = useNavigate()
  const [sorting, setSorting] = useState<DataTableSortingState | null>({ id: "size", desc: true })
  const currency = q.data?.run?.currency_code ?? null
  const windowDays = q.data?.run?.window_days ?? null

  const rows = useMemo<SegmentRow[]>(() => {
    const segments = q.data?.segments ?? []
    const total = segments.reduce((n, s) => n + s.size, 0)
    const colors = segmentColors(segments.map((s) => s.key))
    return segments.map((s) => ({
      ...s,
      share: s.share ?? (total ? s.size / total : 0),
      change: s.previous_size == null ? null : s.size - s.previous_size,
      description: withoutSizePrefix(s.description),
      color: colors[s.key],
    }))
  }, [q.data])

  const columns = useMemo(
    () => [
      columnHelper.accessor("name", {
        header: "Segment",
        enableSorting: true,
        sortLabel: "Name",
        cell: ({ row }) => (
          <div className="flex items-center gap-x-2" data-segment-key={row.original.key}>
            <span className="inline-block h-2.5 w-2.5 shrink-0 rounded-full" style={{ background: row.original.color }} />
            <Text size="small" weight="plus">
              {row.original.name}
            </Text>
          </div>
        ),
      }),
      columnHelper.accessor("description", {
        header: "Description",
        cell: ({ getValue }) => (
          <Text size="small" className="text-ui-fg-subtle min-w-[260px] max-w-[420px] whitespace-normal py-2">
            {getValue()}
          </Text>
        ),
        maxSize: 420,
      }),
      columnHelper.accessor("size", {
        header: "Customers",
        enableSorting: true,
        sortLabel: "Customers",
        cell: ({ row }) => (
          <div className="flex min-w-[120px] flex-col gap-y-1">
            <Text size="small" className="tabular-nums" data-cell="size">
              {formatInteger(row.original.size)} · {formatPercent(row.original.share)}
            </Text>
            <ProgressBar value={row.original.share} color={row.original.color} label="Share of customers" />
          </div>
        ),
      }),
      columnHelper.accessor("change", {
        header: "Since last run",
        enableSorting: true,
        sortLabel: "Change since last run",
        cell: ({ getValue, row }) => {
          const v = getValue()
          // previous_size is null when no earlier completed run had this segment (or there is none).
          if (v == null || row.original.previous_size == null) {
            return (
              <Text size="small" className="text-ui-fg-muted" title="No earlier run had this segment">
                –
              </Text>
            )
          }
          return (
            <Text size="small" className={v > 0 ? "text-ui-tag-green-text" : v < 0 ? "text-ui-tag-red-text" : ""} data-cell="change">
              {formatSigned(v)}
            </Text>
          )
        },
      }),
      columnHelper.accessor("mean_buy_probability", {
        header: windowDays ? `Buys again (${windowDays} d)` : "Buys again",
        enableSorting: true,
        sortLabel: "Buy-again probability",
        cell: ({ getValue }) => (
          <Text size="small" className="tabular-nums" data-cell="buy-probability">
            {formatPercent(getValue() ?? null)}
          </Text>
        ),
      }),
      columnHelper.accessor("mean_expected_spend", {
        header: "Expected spend",
        enableSorting: true,
        sortLabel: "Expected spend",
        cell: ({ getValue }) => (
          <Text size="small" className="tabular-nums" data-cell="expected-spend">
            {formatMoney(getValue() ?? null, currency)}
          </Text>
        ),
      }),
    ],
    [currency, windowDays]
  )

  const data = useMemo(() => sortRows(rows, sorting), [rows, sorting])
  const table = useDataTable({
    data,
    columns,
    getRowId: (row) => row.key,
    rowCount: data.length,
    isLoading: q.isLoading,
    sorting: { state: sorting, onSortingChange: setSorting },
    onRowClick: (_event, row) => navigate(`/personalization/segments/${encodeURIComponent(row.key)}`),
  })

  const run = q.data?.run
  return (
    <Container className="divide-y p-0" data-section="segments-table">
      <DataTable instance={table}>
        <DataTable.Toolbar className="flex items-start justify-between gap-x-4 px-6 py-4">
          <div className="flex flex-col gap-y-1">
            <Heading level="h1">Segments</Heading>
            <Text size="small" className="text-ui-fg-subtle">
              Customers grouped by how recently, how often and how much they buy
              {run ? `, as of ${formatDateTime(run.as_of ?? run.finished_at)}` : ""}.
              {windowDays ? ` Predictions cover the next ${windowDays} days.` : ""} Click a segment for its charts, rules and members.
            </Text>
          </div>
          <DataTable.SortingMenu tooltip="Sort" />
        </DataTable.Toolbar>
        {q.isError ? (
          <ErrorState error={q.error} title="Could not load the segments" onRetry={() => void q.refetch()} />
        ) : !q.isLoading && rows.length === 0 ? (
          <EmptyState
            title="No segments yet"
            description="Segments appear after the first completed segmentation run (Personalization → Segmentation → Run now)."
          />
        ) : (
          <DataTable.Table />
        )}
      </DataTable>
    </Container>
  )
}

function SegmentCharts() {
  const q = useSegments()
  const segments = q.data?.segments ?? []
  const colors = useMemo(() => segmentColors(segments.map((s) => s.key)), [segments])
  const names = useMemo(() => namesOf(segments), [segments])
  if (q.isLoading) return <LoadingState rows={4} />
  if (!segments.length) return null
  return (
    <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
      <Container className="px-6 py-4">
        <SafeBoundary>
          <SegmentScatterChart colors={colors} names={names} />
        </SafeBoundary>
      </Container>
      <Container className="px-6 py-4">
        <SafeBoundary>
          <SegmentHistoryChart colors={colors} names={names} />
        </SafeBoundary>
      </Container>
    </div>
  )
}

const SegmentsPage = () => (
  <div className="flex flex-col gap-y-3" data-page="segments">
    <SafeBoundary>
      <SegmentsTable />
    </SafeBoundary>
    <SafeBoundary>
      <SegmentCharts />
    </SafeBoundary>
  </div>
)

export const config = defineRouteConfig({
  label: "Segments",
  rank: 1,
})

export const handle = {
  breadcrumb: () => "Segments",
}

export default SegmentsPage
