import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Button, Container, Heading, InlineTip, Table, Text, toast, usePrompt } from "@medusajs/ui"
import { useMemo } from "react"
import { BarSeriesChart, LineSeriesChart } from "../../../components/charts"
import { RunStatusBadge } from "../../../components/run-status"
import { EmptyState, ErrorState, LoadingState, SafeBoundary } from "../../../components/states"
import { type HoldoutMetrics, type ModelVersion, errorMessage, isActive, useActivateVersion, useModelVersions, useRecommendationEvents } from "../../../lib/api"
import { seriesColor, semanticColors } from "../../../lib/chart-theme"
import { formatDate, formatDateTime, formatDuration, formatInteger, formatNumber, formatPercent } from "../../../lib/format"

const METRICS: { key: keyof HoldoutMetrics; label: string; hint: string }[] = [
  { key: "ndcg10", label: "NDCG@10", hint: "how high the products customers went on to buy rank in their top 10 (1 = always first)" },
  { key: "recall20", label: "Recall@20", hint: "share of the products bought in the holdout that were in the customer's top 20" },
  { key: "hr10", label: "Hit rate@10", hint: "share of customers with at least one purchase in their top 10" },
  { key: "coverage20", label: "Coverage@20", hint: "share of the catalogue that appears in some top-20 list" },
]

/** A short name for a version in charts: its date and the last characters of its id. */
export function versionLabel(v: Pick<ModelVersion, "id" | "created_at" | "as_of">): string {
  return `${formatDate(v.as_of ?? v.created_at)} · ${v.id.slice(-4)}`
}

function recipeText(v: ModelVersion): string {
  if (!v.recipe) return "–"
  const options = v.recipe.options && Object.keys(v.recipe.options).length ? ` (${Object.entries(v.recipe.options).map(([k, x]) => `${k} ${typeof x === "object" ? JSON.stringify(x) : String(x)}`).join(", ")})` : ""
  return `${v.recipe.model}${options}`
}

const m = (x: number | undefined | null) => (x == null ? "–" : formatNumber(x, { maximumFractionDigits: 3, minimumFractionDigits: 3 }))

function QualityChart({ versions }: { versions: ModelVersion[] }) {
  const rows = useMemo(
    () =>
      [...versions]
        .filter((v) => v.evaluation?.candidate)
        .reverse()
        .map((v) => ({
          version: versionLabel(v),
          candidate: v.evaluation?.candidate?.ndcg10 ?? null,
          active: v.evaluation?.active?.ndcg10 ?? null,
          popularity: v.evaluation?.popularity?.ndcg10 ?? null,
        })),
    [versions]
  )
  if (!rows.length) return <EmptyState className="px-0 py-0" title="No evaluated version yet" description="Each training run tests its model on the latest weeks of orders; its scores appear here." />
  return (
    <LineSeriesChart
      name="model-quality"
      title="Holdout quality (NDCG@10) per training run"
      description="Each run's model, the version that was active then, and plain popularity, scored on the same recent orders. A run is activated only when it beats both."
      data={rows}
      xKey="version"
      series={[
        { key: "candidate", label: "This run's model", color: semanticColors.primary },
        { key: "active", label: "Active version then", color: semanticColors.accent },
        { key: "popularity", label: "Popularity", color: semanticColors.neutral },
      ]}
      valueFormat={(v) => formatNumber(v, { maximumFractionDigits: 3 })}
      yDomain={[0, "auto"]}
    />
  )
}

