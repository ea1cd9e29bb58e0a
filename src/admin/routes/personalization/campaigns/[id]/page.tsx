import { Button, Container, Heading, Table, Text, toast, usePrompt } from "@medusajs/ui"
import { errorMessage } from "../../../../lib/api"
import type { ReactNode } from "react"
import { Link, useParams } from "react-router-dom"
import { ConversionChart } from "../../../../components/segment-campaigns/conversion-chart"
import { formatDateTime, formatInteger, formatMoney, formatPercent, formatPoints } from "../../../../lib/format"
import { LoadingState } from "../../../../components/states"
import { CampaignStatusBadge } from "../../../../components/segment-campaigns/status"
import { MoneyInterval, SignificanceBadge } from "../../../../components/segment-campaigns/uplift"
import {
  type Arm,
  type ArmSummary,
  type CampaignReport,
  type SegmentCampaign,
  useCampaignMessages,
  useCampaignReport,
  useEndCampaign,
  useRefreshReport,
  useSegmentCampaign,
  useSendMessages,
} from "../../../../lib/segment-campaigns"

const EXCLUDED_LABELS: Record<string, string> = {
  standing_holdout: "in the standing holdout",
  opted_out: "opted out",
  in_other_campaign: "in another running segment campaign",
}

function Section({ title, description, actions, children, testId }: { title: string; description?: ReactNode; actions?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Container className="divide-y p-0" data-testid={testId}>
      <div className="flex items-center justify-between px-6 py-4">
        <div>
          <Heading level="h2">{title}</Heading>
          {description && <Text size="small" className="text-ui-fg-subtle">{description}</Text>}
        </div>
        {actions}
      </div>
      {children}
    </Container>
  )
}

function Muted({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="px-6 py-6" data-testid={testId}>
      <Text size="small" className="text-ui-fg-muted">{children}</Text>
    </div>
  )
}

function Header({ campaign }: { campaign: SegmentCampaign }) {
  const prompt = usePrompt()
  const end = useEndCampaign(campaign.id)
  const onEnd = async () => {
    const ok = await prompt({
      title: "End this segment campaign?",
      description: "The promotion is deactivated now, for every customer. The arms and the report are kept; the report stops counting at this moment.",
      confirmText: "End campaign",
      cancelText: "Cancel",
    })
    if (!ok) return
    try {
      await end.mutateAsync()
      toast.success("Campaign ended", { description: "Its promotion is no longer active." })
    } catch (e) {
      toast.error("Could not end the campaign", { description: errorMessage(e) })
    }
  }
  const links: [string, string | null][] = [
    ["Segment", `/personalization/segments/${campaign.segment_key}`],
    ["Promotion", campaign.promotion_id ? `/promotions/${campaign.promotion_id}` : null],
    ["Medusa campaign", campaign.medusa_campaign_id ? `/campaigns/${campaign.medusa_campaign_id}` : null],
    ["Treated group", campaign.customer_group_id ? `/customer-groups/${campaign.customer_group_id}` : null],
  ]
  return (
    <Container className="divide-y p-0">
      <div className="flex items-start justify-between gap-x-4 px-6 py-4">
        <div className="flex flex-col gap-y-1">
          <div className="flex items-center gap-x-2">
            <Heading data-testid="campaign-name">{campaign.name}</Heading>
            <CampaignStatusBadge status={campaign.status} startsAt={campaign.starts_at} endsAt={campaign.ends_at} />
          </div>
          <Text size="small" className="text-ui-fg-subtle">
            {campaign.segment_name} · {formatDateTime(campaign.starts_at)} – {formatDateTime(campaign.ended_at ?? campaign.ends_at)}
            {campaign.promotion_code ? ` · code ${campaign.promotion_code}` : ""}
          </Text>
          {campaign.description && <Text size="small">{campaign.description}</Text>}
        </div>
        {campaign.status !== "ended" && (
          <Button size="small" variant="secondary" onClick={onEnd} isLoading={end.isPending} data-testid="end-campaign">
            End campaign
          </Button>
        )}
      </div>
      <div className="flex flex-wrap gap-x-6 gap-y-1 px-6 py-3">
        {links.map(([label, href]) =>
          href ? (
            <Link key={label} to={href} className="text-ui-fg-interactive hover:text-ui-fg-interactive-hover txt-compact-small">
              {label} →
            </Link>
          ) : (
            <Text key={label} size="small" className="text-ui-fg-muted">{label}: deleted</Text>
          )
        )}
        {campaign.medusa_promotion && (
          <Text size="small" className="text-ui-fg-subtle">Promotion status in Medusa: {campaign.medusa_promotion.status}</Text>
        )}
      </div>
    </Container>
  )
}

