import type { Context } from "@medusajs/framework/types"
import type { SqlEntityManager } from "@medusajs/framework/mikro-orm/knex"
import { InjectManager, InjectTransactionManager, MedusaContext, MedusaError, MedusaService } from "@medusajs/framework/utils"
import type { PackedListBatch } from "../../ml/recommend/packed-lists"
import type { ProductTable, SimilarityState } from "../../ml/pipeline/training"
import { SimilarityStateReader, similarityStateParts } from "../../ml/pipeline/similarity-state"
import { ModelProduct, ModelVersion, RateWindow, RecommendationEvent, ServedEvent } from "./models"
import { type StoredList, type VersionProducts, decodeStoredList } from "./list-format"
import { executeBound } from "../../lib/execute-bound"

export type ListKind = PackedListBatch["kind"]
export type EventType = "impression" | "click" | "add_to_cart"

/** A list row as stored (its bytes in base64), for a deletion that may have to be undone. */
export type ListRow = { version_id: string; kind: ListKind; subject_id: string; items: string }

/** One counted item of an events request: its id's hash (sha256 hex), what it was served as, and when the id expires. */
export type ServedEventInput = { hash: string; version_id: string; list_type: string; expires_at: Date }

/** Rows per INSERT when lists are written: a few hundred kB of parameters. */
const LIST_ROWS_PER_STATEMENT = 500
const PRODUCT_ROWS_PER_STATEMENT = 5000
/** First key of this module's advisory locks ("pz" + kind). */
const LOCK_CLASS = { activation: 0x707a_0010, rate: 0x707a_0011 } as const
/** Rate limits count events in slots of this many seconds. */
const RATE_SLOT_SECONDS = 10
/** Product tables of the versions served last, per process. */
const PRODUCT_TABLE_CACHE = 4

type VersionDetails = {
  reason?: string | null
  recipe?: Record<string, unknown> | null
  evaluation?: Record<string, unknown> | null
  data?: Record<string, unknown> | null
  as_of?: Date | null
  started_at?: Date | null
}

/**
 * The precomputed lists live in `personalization_recommendation_list`, a table of the module's
 * migrations that is not in the data model (only this service's SQL reads and writes it):
 *   version_id text, kind text ('customer' | 'related' | 'bought_together' | 'trending'),
 *   subject_id text (a customer or product id; "" for trending), items bytea (list-format.ts),
 *   primary key (subject_id, kind, version_id), index (version_id).
 * A row is written before its version becomes active and never changed afterwards, so readers of
 * the active version never see a half-written set; reads go by the primary key, pruning by
 * version. Nothing else is stored per row: a million personal lists of 100 items take 0.92 to
 * 1.0 GB per kept version with the indexes, depending on how full the primary key's pages are
 * (`npm run bench:lists`; docs/architecture.md).
 */
class RecommendationsService extends MedusaService({ ModelVersion, RecommendationEvent, ModelProduct, ServedEvent, RateWindow }) {
  private readonly productTables = new Map<string, Promise<VersionProducts>>()

  // --- writing a version ----------------------------------------------------------------

  /** Stores a version's product table (the lists name products by index into it). */
  @InjectManager()
  async writeProductTable(versionId: string, table: ProductTable, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.manager as SqlEntityManager
    for (let start = 0; start < table.ids.length; start += PRODUCT_ROWS_PER_STATEMENT) {
      const end = Math.min(table.ids.length, start + PRODUCT_ROWS_PER_STATEMENT)
      const rows = Array.from({ length: end - start }, (_, k) => ({ i: start + k, p: table.ids[start + k], b: table.buyers[start + k], r: table.recentBuyers[start + k] }))
      await executeBound(em,
        `INSERT INTO personalization_model_product (id, version_id, index, product_id, buyers, recent_buyers)
         SELECT ? || ':' || t.i, ?, t.i, t.p, t.b, t.r FROM jsonb_to_recordset(?::jsonb) AS t(i int, p text, b int, r int)`,
        [versionId, versionId, JSON.stringify(rows)]
      )
    }
  }

