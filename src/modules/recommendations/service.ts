import type { Context } from "@medusajs/framework/types"
import type { SqlEntityManager } from "@medusajs/framework/mikro-orm/knex"
import { InjectManager, InjectTransactionManager, MedusaContext, MedusaError, MedusaService } from "@medusajs/framework/utils"
import type { PrecomputedList, ServedReason } from "../../ml/pipeline/training"
import { ModelVersion, RecommendationEvent, RecommendationList } from "./models"

export type ListKind = PrecomputedList["kind"]
export type EventType = "impression" | "click" | "add_to_cart"

export type ActiveList = { version_id: string; product_ids: string[]; reasons: ServedReason[] }

/** Lists are written in batches of this many rows (one JSON parameter each). */
const LIST_BATCH = 2_000

class RecommendationsService extends MedusaService({ ModelVersion, RecommendationList, RecommendationEvent }) {
  /**
   * Stores a version's lists. The version is not active while this runs, so batches need not
   * share one transaction: no reader sees them until `activateVersion` switches over.
   */
  @InjectManager()
  async writeLists(versionId: string, lists: readonly PrecomputedList[], @MedusaContext() sharedContext: Context = {}): Promise<number> {
    const em = sharedContext.manager as SqlEntityManager
    for (let start = 0; start < lists.length; start += LIST_BATCH) {
      const batch = lists.slice(start, start + LIST_BATCH).map((l) => ({
        id: `${versionId}:${l.kind}:${l.subject}`,
        kind: l.kind,
        subject_id: l.subject,
        product_ids: l.products,
        reasons: l.reasons,
      }))
      await em.execute(
        `INSERT INTO personalization_recommendation_list (id, version_id, kind, subject_id, product_ids, reasons)
         SELECT r.id, ?, r.kind, r.subject_id, ARRAY(SELECT jsonb_array_elements_text(r.product_ids)), r.reasons
         FROM jsonb_to_recordset(?::jsonb) AS r(id text, kind text, subject_id text, product_ids jsonb, reasons jsonb)`,
        [versionId, JSON.stringify(batch)]
      )
    }
    // Built: its lists are complete, so it can be activated (now or later, as a rollback).
    await em.execute(`UPDATE personalization_model_version SET lists = ?, status = 'inactive', updated_at = now() WHERE id = ?`, [
      lists.length,
      versionId,
    ])
    return lists.length
  }

  /** Deletes one version's lists (a run that failed after storing them). */
  @InjectTransactionManager()
  async pruneVersionLists(versionId: string, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    await em.execute(`DELETE FROM personalization_recommendation_list WHERE version_id = ?`, [versionId])
    await em.execute(`UPDATE personalization_model_version SET lists = 0, pruned_at = now(), updated_at = now() WHERE id = ?`, [versionId])
  }