function ArmsSection({ campaign }: { campaign: SegmentCampaign }) {
  const excluded = Object.entries(campaign.excluded ?? {}).filter(([, n]) => n > 0)
  return (
    <Section
      title="Arms"
      testId="campaign-arms"
      description={`Frozen when the campaign was created: ${formatPercent(campaign.control_share, 0)} of the eligible members were drawn into the control group, which gets no promotion and no message. Later segmentation runs do not move anyone.`}
    >
      <div className="grid grid-cols-2 divide-x">
        {(["treatment", "control"] as const).map((arm) => (
          <div key={arm} className="flex flex-col gap-y-1 px-6 py-4">
            <Text size="small" className="text-ui-fg-subtle">{arm === "treatment" ? "Treated" : "Control"}</Text>
            <Text size="xlarge" weight="plus" data-testid={`arm-${arm}-current`}>{formatInteger(campaign.arms[arm].current)}</Text>
            <Text size="xsmall" className="text-ui-fg-subtle">
              {formatInteger(campaign.arms[arm].created)} at creation{campaign.arms[arm].left ? `, ${formatInteger(campaign.arms[arm].left)} left since (deleted or opted out)` : ""}
            </Text>
          </div>
        ))}
      </div>
      {excluded.length > 0 && (
        <div className="px-6 py-3">
          <Text size="xsmall" className="text-ui-fg-subtle">
            Members left out of both arms: {excluded.map(([reason, n]) => `${formatInteger(n)} ${EXCLUDED_LABELS[reason] ?? reason}`).join(", ")}.
          </Text>
        </div>
      )}
    </Section>
  )
}

const ROWS: { label: string; value: (s: ArmSummary, currency: string) => string; key: keyof ArmSummary }[] = [
  { key: "customers", label: "Customers", value: (s) => formatInteger(s.customers) },
  { key: "buyers", label: "Buyers", value: (s) => formatInteger(s.buyers) },
  { key: "conversion_rate", label: "Conversion", value: (s) => formatPercent(s.conversion_rate) },
  { key: "orders", label: "Orders", value: (s) => formatInteger(s.orders) },
  { key: "revenue", label: "Revenue (after discounts)", value: (s, c) => formatMoney(s.revenue, c) },
  { key: "revenue_per_customer", label: "Revenue per customer", value: (s, c) => formatMoney(s.revenue_per_customer, c) },
  { key: "promotion_orders", label: "Orders that used the promotion", value: (s) => formatInteger(s.promotion_orders) },
  { key: "discount", label: "Discount given", value: (s, c) => formatMoney(s.discount, c) },
  { key: "pre_revenue_per_customer", label: "Revenue per customer before (same length)", value: (s, c) => formatMoney(s.pre_revenue_per_customer, c) },
]

function ArmTable({ report }: { report: CampaignReport }) {
  const arms: Arm[] = ["treatment", "control"]
  return (
    <Table>
      <Table.Header>
        <Table.Row>
          <Table.HeaderCell>Per arm</Table.HeaderCell>
          <Table.HeaderCell className="text-right">Treated</Table.HeaderCell>
          <Table.HeaderCell className="text-right">Control</Table.HeaderCell>
        </Table.Row>
      </Table.Header>
      <Table.Body>
        {ROWS.map((row) => (
          <Table.Row key={row.key}>
            <Table.Cell>{row.label}</Table.Cell>
            {arms.map((arm) => (
              <Table.Cell key={arm} className="text-right tabular-nums" data-testid={`report-${arm}-${row.key}`}>
                {row.value(report.arms[arm], report.currency_code)}
              </Table.Cell>
            ))}
          </Table.Row>
        ))}
      </Table.Body>
    </Table>
  )
}

