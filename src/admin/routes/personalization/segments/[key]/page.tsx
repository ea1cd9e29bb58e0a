import {
  Badge,
  Container,
  DataTable,
  type DataTablePaginationState,
  Heading,
  Text,
  createDataTableColumnHelper,
  useDataTable,
} from "@medusajs/ui"
import { useMemo, useState } from "react"
import { Link, useParams } from "react-router-dom"
import { BarSeriesChart, HistogramChart } from "../../../../components/charts"
import { SegmentHistoryChart, SegmentScatterChart, namesOf } from "../../../../components/segment-charts"
import { EmptyState, ErrorState, LoadingState, SafeBoundary } from "../../../../components/states"
import { type SegmentDetail, type SegmentMember, useSegment, useSegmentCustomers, useSegments } from "../../../../lib/api"
import { chartTheme, segmentColors } from "../../../../lib/chart-theme"
import { formatDays, formatInteger, formatMoney, formatNumber, formatPercent, formatSigned } from "../../../../lib/format"
import { CreateCampaignModal } from "../../../../components/segment-campaigns/create-campaign-modal"

type FeatureFormat = (v: number) => string

/** Axis ticks of a centre feature: plain numbers for days and orders, compact money. */
export function featureAxisFormat(feature: string, currency: string | null): FeatureFormat {
  if (/monetary|spend/.test(feature)) return (v) => formatMoney(v, currency, { compact: true })
  if (/probability/.test(feature)) return (v) => formatPercent(v, 0)
  return (v) => formatNumber(v, { maximumFractionDigits: 1 })
}

/** How each centre feature reads: recency in days, orders, money, a probability. */
export function featureFormat(feature: string, currency: string | null): FeatureFormat {
  if (/recency/.test(feature)) return (v) => formatDays(v)
  if (/monetary|spend/.test(feature)) return (v) => formatMoney(v, currency)
  if (/probability/.test(feature)) return (v) => formatPercent(v)
  if (/frequency|orders|invoices/.test(feature)) return (v) => formatNumber(v, { maximumFractionDigits: 1 })
  return (v) => formatNumber(v, { maximumFractionDigits: 2 })
}

function Header({ detail, currency, windowDays }: { detail: SegmentDetail; currency: string | null; windowDays: number | null }) {
  const s = detail.segment
  const change = s.previous_size == null ? null : s.size - s.previous_size
  return (
    <Container className="divide-y p-0" data-section="segment-header">
      <div className="flex items-start justify-between gap-x-4 px-6 py-4">
        <div className="flex flex-col gap-y-1">
          <div className="flex items-center gap-x-2">
            <Heading level="h1">{s.name}</Heading>
            <Badge size="2xsmall" color="grey">
              {s.key}
            </Badge>
          </div>
          <Text size="small" className="text-ui-fg-subtle">
            {s.description}
          </Text>
        </div>
        <div className="flex shrink-0 items-center gap-x-2" data-slot="segment-actions">
          <CreateCampaignModal segmentKey={s.key} />
        </div>
      </div>
      <div className="grid grid-cols-2 gap-4 px-6 py-4 md:grid-cols-4">
        <Figure label="Customers" value={formatInteger(s.size)} hint={`${formatPercent(s.share ?? null)} of segmented customers`} />
        <Figure label="Since the last run" value={change == null ? "–" : formatSigned(change)} hint={s.previous_size == null ? "no earlier run had this segment" : `was ${formatInteger(s.previous_size)}`} />
        <Figure
          label="Buys again"
          value={formatPercent(s.mean_buy_probability ?? null)}
          hint={windowDays ? `mean probability of an order in the next ${windowDays} days` : "mean probability of another order"}
          testId="buy-probability"
        />
        <Figure
          label="Expected spend"
          value={formatMoney(s.mean_expected_spend ?? null, currency)}
          hint={windowDays ? `mean per customer in the next ${windowDays} days` : "mean per customer"}
          testId="expected-spend"
        />
      </div>
    </Container>
  )
}

function Figure({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="flex flex-col gap-y-0.5" data-figure={testId ?? label}>
      <Text size="small" className="text-ui-fg-subtle">
        {label}
      </Text>
      <Text size="xlarge" weight="plus" className="tabular-nums" data-value>
        {value}
      </Text>
      {hint ? (
        <Text size="xsmall" className="text-ui-fg-muted">
          {hint}
        </Text>
      ) : null}
    </div>
  )
}

