import { recommendationIdHash, signRecommendationId, verifyRecommendationId } from "../recommendation-token"

const CLAIMS = { version: "pzmv_1", list: "personal", product: "prod_1", issuedAt: 1_000_000, nonce: "AAECAwQFBgcICQoL" }

describe("recommendation ids", () => {
  it("round-trips the claims", () => {
    const token = signRecommendationId(CLAIMS, "secret")
    expect(verifyRecommendationId(token, "secret", 1_000_100)).toEqual({ ok: true, claims: CLAIMS })
  })

  it("gives every serve its own id: a random nonce, so the same product in the same second differs", () => {
    const { nonce: _nonce, ...claims } = CLAIMS
    const a = signRecommendationId(claims, "secret")
    const b = signRecommendationId(claims, "secret")
    expect(a).not.toBe(b)
    expect(recommendationIdHash(a)).not.toBe(recommendationIdHash(b))
    expect(recommendationIdHash(a)).toMatch(/^[0-9a-f]{64}$/)
    const verified = verifyRecommendationId(a, "secret", 1_000_100)
    expect(verified.ok && verified.claims.nonce).toMatch(/^[\w-]{16}$/)
  })

  it("refuses another secret, an edited payload and garbage", () => {
    const token = signRecommendationId(CLAIMS, "secret")
    expect(verifyRecommendationId(token, "other", 1_000_100)).toEqual({ ok: false, error: "bad signature" })
    const forged = Buffer.from(JSON.stringify(["pzmv_1", "personal", "prod_2", 1_000_000, CLAIMS.nonce])).toString("base64url")
    expect(verifyRecommendationId(`${forged}.${token.split(".")[1]}`, "secret", 1_000_100)).toEqual({ ok: false, error: "bad signature" })
    expect(verifyRecommendationId("nonsense", "secret", 1_000_100)).toEqual({ ok: false, error: "malformed" })
    expect(verifyRecommendationId(`${token}.x`, "secret", 1_000_100)).toEqual({ ok: false, error: "malformed" })
  })

  it("accepts exactly one encoding: a standard-base64 or padded re-encoding of the same bytes is malformed", () => {
    const token = signRecommendationId({ ...CLAIMS, product: "prod_?>~" }, "secret")
    const [payload, signature] = token.split(".")
    const standard = (part: string) => Buffer.from(part, "base64url").toString("base64")
    expect(standard(signature)).not.toBe(signature) // the signature's base64 has "+" or "/" or padding here
    expect(verifyRecommendationId(`${payload}.${standard(signature)}`, "secret", 1_000_100)).toEqual({ ok: false, error: "malformed" })
    expect(verifyRecommendationId(`${standard(payload)}.${signature}`, "secret", 1_000_100)).toEqual({ ok: false, error: "malformed" })
    expect(verifyRecommendationId(`${payload}.${signature}=`, "secret", 1_000_100)).toEqual({ ok: false, error: "malformed" })
    // Same bytes, different last character: unused trailing bits set.
    const last = signature[signature.length - 1]
    const sibling = signature.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) + 1)
    expect(Buffer.from(sibling, "base64url").equals(Buffer.from(signature, "base64url"))).toBe(true)
    expect(verifyRecommendationId(`${payload}.${sibling}`, "secret", 1_000_100)).toEqual({ ok: false, error: "malformed" })
    expect(verifyRecommendationId(token, "secret", 1_000_100).ok).toBe(true)
  })

  it("expires after the lifetime and refuses ids from the future", () => {
    const token = signRecommendationId(CLAIMS, "secret")
    expect(verifyRecommendationId(token, "secret", 1_000_000 + 3600, 3600).ok).toBe(true)
    expect(verifyRecommendationId(token, "secret", 1_000_000 + 3601, 3600)).toEqual({ ok: false, error: "expired" })
    expect(verifyRecommendationId(token, "secret", 1_000_000 - 61)).toEqual({ ok: false, error: "expired" })
  })
})
