import type { Context } from "@medusajs/framework/types"
import type { SqlEntityManager } from "@medusajs/framework/mikro-orm/knex"
import { InjectManager, InjectTransactionManager, MedusaContext, MedusaService } from "@medusajs/framework/utils"
import type { CampaignDay, CampaignReport } from "../../ml/campaigns/report"
import { SegmentCampaign, SegmentCampaignDay, SegmentCampaignMember, SegmentCampaignMessage, SegmentCampaignSend } from "./models"

export type Arm = "treatment" | "control"
export type MemberRow = { id: string; campaign_id: string; customer_id: string; arm: Arm }
export type MessageOutcome = { customer_id: string; status: "success" | "failure"; notification_id: string | null; error: string | null }

const json = (value: unknown) => JSON.stringify(value)
const IN_JSON = `ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`
/** Members are written in batches of this many rows (one JSON parameter each). */
const MEMBER_BATCH = 10_000

export const memberId = (campaignId: string, customerId: string) => `${campaignId}:${customerId}`

/**
 * Segment campaigns: the campaign rows, their frozen arms, the messages sent to treated
 * customers and the sends that made them, and the per-day report figures. A module of its own
 * rather than part of customer-segments: a campaign outlives the segmentation run it was drawn
 * from (the arms must not follow later runs), and its tables have their own life cycle (ended
 * campaigns keep their report; a segmentation run prunes old memberships).
 */
