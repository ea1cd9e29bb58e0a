import { StatusBadge } from "@medusajs/ui"
import type { CampaignStatus } from "../../lib/segment-campaigns"

const COLORS = { draft: "grey", active: "green", ended: "blue" } as const
const LABELS = { draft: "Draft", active: "Active", ended: "Ended" } as const

/** A segment campaign's status; an active campaign whose window has not begun or has passed says so. */
export function CampaignStatusBadge({ status, startsAt, endsAt }: { status: CampaignStatus; startsAt?: string; endsAt?: string }) {
  const now = Date.now()
  if (status === "active" && startsAt && new Date(startsAt).getTime() > now) return <StatusBadge color="orange">Scheduled</StatusBadge>
  if (status === "active" && endsAt && new Date(endsAt).getTime() <= now) return <StatusBadge color="orange">Past its end</StatusBadge>
  return <StatusBadge color={COLORS[status]}>{LABELS[status]}</StatusBadge>
}
