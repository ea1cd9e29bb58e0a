import { Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"

type Pair = { customer_id: string; customer_group_id: string }
type Changes = { created: string[]; deleted: string[]; renamed: { id: string; name: string }[]; added: Pair[]; removed: Pair[] }

/** Membership changes are sent to the customer module in batches of this many pairs. */
const BATCH = 1000

/** The name of a segment's customer group: readable, and unlike any group a person would name. */
export const groupName = (segment: { key: string; name: string }) => `Segment ${segment.key}: ${segment.name}`

async function inBatches(pairs: Pair[], apply: (batch: Pair[]) => Promise<unknown>) {
  for (let start = 0; start < pairs.length; start += BATCH) await apply(pairs.slice(start, start + BATCH))
}

/**
 * Keeps one customer group per segment in step with it: creates missing groups, renames them
 * when the segment's name changed, adds and removes customers by difference (control customers
 * stay out), and deletes the groups of segments that disappeared. Only groups recorded on a
 * segment are touched, so groups made by hand never are.
 */
export const syncSegmentGroupsStep = createStep(
  "sync-segment-groups",
  async ({ removed }: { removed: { key: string; customer_group_id: string | null }[] }, { container }) => {
    const segments = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    const customers = container.resolve(Modules.CUSTOMER)
    const changes: Changes = { created: [], deleted: [], renamed: [], added: [], removed: [] }

    const gone = removed.map((r) => r.customer_group_id).filter((id): id is string => Boolean(id))
    if (gone.length) {
      await customers.deleteCustomerGroups(gone)
      changes.deleted.push(...gone)
    }

    const current = await segments.listSegments({}, { take: null, order: { key: "ASC" } })
    const known = current.map((s) => s.customer_group_id).filter((id): id is string => Boolean(id))
    const existing = new Map((known.length ? await customers.listCustomerGroups({ id: known }, { take: null }) : []).map((g) => [g.id, g]))
    for (const segment of current) {
      let groupId = segment.customer_group_id
      const name = groupName(segment)
      const group = groupId ? existing.get(groupId) : undefined
      if (!group) {
        // Never made, or deleted by hand since: (re)create it.
        const created = await customers.createCustomerGroups({ name, metadata: { personalization_segment_key: segment.key } })
        groupId = created.id
        changes.created.push(groupId)
        await segments.updateSegments({ id: segment.id, customer_group_id: groupId })
      } else if (group.name !== name) {
        changes.renamed.push({ id: group.id, name: group.name ?? "" })
        await customers.updateCustomerGroups(group.id, { name })
      }
      const target = new Set(
        (await segments.listCustomerSegments({ segment_key: segment.key, in_control: false }, { take: null, select: ["customer_id"] })).map(
          (m) => m.customer_id
        )
      )
      const inGroup = new Set(
        (await customers.listCustomerGroupCustomers({ customer_group_id: groupId as string }, { take: null })).map((m) => m.customer_id)
      )
      const add = [...target].filter((id) => !inGroup.has(id)).map((customer_id) => ({ customer_id, customer_group_id: groupId as string }))
      const drop = [...inGroup].filter((id) => !target.has(id)).map((customer_id) => ({ customer_id, customer_group_id: groupId as string }))
      await inBatches(add, (batch) => customers.addCustomerToGroup(batch))
      await inBatches(drop, (batch) => customers.removeCustomerFromGroup(batch))
      changes.added.push(...add)
      changes.removed.push(...drop)
    }
    return new StepResponse(
      { groups: current.length, created: changes.created.length, deleted: changes.deleted.length, added: changes.added.length, removed: changes.removed.length },
      changes
    )
  },
  // Undo this step's own changes if a later step fails: the groups look as before the run.
  async (changes, { container }) => {
    if (!changes) return
    const customers = container.resolve(Modules.CUSTOMER)
    await inBatches(changes.added, (batch) => customers.removeCustomerFromGroup(batch))
    await inBatches(changes.removed, (batch) => customers.addCustomerToGroup(batch))
    for (const { id, name } of changes.renamed) await customers.updateCustomerGroups(id, { name })
    if (changes.created.length) await customers.deleteCustomerGroups(changes.created)
    if (changes.deleted.length) await customers.restoreCustomerGroups(changes.deleted)
  }
)
