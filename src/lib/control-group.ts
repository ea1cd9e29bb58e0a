import { createHash } from "node:crypto"

/**
 * Whether a customer is held out of a segment's customer group: a hash of customer and segment
 * key mapped to [0, 1) and compared with `share`. Deterministic (the same customer stays in or
 * out run after run while the segment keeps its key) and independent across segments.
 */
export function isInControlGroup(customerId: string, segmentKey: string, share: number): boolean {
  if (share <= 0) return false
  return hashPosition(customerId, segmentKey) < share
}

/** A customer's place in [0, 1) for a salt (a segment key, a campaign): sha-256 of both. */
export function hashPosition(customerId: string, salt: string): number {
  return createHash("sha256").update(`${customerId}:${salt}`).digest().readUInt32BE(0) / 2 ** 32
}

/**
 * Splits `customerIds` into a control arm of exactly `round(share × n)` customers and the rest:
 * the customers are ranked by their hash position for `salt` (ties by id), the first ones are
 * control. A seeded random split of a fixed size, so the arms a preview announces are the arms
 * a campaign gets, and the same ids and salt always give the same split whatever their order.
 */
export function splitByHash(customerIds: string[], salt: string, share: number): Set<string> {
  const size = Math.round(Math.max(0, Math.min(1, share)) * customerIds.length)
  const ranked = customerIds.map((id) => ({ id, at: hashPosition(id, salt) })).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return new Set(ranked.slice(0, size).map((r) => r.id))
}
