import { Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { PersonalizationEvents, SEGMENT_CHANGE_BATCH } from "../../../events"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"

/**
 * Tells subscribers what the run changed: one SEGMENTATION_COMPLETED event, and per segment
 * the customers who entered or left it in SEGMENT_CUSTOMERS_CHANGED events of at most
 * SEGMENT_CHANGE_BATCH ids each. The events join the workflow's event group, so the event bus
 * releases them only when the whole run has succeeded (and drops them if it fails). The lists
 * of ids are read here and never pass through the workflow's state.
 */
export const emitSegmentationEventsStep = createStep(
  "emit-segmentation-events",
  async ({ run_id, previous_run_id, customers }: { run_id: string | null; previous_run_id: string | null; customers: number }, context) => {
    if (!run_id) return new StepResponse(null, null)
    const segments = context.container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    const eventBus = context.container.resolve(Modules.EVENT_BUS)
    const { changed, bySegment } = await segments.listSegmentChanges(run_id, previous_run_id)
    const groups = new Map((await segments.listSegments({ run_id }, { take: null })).map((s) => [s.key, s.customer_group_id]))
    const metadata = context.eventGroupId ? { eventGroupId: context.eventGroupId } : {}
    const messages: { name: string; data: Record<string, unknown>; metadata: typeof metadata }[] = [
      { name: PersonalizationEvents.SEGMENTATION_COMPLETED, data: { run_id, customers, segments: groups.size, changed }, metadata },
    ]
    for (const [segment_key, { added, removed }] of bySegment) {
      // Fill each event with up to SEGMENT_CHANGE_BATCH ids, entering customers first.
      const all = [...added.map((id) => ["added", id] as const), ...removed.map((id) => ["removed", id] as const)]
      for (let start = 0; start < all.length; start += SEGMENT_CHANGE_BATCH) {
        const part = all.slice(start, start + SEGMENT_CHANGE_BATCH)
        messages.push({
          name: PersonalizationEvents.SEGMENT_CUSTOMERS_CHANGED,
          data: {
            run_id,
            segment_key,
            customer_group_id: groups.get(segment_key) ?? null,
            added: part.filter(([kind]) => kind === "added").map(([, id]) => id),
            removed: part.filter(([kind]) => kind === "removed").map(([, id]) => id),
          },
          metadata,
        })
      }
    }
    await eventBus.emit(messages)
    return new StepResponse({ events: messages.length, changed }, context.eventGroupId ?? null)
  },
  async (eventGroupId, { container }) => {
    if (!eventGroupId) return
    await container.resolve(Modules.EVENT_BUS).clearGroupedEvents(eventGroupId, {
      eventNames: [PersonalizationEvents.SEGMENTATION_COMPLETED, PersonalizationEvents.SEGMENT_CUSTOMERS_CHANGED],
    })
  }
)
