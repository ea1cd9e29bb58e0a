import { parsePersonalizationOptions } from "../options"

describe("parsePersonalizationOptions", () => {
  it("fills the defaults", () => {
    expect(parsePersonalizationOptions(undefined)).toEqual({
      countedOrderStatuses: ["pending", "completed", "archived", "requires_action"],
      mergeGuestOrders: true,
      controlShare: 0,
      readiness: { minCustomers: 100, minRepeatCustomers: 20 },
      predictionWindowDays: 90,
      segmentation: { kMargin: 0.03 },
      rebuildBatchSize: 1000,
      rebuildFullEveryDays: 7,
      training: { holdoutDays: 30, minTestCustomers: 20, margin: 0.01, activeCustomerDays: 365, listSize: 100, relatedSize: 50, listThreads: 1, keepVersions: 3, fullRunEveryDays: 7 },
      schedules: { rebuild: "30 2 * * *", segmentation: "0 3 * * *", training: "30 3 * * *", campaignReports: "0 4 * * *" },
      campaigns: { messageTemplate: "personalization-segment-campaign", messageRecommendations: 4, messageBatchSize: 100 },
      events: { trustedProxyHops: 0, perClientPerMinute: 600, perKeyPerMinute: 60_000 },
      storefrontDemo: false,
      reasonTemplates: {},
    })
  })

  it("takes reason templates per locale, plain or with plural forms", () => {
    const templates = { de: { because_you_bought: "Weil Sie {product} gekauft haben", new_like_purchased: "Neu, wie {product}", trending: { one: "{count} Kunde", other: "{count} Kunden" } } }
    expect(parsePersonalizationOptions({ reasonTemplates: templates }).reasonTemplates).toEqual(templates)
  })

  it("keeps given schedules and fills the others", () => {
    expect(parsePersonalizationOptions({ schedules: { training: "0 4 * * 1" } }).schedules).toEqual({
      rebuild: "30 2 * * *",
      segmentation: "0 3 * * *",
      training: "0 4 * * 1",
      campaignReports: "0 4 * * *",
    })
  })

  it("refuses a campaign message batch outside 1 to 1,000, naming the option", () => {
    expect(() => parsePersonalizationOptions({ campaigns: { messageBatchSize: 0 } })).toThrow(/invalid option "campaigns.messageBatchSize"/)
    expect(() => parsePersonalizationOptions({ campaigns: { template: "x" } })).toThrow(/unknown option\(s\) "template"/)
  })

  it("keeps a given prediction window", () => {
    expect(parsePersonalizationOptions({ predictionWindowDays: 30 }).predictionWindowDays).toBe(30)
  })

  it("ignores the database key Medusa adds to every module's options", () => {
    expect(parsePersonalizationOptions({ database: { clientUrl: "x" }, currencyCode: "EUR" }).currencyCode).toBe("eur")
  })

  it.each([
    [{ currencyCode: "euro" }, 'invalid option "currencyCode": must be a three-letter ISO 4217 code'],
    [{ countedOrderStatuses: ["pending", "paid"] }, 'invalid option "countedOrderStatuses.1"'],
    [{ countedOrderStatuses: ["completed", "canceled"] }, 'invalid option "countedOrderStatuses": must not include "canceled"'],
    [{ countedOrderStatuses: [] }, 'invalid option "countedOrderStatuses"'],
    [{ mergeGuestOrders: "yes" }, 'invalid option "mergeGuestOrders"'],
    [{ rebuildBatchSize: 5 }, 'invalid option "rebuildBatchSize"'],
    [{ rebuildFullEveryDays: -1 }, 'invalid option "rebuildFullEveryDays"'],
    [{ schedules: { rebuild: "nightly" } }, 'invalid option "schedules.rebuild": must be a cron expression'],
    [{ schedules: { rebuid: "0 1 * * *" } }, 'unknown option(s) "rebuid"'],
    [{ training: { listSize: 20 } }, 'invalid option "training.listSize"'],
    [{ predictionWindowDays: 3 }, 'invalid option "predictionWindowDays"'],
    [{ segmentation: { kMargin: -0.01 } }, 'invalid option "segmentation.kMargin"'],
    [{ segmentation: { kMargin: 0.6 } }, 'invalid option "segmentation.kMargin"'],
    [{ segmentation: { margin: 0.1 } }, 'unknown option(s) "margin"'],
    [{ predictionWindowDays: 30.5 }, 'invalid option "predictionWindowDays"'],
    [{ training: { margin: -0.1 } }, 'invalid option "training.margin"'],
    [{ curencyCode: "eur" }, 'unknown option(s) "curencyCode"'],
    [{ events: { trustedProxyHops: -1 } }, 'invalid option "events.trustedProxyHops"'],
    [{ events: { perClientPerMinute: 0 } }, 'invalid option "events.perClientPerMinute"'],
    [{ events: { perMinute: 5 } }, 'unknown option(s) "perMinute"'],
    [{ storefrontDemo: "on" }, 'invalid option "storefrontDemo"'],
    [{ reasonTemplates: { "not a locale": {} } }, 'invalid option "reasonTemplates.not a locale"'],
    [{ reasonTemplates: { de: { because: "x" } } }, 'unknown option(s) "because"'],
    [{ reasonTemplates: { de: { trending: { one: "x" } } } }, 'invalid option "reasonTemplates.de.trending"'],
  ])("rejects %j naming the option", (options, message) => {
    expect(() => parsePersonalizationOptions(options)).toThrow(message)
    expect(() => parsePersonalizationOptions(options)).toThrow(/^medusa-plugin-personalization: /)
  })
})
