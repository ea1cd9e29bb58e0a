import { defineWidgetConfig } from "@medusajs/admin-sdk"
import { Badge, Container, Heading, Label, Switch, Text, toast, usePrompt } from "@medusajs/ui"
import { Link } from "react-router-dom"
import { RecommendationList } from "../components/recommendation-list"
import { EmptyState, ErrorState, LoadingState, SafeBoundary } from "../components/states"
import { type CustomerInsights, errorMessage, useCustomerInsights, useCustomerRecommendations, useSetOptOut } from "../lib/api"
import { formatDate, formatDays, formatInteger, formatMoney, formatPercent } from "../lib/format"

type WidgetProps = { data?: { id?: string; metadata?: Record<string, unknown> | null } | null }

const LIST_TYPE: Record<string, string> = {
  personal: "Personal list: learned from this customer's orders",
  trending: "Trending products: this customer has no personal list",
}

function Stat({ label, value, hint, name }: { label: string; value: string; hint?: string; name: string }) {
  return (
    <div className="flex flex-col gap-y-0.5" data-stat={name}>
      <Text size="xsmall" className="text-ui-fg-subtle">
        {label}
      </Text>
      <Text size="small" weight="plus" className="tabular-nums" data-value>
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

function SegmentLine({ insights }: { insights: CustomerInsights }) {
  if (insights.opted_out) {
    return (
      <Text size="small" className="text-ui-fg-subtle" data-no-segment>
        Opted out of personalization: not segmented, scored or given a personal list.
      </Text>
    )
  }
  if (!insights.segment) {
    return (
      <Text size="small" className="text-ui-fg-subtle" data-no-segment>
        No segment: {insights.no_segment_reason ?? "not in the current segmentation run"}.
      </Text>
    )
  }
  const s = insights.segment
  return (
    <div className="flex flex-wrap items-center gap-2" data-segment={s.key}>
      <Text size="small">Segment</Text>
      <Link to={`/personalization/segments/${encodeURIComponent(s.key)}`} className="text-ui-fg-interactive hover:text-ui-fg-interactive-hover txt-compact-small-plus" data-segment-name>
        {s.name}
      </Link>
      {s.in_control ? (
        <Badge size="2xsmall" color="orange" data-holdout>
          standing holdout: kept out of the segment's group
        </Badge>
      ) : (
        <Badge size="2xsmall" color="green">
          in the segment's group
        </Badge>
      )}
      {insights.campaigns.map((c) => (
        <Badge key={c.id} size="2xsmall" color={c.arm === "treatment" ? "blue" : "grey"} data-campaign-arm={c.arm}>
          {c.name}: {c.arm === "treatment" ? "gets the offer" : "control"}
          {c.status !== "running" ? ` (${c.status})` : ""}
        </Badge>
      ))}
    </div>
  )
}

function Facts({ insights }: { insights: CustomerInsights }) {
  const f = insights.features
  const p = insights.prediction
  const window = p?.window_days ? `next ${p.window_days} days` : undefined
  return (
    <div className="grid grid-cols-2 gap-4 sm:grid-cols-5">
      <Stat name="recency" label="Last order" value={f?.recency_days != null ? `${formatDays(f.recency_days)} ago` : "–"} hint={f?.last_order_at ? formatDate(f.last_order_at) : undefined} />
      <Stat name="orders" label="Orders" value={formatInteger(f?.orders ?? null)} hint={f?.first_order_at ? `since ${formatDate(f.first_order_at)}` : undefined} />
      <Stat name="spend" label="Spend" value={formatMoney(f?.spend ?? null, f?.currency_code)} />
      <Stat name="buy-probability" label="Buys again" value={formatPercent(p?.buy_probability ?? null)} hint={window} />
      <Stat name="expected-spend" label="Expected spend" value={formatMoney(p?.expected_spend ?? null, p?.currency_code ?? f?.currency_code)} hint={window} />
    </div>
  )
}

function OptOut({ customerId, optedOut }: { customerId: string; optedOut: boolean }) {
  const mutation = useSetOptOut(customerId)
  const prompt = usePrompt()
  const onChange = async (checked: boolean) => {
    // The switch reads "personalization on": unchecking it opts the customer out.
    const optOut = !checked
    if (optOut) {
      const ok = await prompt({
        title: "Stop personalizing for this customer?",
        description:
          "Their segment membership, purchase prediction and personal recommendations are deleted now, they leave the plugin's customer groups and running segment campaigns, and later runs leave them out. The storefront shows them trending products instead.",
        confirmText: "Opt out",
        cancelText: "Cancel",
        variant: "danger",
      })
      if (!ok) return
    }
    mutation.mutate(optOut, {
      onSuccess: (res) => toast.success(res.opted_out ? "Opted out of personalization" : "Personalization turned back on"),
      onError: (error) => toast.error(`Could not change the opt-out: ${errorMessage(error)}`),
    })
  }
  return (
    <div className="flex items-start gap-x-3">
      <div className="shrink-0 pt-0.5">
        <Switch id="personalization-opt-out" checked={!optedOut} onCheckedChange={onChange} disabled={mutation.isPending} data-opt-out-switch={optedOut ? "off" : "on"} />
      </div>
      <div className="flex flex-col gap-y-0.5">
        <Label htmlFor="personalization-opt-out" size="small" weight="plus">
          Personalize for this customer
        </Label>
        <Text size="xsmall" className="text-ui-fg-subtle">
          {optedOut
            ? "Off: the customer is opted out (metadata personalization_opt_out). Runs leave them out and the storefront serves trending products. Turning it on lets the next runs include them again."
            : "Turning it off opts the customer out at once: it sets personalization_opt_out in their metadata, removes their segment, prediction and personal list, and takes them out of the plugin's groups and campaigns."}
        </Text>
      </div>
    </div>
  )
}

function Recommendations({ customerId }: { customerId: string }) {
  const q = useCustomerRecommendations(customerId, 10)
  if (q.isLoading) return <LoadingState rows={3} />
  if (q.isError || !q.data) return <ErrorState error={q.error} title="Could not load the recommendations" onRetry={() => void q.refetch()} />
  return (
    <div className="flex flex-col" data-section="customer-recommendations" data-list-type={q.data.list_type}>
      <div className="px-6 pb-2 pt-4">
        <Text size="small" leading="compact" weight="plus">
          What the storefront recommends
        </Text>
        <Text size="xsmall" className="text-ui-fg-subtle">
          {LIST_TYPE[q.data.list_type] ?? q.data.list_type}
        </Text>
      </div>
      <RecommendationList items={q.data.recommendations} empty="No recommendations to show" name="customer" />
    </div>
  )
}

function CustomerInsightsBody({ customerId }: { customerId: string }) {
  const q = useCustomerInsights(customerId)
  if (q.isLoading) return <LoadingState rows={4} />
  if (q.isError || !q.data) return <ErrorState error={q.error} title="Could not load the personalization insights" onRetry={() => void q.refetch()} />
  const insights = q.data.insights
  return (
    <>
      <div className="flex flex-col gap-y-4 px-6 py-4">
        <SegmentLine insights={insights} />
        {insights.features ? (
          <Facts insights={insights} />
        ) : (
          <EmptyState className="px-0 py-0" title="No orders yet" description={insights.no_segment_reason ?? "Figures appear after the customer's first completed order."} />
        )}
      </div>
      <SafeBoundary>
        <Recommendations customerId={customerId} />
      </SafeBoundary>
      <div className="px-6 py-4">
        <OptOut customerId={customerId} optedOut={insights.opted_out} />
      </div>
    </>
  )
}

const CustomerInsightsWidget = ({ data }: WidgetProps) => {
  const id = data?.id
  return (
    <Container className="divide-y p-0" data-widget="personalization-customer">
      <div className="px-6 py-4">
        <Heading level="h2">Personalization</Heading>
      </div>
      <SafeBoundary>{id ? <CustomerInsightsBody customerId={id} /> : <EmptyState title="No customer" />}</SafeBoundary>
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "customer.details.after",
  id: "personalization:customer-insights",
})

export default CustomerInsightsWidget
