import { defineWidgetConfig } from "@medusajs/admin-sdk"
import { Container, Heading, InlineTip, Text } from "@medusajs/ui"
import { Link } from "react-router-dom"
import { ErrorState, SafeBoundary } from "../components/states"
import { useCustomerGroupSegment } from "../lib/api"

type WidgetProps = { data?: { id?: string } | null }

/** For a group the plugin keeps in step with a segment (or a campaign's treated group): which one, and that edits are overwritten. Nothing for other groups. */
function Body({ groupId }: { groupId: string }) {
  const q = useCustomerGroupSegment(groupId)
  if (q.isLoading) return null
  if (q.isError || !q.data) {
    return (
      <Container className="p-0" data-widget="personalization-group">
        <ErrorState error={q.error} title="Could not check whether the plugin manages this group" onRetry={() => void q.refetch()} />
      </Container>
    )
  }
  const { managed, segment, campaign } = q.data
  if (!managed) return null
  return (
    <Container className="divide-y p-0" data-widget="personalization-group" data-managed-segment={segment?.key ?? ""}>
      <div className="px-6 py-4">
        <Heading level="h2">Managed by Personalization</Heading>
      </div>
      <div className="flex flex-col gap-y-3 px-6 py-4">
        {campaign ? (
          <Text size="small">
            The treated group of the segment campaign <span className="txt-compact-small-plus">{campaign.name}</span>
            {segment ? (
              <>
                {" "}for segment{" "}
                <Link to={`/personalization/segments/${encodeURIComponent(segment.key)}`} className="text-ui-fg-interactive txt-compact-small-plus">
                  {segment.name}
                </Link>
              </>
            ) : null}
            .
          </Text>
        ) : segment ? (
          <Text size="small">
            Mirrors the segment{" "}
            <Link to={`/personalization/segments/${encodeURIComponent(segment.key)}`} className="text-ui-fg-interactive txt-compact-small-plus" data-segment-link>
              {segment.name}
            </Link>
            : its members are the segment's customers, minus the standing holdout kept out to measure promotions.
          </Text>
        ) : (
          <Text size="small">Kept by the plugin for a segment that the latest run no longer has.</Text>
        )}
        <InlineTip label="Edits are overwritten" variant="warning">
          The plugin sets this group's members on every segmentation run: customers added or removed by hand are put back as the segment says.
          Use the group in promotions and price lists; change who is in it through the segments.
        </InlineTip>
      </div>
    </Container>
  )
}

const CustomerGroupSegmentWidget = ({ data }: WidgetProps) => (
  <SafeBoundary title="The Personalization section failed to render">{data?.id ? <Body groupId={data.id} /> : null}</SafeBoundary>
)

export const config = defineWidgetConfig({
  zone: "customer_group.details.after",
  id: "personalization:customer-group-segment",
})

export default CustomerGroupSegmentWidget
