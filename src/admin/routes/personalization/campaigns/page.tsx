import { defineRouteConfig } from "@medusajs/admin-sdk"
import { Container, createDataTableColumnHelper, DataTable, type DataTablePaginationState, Heading, Text, useDataTable } from "@medusajs/ui"
import { useMemo, useState } from "react"
import { useNavigate } from "react-router-dom"
import { CreateCampaignModal } from "../../../components/segment-campaigns/create-campaign-modal"
import { formatDate, formatInteger } from "../../../lib/format"
import { EmptyState, ErrorState } from "../../../components/states"
import { CampaignStatusBadge } from "../../../components/segment-campaigns/status"
import { HeadlineUplift } from "../../../components/segment-campaigns/uplift"
import { type SegmentCampaign, useSegmentCampaigns } from "../../../lib/segment-campaigns"

const PAGE_SIZE = 20
const column = createDataTableColumnHelper<SegmentCampaign>()

const columns = [
  column.accessor("name", {
    header: "Campaign",
    cell: ({ row }) => (
      <div className="flex flex-col">
        <Text size="small" leading="compact" weight="plus">{row.original.name}</Text>
        <Text size="xsmall" className="text-ui-fg-subtle">{row.original.promotion_code ?? "no promotion"}</Text>
      </div>
    ),
  }),
  column.accessor("segment_name", { header: "Segment" }),
  column.accessor("status", {
    header: "Status",
    cell: ({ row }) => <CampaignStatusBadge status={row.original.status} startsAt={row.original.starts_at} endsAt={row.original.ends_at} />,
  }),
  column.display({
    id: "arms",
    header: "Treated / control",
    cell: ({ row }) => `${formatInteger(row.original.arms.treatment.current)} / ${formatInteger(row.original.arms.control.current)}`,
  }),
  column.display({
    id: "uplift",
    header: "Conversion uplift (95%)",
    cell: ({ row }) => <HeadlineUplift report={row.original.report} />,
  }),
  column.display({
    id: "window",
    header: "Window",
    cell: ({ row }) => `${formatDate(row.original.starts_at)} – ${formatDate(row.original.ends_at)}`,
  }),
]

/** Segment campaigns: every campaign with its status, arms and headline uplift; "Create campaign". */
const SegmentCampaignsPage = () => {
  const navigate = useNavigate()
  const [pagination, setPagination] = useState<DataTablePaginationState>({ pageIndex: 0, pageSize: PAGE_SIZE })
  const query = useSegmentCampaigns({ limit: pagination.pageSize, offset: pagination.pageIndex * pagination.pageSize })
  const data = useMemo(() => query.data?.campaigns ?? [], [query.data])
  const table = useDataTable({
    data,
    columns,
    getRowId: (row) => row.id,
    rowCount: query.data?.count ?? 0,
    isLoading: query.isLoading,
    pagination: { state: pagination, onPaginationChange: setPagination },
    onRowClick: (_, row) => navigate(`/personalization/campaigns/${row.id}`),
  })

  return (
    <Container className="divide-y p-0">
      <div className="flex items-center justify-between px-6 py-4">
        <div>
          <Heading>Segment campaigns</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            Promotions for a segment, each measured against a frozen control group of the same segment. Not Medusa's own Campaigns page under Promotions: each segment campaign creates and links one of those.
          </Text>
        </div>
        <div className="shrink-0">
          <CreateCampaignModal />
        </div>
      </div>
      {query.isError ? (
        <ErrorState error={query.error} title="Could not load the segment campaigns" onRetry={() => void query.refetch()} />
      ) : !query.isLoading && data.length === 0 && pagination.pageIndex === 0 ? (
        <EmptyState title="No segment campaigns yet" description="Create one here, or from a segment's page once a segmentation run has completed." />
      ) : (
        <DataTable instance={table}>
          <DataTable.Table />
          <DataTable.Pagination />
        </DataTable>
      )}
    </Container>
  )
}

export const config = defineRouteConfig({ label: "Segment campaigns" })
export const handle = { breadcrumb: () => "Segment campaigns" }

export default SegmentCampaignsPage
