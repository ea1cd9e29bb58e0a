import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto"

/** What a recommendation id says: model version, list type, product, issue time, and a nonce unique to the serve. */
export interface RecommendationClaims {
  /** Model version id, or "fallback" for trending computed without an active version. */
  version: string
  list: string
  product: string
  /** Issue time, seconds since the epoch. */
  issuedAt: number
  /** 96 random bits (base64url): two visitors served the same product in the same second get different ids. */
  nonce: string
}

/** Default lifetime of a recommendation id: a day covers a browsing session and its cart. */
export const TOKEN_TTL_SECONDS = 24 * 3600

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64url")
/** Unpadded base64url; with the canonical check below, each byte string has exactly one spelling. */
const BASE64URL = /^[A-Za-z0-9_-]+$/

function mac(secret: string, payload: string): Buffer {
  return createHmac("sha256", `personalization:${secret}`).update(payload).digest()
}

/** Decodes unpadded base64url, or null when `text` is not the one canonical encoding of its bytes. */
function strictBase64url(text: string): Buffer | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null
  const bytes = Buffer.from(text, "base64url")
  return bytes.toString("base64url") === text ? bytes : null
}

/** An opaque id `payload.signature` (base64url, HMAC-SHA256 with the app's secret), unique to one serve of one item. */
export function signRecommendationId(c: Omit<RecommendationClaims, "nonce"> & { nonce?: string }, secret: string): string {
  const nonce = c.nonce ?? randomBytes(12).toString("base64url")
  const payload = b64(JSON.stringify([c.version, c.list, c.product, c.issuedAt, nonce]))
  return `${payload}.${b64(mac(secret, payload))}`
}

/** A key for "this serve of this item" that stores no customer data: the SHA-256 of the id, hex. */
export function recommendationIdHash(token: string): string {
  return createHash("sha256").update(token).digest("hex")
}

/**
 * The claims of a recommendation id, or why it is refused: "malformed" (not exactly one
 * base64url encoding of a well-formed payload), "bad signature" or "expired" (older than
 * `ttlSeconds` at `nowSeconds`, or issued more than a minute in the future).
 */
export function verifyRecommendationId(
  token: string,
  secret: string,
  nowSeconds: number,
  ttlSeconds = TOKEN_TTL_SECONDS
): { ok: true; claims: RecommendationClaims } | { ok: false; error: "malformed" | "bad signature" | "expired" } {
  const parts = typeof token === "string" ? token.split(".") : []
  if (parts.length !== 2) return { ok: false, error: "malformed" }
  const payloadBytes = strictBase64url(parts[0])
  const given = strictBase64url(parts[1])
  if (!payloadBytes || !given) return { ok: false, error: "malformed" }
  const expected = mac(secret, parts[0])
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, error: "bad signature" }
  let fields: unknown
  try {
    fields = JSON.parse(payloadBytes.toString("utf8"))
  } catch {
    return { ok: false, error: "malformed" }
  }
  if (!Array.isArray(fields) || fields.length !== 5) return { ok: false, error: "malformed" }
  const [version, list, product, issuedAt, nonce] = fields as [string, string, string, number, string]
  if (![version, list, product, nonce].every((f) => typeof f === "string") || !Number.isInteger(issuedAt)) return { ok: false, error: "malformed" }
  if (issuedAt > nowSeconds + 60 || nowSeconds - issuedAt > ttlSeconds) return { ok: false, error: "expired" }
  return { ok: true, claims: { version, list, product, issuedAt, nonce } }
}
