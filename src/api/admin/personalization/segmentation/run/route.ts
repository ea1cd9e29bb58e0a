import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { Modules } from "@medusajs/framework/utils"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../../../modules/customer-segments/service"
import { parseInput } from "../../validators"
import { z } from "@medusajs/framework/zod"

export const SEGMENTATION_REQUESTED_EVENT = "personalization.segmentation_requested"

/**
 * Queues a segmentation run and answers 202 with its id. The run happens where subscribers
 * and jobs run (the worker in a split deployment); GET .../segmentation/runs/:id follows it.
 */
export async function POST(req: MedusaRequest, res: MedusaResponse) {
  parseInput(z.object({}).strict(), req.body)
  const service = req.scope.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
  const run = await service.createSegmentationRuns({ status: "queued" })
  await req.scope.resolve(Modules.EVENT_BUS).emit({ name: SEGMENTATION_REQUESTED_EVENT, data: { run_id: run.id } })
  res.status(202).json({ run_id: run.id, status: run.status })
}