class SegmentCampaignsService extends MedusaService({
  SegmentCampaign,
  SegmentCampaignMember,
  SegmentCampaignMessage,
  SegmentCampaignSend,
  SegmentCampaignDay,
}) {
  /** Writes a campaign's arms (ids `<campaign>:<customer>`). */
  @InjectTransactionManager()
  async insertMembers(campaignId: string, members: { customer_id: string; arm: Arm }[], @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    for (let start = 0; start < members.length; start += MEMBER_BATCH) {
      const rows = members.slice(start, start + MEMBER_BATCH).map((m) => ({ id: memberId(campaignId, m.customer_id), campaign_id: campaignId, ...m }))
      await em.execute(
        `INSERT INTO personalization_segment_campaign_member (id, campaign_id, customer_id, arm)
         SELECT r.id, r.campaign_id, r.customer_id, r.arm FROM jsonb_to_recordset(?::jsonb) AS r(id text, campaign_id text, customer_id text, arm text)`,
        [json(rows)]
      )
    }
  }

  /** Deletes a campaign and every row that belongs to it (a creation being undone). */
  @InjectTransactionManager()
  async deleteCampaignCascade(campaignId: string, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    for (const table of ["member", "message", "send", "day"]) {
      await em.execute(`DELETE FROM personalization_segment_campaign_${table} WHERE campaign_id = ?`, [campaignId])
    }
    await em.execute(`DELETE FROM personalization_segment_campaign WHERE id = ?`, [campaignId])
  }

  /** Customers in an arm of a running campaign (not ended, end date in the future): a new campaign does not draw them. */
  @InjectManager()
  async listCustomersInRunningCampaigns(now: Date, @MedusaContext() sharedContext: Context = {}): Promise<Set<string>> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { customer_id: string }[] = await em.execute(
      `SELECT DISTINCT m.customer_id FROM personalization_segment_campaign_member m
       JOIN personalization_segment_campaign c ON c.id = m.campaign_id
       WHERE c.status <> 'ended' AND c.ends_at > ? AND c.deleted_at IS NULL`,
      [now.toISOString()]
    )
    return new Set(rows.map((r) => r.customer_id))
  }

  /** A campaign's members of one arm (or both), in customer id order, paged by customer id. */
  @InjectManager()
  async listArm(
    campaignId: string,
    { arm, afterCustomerId = "", limit = 1000 }: { arm?: Arm; afterCustomerId?: string; limit?: number } = {},
    @MedusaContext() sharedContext: Context = {}
  ): Promise<{ customer_id: string; arm: Arm }[]> {
    const em = sharedContext.manager as SqlEntityManager
    return em.execute(
      `SELECT customer_id, arm FROM personalization_segment_campaign_member
       WHERE campaign_id = ? AND (?::text IS NULL OR arm = ?) AND customer_id > ?
       ORDER BY customer_id LIMIT ?`,
      [campaignId, arm ?? null, arm ?? null, afterCustomerId, limit]
    )
  }

  /** Every member of a campaign (both arms). */
  async listAllMembers(campaignId: string): Promise<{ customer_id: string; arm: Arm }[]> {
    const out: { customer_id: string; arm: Arm }[] = []
    for (let after = ""; ; ) {
      const page = await this.listArm(campaignId, { afterCustomerId: after, limit: 10_000 })
      out.push(...page)
      if (page.length < 10_000) return out
      after = page[page.length - 1].customer_id
    }
  }

  /**
   * Takes customers out of campaigns (deleted or opted out): their member rows go and the
   * campaigns' left counts go up; the rows are returned so that the change can be undone.
   * Without `campaignId`, from every campaign.
   */
  @InjectTransactionManager()
  async removeMembers(customerIds: string[], campaignId?: string, @MedusaContext() sharedContext: Context = {}): Promise<MemberRow[]> {
    const em = sharedContext.transactionManager as SqlEntityManager
    if (!customerIds.length) return []
    const removed: MemberRow[] = await em.execute(
      `DELETE FROM personalization_segment_campaign_member
       WHERE customer_id = ${IN_JSON} AND (?::text IS NULL OR campaign_id = ?)
       RETURNING id, campaign_id, customer_id, arm`,
      [json(customerIds), campaignId ?? null, campaignId ?? null]
    )
    await this.adjustLeftCounts_(em, removed, 1)
    return removed
  }

  /** Puts removed members back (an undone purge or opt-out). */
  @InjectTransactionManager()
  async restoreMembers(rows: MemberRow[], @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    if (!rows.length) return
    await em.execute(
      `INSERT INTO personalization_segment_campaign_member (id, campaign_id, customer_id, arm)
       SELECT r.id, r.campaign_id, r.customer_id, r.arm FROM jsonb_to_recordset(?::jsonb) AS r(id text, campaign_id text, customer_id text, arm text)
       ON CONFLICT (id) DO NOTHING`,
      [json(rows)]
    )
    await this.adjustLeftCounts_(em, rows, -1)
  }

  /** Deletes a customer's message rows in every campaign (a purge). Returned for an undo. */
  @InjectTransactionManager()
  async purgeCustomerMessages(customerId: string, @MedusaContext() sharedContext: Context = {}) {
    const em = sharedContext.transactionManager as SqlEntityManager
    return em.execute(
      `DELETE FROM personalization_segment_campaign_message WHERE customer_id = ?
       RETURNING id, campaign_id, customer_id, status, notification_id, error, attempts, sent_at`,
      [customerId]
    ) as Promise<(MessageOutcome & { id: string; campaign_id: string; attempts: number; sent_at: Date | null })[]>
  }

  @InjectTransactionManager()
  async restoreMessages(
    rows: (MessageOutcome & { id: string; campaign_id: string; attempts: number; sent_at: Date | null })[],
    @MedusaContext() sharedContext: Context = {}
  ): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    if (!rows.length) return
    await em.execute(
      `INSERT INTO personalization_segment_campaign_message (id, campaign_id, customer_id, status, notification_id, error, attempts, sent_at)
       SELECT r.id, r.campaign_id, r.customer_id, r.status, r.notification_id, r.error, r.attempts, r.sent_at
       FROM jsonb_to_recordset(?::jsonb) AS r(id text, campaign_id text, customer_id text, status text, notification_id text, error text, attempts int, sent_at timestamptz)
       ON CONFLICT (id) DO NOTHING`,
      [json(rows)]
    )
  }

  /** Treated customers of a campaign without a delivered message, after `afterCustomerId`, in id order. */
  @InjectManager()
  async listUndelivered(campaignId: string, afterCustomerId: string, limit: number, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { customer_id: string }[] = await em.execute(
      `SELECT m.customer_id FROM personalization_segment_campaign_member m
       WHERE m.campaign_id = ? AND m.arm = 'treatment' AND m.customer_id > ?
         AND NOT EXISTS (SELECT 1 FROM personalization_segment_campaign_message g
                         WHERE g.id = m.id AND g.status = 'success')
       ORDER BY m.customer_id LIMIT ?`,
      [campaignId, afterCustomerId, limit]
    )
    return rows.map((r) => r.customer_id)
  }

  /** How many treated customers have no delivered message yet. */
  @InjectManager()
  async countUndelivered(campaignId: string, @MedusaContext() sharedContext: Context = {}): Promise<number> {
    const em = sharedContext.manager as SqlEntityManager
    const [row]: { n: number }[] = await em.execute(
      `SELECT count(*)::int AS n FROM personalization_segment_campaign_member m
       WHERE m.campaign_id = ? AND m.arm = 'treatment'
         AND NOT EXISTS (SELECT 1 FROM personalization_segment_campaign_message g WHERE g.id = m.id AND g.status = 'success')`,
      [campaignId]
    )
    return row.n
  }

  /** Records what the notification module stored for each customer of a batch. */
  @InjectTransactionManager()
  async recordMessages(campaignId: string, outcomes: MessageOutcome[], @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    if (!outcomes.length) return
    const rows = outcomes.map((o) => ({ id: memberId(campaignId, o.customer_id), campaign_id: campaignId, ...o }))
    await em.execute(
      `INSERT INTO personalization_segment_campaign_message (id, campaign_id, customer_id, status, notification_id, error, attempts, sent_at)
       SELECT r.id, r.campaign_id, r.customer_id, r.status, r.notification_id, r.error, 1,
              CASE WHEN r.status = 'success' THEN now() END
       FROM jsonb_to_recordset(?::jsonb) AS r(id text, campaign_id text, customer_id text, status text, notification_id text, error text)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, notification_id = EXCLUDED.notification_id,
         error = EXCLUDED.error, attempts = personalization_segment_campaign_message.attempts + 1,
         sent_at = COALESCE(EXCLUDED.sent_at, personalization_segment_campaign_message.sent_at), updated_at = now()`,
      [json(rows)]
    )
  }

  /** Message counts of a campaign by status. */
  @InjectManager()
  async countMessages(campaignId: string, @MedusaContext() sharedContext: Context = {}): Promise<{ success: number; failure: number }> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { status: string; n: number }[] = await em.execute(
      `SELECT status, count(*)::int AS n FROM personalization_segment_campaign_message WHERE campaign_id = ? GROUP BY status`,
      [campaignId]
    )
    const of = (s: string) => rows.find((r) => r.status === s)?.n ?? 0
    return { success: of("success"), failure: of("failure") }
  }

  /** Stores a computed report on the campaign and replaces its per-day figures. */
  @InjectTransactionManager()
  async storeReport(campaignId: string, report: CampaignReport, @MedusaContext() sharedContext: Context = {}): Promise<void> {
    const em = sharedContext.transactionManager as SqlEntityManager
    const { days, ...headline } = report
    await em.execute(`UPDATE personalization_segment_campaign SET report = ?::jsonb, report_computed_at = now(), updated_at = now() WHERE id = ?`, [
      json(headline),
      campaignId,
    ])
    await em.execute(`DELETE FROM personalization_segment_campaign_day WHERE campaign_id = ?`, [campaignId])
    const rows = days.map((d: CampaignDay) => ({ id: `${campaignId}:${d.arm}:${d.day}`, campaign_id: campaignId, ...d, day: `${d.day}T00:00:00Z` }))
    for (let start = 0; start < rows.length; start += MEMBER_BATCH) {
      await em.execute(
        `INSERT INTO personalization_segment_campaign_day (id, campaign_id, day, arm, customers, buyers, orders, revenue)
         SELECT r.id, r.campaign_id, r.day, r.arm, r.customers, r.buyers, r.orders, r.revenue
         FROM jsonb_to_recordset(?::jsonb) AS r(id text, campaign_id text, day timestamptz, arm text, customers int, buyers int, orders int, revenue real)`,
        [json(rows.slice(start, start + MEMBER_BATCH))]
      )
    }
  }

  /** A campaign's per-day figures in day order. */
  @InjectManager()
  async listDays(campaignId: string, @MedusaContext() sharedContext: Context = {}): Promise<CampaignDay[]> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: (Omit<CampaignDay, "day"> & { day: Date })[] = await em.execute(
      `SELECT day, arm, customers, buyers, orders, revenue FROM personalization_segment_campaign_day
       WHERE campaign_id = ? ORDER BY day, arm`,
      [campaignId]
    )
    return rows.map((r) => ({ ...r, day: new Date(r.day).toISOString().slice(0, 10), revenue: Number(r.revenue) }))
  }

  /** Marks sends whose heartbeat stopped (a crashed process) as failed; returns their ids. */
  @InjectManager()
  async failStaleSends(staleSeconds: number, reason: string, @MedusaContext() sharedContext: Context = {}): Promise<string[]> {
    const em = sharedContext.manager as SqlEntityManager
    const rows: { id: string }[] = await em.execute(
      `UPDATE personalization_segment_campaign_send SET status = 'failed', error = ?, finished_at = now(), updated_at = now()
       WHERE status IN ('queued', 'running') AND COALESCE(heartbeat_at, created_at) < now() - make_interval(secs => ?)
       RETURNING id`,
      [reason, staleSeconds]
    )
    return rows.map((r) => r.id)
  }

  protected async adjustLeftCounts_(em: SqlEntityManager, rows: MemberRow[], sign: 1 | -1) {
    const counts = new Map<string, { treatment: number; control: number }>()
    for (const r of rows) {
      const c = counts.get(r.campaign_id) ?? { treatment: 0, control: 0 }
      c[r.arm]++
      counts.set(r.campaign_id, c)
    }
    for (const [id, c] of counts) {
      await em.execute(
        `UPDATE personalization_segment_campaign SET left_treatment = left_treatment + ?, left_control = left_control + ?, updated_at = now() WHERE id = ?`,
        [sign * c.treatment, sign * c.control, id]
      )
    }
  }
}

export default SegmentCampaignsService
