import type { Context } from "@medusajs/framework/types"
import type { SqlEntityManager } from "@medusajs/framework/mikro-orm/knex"
import { generateEntityId, InjectManager, InjectTransactionManager, MedusaContext, MedusaService } from "@medusajs/framework/utils"
import { CustomerSegment, Segment, SegmentationRun } from "./models"

export type SegmentInput = {
  key: string
  name: string
  description: string
  /** Centre in original units, keyed by feature name. */
  centre: Record<string, number>
  size: number
}

export type MembersInput = {
  customerIds: readonly string[]
  keys: readonly string[]
  inControl: readonly boolean[]
  /** Purchase prediction per customer (P(buy) in the window, expected spend in the store currency); null or absent: none. */
  buyProbability?: readonly (number | null)[]
  expectedSpend?: readonly (number | null)[]
}

/** A membership row as stored, for a deletion that may have to be undone. */
export type MembershipRow = {
  id: string
  customer_id: string
  run_id: string
  segment_key: string
  in_control: boolean
  buy_probability: number | null
  expected_spend: number | null
}

/** What a completed run records on its row when it becomes the current one. */
export type RunDetails = {
  customers: number
  as_of: Date
  k: number
  silhouette: number
  inertia: number
  criterion: string
  scaling: Record<string, unknown>
  prediction_window_days: number
  prediction_currency_code: string
  prediction_training_customers: number | null
  prediction_scored_customers: number
  prediction_validation: Record<string, unknown> | null
  prediction_reason: string | null
  started_at: Date
}

/** Memberships are written in batches of this many rows (one JSON parameter each). */
const MEMBER_BATCH = 10_000
const json = (value: unknown) => JSON.stringify(value)
const IN_JSON = `ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`

/**
 * Segmentation runs, the segments each run found, and memberships. A run writes its segments
 * and memberships under its own id while the previous run stays current (staging); it becomes
 * the current one when it is published (status `completed`, in one statement); older
 * memberships are pruned after. So readers see one whole run, and a run that fails before it
 * is published leaves the previous one in place.
 */
class CustomerSegmentsService extends MedusaService({ SegmentationRun, Segment, CustomerSegment }) {
  /** The current run: the latest completed one (null before any). */
  @InjectManager()
  async getCurrentRunId(@MedusaContext() sharedContext: Context = {}): Promise<string | null> {
    const em = sharedContext.manager as SqlEntityManager
    const [row]: { id: string }[] = await em.execute(
      `SELECT id FROM personalization_segmentation_run WHERE status = 'completed' AND deleted_at IS NULL
       ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1`
    )
    return row?.id ?? null
  }

  /** The current run's segments, by key. */
  async listCurrentSegments() {
    const runId = await this.getCurrentRunId()
    return runId ? this.listSegments({ run_id: runId }, { take: null, order: { key: "ASC" } }) : []
  }

  /** A customer's membership in the current run, or null. */
  async getCurrentMembership(customerId: string) {
    const runId = await this.getCurrentRunId()
    if (!runId) return null
    const [member] = await this.listCustomerSegments({ run_id: runId, customer_id: customerId })
    return member ?? null
  }

  /**
   * Writes a run's segments and memberships under its id, not yet current. Segments keep the
   * customer group of the same key in the current run.
   */
  @InjectTransactionManager()
  async stageSegmentation(runId: string, segments: SegmentInput[], members: MembersInput, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const current = await this.getCurrentRunId(sharedContext)
    const rows = segments.map((s) => ({ ...s, id: generateEntityId(undefined, "pzseg") }))
    await em.execute(
      `INSERT INTO personalization_segment (id, run_id, key, name, description, centre, size, customer_group_id)
       SELECT s.id, ?, s.key, s.name, s.description, s.centre, s.size,
              (SELECT p.customer_group_id FROM personalization_segment p WHERE p.run_id = ? AND p.key = s.key AND p.deleted_at IS NULL)
       FROM jsonb_to_recordset(?::jsonb) AS s(id text, key text, name text, description text, centre jsonb, size int)`,
      [runId, current ?? "", json(rows)]
    )
    for (let start = 0; start < members.customerIds.length; start += MEMBER_BATCH) {
      const batch = members.customerIds.slice(start, start + MEMBER_BATCH).map((customer_id, i) => ({
        customer_id,
        segment_key: members.keys[start + i],
        in_control: members.inControl[start + i],
        buy_probability: members.buyProbability?.[start + i] ?? null,
        expected_spend: members.expectedSpend?.[start + i] ?? null,
      }))
      await em.execute(
        `INSERT INTO personalization_customer_segment (id, customer_id, segment_key, in_control, buy_probability, expected_spend, run_id)
         SELECT ? || ':' || m.customer_id, m.customer_id, m.segment_key, m.in_control, m.buy_probability, m.expected_spend, ?
         FROM jsonb_to_recordset(?::jsonb)
           AS m(customer_id text, segment_key text, in_control boolean, buy_probability real, expected_spend real)`,
        [runId, runId, json(batch)]
      )
    }
  }

