import { Badge, Text } from "@medusajs/ui"
import type { CampaignReport, Interval } from "../../lib/segment-campaigns"
import { formatPoints, formatSignedMoney } from "../../lib/format"

/** "Significant" when the 95% interval excludes zero, else "Not significant yet". */
export function SignificanceBadge({ interval }: { interval: Pick<Interval, "significant" | "estimate"> }) {
  if (!interval.significant) return <Badge size="2xsmall" color="grey">Not significant yet</Badge>
  return (
    <Badge size="2xsmall" color={interval.estimate > 0 ? "green" : "red"}>
      {interval.estimate > 0 ? "Significant gain" : "Significant loss"}
    </Badge>
  )
}

/** The conversion uplift with its interval, as one line (the headline of lists and widgets). */
export function HeadlineUplift({ report }: { report: CampaignReport | null }) {
  if (!report) return <Text size="small" className="text-ui-fg-muted">No report yet</Text>
  if (!report.uplift) return <Text size="small" className="text-ui-fg-muted">Not measurable</Text>
  const c = report.uplift.conversion_rate
  return (
    <div className="flex items-center gap-x-2" data-testid="headline-uplift">
      <Text size="small" leading="compact" weight="plus">{formatPoints(c.estimate)}</Text>
      <Text size="xsmall" className="text-ui-fg-subtle">
        ({formatPoints(c.low)} to {formatPoints(c.high)})
      </Text>
      <SignificanceBadge interval={c} />
    </div>
  )
}

/** A money uplift with its interval. */
export function MoneyInterval({ interval, currency }: { interval: { estimate: number; low: number; high: number }; currency: string }) {
  return (
    <span>
      <span className="font-medium">{formatSignedMoney(interval.estimate, currency)}</span>{" "}
      <span className="text-ui-fg-subtle">
        (95%: {formatSignedMoney(interval.low, currency)} to {formatSignedMoney(interval.high, currency)})
      </span>
    </span>
  )
}
