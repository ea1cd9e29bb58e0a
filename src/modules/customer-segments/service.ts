import type { Context } from "@medusajs/framework/types"
import type { SqlEntityManager } from "@medusajs/framework/mikro-orm/knex"
import { generateEntityId, InjectTransactionManager, MedusaContext, MedusaService } from "@medusajs/framework/utils"
import { CustomerSegment, Segment, SegmentationRun } from "./models"

export type SegmentInput = {
  key: string
  name: string
  description: string
  /** Centre in original units, keyed by feature name. */
  centre: Record<string, number>
  size: number
}

/** Memberships are written in batches of this many rows (one JSON parameter each). */
const MEMBER_BATCH = 10_000

class CustomerSegmentsService extends MedusaService({ SegmentationRun, Segment, CustomerSegment }) {
  /**
   * Makes `segments` and `members` the current segmentation, in one transaction: readers see
   * the previous run's segments or this run's, never a mix. Segments keep their row (and id)
   * by key; keys that disappeared are deleted.
   */
  @InjectTransactionManager()
  async replaceSegmentation(
    runId: string,
    segments: SegmentInput[],
    members: {
      customerIds: readonly string[]
      keys: readonly string[]
      inControl: readonly boolean[]
      /** Purchase prediction per customer (P(buy) in the window, expected spend in the store currency); null or absent: none. */
      buyProbability?: readonly (number | null)[]
      expectedSpend?: readonly (number | null)[]
    },
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ removed: { key: string; customer_group_id: string | null }[] }> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const rows = segments.map((s) => ({ ...s, id: generateEntityId(undefined, "pzseg"), run_id: runId }))
    await em.execute(
      `INSERT INTO personalization_segment (id, key, name, description, centre, size, run_id)
       SELECT s.id, s.key, s.name, s.description, s.centre, s.size, s.run_id
       FROM jsonb_to_recordset(?::jsonb) AS s(id text, key text, name text, description text, centre jsonb, size int, run_id text)
       ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
         centre = EXCLUDED.centre, size = EXCLUDED.size, run_id = EXCLUDED.run_id, updated_at = now()`,
      [JSON.stringify(rows)]
    )
    // Disappeared segments go; their customer groups are deleted by the caller after commit.
    const removed: { key: string; customer_group_id: string | null }[] = await em.execute(
      `DELETE FROM personalization_segment WHERE key <> ALL (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))
       RETURNING key, customer_group_id`,
      [JSON.stringify(segments.map((s) => s.key))]
    )
    await em.execute(`DELETE FROM personalization_customer_segment`)
    for (let start = 0; start < members.customerIds.length; start += MEMBER_BATCH) {
      const batch = members.customerIds.slice(start, start + MEMBER_BATCH).map((customer_id, i) => ({
        customer_id,
        segment_key: members.keys[start + i],
        in_control: members.inControl[start + i],
        buy_probability: members.buyProbability?.[start + i] ?? null,
        expected_spend: members.expectedSpend?.[start + i] ?? null,
      }))
      await em.execute(
        `INSERT INTO personalization_customer_segment (customer_id, segment_key, in_control, buy_probability, expected_spend, run_id)
         SELECT m.customer_id, m.segment_key, m.in_control, m.buy_probability, m.expected_spend, ?
         FROM jsonb_to_recordset(?::jsonb)
           AS m(customer_id text, segment_key text, in_control boolean, buy_probability real, expected_spend real)`,
        [runId, JSON.stringify(batch)]
      )
    }
    return { removed }
  }

  /** Deletes the customer's membership (customer deletion). */
  @InjectTransactionManager()
  async purgeCustomer(customerId: string, @MedusaContext() sharedContext: Context = {}): Promise<number> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const rows: unknown[] = await em.execute(
      `DELETE FROM personalization_customer_segment WHERE customer_id = ? RETURNING 1`,
      [customerId]
    )
    return rows.length
  }
}

export default CustomerSegmentsService