  /**
   * Stores a batch of a version's lists (as the worker encoded them). The version is not
   * active while they are written, so batches need not share one transaction: no reader sees
   * them until `activateVersion`. Rows go as base64 in one JSON parameter per statement.
   */
  @InjectManager()
  async writeListBatch(versionId: string, batch: PackedListBatch, @MedusaContext() sharedContext: Context = {}): Promise<number> {
    const em = sharedContext.manager as SqlEntityManager
    const { subjects, offsets, bytes } = batch
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let start = 0; start < subjects.length; start += LIST_ROWS_PER_STATEMENT) {
      const end = Math.min(subjects.length, start + LIST_ROWS_PER_STATEMENT)
      const rows = []
      for (let k = start; k < end; k++) rows.push({ s: subjects[k], b: buffer.toString("base64", offsets[k], offsets[k + 1]) })
      await executeBound(em,
        `INSERT INTO personalization_recommendation_list (version_id, kind, subject_id, items)
         SELECT ?, ?, t.s, decode(t.b, 'base64') FROM jsonb_to_recordset(?::jsonb) AS t(s text, b text)`,
        [versionId, batch.kind, JSON.stringify(rows)]
      )
    }
    return subjects.length
  }

  /** Marks a version's lists complete: from now on it can be activated (at once, or later as a rollback). */
  @InjectManager()
  async markVersionBuilt(versionId: string, lists: number, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.manager as SqlEntityManager
    await em.execute(`UPDATE personalization_model_version SET lists = ?, status = 'inactive', updated_at = now() WHERE id = ?`, [lists, versionId])
  }

  /**
   * Stores a full run's item-kNN neighbour rows under its version, in parts of a few MB (each
   * a view of the rows, no copy): the nightly refreshes until the next full run reuse them.
   * Returns the bytes stored.
   */
  @InjectManager()
  async writeSimilarityState(versionId: string, state: SimilarityState, @MedusaContext() sharedContext: Context = {}): Promise<number> {
    const em = sharedContext.manager as SqlEntityManager
    await executeBound(em, `DELETE FROM personalization_model_similarity WHERE version_id = ?`, [versionId])
    let bytes = 0
    const parts = similarityStateParts(state)
    for (let part = 0; part < parts.length; part++) {
      const view = parts[part]
      await executeBound(em, `INSERT INTO personalization_model_similarity (version_id, part, bytes) VALUES (?, ?, ?)`, [
        versionId,
        part,
        Buffer.from(view.buffer, view.byteOffset, view.byteLength),
      ])
      bytes += view.byteLength
    }
    return bytes
  }

  /** A version's stored neighbour rows (null when it has none: a refresh, a pruned version, a recipe without an item-kNN), read part by part. */
  @InjectManager()
  async readSimilarityState(versionId: string, @MedusaContext() sharedContext: Context = {}): Promise<SimilarityState | null> {
    const em = sharedContext.manager as SqlEntityManager
    const [{ parts }]: { parts: number }[] = await executeBound(em, `SELECT count(*)::int AS parts FROM personalization_model_similarity WHERE version_id = ?`, [versionId])
    if (!parts) return null
    const reader = new SimilarityStateReader()
    // One part a statement: the driver holds a whole result in memory, and the state may be hundreds of MB.
    for (let part = 0; part < parts; part++) {
      const [row]: { bytes: Buffer }[] = await executeBound(em, `SELECT bytes FROM personalization_model_similarity WHERE version_id = ? AND part = ?`, [versionId, part])
      if (!row) throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Model version ${versionId}: part ${part} of its ${parts} neighbour-row parts is missing`)
      reader.push(row.bytes)
    }
    return reader.finish()
  }

  /** Whether a version has stored neighbour rows, without reading them. */
  @InjectManager()
  async hasSimilarityState(versionId: string, @MedusaContext() sharedContext: Context = {}): Promise<boolean> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: unknown[] = await executeBound(em, `SELECT 1 FROM personalization_model_similarity WHERE version_id = ? AND part = 0`, [versionId])
    return rows.length > 0
  }

  /** Deletes these customers' personal lists of one version (customers deleted while it was built). */
  @InjectManager()
  async removeCustomerLists(versionId: string, customerIds: string[], @MedusaContext() sharedContext: Context = {}): Promise<number> {
    if (!customerIds.length) return 0
    const em = sharedContext.manager as SqlEntityManager
    const rows: unknown[] = await em.execute(
      `DELETE FROM personalization_recommendation_list
       WHERE version_id = ? AND kind = 'customer' AND subject_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))) RETURNING 1`,
      [versionId, JSON.stringify(customerIds)]
    )
    if (rows.length) {
      await em.execute(`UPDATE personalization_model_version SET lists = GREATEST(lists - ?, 0), updated_at = now() WHERE id = ?`, [rows.length, versionId])
    }
    return rows.length
  }

  /** Deletes one version's lists and product table (a run that failed after storing them). */
  @InjectTransactionManager()
  async pruneVersionLists(versionId: string, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    await em.execute(`DELETE FROM personalization_recommendation_list WHERE version_id = ?`, [versionId])
    await em.execute(`DELETE FROM personalization_model_product WHERE version_id = ?`, [versionId])
    await em.execute(`DELETE FROM personalization_model_similarity WHERE version_id = ?`, [versionId])
    await em.execute(`UPDATE personalization_model_version SET lists = 0, pruned_at = now(), updated_at = now() WHERE id = ?`, [versionId])
  }

  /**
   * Makes `versionId` the version the store serves, in one transaction: the previous active
   * version becomes inactive at the same instant, and `details` (the run's reason, evaluation,
   * timings) are written in the same commit, so an active version always says why it is.
   * Only versions whose lists are stored (built, not pruned) can be activated.
   */
  @InjectTransactionManager()
  async activateVersion(
    versionId: string,
    details: VersionDetails = {},
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ id: string; previous: string | null }> {
    const em = sharedContext.transactionManager as SqlEntityManager
    // One activation at a time; a reader keeps seeing the old version until commit.
    await em.execute(`SELECT pg_advisory_xact_lock(?, 0)`, [LOCK_CLASS.activation])
    const [version]: { id: string; status: string; lists: number; pruned_at: Date | null; base_version_id: string | null; base_usable: boolean | null }[] =
      await em.execute(
        `SELECT v.id, v.status, v.lists, v.pruned_at, v.base_version_id,
                (b.id IS NOT NULL AND b.pruned_at IS NULL AND b.lists > 0 AND b.status IN ('active', 'inactive')) AS base_usable
         FROM personalization_model_version v
         LEFT JOIN personalization_model_version b ON b.id = v.base_version_id AND b.deleted_at IS NULL
         WHERE v.id = ? AND v.deleted_at IS NULL`,
        [versionId]
      )
    if (!version) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Model version with id: ${versionId} was not found`)
    if (!["active", "inactive"].includes(version.status) || version.pruned_at || version.lists === 0) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Model version ${versionId} cannot be activated: it is ${version.pruned_at ? "pruned" : version.status} and has no stored lists`
      )
    }
    if (version.base_version_id && !version.base_usable) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `Model version ${versionId} cannot be activated: it refreshes version ${version.base_version_id}, whose lists it reads, and that version's lists are gone`
      )
    }
    const [previous]: { id: string }[] = await em.execute(
      `UPDATE personalization_model_version SET status = 'inactive', updated_at = now() WHERE status = 'active' AND id <> ? RETURNING id`,
      [versionId]
    )
    const set: string[] = [`status = 'active'`, `activated_at = now()`, `updated_at = now()`]
    const params: unknown[] = []
    const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))
    if ("reason" in details) set.push(`reason = ?`), params.push(details.reason ?? null)
    if ("recipe" in details) set.push(`recipe = ?::jsonb`), params.push(json(details.recipe))
    if ("evaluation" in details) set.push(`evaluation = ?::jsonb`), params.push(json(details.evaluation))
    if ("data" in details) set.push(`data = ?::jsonb`), params.push(json(details.data))
    if ("as_of" in details) set.push(`as_of = ?`), params.push(details.as_of ?? null)
    if (details.started_at) {
      set.push(`progress = 1`, `finished_at = now()`, `duration_ms = (EXTRACT(EPOCH FROM (now() - ?::timestamptz)) * 1000)::int`)
      params.push(details.started_at)
    }
    await em.execute(`UPDATE personalization_model_version SET ${set.join(", ")} WHERE id = ?`, [...params, versionId])
    return { id: versionId, previous: previous?.id ?? null }
  }

  /**
   * Deletes the lists of built versions beyond the active one and the newest `keep` others. The
   * active version's base (when it is a refresh) is never pruned, whatever its age: the active
   * lists read it. A pruned base takes its refreshes with it (they cannot serve without it).
   */
  @InjectTransactionManager()
  async pruneVersions(keep: number, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const rows: { id: string }[] = await em.execute(
      `WITH beyond AS (
         SELECT id FROM personalization_model_version
         WHERE status = 'inactive' AND pruned_at IS NULL AND deleted_at IS NULL
           AND id NOT IN (SELECT base_version_id FROM personalization_model_version WHERE status = 'active' AND base_version_id IS NOT NULL)
         ORDER BY finished_at DESC NULLS LAST, id DESC OFFSET ?
       )
       SELECT id FROM beyond
       UNION
       SELECT v.id FROM personalization_model_version v JOIN beyond b ON v.base_version_id = b.id
       WHERE v.status = 'inactive' AND v.pruned_at IS NULL AND v.deleted_at IS NULL`,
      [keep]
    )
    const ids = rows.map((r) => r.id).sort()
    if (ids.length) {
      const param = JSON.stringify(ids)
      const inIds = `ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`
      await em.execute(`DELETE FROM personalization_recommendation_list WHERE version_id = ${inIds}`, [param])
      await em.execute(`DELETE FROM personalization_model_product WHERE version_id = ${inIds}`, [param])
      await em.execute(`DELETE FROM personalization_model_similarity WHERE version_id = ${inIds}`, [param])
      await em.execute(`UPDATE personalization_model_version SET lists = 0, pruned_at = now(), updated_at = now() WHERE id = ${inIds}`, [param])
    }
    return ids
  }

  /**
   * Marks runs of this module that stopped without saying so (their process died) as failed:
   * queued or running, not updated for `staleSeconds`. Call only while holding the training
   * run lock (a live run holds it), so a live run is never touched.
   */
  @InjectManager()
  async failStaleRuns(staleSeconds: number, reason: string, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { id: string }[] = await em.execute(
      `UPDATE personalization_model_version SET status = 'failed', reason = ?, finished_at = now(), updated_at = now()
       WHERE status IN ('queued', 'running') AND updated_at < now() - make_interval(secs => ?) AND deleted_at IS NULL
       RETURNING id`,
      [reason, staleSeconds]
    )
    return rows.map((r) => r.id)
  }

  // --- serving ----------------------------------------------------------------------------

  /**
   * The active version's list of this kind for `subject` (a customer or product id; "" for
   * trending), decoded. When the active version is a refresh without that list (a customer whose
   * purchases did not change since its base, a product list), it is its base's: `version_id`
   * says which version the list is from.
   */
  @InjectManager()
  async getActiveList(kind: ListKind, subject: string, @MedusaContext() sharedContext: Context = {}): Promise<StoredList | null> {
    const em = sharedContext.manager as SqlEntityManager
    const [row]: { version_id: string; items: Buffer }[] = await em.execute(
      `SELECT l.version_id, l.items
       FROM personalization_model_version v
       JOIN personalization_recommendation_list l
         ON l.subject_id = ? AND l.kind = ? AND (l.version_id = v.id OR l.version_id = v.base_version_id)
       WHERE v.status = 'active'
       ORDER BY (l.version_id = v.id) DESC
       LIMIT 1`,
      [subject, kind]
    )
    if (!row) return null
    return decodeStoredList(row.version_id, row.items, await this.versionProducts(row.version_id))
  }

  /**
   * A version's product table, read once per process and kept for the few versions served
   * last (a version's table never changes once written).
   */
  async versionProducts(versionId: string): Promise<VersionProducts> {
    let table = this.productTables.get(versionId)
    if (!table) {
      table = this.readProductTable_(versionId)
      this.productTables.set(versionId, table)
      table.catch(() => this.productTables.delete(versionId))
      while (this.productTables.size > PRODUCT_TABLE_CACHE) this.productTables.delete(this.productTables.keys().next().value as string)
    }
    return table
  }

  @InjectManager()
  protected async readProductTable_(versionId: string, @MedusaContext() sharedContext: Context = {}): Promise<VersionProducts> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { product_id: string; buyers: number; recent_buyers: number }[] = await em.execute(
      `SELECT product_id, buyers, recent_buyers FROM personalization_model_product WHERE version_id = ? ORDER BY index`,
      [versionId]
    )
    return {
      ids: rows.map((r) => r.product_id),
      buyers: Int32Array.from(rows, (r) => r.buyers),
      recentBuyers: Int32Array.from(rows, (r) => r.recent_buyers),
    }
  }

  /** The active version's id, or null when none is active. */
  @InjectManager()
  async getActiveVersionId(@MedusaContext() sharedContext: Context = {}): Promise<string | null> {
    const em = sharedContext.manager as SqlEntityManager
    const [row]: { id: string }[] = await em.execute(`SELECT id FROM personalization_model_version WHERE status = 'active' LIMIT 1`)
    return row?.id ?? null
  }

  // --- storefront events -------------------------------------------------------------------

  /**
   * Takes `events` from every bucket's budget, or from none: each bucket (a client, a
   * publishable key) admits at most `limit` events in any 60 s. Counts live in 10-second slots;
   * a take checks the slots of the last 60 to 70 s, so every 60 s window that ends at an
   * admission is covered, and admissions in any 60 s window never exceed the limit. Buckets are
   * locked in a fixed order (advisory transaction locks), so concurrent takes in every process
   * sharing the database count exactly.
   */
  @InjectTransactionManager()
  async takeEventBudget(
    buckets: { bucket: string; limit: number }[],
    events: number,
    nowMs: number = Date.now(),
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ allowed: true } | { allowed: false; bucket: string; retryAfterSeconds: number }> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const slot = Math.floor(nowMs / 1000 / RATE_SLOT_SECONDS)
    const oldest = slot - Math.ceil(60 / RATE_SLOT_SECONDS)
    const sorted = [...buckets].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0))
    for (const { bucket } of sorted) await em.execute(`SELECT pg_advisory_xact_lock(?, hashtext(?))`, [LOCK_CLASS.rate, bucket])
    const names = JSON.stringify(sorted.map((b) => b.bucket))
    const inNames = `ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`
    await em.execute(`DELETE FROM personalization_rate_window WHERE bucket = ${inNames} AND slot < ?`, [names, oldest])
    const rows: { bucket: string; slot: number; count: number }[] = await em.execute(
      `SELECT bucket, slot, count FROM personalization_rate_window WHERE bucket = ${inNames} ORDER BY slot`,
      [names]
    )
    for (const { bucket, limit } of sorted) {
      const slots = rows.filter((r) => r.bucket === bucket)
      let used = slots.reduce((n, r) => n + r.count, 0)
      if (used + events <= limit) continue
      // Wait until enough of the oldest slots have left the window for this request to fit.
      let freeAt = slot + 1
      for (const r of slots) {
        if (used + events <= limit) break
        used -= r.count
        freeAt = r.slot + Math.ceil(60 / RATE_SLOT_SECONDS) + 1
      }
      const retryAfterSeconds = events > limit ? 60 : Math.max(1, Math.ceil(freeAt * RATE_SLOT_SECONDS - nowMs / 1000))
      return { allowed: false, bucket, retryAfterSeconds }
    }
    await em.execute(
      `INSERT INTO personalization_rate_window (id, bucket, slot, count)
       SELECT b || ':' || ?, b, ?, ? FROM jsonb_array_elements_text(?::jsonb) AS t(b)
       ON CONFLICT (id) DO UPDATE SET count = personalization_rate_window.count + EXCLUDED.count, updated_at = now()`,
      [slot, slot, events, names]
    )
    return { allowed: true }
  }

  /**
   * Counts served items' events into the daily aggregates (UTC day of `at`), each item at most
   * once per event type: an item already counted for this type is not counted again. A click
   * or add-to-cart of an item whose impression was never counted goes to
   * `<type>_without_impression` instead (kept out of the click-through rate). Returns how many
   * items counted.
   */
  @InjectTransactionManager()
  async countServedEvents(
    type: EventType,
    items: ServedEventInput[],
    at: Date = new Date(),
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ counted: number; without_impression: number; repeated: number }> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const distinct = [...new Map(items.map((i) => [i.hash, i])).values()]
    const fresh: { id: string }[] = await em.execute(
      `INSERT INTO personalization_served_event (id, expires_at)
       SELECT t.h || ':' || ?, t.e FROM jsonb_to_recordset(?::jsonb) AS t(h text, e timestamptz)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [type, JSON.stringify(distinct.map((i) => ({ h: i.hash, e: i.expires_at.toISOString() })))]
    )
    const freshHashes = new Set(fresh.map((r) => r.id.slice(0, r.id.lastIndexOf(":"))))
    const counted = distinct.filter((i) => freshHashes.has(i.hash))
    let seen = new Set<string>(counted.map((i) => i.hash))
    if (type !== "impression" && counted.length) {
      const rows: { id: string }[] = await em.execute(
        `SELECT id FROM personalization_served_event WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`,
        [JSON.stringify(counted.map((i) => `${i.hash}:impression`))]
      )
      seen = new Set(rows.map((r) => r.id.slice(0, r.id.lastIndexOf(":"))))
    }
    const day = at.toISOString().slice(0, 10)
    const aggregates = new Map<string, { id: string; version_id: string; list_type: string; event_type: string; count: number }>()
    let without = 0
    for (const item of counted) {
      const eventType = seen.has(item.hash) ? type : `${type}_without_impression`
      if (eventType !== type) without++
      const id = `${day}:${item.version_id}:${item.list_type}:${eventType}`
      const row = aggregates.get(id) ?? { id, version_id: item.version_id, list_type: item.list_type, event_type: eventType, count: 0 }
      row.count++
      aggregates.set(id, row)
    }
    if (aggregates.size) {
      await em.execute(
        `INSERT INTO personalization_recommendation_event (id, day, version_id, list_type, event_type, count)
         SELECT r.id, ?, r.version_id, r.list_type, r.event_type, r.count
         FROM jsonb_to_recordset(?::jsonb) AS r(id text, version_id text, list_type text, event_type text, count int)
         ON CONFLICT (id) DO UPDATE SET count = personalization_recommendation_event.count + EXCLUDED.count, updated_at = now()`,
        [day, JSON.stringify([...aggregates.values()])]
      )
    }
    return { counted: counted.length - without, without_impression: without, repeated: items.length - counted.length }
  }

  /** Forgets served ids whose recommendation id has expired (they can no longer be sent). */
  @InjectManager()
  async pruneServedEvents(now: Date = new Date(), @MedusaContext() sharedContext: Context = {}): Promise<number> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: unknown[] = await em.execute(`DELETE FROM personalization_served_event WHERE expires_at < ? RETURNING 1`, [now])
    await em.execute(`DELETE FROM personalization_rate_window WHERE slot < ?`, [Math.floor(now.getTime() / 1000 / RATE_SLOT_SECONDS) - 60])
    return rows.length
  }

  /**
   * Impressions, clicks, add-to-carts and click-through rate per model version and list type.
   * Each served item counts once per type; clicks and add-to-carts without a counted impression
   * are reported apart and left out of the rate.
   */
  @InjectManager()
  async summarizeEvents(
    { since, versionId }: { since?: string; versionId?: string } = {},
    @MedusaContext() sharedContext: Context = {}
  ) {
    const em = sharedContext.manager as SqlEntityManager
    const rows: {
      version_id: string
      list_type: string
      impressions: number
      clicks: number
      add_to_carts: number
      clicks_without_impression: number
      add_to_carts_without_impression: number
    }[] = await em.execute(
      `SELECT version_id, list_type,
              COALESCE(SUM(count) FILTER (WHERE event_type = 'impression'), 0)::int AS impressions,
              COALESCE(SUM(count) FILTER (WHERE event_type = 'click'), 0)::int AS clicks,
              COALESCE(SUM(count) FILTER (WHERE event_type = 'add_to_cart'), 0)::int AS add_to_carts,
              COALESCE(SUM(count) FILTER (WHERE event_type = 'click_without_impression'), 0)::int AS clicks_without_impression,
              COALESCE(SUM(count) FILTER (WHERE event_type = 'add_to_cart_without_impression'), 0)::int AS add_to_carts_without_impression
       FROM personalization_recommendation_event
       WHERE day >= ? AND (?::text IS NULL OR version_id = ?)
       GROUP BY version_id, list_type
       ORDER BY version_id, list_type`,
      [since ?? "0000-00-00", versionId ?? null, versionId ?? null]
    )
    return rows.map((r) => ({ ...r, click_through_rate: r.impressions > 0 ? r.clicks / r.impressions : null }))
  }

  // --- customer deletion ------------------------------------------------------------------

  /** Deletes the customer's personal lists in every version, pending ones included; returns them so a failed deletion can put them back. */
  @InjectManager()
  async purgeCustomer(customerId: string, @MedusaContext() sharedContext: Context = {}): Promise<ListRow[]> {
    const em = sharedContext.manager as SqlEntityManager
    return em.execute(
      `DELETE FROM personalization_recommendation_list WHERE subject_id = ? AND kind = 'customer'
       RETURNING version_id, kind, subject_id, encode(items, 'base64') AS items`,
      [customerId]
    )
  }

  /** Puts back list rows a purge deleted (its workflow failed later). */
  @InjectManager()
  async restoreLists(rows: ListRow[], @MedusaContext() sharedContext: Context = {}): Promise<void> {
    if (!rows.length) return
    const em = sharedContext.manager as SqlEntityManager
    await em.execute(
      `INSERT INTO personalization_recommendation_list (version_id, kind, subject_id, items)
       SELECT r.version_id, r.kind, r.subject_id, decode(r.items, 'base64')
       FROM jsonb_to_recordset(?::jsonb) AS r(version_id text, kind text, subject_id text, items text)
       ON CONFLICT (subject_id, kind, version_id) DO NOTHING`,
      [JSON.stringify(rows)]
    )
  }
}

export default RecommendationsService
