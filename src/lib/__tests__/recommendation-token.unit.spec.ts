import { signRecommendationId, verifyRecommendationId } from "../recommendation-token"

const CLAIMS = { version: "pzmv_1", list: "personal", product: "prod_1", issuedAt: 1_000_000 }

describe("recommendation ids", () => {
  it("round-trips the claims", () => {
    const token = signRecommendationId(CLAIMS, "secret")
    expect(verifyRecommendationId(token, "secret", 1_000_100)).toEqual({ ok: true, claims: CLAIMS })
  })

  it("refuses another secret, an edited payload and garbage", () => {
    const token = signRecommendationId(CLAIMS, "secret")
    expect(verifyRecommendationId(token, "other", 1_000_100)).toEqual({ ok: false, error: "bad signature" })
    const forged = Buffer.from(JSON.stringify(["pzmv_1", "personal", "prod_2", 1_000_000])).toString("base64url")
    expect(verifyRecommendationId(`${forged}.${token.split(".")[1]}`, "secret", 1_000_100)).toEqual({ ok: false, error: "bad signature" })
    expect(verifyRecommendationId("nonsense", "secret", 1_000_100)).toEqual({ ok: false, error: "malformed" })
  })

  it("expires after the lifetime and refuses ids from the future", () => {
    const token = signRecommendationId(CLAIMS, "secret")
    expect(verifyRecommendationId(token, "secret", 1_000_000 + 3600, 3600).ok).toBe(true)
    expect(verifyRecommendationId(token, "secret", 1_000_000 + 3601, 3600)).toEqual({ ok: false, error: "expired" })
    expect(verifyRecommendationId(token, "secret", 1_000_000 - 61)).toEqual({ ok: false, error: "expired" })
  })
})