  /**
   * Makes `versionId` the version the store serves, in one transaction: the previous active
   * version becomes inactive at the same instant. Only versions whose lists are stored
   * (built, not pruned) can be activated.
   */
  @InjectTransactionManager()
  async activateVersion(versionId: string, @MedusaContext() sharedContext: Context = {}) {
    const em = sharedContext.transactionManager as SqlEntityManager
    // One activation at a time; a reader keeps seeing the old version until commit.
    await em.execute(`SELECT pg_advisory_xact_lock(?, 0)`, [0x707a_0010])
    const [version]: { id: string; status: string; lists: number; pruned_at: Date | null }[] = await em.execute(
      `SELECT id, status, lists, pruned_at FROM personalization_model_version WHERE id = ? AND deleted_at IS NULL`,
      [versionId]
    )
    if (!version) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Model version ${versionId} was not found`)
    if (!["active", "inactive"].includes(version.status) || version.pruned_at || version.lists === 0) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Model version ${versionId} cannot be activated: it is ${version.pruned_at ? "pruned" : version.status} and has no stored lists`
      )
    }
    await em.execute(`UPDATE personalization_model_version SET status = 'inactive', updated_at = now() WHERE status = 'active' AND id <> ?`, [versionId])
    await em.execute(
      `UPDATE personalization_model_version SET status = 'active', activated_at = now(), updated_at = now() WHERE id = ?`,
      [versionId]
    )
    return { id: versionId }
  }

  /** Deletes the lists of built versions beyond the active one and the newest `keep` others. */
  @InjectTransactionManager()
  async pruneVersions(keep: number, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const rows: { id: string }[] = await em.execute(
      `SELECT id FROM personalization_model_version
       WHERE status = 'inactive' AND pruned_at IS NULL AND deleted_at IS NULL
       ORDER BY finished_at DESC NULLS LAST, id DESC OFFSET ?`,
      [keep]
    )
    const ids = rows.map((r) => r.id)
    if (ids.length) {
      const param = JSON.stringify(ids)
      await em.execute(`DELETE FROM personalization_recommendation_list WHERE version_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`, [param])
      await em.execute(
        `UPDATE personalization_model_version SET lists = 0, pruned_at = now(), updated_at = now()
         WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`,
        [param]
      )
    }
    return ids
  }

  /** The active version's list of this kind for `subject` (a customer or product id; "" for trending). */
  @InjectManager()
  async getActiveList(kind: ListKind, subject: string, @MedusaContext() sharedContext: Context = {}): Promise<ActiveList | null> {
    const em = sharedContext.manager as SqlEntityManager
    const [row]: ActiveList[] = await em.execute(
      `SELECT l.version_id, l.product_ids, l.reasons
       FROM personalization_recommendation_list l
       JOIN personalization_model_version v ON v.id = l.version_id AND v.status = 'active'
       WHERE l.subject_id = ? AND l.kind = ?`,
      [subject, kind]
    )
    return row ?? null
  }

  /** The active version's recipe-independent facts, or null when none is active. */
  @InjectManager()
  async getActiveVersionId(@MedusaContext() sharedContext: Context = {}): Promise<string | null> {
    const em = sharedContext.manager as SqlEntityManager
    const [row]: { id: string }[] = await em.execute(`SELECT id FROM personalization_model_version WHERE status = 'active' LIMIT 1`)
    return row?.id ?? null
  }

  /** Adds events to the daily aggregates (UTC day of `at`). */
  @InjectManager()
  async recordEvents(
    events: { version_id: string; list_type: string; event_type: EventType; count?: number }[],
    at: Date = new Date(),
    @MedusaContext() sharedContext: Context = {}
  ): Promise<void> {
    const em = sharedContext.manager as SqlEntityManager
    const day = at.toISOString().slice(0, 10)
    const rows = events.map((e) => ({
      id: `${day}:${e.version_id}:${e.list_type}:${e.event_type}`,
      version_id: e.version_id,
      list_type: e.list_type,
      event_type: e.event_type,
      count: e.count ?? 1,
    }))
    await em.execute(
      `INSERT INTO personalization_recommendation_event (id, day, version_id, list_type, event_type, count)
       SELECT r.id, ?, r.version_id, r.list_type, r.event_type, SUM(r.count)
       FROM jsonb_to_recordset(?::jsonb) AS r(id text, version_id text, list_type text, event_type text, count int)
       GROUP BY r.id, r.version_id, r.list_type, r.event_type
       ON CONFLICT (id) DO UPDATE SET count = personalization_recommendation_event.count + EXCLUDED.count, updated_at = now()`,
      [day, JSON.stringify(rows)]
    )
  }

  /** Impressions, clicks, add-to-carts and click-through rate per model version and list type. */
  @InjectManager()
  async summarizeEvents(
    { since, versionId }: { since?: string; versionId?: string } = {},
    @MedusaContext() sharedContext: Context = {}
  ) {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { version_id: string; list_type: string; impressions: number; clicks: number; add_to_carts: number }[] = await em.execute(
      `SELECT version_id, list_type,
              COALESCE(SUM(count) FILTER (WHERE event_type = 'impression'), 0)::int AS impressions,
              COALESCE(SUM(count) FILTER (WHERE event_type = 'click'), 0)::int AS clicks,
              COALESCE(SUM(count) FILTER (WHERE event_type = 'add_to_cart'), 0)::int AS add_to_carts
       FROM personalization_recommendation_event
       WHERE day >= ? AND (?::text IS NULL OR version_id = ?)
       GROUP BY version_id, list_type
       ORDER BY version_id, list_type`,
      [since ?? "0000-00-00", versionId ?? null, versionId ?? null]
    )
    return rows.map((r) => ({ ...r, click_through_rate: r.impressions > 0 ? r.clicks / r.impressions : null }))
  }

  /** Deletes the customer's personal lists in every version (customer deletion). */
  @InjectManager()
  async purgeCustomer(customerId: string, @MedusaContext() sharedContext: Context = {}): Promise<number> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: unknown[] = await em.execute(
      `DELETE FROM personalization_recommendation_list WHERE subject_id = ? AND kind = 'customer' RETURNING 1`,
      [customerId]
    )
    return rows.length
  }
}

export default RecommendationsService