function UpliftList({ report }: { report: CampaignReport }) {
  if (!report.uplift) return <Muted testId="uplift-unmeasurable">{report.unmeasurable_reason ?? "Nothing can be measured."}</Muted>
  const u = report.uplift
  const c = report.currency_code
  const items: { label: string; value: ReactNode; note: ReactNode; testId: string }[] = [
    {
      label: "Conversion uplift",
      testId: "uplift-conversion",
      value: (
        <span>
          <span className="font-medium">{formatPoints(u.conversion_rate.estimate)}</span>{" "}
          <span className="text-ui-fg-subtle">(95%: {formatPoints(u.conversion_rate.low)} to {formatPoints(u.conversion_rate.high)})</span>
        </span>
      ),
      note: (
        <>
          <SignificanceBadge interval={u.conversion_rate} /> Smallest uplift this campaign can detect: {formatPoints(u.conversion_rate.minimum_detectable ?? 0)}
        </>
      ),
    },
    {
      label: "Revenue per customer uplift",
      testId: "uplift-revenue",
      value: <MoneyInterval interval={u.revenue_per_customer} currency={c} />,
      note: (
        <>
          <SignificanceBadge interval={u.revenue_per_customer} /> Smallest detectable: {formatMoney(u.revenue_per_customer.minimum_detectable ?? 0, c)}
        </>
      ),
    },
    {
      label: "Revenue per customer uplift, adjusted (CUPED)",
      testId: "uplift-revenue-cuped",
      value: <MoneyInterval interval={u.revenue_per_customer_cuped} currency={c} />,
      note: (
        <>
          <SignificanceBadge interval={u.revenue_per_customer_cuped} /> Adjusted by each customer's revenue before the campaign: variance reduced by{" "}
          {formatPercent(u.revenue_per_customer_cuped.variance_reduction)}
        </>
      ),
    },
    {
      label: "Incremental revenue",
      testId: "uplift-incremental",
      value: <MoneyInterval interval={u.incremental_revenue} currency={c} />,
      note: <>Adjusted uplift per customer × treated customers; revenue is already after discounts (discount given: {formatMoney(report.arms.treatment.discount, c)}, not subtracted again).</>,
    },
  ]
  return (
    <div className="divide-y">
      {items.map((item) => (
        <div key={item.label} className="grid grid-cols-[1fr_2fr] gap-x-4 px-6 py-3" data-testid={item.testId}>
          <Text size="small" leading="compact" weight="plus">{item.label}</Text>
          <div className="flex flex-col gap-y-1">
            <Text size="small" leading="compact">{item.value}</Text>
            <Text size="xsmall" className="text-ui-fg-subtle">{item.note}</Text>
          </div>
        </div>
      ))}
    </div>
  )
}

function ReportSection({ id }: { id: string }) {
  const report = useCampaignReport(id)
  const refresh = useRefreshReport(id)
  const onRefresh = async () => {
    try {
      await refresh.mutateAsync()
      toast.success("Report recomputed from the ledger")
    } catch (e) {
      toast.error("Could not recompute the report", { description: errorMessage(e) })
    }
  }
  const r = report.data?.report
  return (
    <>
      <Section
        title="Outcome"
        testId="campaign-report"
        description={
          r
            ? `From counted orders placed ${formatDateTime(r.window.starts_at)} – ${formatDateTime(r.window.observed_until)} (${r.window.days.toFixed(1)} days); computed ${formatDateTime(report.data?.computed_at)}. Recomputed nightly.`
            : "Counted orders of both arms within the campaign's window."
        }
        actions={
          <Button size="small" variant="secondary" onClick={onRefresh} isLoading={refresh.isPending} data-testid="refresh-report">
            Recompute now
          </Button>
        }
      >
        {report.isLoading ? (
          <Muted>Loading the report…</Muted>
        ) : report.isError ? (
          <Muted testId="report-error">Could not load the report: {errorMessage(report.error)}</Muted>
        ) : !r ? (
          <Muted>No report yet.</Muted>
        ) : (
          <>
            <UpliftList report={r} />
            <ArmTable report={r} />
          </>
        )}
      </Section>
      <Section title="Cumulative conversion" description="Share of each arm that has bought at least once since the campaign started. The gap between the lines is the conversion uplift so far." testId="campaign-chart">
        <div className="px-6 py-4">
          {report.data ? <ConversionChart days={report.data.days} /> : <Muted>Loading…</Muted>}
        </div>
      </Section>
    </>
  )
}