function CentreCharts({ detail, currency, color }: { detail: SegmentDetail; currency: string | null; color: string }) {
  if (!detail.centre.length) return <EmptyState className="px-0 py-0" title="No centre recorded for this segment" />
  return (
    <div className="flex flex-col gap-y-3" data-chart-group="centre">
      <div className="flex flex-col gap-y-0.5">
        <Text size="small" leading="compact" weight="plus">
          Typical customer against the store
        </Text>
        <Text size="small" className="text-ui-fg-subtle">
          The segment's centre next to the average over all segmented customers.
        </Text>
      </div>
      <div className={`grid grid-cols-1 gap-4 sm:grid-cols-2 ${detail.centre.length >= 4 ? "xl:grid-cols-4" : "xl:grid-cols-3"}`}>
        {detail.centre.map((c) => {
          const format = featureFormat(c.feature, currency)
          return (
            <BarSeriesChart
              key={c.feature}
              name={`centre-${c.feature}`}
              title={c.label}
              description={`${format(c.segment)} here, ${format(c.store)} in the store`}
              data={[
                { who: "Segment", value: c.segment },
                { who: "Store", value: c.store },
              ]}
              categoryKey="who"
              series={[{ key: "value", label: c.label, color }]}
              colorBy={(row) => (row.who === "Segment" ? color : chartTheme.baseline)}
              valueFormat={format}
              axisFormat={featureAxisFormat(c.feature, currency)}
              height={160}
              showLegend={false}
            />
          )
        })}
      </div>
    </div>
  )
}

function Rules({ rules, currency }: { rules: SegmentDetail["rules"]; currency: string | null }) {
  if (!rules || !rules.conditions.length) {
    return <EmptyState className="px-0 py-0" title="No simple rule describes this segment" description="A shallow decision tree found no short path that isolates it." />
  }
  return (
    <div className="flex flex-col gap-y-3" data-section="rules">
      <div className="flex flex-col gap-y-0.5">
        <Text size="small" leading="compact" weight="plus">
          In plain rules
        </Text>
        <Text size="small" className="text-ui-fg-subtle">
          {rules.text}
        </Text>
      </div>
      <ul className="flex flex-col gap-y-1">
        {rules.conditions.map((c, i) => (
          <li key={i} className="flex items-center gap-x-2" data-rule={c.feature}>
            <Badge size="2xsmall" color="blue">
              {i === 0 ? "if" : "and"}
            </Badge>
            <Text size="small">
              {c.label} {c.operator === "<=" ? "≤" : ">"} {featureFormat(c.feature, currency)(c.threshold)}
            </Text>
          </li>
        ))}
      </ul>
      <Text size="small" className="text-ui-fg-subtle" data-rule-accuracy>
        These rules cover {formatPercent(rules.member_accuracy)} of the segment's members and leave out{" "}
        {formatPercent(rules.non_member_accuracy)} of the other customers.
      </Text>
    </div>
  )
}

const memberColumns = createDataTableColumnHelper<SegmentMember>()

