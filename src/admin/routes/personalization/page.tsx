import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Sparkles } from "@medusajs/icons"
import { Badge, Container, Heading, StatusBadge, Text } from "@medusajs/ui"
import { Link } from "react-router-dom"
import { RunsSection } from "../../components/runs-section"
import { ErrorState, LoadingState, SafeBoundary } from "../../components/states"
import { type Readiness, useReadiness, useSegments } from "../../lib/api"
import { formatDateTime, formatInteger } from "../../lib/format"

function ReadinessSection() {
  const q = useReadiness()
  if (q.isLoading) return <LoadingState rows={2} />
  if (q.isError || !q.data) return <ErrorState error={q.error} title="Could not read the store's readiness" onRetry={() => void q.refetch()} />
  const r: Readiness = q.data.readiness
  const ready = r.segmentation.ready
  return (
    <div className="flex flex-col gap-y-3 px-6 py-4" data-readiness={ready ? "ready" : "not-ready"}>
      <div className="flex items-center gap-x-2">
        <StatusBadge color={ready ? "green" : "orange"}>{ready ? "Ready" : "Not ready yet"}</StatusBadge>
        <Text size="small" className="text-ui-fg-subtle">
          {ready
            ? "The store has enough order history: segmentation runs, predictions and personal recommendations are on."
            : `Before segmentation can run, the store needs ${r.segmentation.missing.join(" and ")}. Until then runs are skipped and storefronts get trending products.`}
        </Text>
      </div>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Figure label="Orders counted" value={formatInteger(Number(r.orders ?? 0))} hint="completed orders in the plugin's ledger" />
        <Figure
          label="Customers with an order"
          value={formatInteger(r.customers)}
          hint={`needs at least ${formatInteger(r.thresholds.min_customers)}`}
          ok={r.customers >= r.thresholds.min_customers}
        />
        <Figure
          label="Repeat customers"
          value={formatInteger(r.repeat_customers)}
          hint={`two orders or more; needs at least ${formatInteger(r.thresholds.min_repeat_customers)}`}
          ok={r.repeat_customers >= r.thresholds.min_repeat_customers}
        />
      </div>
    </div>
  )
}

function Figure({ label, value, hint, ok }: { label: string; value: string; hint?: string; ok?: boolean }) {
  return (
    <div className="flex flex-col gap-y-0.5 rounded-lg border border-ui-border-base px-4 py-3" data-figure={label}>
      <Text size="small" className="text-ui-fg-subtle">
        {label}
      </Text>
      <div className="flex items-center gap-x-2">
        <Text size="xlarge" weight="plus" className="tabular-nums" data-value>
          {value}
        </Text>
        {ok === false ? <Badge size="2xsmall" color="orange">below threshold</Badge> : null}
      </div>
      {hint ? (
        <Text size="xsmall" className="text-ui-fg-muted">
          {hint}
        </Text>
      ) : null}
    </div>
  )
}

function Shortcuts() {
  const segments = useSegments()
  const count = segments.data?.segments.length ?? 0
  const asOf = segments.data?.run?.as_of ?? segments.data?.run?.finished_at ?? null
  return (
    <div className="grid grid-cols-1 gap-4 px-6 py-4 sm:grid-cols-2">
      <Link to="/personalization/segments" className="rounded-lg border border-ui-border-base px-4 py-3 hover:bg-ui-bg-base-hover">
        <Text size="small" weight="plus">
          Segments
        </Text>
        <Text size="small" className="text-ui-fg-subtle">
          {segments.isLoading
            ? "…"
            : count
              ? `${count} segments${asOf ? ` as of ${formatDateTime(asOf)}` : ""}: sizes, predictions, members and charts`
              : "No segments yet: they appear after the first segmentation run"}
        </Text>
      </Link>
      <Link to="/personalization/models" className="rounded-lg border border-ui-border-base px-4 py-3 hover:bg-ui-bg-base-hover">
        <Text size="small" weight="plus">
          Models
        </Text>
        <Text size="small" className="text-ui-fg-subtle">
          Recommendation model versions, their holdout quality, click-through and rollback
        </Text>
      </Link>
    </div>
  )
}

const PersonalizationPage = () => {
  return (
    <div className="flex flex-col gap-y-3" data-page="personalization">
      <Container className="divide-y p-0">
        <div className="px-6 py-4">
          <Heading level="h1">Personalization</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            What the plugin learns from your orders: customer segments, purchase predictions and product recommendations.
          </Text>
        </div>
        <SafeBoundary>
          <ReadinessSection />
        </SafeBoundary>
        <SafeBoundary>
          <Shortcuts />
        </SafeBoundary>
      </Container>
      {(["rebuild", "segmentation", "training"] as const).map((kind) => (
        <Container key={kind} className="divide-y p-0">
          <SafeBoundary>
            <RunsSection kind={kind} />
          </SafeBoundary>
        </Container>
      ))}
    </div>
  )
}

export const config = defineRouteConfig({
  label: "Personalization",
  icon: Sparkles,
})

export const handle = {
  breadcrumb: () => "Personalization",
}

export default PersonalizationPage
