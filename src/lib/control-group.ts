import { createHash } from "node:crypto"

/**
 * Whether a customer is held out of a segment's customer group: a hash of customer and segment
 * key mapped to [0, 1) and compared with `share`. Deterministic (the same customer stays in or
 * out run after run while the segment keeps its key) and independent across segments.
 */
export function isInControlGroup(customerId: string, segmentKey: string, share: number): boolean {
  if (share <= 0) return false
  const digest = createHash("sha256").update(`${customerId}:${segmentKey}`).digest()
  return digest.readUInt32BE(0) / 2 ** 32 < share
}