function Members({ segmentKey, currency }: { segmentKey: string; currency: string | null }) {
  const [pagination, setPagination] = useState<DataTablePaginationState>({ pageIndex: 0, pageSize: 20 })
  const q = useSegmentCustomers(segmentKey, pagination.pageSize, pagination.pageIndex * pagination.pageSize)
  const cur = q.data?.prediction?.currency_code ?? currency
  const columns = useMemo(
    () => [
      memberColumns.display({
        id: "customer",
        header: "Customer",
        cell: ({ row }) => {
          const m = row.original
          const name = [m.first_name, m.last_name].filter(Boolean).join(" ")
          return (
            <Link
              to={`/customers/${encodeURIComponent(m.customer_id)}`}
              className="text-ui-fg-interactive hover:text-ui-fg-interactive-hover"
              data-member-link={m.customer_id}
              onClick={(e) => e.stopPropagation()}
            >
              {name || m.email || m.customer_id}
            </Link>
          )
        },
      }),
      memberColumns.accessor("email", {
        header: "Email",
        cell: ({ getValue }) => <Text size="small">{getValue() ?? "–"}</Text>,
      }),
      memberColumns.accessor("buy_probability", {
        header: "Buys again",
        cell: ({ getValue }) => <Text size="small" className="tabular-nums">{formatPercent(getValue())}</Text>,
      }),
      memberColumns.accessor("expected_spend", {
        header: "Expected spend",
        cell: ({ getValue }) => <Text size="small" className="tabular-nums">{formatMoney(getValue(), cur)}</Text>,
      }),
      memberColumns.accessor("in_control", {
        header: "Group",
        cell: ({ getValue }) =>
          getValue() ? (
            <Badge size="2xsmall" color="orange">
              holdout
            </Badge>
          ) : (
            <Badge size="2xsmall" color="green">
              in group
            </Badge>
          ),
      }),
    ],
    [cur]
  )
  const table = useDataTable({
    data: q.data?.customers ?? [],
    columns,
    getRowId: (m) => m.customer_id,
    rowCount: q.data?.count ?? 0,
    isLoading: q.isLoading,
    pagination: { state: pagination, onPaginationChange: setPagination },
  })
  return (
    <Container className="divide-y p-0" data-section="members">
      <DataTable instance={table}>
        <DataTable.Toolbar className="px-6 py-4">
          <div className="flex w-full flex-col items-start gap-y-1">
            <Heading level="h2">Members</Heading>
            <Text size="small" className="text-ui-fg-subtle">
              {q.data
                ? `${formatInteger(q.data.count)} customers. "Holdout" members stay out of the segment's customer group, so what a segment promotion earns can be measured against them.`
                : "Customers of this segment."}
            </Text>
          </div>
        </DataTable.Toolbar>
        {q.isError ? <ErrorState error={q.error} title="Could not load the members" onRetry={() => void q.refetch()} /> : <DataTable.Table />}
        <DataTable.Pagination />
      </DataTable>
    </Container>
  )
}

const SegmentPage = () => {
  const { key = "" } = useParams()
  const q = useSegment(key)
  const all = useSegments()
  const segments = all.data?.segments ?? []
  const colors = useMemo(() => segmentColors(segments.map((s) => s.key).concat(key)), [segments, key])
  const names = useMemo(() => namesOf(segments), [segments])
  const currency = q.data?.run?.currency_code ?? all.data?.run?.currency_code ?? null
  const windowDays = q.data?.run?.window_days ?? all.data?.run?.window_days ?? null

  if (q.isLoading) {
    return (
      <Container className="p-0">
        <LoadingState rows={6} />
      </Container>
    )
  }
  if (q.isError || !q.data) {
    return (
      <Container className="p-0">
        <ErrorState
          error={q.error}
          title={(q.error as { status?: number } | null)?.status === 404 ? `No current segment "${key}"` : "Could not load the segment"}
          onRetry={() => void q.refetch()}
        />
      </Container>
    )
  }
  const detail = q.data
  const color = colors[key]
  return (
    <div className="flex flex-col gap-y-3" data-page="segment" data-segment-key={key}>
      <SafeBoundary>
        <Header detail={detail} currency={currency} windowDays={windowDays} />
      </SafeBoundary>
      <Container className="px-6 py-4">
        <SafeBoundary>
          <CentreCharts detail={detail} currency={currency} color={color} />
        </SafeBoundary>
      </Container>
      <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
        <Container className="px-6 py-4">
          <SafeBoundary>
            <SegmentScatterChart colors={colors} names={names} highlight={key} />
          </SafeBoundary>
        </Container>
        <Container className="flex flex-col gap-y-6 px-6 py-4">
          <SafeBoundary>
            <SegmentHistoryChart colors={colors} names={names} only={key} />
          </SafeBoundary>
          <SafeBoundary>
            {detail.buy_probability_histogram.length ? (
              <HistogramChart
                name="buy-probability-histogram"
                title="Chance of buying again"
                description={`How many members fall in each band of buy-again probability${windowDays ? ` (next ${windowDays} days)` : ""}.`}
                bins={detail.buy_probability_histogram}
                color={color}
              />
            ) : (
              <EmptyState className="px-0 py-0" title="No purchase predictions in this run" description="The run had too little history to fit the purchase model." />
            )}
          </SafeBoundary>
        </Container>
      </div>
      <Container className="px-6 py-4">
        <SafeBoundary>
          <Rules rules={detail.rules} currency={currency} />
        </SafeBoundary>
      </Container>
      <SafeBoundary>
        <Members segmentKey={key} currency={currency} />
      </SafeBoundary>
    </div>
  )
}

export const handle = {
  breadcrumb: (match: { params?: { key?: string } }) => match.params?.key ?? "Segment",
}

export default SegmentPage
