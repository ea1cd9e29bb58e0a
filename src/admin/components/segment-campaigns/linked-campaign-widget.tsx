import { Container, Heading, Text } from "@medusajs/ui"
import { errorMessage } from "../../lib/api"
import { Link } from "react-router-dom"
import { type CampaignFilters, useSegmentCampaigns } from "../../lib/segment-campaigns"
import { formatInteger, formatPercent } from "../../lib/format"
import { CampaignStatusBadge } from "./status"
import { HeadlineUplift } from "./uplift"

/**
 * The segment campaign behind a Medusa promotion or campaign, for their detail pages: nothing at
 * all for promotions and campaigns the plugin did not make, an error line when the API fails.
 */
export function LinkedSegmentCampaign({ filter, what }: { filter: CampaignFilters | null; what: string }) {
  const query = useSegmentCampaigns({ ...filter, limit: 5 }, { enabled: !!filter })
  if (!filter || query.isLoading) return null
  if (query.isError) {
    return (
      <Container className="px-6 py-4" data-testid="linked-segment-campaign-error">
        <Text size="small" className="text-ui-fg-subtle">Personalization: could not check for a segment campaign ({errorMessage(query.error)}).</Text>
      </Container>
    )
  }
  const campaigns = query.data?.campaigns ?? []
  if (!campaigns.length) return null
  return (
    <Container className="divide-y p-0" data-testid="linked-segment-campaign">
      <div className="px-6 py-4">
        <Heading level="h2">Segment campaign</Heading>
        <Text size="small" className="text-ui-fg-subtle">
          This {what} was made by a segment campaign of the Personalization plugin: it applies only to the treated arm's customer group, and a frozen control group measures what it earns.
        </Text>
      </div>
      {campaigns.map((c) => (
        <div key={c.id} className="flex flex-col gap-y-2 px-6 py-4">
          <div className="flex items-center justify-between">
            <Link to={`/personalization/campaigns/${c.id}`} className="text-ui-fg-interactive txt-compact-small-plus">{c.name}</Link>
            <CampaignStatusBadge status={c.status} startsAt={c.starts_at} endsAt={c.ends_at} />
          </div>
          <Text size="small" className="text-ui-fg-subtle">
            Segment {c.segment_name}: <span data-testid="linked-treated">{formatInteger(c.arms.treatment.current)}</span> treated,{" "}
            <span data-testid="linked-control">{formatInteger(c.arms.control.current)}</span> in control ({formatPercent(c.control_share, 0)})
          </Text>
          <div className="flex items-center gap-x-2">
            <Text size="small" className="text-ui-fg-subtle">Conversion uplift:</Text>
            <HeadlineUplift report={c.report} />
          </div>
        </div>
      ))}
    </Container>
  )
}