function ClickThrough({ versions }: { versions: ModelVersion[] }) {
  const q = useRecommendationEvents()
  const labels = useMemo(() => Object.fromEntries(versions.map((v) => [v.id, versionLabel(v)])), [versions])
  const { rows, types } = useMemo(() => {
    const events = q.data?.events ?? []
    const types = [...new Set(events.map((e) => e.list_type))].sort()
    const by = new Map<string, Record<string, string | number | null>>()
    for (const e of events) {
      const row = by.get(e.version_id) ?? { version: labels[e.version_id] ?? e.version_id.slice(-8) }
      row[e.list_type] = e.click_through_rate
      by.set(e.version_id, row)
    }
    return { rows: [...by.values()], types }
  }, [q.data, labels])
  if (q.isLoading) return <LoadingState className="px-0" rows={3} />
  if (q.isError) return <ErrorState className="px-0" error={q.error} title="Could not load the click-through counts" onRetry={() => void q.refetch()} />
  const events = q.data?.events ?? []
  if (!events.length) {
    return (
      <EmptyState
        className="px-0 py-0"
        title="No recommendation events yet"
        description="Click-through appears once a storefront reports impressions and clicks of the recommendation lists (POST /store/recommendations/events)."
      />
    )
  }
  return (
    <div className="flex flex-col gap-y-4">
      <BarSeriesChart
        name="click-through"
        title="Click-through rate per version and list"
        description="Clicks per impression: each recommendation id counts once per event type, and a click without an impression is not counted."
        data={rows}
        categoryKey="version"
        series={types.map((t, i) => ({ key: t, label: t.replace(/_/g, " "), color: seriesColor(i) }))}
        valueFormat={(v) => formatPercent(v)}
      />
      <Table>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>Version</Table.HeaderCell>
            <Table.HeaderCell>List</Table.HeaderCell>
            <Table.HeaderCell className="text-right">Impressions</Table.HeaderCell>
            <Table.HeaderCell className="text-right">Clicks</Table.HeaderCell>
            <Table.HeaderCell className="text-right">Add to cart</Table.HeaderCell>
            <Table.HeaderCell className="text-right">Click-through</Table.HeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {events.map((e) => (
            <Table.Row key={`${e.version_id}:${e.list_type}`} data-ctr-row={`${e.version_id}:${e.list_type}`}>
              <Table.Cell>{labels[e.version_id] ?? e.version_id}</Table.Cell>
              <Table.Cell>{e.list_type.replace(/_/g, " ")}</Table.Cell>
              <Table.Cell className="text-right tabular-nums">{formatInteger(e.impressions)}</Table.Cell>
              <Table.Cell className="text-right tabular-nums">{formatInteger(e.clicks)}</Table.Cell>
              <Table.Cell className="text-right tabular-nums">{formatInteger(e.add_to_carts)}</Table.Cell>
              <Table.Cell className="text-right tabular-nums" data-ctr>
                {formatPercent(e.click_through_rate)}
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </div>
  )
}

function VersionsTable({ versions }: { versions: ModelVersion[] }) {
  const activate = useActivateVersion()
  const prompt = usePrompt()
  const rollbackable = versions.filter((v) => v.status === "inactive" && v.lists > 0)
  const onActivate = async (v: ModelVersion) => {
    const ok = await prompt({
      title: "Serve this version?",
      description: `The store's recommendations switch at once to the lists of ${versionLabel(v)} (${recipeText(v)}). The current version stays stored and can be activated again.`,
      confirmText: "Activate",
      cancelText: "Cancel",
      variant: "confirmation",
    })
    if (!ok) return
    activate.mutate(v.id, {
      onSuccess: () => toast.success(`Now serving ${versionLabel(v)}`),
      onError: (error) => toast.error(`Could not activate: ${errorMessage(error)}`),
    })
  }
  return (
    <div className="flex flex-col">
      {rollbackable.length === 0 ? (
        <div className="px-6 pb-4">
          <InlineTip label="Rollback">
            {versions.some((v) => v.status === "active")
              ? "There is nothing to roll back to: no earlier version with stored lists. Each later training run that is activated keeps the previous version for rollback."
              : "No version is active yet: the store serves trending products until a training run is activated."}
          </InlineTip>
        </div>
      ) : null}
      <Table>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>Version</Table.HeaderCell>
            <Table.HeaderCell>Status</Table.HeaderCell>
            <Table.HeaderCell>Recipe</Table.HeaderCell>
            {METRICS.map((x) => (
              <Table.HeaderCell key={x.key} className="text-right" title={x.hint}>
                {x.label}
              </Table.HeaderCell>
            ))}
            <Table.HeaderCell className="text-right">Lists</Table.HeaderCell>
            <Table.HeaderCell />
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {versions.map((v) => (
            <Table.Row key={v.id} data-version-id={v.id} data-version-status={v.status}>
              <Table.Cell>
                <div className="flex flex-col py-2">
                  <Text size="small" weight="plus">
                    {formatDateTime(v.as_of ?? v.created_at)}
                  </Text>
                  <Text size="xsmall" className="text-ui-fg-muted">
                    {v.id} · {formatDuration(v.duration_ms)}
                  </Text>
                </div>
              </Table.Cell>
              <Table.Cell>
                <RunStatusBadge status={v.status} />
              </Table.Cell>
              <Table.Cell className="max-w-[280px] whitespace-normal py-2">
                <Text size="small">{recipeText(v)}</Text>
                {v.base_version_id ? (
                  <Text size="xsmall" weight="plus" className="text-ui-fg-subtle" data-refresh-of={v.base_version_id}>
                    Nightly refresh of {v.base_version_id}: no holdout evaluation (the full run's decides)
                  </Text>
                ) : null}
                {v.reason ? (
                  <Text size="xsmall" className="text-ui-fg-subtle">
                    {v.reason}
                  </Text>
                ) : null}
              </Table.Cell>
              {METRICS.map((x) => (
                <Table.Cell key={x.key} className="text-right tabular-nums">
                  <div className="flex flex-col whitespace-nowrap py-2">
                    <Text size="small" weight="plus" data-metric={`${x.key}-candidate`}>
                      {m(v.evaluation?.candidate?.[x.key])}
                    </Text>
                    {v.evaluation?.active ? (
                      <Text size="xsmall" className="text-ui-fg-subtle" data-metric={`${x.key}-active`}>
                        active {m(v.evaluation.active[x.key])}
                      </Text>
                    ) : null}
                    <Text size="xsmall" className="text-ui-fg-muted" data-metric={`${x.key}-popularity`}>
                      popularity {m(v.evaluation?.popularity?.[x.key])}
                    </Text>
                  </div>
                </Table.Cell>
              ))}
              <Table.Cell className="text-right tabular-nums">{formatInteger(v.lists)}</Table.Cell>
              <Table.Cell className="text-right">
                {v.status === "inactive" && v.lists > 0 ? (
                  <Button size="small" variant="secondary" onClick={() => onActivate(v)} isLoading={activate.isPending && activate.variables === v.id} data-activate={v.id}>
                    Activate
                  </Button>
                ) : null}
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </div>
  )
}

const ModelsPage = () => {
  const q = useModelVersions(20)
  const versions = q.runs
  const running = versions.find((v) => isActive(v.status))
  return (
    <div className="flex flex-col gap-y-3" data-page="models">
      <Container className="divide-y p-0">
        <div className="flex flex-col gap-y-1 px-6 py-4">
          <Heading level="h1">Models</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            Every training run of the recommender: how it scored on the latest orders it did not see, whether it replaced the
            active version, and how shoppers respond to each version's lists. Only an active or inactive version with stored
            lists can be served; activating an inactive one rolls back.
          </Text>
          {running ? (
            <Text size="small" className="text-ui-fg-interactive">
              A training run is {running.status} ({formatPercent(running.progress, 0)}).
            </Text>
          ) : null}
        </div>
        {q.isLoading ? (
          <LoadingState rows={4} />
        ) : q.isError ? (
          <ErrorState error={q.error} title="Could not load the model versions" onRetry={() => void q.refetch()} />
        ) : versions.length === 0 ? (
          <EmptyState title="No training runs yet" description="Train one from Personalization → Recommendation training → Run now." />
        ) : (
          <SafeBoundary>
            <div className="pt-4">
              <VersionsTable versions={versions} />
            </div>
            <dl className="grid grid-cols-1 gap-x-6 gap-y-1 px-6 py-4 md:grid-cols-2" data-section="metric-legend">
              {METRICS.map((x) => (
                <div key={x.key} className="flex gap-x-2">
                  <dt>
                    <Text size="xsmall" weight="plus">
                      {x.label}
                    </Text>
                  </dt>
                  <dd>
                    <Text size="xsmall" className="text-ui-fg-subtle">
                      {x.hint}
                    </Text>
                  </dd>
                </div>
              ))}
              <Text size="xsmall" className="text-ui-fg-muted md:col-span-2">
                Each cell: the version's own model on the holdout (the most recent orders, unseen in training), then the version
                active at the time and plain popularity on the same orders. Higher is better for all four.
              </Text>
            </dl>
          </SafeBoundary>
        )}
      </Container>
      {versions.length ? (
        <div className="grid grid-cols-1 gap-3 xl:grid-cols-2">
          <Container className="px-6 py-4">
            <SafeBoundary>
              <QualityChart versions={versions} />
            </SafeBoundary>
          </Container>
          <Container className="px-6 py-4">
            <SafeBoundary>
              <ClickThrough versions={versions} />
            </SafeBoundary>
          </Container>
        </div>
      ) : null}
    </div>
  )
}

export const config = defineRouteConfig({
  label: "Models",
  rank: 2,
})

export const handle = {
  breadcrumb: () => "Models",
}

export default ModelsPage
