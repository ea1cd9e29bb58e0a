import { Modules } from "@medusajs/framework/utils"
import type { ICustomerModuleService } from "@medusajs/framework/types"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { CUSTOMER_SEGMENTS_MODULE } from "../../../modules/customer-segments"
import type CustomerSegmentsService from "../../../modules/customer-segments/service"

type Pair = { customer_id: string; customer_group_id: string }
/**
 * What the step changed besides memberships, so that it can be undone exactly. Memberships are
 * undone by setting each group back to the previous run's members (kept until the new run is
 * published and pruned), so no customer list has to be carried in the workflow.
 */
type Changes = {
  previous_run_id: string | null
  created: string[]
  deleted: string[]
  renamed: { id: string; name: string }[]
  recorded: { segment_id: string; customer_group_id: string | null }[]
}

/** Membership changes are sent to the customer module in batches of this many pairs. */
const BATCH = 1000
/** Metadata key on a plugin-owned customer group: the segment it mirrors. */
export const SEGMENT_GROUP_METADATA_KEY = "personalization_segment_key"

async function inBatches(pairs: Pair[], apply: (batch: Pair[]) => Promise<unknown>) {
  for (let start = 0; start < pairs.length; start += BATCH) await apply(pairs.slice(start, start + BATCH))
}

/** Sets a group's members to `target` by difference; returns how many were added and removed. */
async function setMembers(customers: ICustomerModuleService, groupId: string, target: Set<string>) {
  const inGroup = new Set((await customers.listCustomerGroupCustomers({ customer_group_id: groupId }, { take: null })).map((m) => m.customer_id))
  const add = [...target].filter((id) => !inGroup.has(id)).map((customer_id) => ({ customer_id, customer_group_id: groupId }))
  const drop = [...inGroup].filter((id) => !target.has(id)).map((customer_id) => ({ customer_id, customer_group_id: groupId }))
  await inBatches(add, (batch) => customers.addCustomerToGroup(batch))
  await inBatches(drop, (batch) => customers.removeCustomerFromGroup(batch))
  return { added: add.length, removed: drop.length }
}

/**
 * The customer group name for each segment: the segment's name ("Champions"), unique as Medusa
 * requires. A name a group of the shop's own already has gets a suffix: "Champions
 * (personalization)", then "(personalization 2)", ...
 */
export function groupNames(segments: { key: string; name: string }[], takenByOthers: Set<string>): Map<string, string> {
  const names = new Map<string, string>()
  const used = new Set(takenByOthers)
  for (const s of segments) {
    let name = s.name
    for (let n = 1; used.has(name); n++) name = `${s.name} (personalization${n > 1 ? ` ${n}` : ""})`
    used.add(name)
    names.set(s.key, name)
  }
  return names
}

/** Puts the groups back as the previous run left them. */
async function undo(customers: ICustomerModuleService, segments: CustomerSegmentsService, changes: Changes) {
  // Names are unique among live groups: free every name this run gave before the old names come back.
  for (const { id } of changes.renamed) await customers.updateCustomerGroups(id, { name: `${id} (restoring)` })
  if (changes.created.length) await customers.deleteCustomerGroups(changes.created)
  if (changes.deleted.length) await customers.restoreCustomerGroups(changes.deleted)
  for (const { id, name } of changes.renamed) await customers.updateCustomerGroups(id, { name })
  for (const r of changes.recorded) await segments.updateSegments({ id: r.segment_id, customer_group_id: r.customer_group_id })
  if (!changes.previous_run_id) return
  for (const segment of await segments.listSegments({ run_id: changes.previous_run_id }, { take: null })) {
    if (!segment.customer_group_id) continue
    await setMembers(customers, segment.customer_group_id, new Set(await segments.listRunMembers(changes.previous_run_id, segment.key, { inControl: false })))
  }
}