  /** Deletes a run's staged segments and memberships (the run failed before it was published). */
  @InjectTransactionManager()
  async discardRun(runId: string, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    await em.execute(`DELETE FROM personalization_customer_segment WHERE run_id = ?`, [runId])
    await em.execute(`DELETE FROM personalization_segment WHERE run_id = ?`, [runId])
  }

  /** Customer ids of a run's segment: its customer group's members (`in_control: false`) or its control group. */
  @InjectManager()
  async listRunMembers(runId: string, segmentKey: string, { inControl }: { inControl?: boolean } = {}, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { customer_id: string }[] = await em.execute(
      `SELECT customer_id FROM personalization_customer_segment
       WHERE run_id = ? AND segment_key = ? AND (?::boolean IS NULL OR in_control = ?::boolean)`,
      [runId, segmentKey, inControl ?? null, inControl ?? null]
    )
    return rows.map((r) => r.customer_id)
  }

  /** Of `customerIds`, those that have a membership in the run. */
  @InjectManager()
  async listRunMembersAmong(runId: string, customerIds: string[], @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    if (!customerIds.length) return []
    const em = sharedContext.manager as SqlEntityManager
    const rows: { customer_id: string }[] = await em.execute(
      `SELECT customer_id FROM personalization_customer_segment WHERE run_id = ? AND customer_id = ${IN_JSON}`,
      [runId, json(customerIds)]
    )
    return rows.map((r) => r.customer_id)
  }

  /** Deletes these customers' memberships of one run (customers deleted while it ran); returns how many went. */
  @InjectManager()
  async removeRunMembers(runId: string, customerIds: string[], @MedusaContext() sharedContext: Context = {}): Promise<number> {
    if (!customerIds.length) return 0
    const em = sharedContext.manager as SqlEntityManager
    const rows: { segment_key: string }[] = await em.execute(
      `DELETE FROM personalization_customer_segment WHERE run_id = ? AND customer_id = ${IN_JSON} RETURNING segment_key`,
      [runId, json(customerIds)]
    )
    for (const [key, n] of Object.entries(rows.reduce<Record<string, number>>((m, r) => ((m[r.segment_key] = (m[r.segment_key] ?? 0) + 1), m), {}))) {
      await em.execute(`UPDATE personalization_segment SET size = GREATEST(size - ?, 0), updated_at = now() WHERE run_id = ? AND key = ?`, [n, runId, key])
    }
    return rows.length
  }

