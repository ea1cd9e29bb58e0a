import { ExclamationCircle } from "@medusajs/icons"
import { Button, Skeleton, Text, clx } from "@medusajs/ui"
import { Component, type ErrorInfo, type ReactNode } from "react"
import { errorMessage, statusOf } from "../lib/api"

/**
 * Loading, empty and error states in the dashboard's look, shared by every page and widget of
 * the plugin. A widget must never throw (a throwing widget takes down Medusa's whole page), so
 * widgets wrap their body in `SafeBoundary` as well.
 */

export function LoadingState({ rows = 3, className }: { rows?: number; className?: string }) {
  return (
    <div className={clx("flex flex-col gap-y-2 px-6 py-4", className)} aria-busy="true" data-state="loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className={clx("h-5", i === 0 ? "w-1/3" : i % 2 ? "w-full" : "w-2/3")} />
      ))}
    </div>
  )
}

export function EmptyState({
  title,
  description,
  action,
  className,
}: {
  title: string
  description?: ReactNode
  action?: ReactNode
  className?: string
}) {
  return (
    <div className={clx("flex flex-col items-start gap-y-1 px-6 py-4", className)} data-state="empty">
      <Text size="small" leading="compact" weight="plus">
        {title}
      </Text>
      {description ? (
        <Text size="small" className="text-ui-fg-subtle">
          {description}
        </Text>
      ) : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  )
}

export function ErrorState({
  error,
  title = "Could not load this",
  onRetry,
  className,
}: {
  error: unknown
  title?: string
  onRetry?: () => void
  className?: string
}) {
  const status = statusOf(error)
  const detail =
    status === 401
      ? "Your session has ended: log in again."
      : status === 404
        ? "The plugin's admin API does not have this route or record (is the plugin up to date?)."
        : errorMessage(error)
  return (
    <div className={clx("flex items-start gap-x-3 px-6 py-4", className)} role="alert" data-state="error">
      <ExclamationCircle className="text-ui-fg-error mt-0.5 shrink-0" />
      <div className="flex flex-col gap-y-1">
        <Text size="small" leading="compact" weight="plus">
          {title}
        </Text>
        <Text size="small" className="text-ui-fg-subtle">
          {detail}
        </Text>
        {onRetry ? (
          <div className="mt-1">
            <Button size="small" variant="secondary" onClick={onRetry}>
              Try again
            </Button>
          </div>
        ) : null}
      </div>
    </div>
  )
}

interface QueryLike<T> {
  data: T | undefined
  isLoading: boolean
  isError: boolean
  error: unknown
  refetch: () => unknown
}

/**
 * Renders a query's loading or error state, or its data through `children`. `isEmpty` picks
 * the empty state (for example no segments before the first run).
 */
export function QueryState<T>({
  query,
  children,
  isEmpty,
  empty,
  rows,
  errorTitle,
}: {
  query: QueryLike<T>
  children: (data: T) => ReactNode
  isEmpty?: (data: T) => boolean
  empty?: ReactNode
  rows?: number
  errorTitle?: string
}) {
  if (query.isLoading) return <LoadingState rows={rows} />
  if (query.isError || query.data === undefined) {
    return <ErrorState error={query.error} title={errorTitle} onRetry={() => void query.refetch()} />
  }
  if (isEmpty?.(query.data)) return <>{empty ?? <EmptyState title="Nothing to show yet" />}</>
  return <>{children(query.data)}</>
}

/** Catches a render error below it and shows an error state instead (never rethrows). */
export class SafeBoundary extends Component<{ children: ReactNode; title?: string }, { error: Error | null }> {
  state: { error: Error | null } = { error: null }

  static getDerivedStateFromError(error: Error) {
    return { error }
  }

  componentDidCatch(_error: Error, _info: ErrorInfo) {
    // Shown in place; nothing is rethrown, so Medusa's page keeps working.
  }

  render() {
    if (this.state.error) {
      return <ErrorState error={this.state.error} title={this.props.title ?? "This section failed to render"} onRetry={() => this.setState({ error: null })} />
    }
    return this.props.children
  }
}