function MessagesSection({ campaign }: { campaign: SegmentCampaign }) {
  const messages = useCampaignMessages(campaign.id, { enabled: !!campaign.message })
  const send = useSendMessages(campaign.id)
  if (!campaign.message) {
    return (
      <Section title="Message" testId="campaign-messages">
        <Muted>This campaign sends no message: treated customers get the promotion only.</Muted>
      </Section>
    )
  }
  const data = messages.data
  const open = data?.sends.find((s) => s.status === "queued" || s.status === "running")
  const latest = data?.sends[0]
  const onSend = async () => {
    try {
      await send.mutateAsync()
      toast.info("Sending in the background", { description: "Customers who already have their message are skipped." })
    } catch (e) {
      toast.error("Could not start sending", { description: errorMessage(e) })
    }
  }
  return (
    <Section
      title="Message"
      testId="campaign-messages"
      description={`Each treated customer gets one notification (template ${campaign.message.template}) with the code and their top ${campaign.message.recommendations} recommendations. Control and opted-out customers get none; sending again sends only what has not been delivered.`}
      actions={
        <Button size="small" onClick={onSend} disabled={!!open || campaign.status === "ended"} isLoading={send.isPending} data-testid="send-messages">
          {data && data.counts.failure > 0 ? "Retry failed" : "Send messages"}
        </Button>
      }
    >
      {messages.isError ? (
        <Muted>Could not load the messages: {errorMessage(messages.error)}</Muted>
      ) : !data ? (
        <Muted>Loading…</Muted>
      ) : (
        <>
          <div className="grid grid-cols-3 divide-x">
            {[
              ["Delivered", data.counts.success, "messages-success"],
              ["Failed", data.counts.failure, "messages-failure"],
              ["Treated now", campaign.arms.treatment.current, "messages-treated"],
            ].map(([label, n, testId]) => (
              <div key={String(label)} className="flex flex-col px-6 py-3">
                <Text size="small" className="text-ui-fg-subtle">{label}</Text>
                <Text size="large" weight="plus" data-testid={String(testId)}>{formatInteger(Number(n))}</Text>
              </div>
            ))}
          </div>
          {latest && (
            <div className="flex flex-col gap-y-2 px-6 py-3" data-testid="latest-send">
              <Text size="small">
                Latest send: {latest.status}, {formatInteger(latest.processed)} of {formatInteger(latest.total)} processed ({formatInteger(latest.sent)} sent, {formatInteger(latest.failed)} failed, {formatInteger(latest.skipped)} skipped)
              </Text>
              <div className="h-1.5 w-full overflow-hidden rounded-full bg-ui-bg-component">
                <div className="h-full bg-ui-fg-interactive transition-all" style={{ width: `${latest.total ? (100 * latest.processed) / latest.total : 100}%` }} />
              </div>
              {latest.error && <Text size="small" className="text-ui-fg-error" data-testid="send-error">{latest.error}</Text>}
            </div>
          )}
          {data.failures.length > 0 && (
            <Table>
              <Table.Header>
                <Table.Row>
                  <Table.HeaderCell>Customer</Table.HeaderCell>
                  <Table.HeaderCell>Attempts</Table.HeaderCell>
                  <Table.HeaderCell>Error</Table.HeaderCell>
                </Table.Row>
              </Table.Header>
              <Table.Body>
                {data.failures.map((f) => (
                  <Table.Row key={f.customer_id}>
                    <Table.Cell>
                      <Link to={`/customers/${f.customer_id}`} className="text-ui-fg-interactive">{f.customer_id}</Link>
                    </Table.Cell>
                    <Table.Cell>{f.attempts}</Table.Cell>
                    <Table.Cell className="text-ui-fg-error">{f.error ?? "–"}</Table.Cell>
                  </Table.Row>
                ))}
              </Table.Body>
            </Table>
          )}
        </>
      )}
    </Section>
  )
}

/** A segment campaign: its arms, outcome report with intervals, cumulative conversion and messages. */
const SegmentCampaignPage = () => {
  const { id = "" } = useParams()
  const query = useSegmentCampaign(id)
  if (query.isLoading) return <Container className="p-0"><LoadingState rows={4} /></Container>
  if (query.isError || !query.data) {
    return (
      <Container data-testid="campaign-error">
        <Heading>Segment campaign not found</Heading>
        <Text size="small" className="text-ui-fg-subtle">{query.isError ? errorMessage(query.error) : `No segment campaign with id ${id}.`}</Text>
        <Link to="/personalization/campaigns" className="text-ui-fg-interactive txt-compact-small">Back to the segment campaigns</Link>
      </Container>
    )
  }
  const campaign = query.data.campaign
  return (
    <div className="flex flex-col gap-y-3">
      <Header campaign={campaign} />
      <ArmsSection campaign={campaign} />
      <ReportSection id={campaign.id} />
      <MessagesSection campaign={campaign} />
    </div>
  )
}

export const handle = { breadcrumb: () => "Segment campaign" }

export default SegmentCampaignPage