/**
 * Brings one customer group per segment of the staged run `run_id` in line with it: creates
 * missing groups, renames groups whose segment's name changed, sets members by difference
 * (control customers stay out), and deletes the groups of the current run's segments that the
 * new run no longer has. Only groups recorded on a segment are touched, never a group made by
 * hand. All or nothing: a failure part way undoes what the step did before it rethrows, and the
 * compensation (a later step failed) undoes it all, so the groups match the current run again.
 */
export const syncSegmentGroupsStep = createStep(
  "sync-segment-groups",
  async ({ run_id, previous_run_id }: { run_id: string | null; previous_run_id: string | null }, { container }) => {
    if (!run_id) return new StepResponse(null, null)
    const segments = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
    const customers = container.resolve(Modules.CUSTOMER)
    const changes: Changes = { previous_run_id, created: [], deleted: [], renamed: [], recorded: [] }
    let added = 0
    let removed = 0
    try {
      const staged = await segments.listSegments({ run_id }, { take: null, order: { key: "ASC" } })
      const current = previous_run_id ? await segments.listSegments({ run_id: previous_run_id }, { take: null }) : []
      const stagedKeys = new Set(staged.map((s) => s.key))
      const gone = current.filter((s) => !stagedKeys.has(s.key) && s.customer_group_id).map((s) => s.customer_group_id as string)
      if (gone.length) {
        await customers.deleteCustomerGroups(gone)
        changes.deleted.push(...gone)
      }

      const known = staged.map((s) => s.customer_group_id).filter((id): id is string => Boolean(id))
      const existing = new Map((known.length ? await customers.listCustomerGroups({ id: known }, { take: null }) : []).map((g) => [g.id, g]))
      const ours = new Set(existing.keys())
      const wanted = staged.map((s) => s.name)
      const takenByOthers = new Set(
        (await customers.listCustomerGroups({ name: { $in: wanted.flatMap((n) => [n, `${n} (personalization)`]) } }, { take: null }))
          .filter((g) => !ours.has(g.id))
          .map((g) => g.name as string)
      )
      const names = groupNames(staged, takenByOthers)

      // Names are unique: groups whose name changes take a temporary name first, so that two
      // segments can swap names.
      const renames = staged.filter((s) => {
        const group = s.customer_group_id ? existing.get(s.customer_group_id) : undefined
        return group && group.name !== names.get(s.key)
      })
      for (const s of renames) {
        const group = existing.get(s.customer_group_id as string)!
        changes.renamed.push({ id: group.id, name: group.name ?? "" })
        await customers.updateCustomerGroups(group.id, { name: `${names.get(s.key)} (renaming ${group.id})` })
      }
      for (const s of renames) await customers.updateCustomerGroups(s.customer_group_id as string, { name: names.get(s.key) as string })

      for (const segment of staged) {
        let groupId = segment.customer_group_id
        if (!groupId || !existing.has(groupId)) {
          // Never made, or deleted by hand since: (re)create it.
          const created = await customers.createCustomerGroups({
            name: names.get(segment.key) as string,
            metadata: { [SEGMENT_GROUP_METADATA_KEY]: segment.key },
          })
          changes.created.push(created.id)
          changes.recorded.push({ segment_id: segment.id, customer_group_id: segment.customer_group_id })
          await segments.updateSegments({ id: segment.id, customer_group_id: created.id })
          groupId = created.id
        }
        const done = await setMembers(customers, groupId, new Set(await segments.listRunMembers(run_id, segment.key, { inControl: false })))
        added += done.added
        removed += done.removed
      }
      return new StepResponse({ groups: staged.length, created: changes.created.length, deleted: changes.deleted.length, added, removed }, changes)
    } catch (error) {
      // A step's own compensation does not run when it throws: undo what was done so far here.
      await undo(customers, segments, changes)
      throw error
    }
  },
  // A later step failed: the groups look as before the run.
  async (changes, { container }) => {
    if (!changes) return
    await undo(container.resolve(Modules.CUSTOMER), container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE), changes)
  }
)
