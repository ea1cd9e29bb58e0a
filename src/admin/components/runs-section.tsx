import { Button, Heading, Table, Text, toast, usePrompt } from "@medusajs/ui"
import { useEffect, useRef } from "react"
import {
  type AnyRun,
  type ModelVersion,
  type RebuildRun,
  type RunKind,
  type SegmentationRun,
  errorMessage,
  isActive,
  useRuns,
  useStartRun,
} from "../lib/api"
import { formatDateTime, formatDuration, formatInteger, formatPercent } from "../lib/format"
import { ProgressBar } from "./charts"
import { RunStatusBadge } from "./run-status"
import { EmptyState, ErrorState, LoadingState } from "./states"

const KIND: Record<RunKind, { title: string; what: string; confirm: string; started: string }> = {
  rebuild: {
    title: "Feature rebuild",
    what: "Reads every order from Medusa into the plugin's ledger and recomputes each customer's recency, orders and spend.",
    confirm: "Reads all of the store's orders again and recomputes every customer's features. Segments and lists stay as they are until the next segmentation or training run.",
    started: "Rebuild queued",
  },
  segmentation: {
    title: "Segmentation",
    what: "Groups customers by recency, orders and spend, scores who will buy again, and updates the segments' customer groups.",
    confirm: "Segments every customer again, scores their purchase predictions and updates the plugin's customer groups (their members are replaced).",
    started: "Segmentation queued",
  },
  training: {
    title: "Recommendation training",
    what: "Fits the recommender on the orders, tests it on the latest weeks against the active version and popularity, and activates it only if it wins.",
    confirm: "Trains a new model version. It replaces the active one only if it beats it (and popularity) on the holdout; the store keeps serving the active version meanwhile.",
    started: "Training queued",
  },
}

function detail(kind: RunKind, run: AnyRun): string {
  if (kind === "rebuild" && run.status === "failed" && (run as RebuildRun).aggregates_pending) {
    return `${run.reason ?? "failed"}; customer features lag the orders until the next rebuild`
  }
  if (run.status === "skipped" || run.status === "failed" || run.status === "rejected") return run.reason ?? ""
  if (kind === "rebuild") {
    const r = run as RebuildRun
    const total = r.total_orders != null ? ` of ${formatInteger(r.total_orders)}` : ""
    const how =
      r.mode === "bulk" ? (isActive(r.status) ? ", in bulk (aggregates at the end)" : ", in bulk")
      : r.mode === "changes" ? `, changed since ${formatDateTime(r.changes_since)}`
      : ""
    return `${formatInteger(r.orders)}${total} orders read${r.removed ? `, ${formatInteger(r.removed)} removed` : ""}${how}`
  }
  if (kind === "segmentation") {
    const r = run as SegmentationRun
    if (isActive(r.status)) return r.customers ? `${formatInteger(r.customers)} customers` : ""
    const scores = r.prediction_reason ? ` (no predictions: ${r.prediction_reason})` : ""
    return `${formatInteger(r.customers)} customers in ${r.k ?? "–"} segments${scores}`
  }
  const v = run as ModelVersion
  const model = v.recipe?.model ?? "model"
  if (isActive(v.status)) return model
  return `${model}${v.lists ? `, ${formatInteger(v.lists)} lists` : ""}${v.reason ? `: ${v.reason}` : ""}`
}

/** The last runs of one kind, with a "Run now" button (confirmed; disabled while one runs) and progress while it runs. */
export function RunsSection({ kind, limit = 5 }: { kind: RunKind; limit?: number }) {
  const meta = KIND[kind]
  const runs = useRuns(kind, limit)
  const start = useStartRun(kind)
  const prompt = usePrompt()
  const latest = runs.runs[0]
  const busy = runs.runs.some((r) => isActive(r.status))
  const watched = useRef<string | null>(null)

  // Tell the admin when the run they started ends.
  useEffect(() => {
    const id = watched.current
    if (!id) return
    const run = runs.runs.find((r) => r.id === id)
    if (run && !isActive(run.status)) {
      watched.current = null
      const ok = run.status === "completed" || run.status === "active"
      const text = `${meta.title}: ${run.status}${run.reason ? ` (${run.reason})` : ""}`
      if (ok) toast.success(text)
      else toast.warning(text)
    }
  }, [runs.runs, meta.title])

  const onRun = async () => {
    const confirmed = await prompt({
      title: `Run ${meta.title.toLowerCase()} now?`,
      description: meta.confirm,
      confirmText: "Run now",
      cancelText: "Cancel",
      variant: "confirmation",
    })
    if (!confirmed) return
    start.mutate(undefined, {
      onSuccess: (res) => {
        watched.current = res.run_id ?? res.version_id ?? null
        toast.info(meta.started, { description: "Progress is shown below until it ends." })
      },
      onError: (error) => toast.error(`Could not start: ${errorMessage(error)}`),
    })
  }

  return (
    <div className="flex flex-col" data-runs={kind}>
      <div className="flex items-start justify-between gap-x-4 px-6 py-4">
        <div className="flex flex-col gap-y-1">
          <Heading level="h2">{meta.title}</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            {meta.what}
          </Text>
        </div>
        <Button
          size="small"
          variant="secondary"
          onClick={onRun}
          disabled={busy || start.isPending || runs.isLoading}
          isLoading={start.isPending}
          data-run-now={kind}
        >
          {busy ? "Running…" : "Run now"}
        </Button>
      </div>
      {runs.isLoading ? (
        <LoadingState rows={2} />
      ) : runs.isError ? (
        <ErrorState error={runs.error} title="Could not load the runs" onRetry={() => void runs.refetch()} />
      ) : !latest ? (
        <EmptyState title="No runs yet" description="The first scheduled run, or Run now, will appear here." />
      ) : (
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Status</Table.HeaderCell>
              <Table.HeaderCell>Started</Table.HeaderCell>
              <Table.HeaderCell>Duration</Table.HeaderCell>
              <Table.HeaderCell className="w-1/2">Result</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {runs.runs.map((run) => (
              <Table.Row key={run.id} data-run-id={run.id} data-run-status={run.status}>
                <Table.Cell>
                  <RunStatusBadge status={run.status} />
                </Table.Cell>
                <Table.Cell>{formatDateTime(run.started_at ?? run.created_at)}</Table.Cell>
                <Table.Cell>{isActive(run.status) ? "…" : formatDuration(run.duration_ms)}</Table.Cell>
                <Table.Cell className="whitespace-normal py-2">
                  {isActive(run.status) ? (
                    <div className="flex items-center gap-x-3">
                      <ProgressBar value={run.progress} label={`${meta.title} progress`} className="max-w-[240px]" />
                      <Text size="small" className="text-ui-fg-subtle tabular-nums">
                        {formatPercent(run.progress, 0)}
                      </Text>
                      <Text size="small" className="text-ui-fg-subtle">
                        {detail(kind, run)}
                      </Text>
                    </div>
                  ) : (
                    <Text size="small" className="text-ui-fg-subtle">
                      {detail(kind, run)}
                    </Text>
                  )}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      )}
    </div>
  )
}
