import { createHmac, timingSafeEqual } from "node:crypto"

/** What a recommendation id says: model version, list type, product, issue time. */
export interface RecommendationClaims {
  /** Model version id, or "fallback" for trending computed without an active version. */
  version: string
  list: string
  product: string
  /** Issue time, seconds since the epoch. */
  issuedAt: number
}

/** Default lifetime of a recommendation id: a day covers a browsing session and its cart. */
export const TOKEN_TTL_SECONDS = 24 * 3600

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64url")

function mac(secret: string, payload: string): Buffer {
  return createHmac("sha256", `personalization:${secret}`).update(payload).digest()
}

/** An opaque id `payload.signature` (base64url, HMAC-SHA256 with the app's secret). */
export function signRecommendationId(c: RecommendationClaims, secret: string): string {
  const payload = b64(JSON.stringify([c.version, c.list, c.product, c.issuedAt]))
  return `${payload}.${b64(mac(secret, payload))}`
}

/**
 * The claims of a recommendation id, or why it is refused: "malformed", "bad signature" or
 * "expired" (older than `ttlSeconds` at `nowSeconds`, or issued in the future).
 */
export function verifyRecommendationId(
  token: string,
  secret: string,
  nowSeconds: number,
  ttlSeconds = TOKEN_TTL_SECONDS
): { ok: true; claims: RecommendationClaims } | { ok: false; error: "malformed" | "bad signature" | "expired" } {
  const parts = typeof token === "string" ? token.split(".") : []
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, error: "malformed" }
  const given = Buffer.from(parts[1], "base64url")
  const expected = mac(secret, parts[0])
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, error: "bad signature" }
  let fields: unknown
  try {
    fields = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"))
  } catch {
    return { ok: false, error: "malformed" }
  }
  if (!Array.isArray(fields) || fields.length !== 4) return { ok: false, error: "malformed" }
  const [version, list, product, issuedAt] = fields as [string, string, string, number]
  if (![version, list, product].every((f) => typeof f === "string") || !Number.isInteger(issuedAt)) return { ok: false, error: "malformed" }
  if (issuedAt > nowSeconds + 60 || nowSeconds - issuedAt > ttlSeconds) return { ok: false, error: "expired" }
  return { ok: true, claims: { version, list, product, issuedAt } }
}