  /**
   * Makes a staged run the current one, with its details, in one statement: readers move from
   * the previous run's segments to this run's at once. Returns the run it replaces.
   */
  @InjectTransactionManager()
  async publishRun(runId: string, details: RunDetails, @MedusaContext() sharedContext: Context = {}): Promise<{ previous_run_id: string | null }> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const previous = await this.getCurrentRunId(sharedContext)
    const { started_at, scaling, prediction_validation, ...rest } = details
    await em.execute(
      `UPDATE personalization_segmentation_run SET status = 'completed', reason = NULL, progress = 1,
         customers = ?, as_of = ?, k = ?, silhouette = ?, inertia = ?, criterion = ?, scaling = ?::jsonb,
         prediction_window_days = ?, prediction_currency_code = ?, prediction_training_customers = ?,
         prediction_scored_customers = ?, prediction_validation = ?::jsonb, prediction_reason = ?,
         finished_at = now(), duration_ms = (EXTRACT(EPOCH FROM (now() - ?::timestamptz)) * 1000)::int, updated_at = now()
       WHERE id = ?`,
      [
        rest.customers,
        rest.as_of,
        rest.k,
        rest.silhouette,
        rest.inertia,
        rest.criterion,
        json(scaling),
        rest.prediction_window_days,
        rest.prediction_currency_code,
        rest.prediction_training_customers,
        rest.prediction_scored_customers,
        prediction_validation === null ? null : json(prediction_validation),
        rest.prediction_reason,
        started_at,
        runId,
      ]
    )
    return { previous_run_id: previous }
  }

  /** Deletes the memberships of every run but `runId` (after it became current). Segment rows stay: they are the history. */
  @InjectManager()
  async pruneMemberships(runId: string, @MedusaContext() sharedContext: Context = {}): Promise<number> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: unknown[] = await em.execute(`DELETE FROM personalization_customer_segment WHERE run_id <> ? RETURNING 1`, [runId])
    return rows.length
  }

  /**
   * Per segment of `runId`, the customers who entered it and those who left it since
   * `previousRunId` (a customer who moved counts in both segments; with no previous run, all
   * members entered).
   */
  @InjectManager()
  async listSegmentChanges(runId: string, previousRunId: string | null, @MedusaContext() sharedContext: Context = {}) {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { customer_id: string; now_key: string | null; was_key: string | null }[] = await em.execute(
      `SELECT COALESCE(n.customer_id, w.customer_id) AS customer_id, n.segment_key AS now_key, w.segment_key AS was_key
       FROM (SELECT customer_id, segment_key FROM personalization_customer_segment WHERE run_id = ?) n
       FULL OUTER JOIN (SELECT customer_id, segment_key FROM personalization_customer_segment WHERE run_id = ?) w
         ON w.customer_id = n.customer_id
       WHERE n.segment_key IS DISTINCT FROM w.segment_key
       ORDER BY 1`,
      [runId, previousRunId ?? ""]
    )
    const bySegment = new Map<string, { added: string[]; removed: string[] }>()
    const of = (key: string) => bySegment.get(key) ?? (bySegment.set(key, { added: [], removed: [] }).get(key) as { added: string[]; removed: string[] })
    let changed = 0
    for (const r of rows) {
      if (r.now_key) {
        of(r.now_key).added.push(r.customer_id)
        changed++
      }
      if (r.was_key) of(r.was_key).removed.push(r.customer_id)
    }
    return { changed, bySegment }
  }

  /** Customer groups this plugin has ever kept for a segment (every run's), to purge a customer from. */
  @InjectManager()
  async listSegmentGroupIds(@MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { id: string }[] = await em.execute(
      `SELECT DISTINCT customer_group_id AS id FROM personalization_segment WHERE customer_group_id IS NOT NULL AND deleted_at IS NULL`
    )
    return rows.map((r) => r.id)
  }

  /**
   * Marks segmentation runs that stopped without saying so (their process died) as failed:
   * queued or running, not updated for `staleSeconds`. Call only while holding the segmentation
   * run lock (a live run holds it), so a live run is never touched.
   */
  @InjectManager()
  async failStaleRuns(staleSeconds: number, reason: string, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { id: string }[] = await em.execute(
      `UPDATE personalization_segmentation_run SET status = 'failed', reason = ?, finished_at = now(), updated_at = now()
       WHERE status IN ('queued', 'running') AND updated_at < now() - make_interval(secs => ?) AND deleted_at IS NULL
       RETURNING id`,
      [reason, staleSeconds]
    )
    if (rows.length) await this.discardRuns_(em, rows.map((r) => r.id))
    return rows.map((r) => r.id)
  }

  /**
   * Deletes the customer's memberships of every run, staged ones included, and counts them out
   * of their segments' sizes; returns them so a failed deletion can put them back.
   */
  @InjectTransactionManager()
  async purgeCustomer(customerId: string, @MedusaContext() sharedContext: Context = {}): Promise<MembershipRow[]> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const rows: MembershipRow[] = await em.execute(
      `DELETE FROM personalization_customer_segment WHERE customer_id = ?
       RETURNING id, customer_id, run_id, segment_key, in_control, buy_probability, expected_spend`,
      [customerId]
    )
    await this.adjustSizes_(em, rows, -1)
    return rows
  }

  /** Puts back membership rows a purge deleted (its workflow failed later), with their segments' sizes. */
  @InjectTransactionManager()
  async restoreMemberships(rows: MembershipRow[], @MedusaContext() sharedContext: Context = {}): Promise<void> {
    if (!rows.length) return
    const em = sharedContext.transactionManager as SqlEntityManager
    const restored: { run_id: string; segment_key: string }[] = await em.execute(
      `INSERT INTO personalization_customer_segment (id, customer_id, run_id, segment_key, in_control, buy_probability, expected_spend)
       SELECT * FROM jsonb_to_recordset(?::jsonb)
         AS m(id text, customer_id text, run_id text, segment_key text, in_control boolean, buy_probability real, expected_spend real)
       ON CONFLICT (id) DO NOTHING
       RETURNING run_id, segment_key`,
      [json(rows)]
    )
    await this.adjustSizes_(em, restored, 1)
  }

  /** Adds `sign` to the size of each row's segment in its run (never below 0). */
  protected async adjustSizes_(em: SqlEntityManager, rows: { run_id: string; segment_key: string }[], sign: 1 | -1) {
    const counts = new Map<string, { run_id: string; key: string; n: number }>()
    for (const r of rows) {
      const id = `${r.run_id}|${r.segment_key}`
      const entry = counts.get(id) ?? { run_id: r.run_id, key: r.segment_key, n: 0 }
      entry.n++
      counts.set(id, entry)
    }
    for (const { run_id, key, n } of counts.values()) {
      await em.execute(`UPDATE personalization_segment SET size = GREATEST(size + ?, 0), updated_at = now() WHERE run_id = ? AND key = ?`, [sign * n, run_id, key])
    }
  }

  // --- admin reads -----------------------------------------------------------------------

  /** The latest `limit` completed runs, oldest first. */
  @InjectManager()
  async listCompletedRuns(limit: number, @MedusaContext() sharedContext: Context = {}) {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { id: string; as_of: Date | null; finished_at: Date | null }[] = await em.execute(
      `SELECT id, as_of, finished_at FROM (
         SELECT id, as_of, finished_at FROM personalization_segmentation_run
         WHERE status = 'completed' AND deleted_at IS NULL
         ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT ?) r
       ORDER BY finished_at ASC NULLS FIRST, id ASC`,
      [limit]
    )
    return rows
  }

  /** The completed run before `runId` (by finish time), or null. */
  @InjectManager()
  async getPreviousRunId(runId: string, @MedusaContext() sharedContext: Context = {}): Promise<string | null> {
    const em = sharedContext.manager as SqlEntityManager
    const [row]: { id: string }[] = await em.execute(
      `SELECT p.id FROM personalization_segmentation_run p, personalization_segmentation_run r
       WHERE r.id = ? AND p.status = 'completed' AND p.deleted_at IS NULL AND p.id <> r.id
         AND (p.finished_at < r.finished_at OR (p.finished_at = r.finished_at AND p.id < r.id))
       ORDER BY p.finished_at DESC, p.id DESC LIMIT 1`,
      [runId]
    )
    return row?.id ?? null
  }

  /**
   * Per segment of a run, over its current memberships: members, and the mean buy probability
   * and expected spend (null when no member has a prediction).
   */
  @InjectManager()
  async summarizeRunMembers(runId: string, @MedusaContext() sharedContext: Context = {}) {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { segment_key: string; members: number; mean_buy_probability: number | null; mean_expected_spend: number | null }[] = await em.execute(
      `SELECT segment_key, COUNT(*)::int AS members, AVG(buy_probability)::float8 AS mean_buy_probability,
              AVG(expected_spend)::float8 AS mean_expected_spend
       FROM personalization_customer_segment WHERE run_id = ? GROUP BY segment_key`,
      [runId]
    )
    return new Map(rows.map((r) => [r.segment_key, r]))
  }

  /**
   * A seeded sample of a run's memberships: the `size` members with the smallest md5 of
   * "<run id>:<customer id>", so the same run always gives the same sample, and a smaller
   * sample is the start of a larger one. With `total`, the run's member count.
   */
  @InjectManager()
  async sampleRunMembers(runId: string, size: number, @MedusaContext() sharedContext: Context = {}) {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { customer_id: string; segment_key: string; buy_probability: number | null }[] = await em.execute(
      `SELECT customer_id, segment_key, buy_probability FROM personalization_customer_segment
       WHERE run_id = ? ORDER BY md5(run_id || ':' || customer_id), customer_id LIMIT ?`,
      [runId, size]
    )
    const [count]: { total: number }[] = await em.execute(`SELECT COUNT(*)::int AS total FROM personalization_customer_segment WHERE run_id = ?`, [runId])
    return { members: rows, total: count?.total ?? 0 }
  }

  /**
   * Buy probabilities of a run's members in `bins` equal bins over [0, 1] (a probability of
   * exactly 1 falls in the last), of one segment or of all; the mean over all members too.
   */
  @InjectManager()
  async buyProbabilityBins(runId: string, segmentKey: string | null, bins: number, @MedusaContext() sharedContext: Context = {}) {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { bin: number; count: number }[] = await em.execute(
      `SELECT LEAST(FLOOR(buy_probability * ?)::int, ? - 1) AS bin, COUNT(*)::int AS count
       FROM personalization_customer_segment
       WHERE run_id = ? AND buy_probability IS NOT NULL AND (?::text IS NULL OR segment_key = ?)
       GROUP BY 1 ORDER BY 1`,
      [bins, bins, runId, segmentKey, segmentKey]
    )
    return rows
  }

  /** Mean buy probability over every member of a run (null without predictions). */
  @InjectManager()
  async meanBuyProbability(runId: string, @MedusaContext() sharedContext: Context = {}): Promise<number | null> {
    const em = sharedContext.manager as SqlEntityManager
    const [row]: { mean: number | null }[] = await em.execute(
      `SELECT AVG(buy_probability)::float8 AS mean FROM personalization_customer_segment WHERE run_id = ?`,
      [runId]
    )
    return row?.mean ?? null
  }

  protected async discardRuns_(em: SqlEntityManager, runIds: string[]) {
    await em.execute(`DELETE FROM personalization_customer_segment WHERE run_id = ${IN_JSON}`, [json(runIds)])
    await em.execute(`DELETE FROM personalization_segment WHERE run_id = ${IN_JSON}`, [json(runIds)])
  }
}

export default CustomerSegmentsService
