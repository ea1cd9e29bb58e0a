import { StatusBadge } from "@medusajs/ui"

type Color = "green" | "red" | "blue" | "orange" | "grey" | "purple"

const STATUS: Record<string, { color: Color; label: string }> = {
  queued: { color: "grey", label: "Queued" },
  running: { color: "blue", label: "Running" },
  completed: { color: "green", label: "Completed" },
  skipped: { color: "orange", label: "Skipped" },
  failed: { color: "red", label: "Failed" },
  active: { color: "green", label: "Active" },
  inactive: { color: "grey", label: "Inactive" },
  rejected: { color: "orange", label: "Rejected" },
}

/** The status of a run or model version as a coloured badge. */
export function RunStatusBadge({ status }: { status: string }) {
  const s = STATUS[status] ?? { color: "grey" as const, label: status }
  return (
    <StatusBadge color={s.color} data-status={status}>
      {s.label}
    </StatusBadge>
  )
}
