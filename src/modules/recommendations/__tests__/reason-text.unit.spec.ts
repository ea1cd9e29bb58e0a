import { ReasonRenderer, intervalWords } from "../reason-text"

const titles: Record<string, string> = { prod_mug: "Apple mug" }
const titleOf = (id: string) => titles[id]

describe("ReasonRenderer", () => {
  const en = new ReasonRenderer(undefined)

  it("renders every reason in English with the product's current title", () => {
    expect(en.text({ code: "buy_again", params: { orders: 1, every_days: null } }, titleOf)).toBe("You bought this before")
    expect(en.text({ code: "buy_again", params: { orders: 4, every_days: 21 } }, titleOf)).toBe("You buy this about every 3 weeks")
    expect(en.text({ code: "because_you_bought", params: { product_id: "prod_mug" } }, titleOf)).toBe("Because you bought Apple mug")
    expect(en.text({ code: "because_you_bought", params: { product_id: "prod_gone" } }, titleOf)).toBe("Because you bought this product")
    expect(en.text({ code: "trending", params: { recent_buyers: 1, window_days: 30 } }, titleOf)).toBe("Trending: 1 customer bought it in the last 30 days")
    expect(en.text({ code: "trending", params: { recent_buyers: 12, window_days: 30 } }, titleOf)).toBe("Trending: 12 customers bought it in the last 30 days")
    expect(en.text({ code: "popular", params: { buyers: 2 } }, titleOf)).toBe("Popular: bought by 2 customers")
    expect(en.text({ code: "related", params: { product_id: "prod_mug" } }, titleOf)).toBe("Similar to Apple mug")
    expect(en.text({ code: "bought_together", params: { product_id: "prod_mug" } }, titleOf)).toBe("Often bought together with Apple mug")
    expect(en.served({ code: "new_arrival", params: {} }, titleOf)).toEqual({ code: "new_arrival", params: {}, text: "New in the shop" })
    expect(en.served({ code: "new_like_purchased", params: { product_id: "prod_mug" } }, titleOf)).toEqual({
      code: "new_like_purchased",
      params: { product_id: "prod_mug" },
      text: "New, like Apple mug that you bought",
    })
    expect(en.text({ code: "new_like_purchased", params: { product_id: "prod_gone" } }, titleOf)).toBe("New, like this product that you bought")
  })

  it("says durations in natural words", () => {
    const words = (days: number) => intervalWords(days, en.render)
    expect([1, 5, 7, 8, 14, 20, 21, 45, 60, 90, 365, 800].map(words)).toEqual([
      "every day",
      "every 5 days",
      "every week",
      "every 8 days",
      "every 2 weeks",
      "every 3 weeks",
      "every 3 weeks",
      "every 6 weeks",
      "every 2 months",
      "every 3 months",
      "every year",
      "every 2 years",
    ])
  })

  it("uses a shop's templates for the most specific locale, with plural forms, and English for what is missing", () => {
    const de = new ReasonRenderer("de-AT", {
      de: {
        because_you_bought: "Weil Sie {product} gekauft haben",
        trending: { one: "Im Trend: {count} Kunde in {days} Tagen", other: "Im Trend: {count} Kunden in {days} Tagen" },
        buy_again_every: "Sie kaufen das etwa {interval}",
        interval_weeks: { one: "jede Woche", other: "alle {count} Wochen" },
        new_like_purchased: "Neu, wie {product}, das Sie gekauft haben",
      },
      "de-AT": { because_you_bought: "Weil du {product} gekauft hast" },
    })
    expect(de.text({ code: "because_you_bought", params: { product_id: "prod_mug" } }, titleOf)).toBe("Weil du Apple mug gekauft hast")
    expect(de.text({ code: "trending", params: { recent_buyers: 1, window_days: 30 } }, titleOf)).toBe("Im Trend: 1 Kunde in 30 Tagen")
    expect(de.text({ code: "trending", params: { recent_buyers: 3, window_days: 30 } }, titleOf)).toBe("Im Trend: 3 Kunden in 30 Tagen")
    expect(de.text({ code: "buy_again", params: { orders: 3, every_days: 14 } }, titleOf)).toBe("Sie kaufen das etwa alle 2 Wochen")
    expect(de.text({ code: "popular", params: { buyers: 2 } }, titleOf)).toBe("Popular: bought by 2 customers")
    expect(de.text({ code: "new_like_purchased", params: { product_id: "prod_mug" } }, titleOf)).toBe("Neu, wie Apple mug, das Sie gekauft haben")
  })

  it("falls back to English for an unknown or malformed locale", () => {
    const templates = { fr: { new_arrival: "Nouveau" } }
    expect(new ReasonRenderer("FR-fr", templates).render("new_arrival")).toBe("Nouveau")
    expect(new ReasonRenderer("it", templates).render("new_arrival")).toBe("New in the shop")
    expect(new ReasonRenderer("not a locale!", templates).render("new_arrival")).toBe("New in the shop")
  })
})
