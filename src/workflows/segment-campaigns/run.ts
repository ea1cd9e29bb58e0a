/**
 * Starting segment campaign work: creation holds the campaigns lock (two creations at once
 * would draw the same customers into two campaigns), and the preview draws the arms without
 * writing anything.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { MedusaError } from "@medusajs/framework/utils"
import { withLock } from "../../lib/run-lock"
import { CUSTOMER_SEGMENTS_MODULE } from "../../modules/customer-segments"
import type CustomerSegmentsService from "../../modules/customer-segments/service"
import { drawArms } from "./arms"
import { createSegmentCampaignWorkflow } from "./index"
import type { CreateSegmentCampaignInput } from "./plan"

export const CAMPAIGNS_LOCK_KEY = "personalization:segment-campaigns"
/** A creation waits this long for another one to finish. */
const CREATE_WAIT_SECONDS = 30

/** Creates a segment campaign (createSegmentCampaignWorkflow) inside the campaigns lock; resolves to the campaign row. */
export async function createSegmentCampaign(container: MedusaContainer, input: CreateSegmentCampaignInput) {
  const outcome = await withLock(
    container,
    CAMPAIGNS_LOCK_KEY,
    "another segment campaign is being created",
    async () => (await createSegmentCampaignWorkflow(container).run({ input })).result,
    { timeoutSeconds: CREATE_WAIT_SECONDS }
  )
  if (outcome.status !== "done") throw new MedusaError(MedusaError.Types.CONFLICT, `The segment campaign was not created: ${outcome.reason}`)
  return outcome.value
}

/**
 * The arms a campaign on this segment would get now: eligible members and the expected split
 * (the exact split depends on the campaign's id, drawn at creation), and who is left out.
 */
export async function previewSegmentCampaign(container: MedusaContainer, { segment_key, control_share }: { segment_key: string; control_share: number }) {
  const segments = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const runId = await segments.getCurrentRunId()
  const segment = runId ? (await segments.listCurrentSegments()).find((s) => s.key === segment_key) : undefined
  if (!runId || !segment) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Segment with key: ${segment_key} was not found`)
  const draw = await drawArms(container, { campaignId: "preview", runId, segmentKey: segment.key, controlShare: control_share })
  const control = Math.round(draw.eligible * control_share)
  return {
    segment: { key: segment.key, name: segment.name, size: segment.size },
    control_share,
    eligible: draw.eligible,
    treatment: draw.eligible - control,
    control,
    excluded: draw.excluded,
    warnings: [
      ...(draw.eligible - control === 0 ? ["No member of this segment can be treated (every one is held out, opted out or in another running segment campaign): the campaign cannot be created."] : []),
      ...(control_share === 0 ? ["With a control share of 0 there is no control group: the campaign's uplift cannot be measured."] : []),
      ...(control_share > 0 && control < 100
        ? [`The control arm would have ${control} customers: uplift intervals will be wide (the report shows the smallest uplift it can detect).`]
        : []),
      ...(draw.excluded.in_other_campaign
        ? [`${draw.excluded.in_other_campaign} members are in another running segment campaign and are left out of this one.`]
        : []),
    ],
  }
}
