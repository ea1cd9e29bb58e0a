import { parsePersonalizationOptions } from "../../../options"
import { trainingPlan } from "../steps/train-recommenders"

describe("trainingPlan", () => {
  it("takes every threshold from the training options, each into its own field", () => {
    // Values all different from each other and from the defaults, so a swapped or default field shows.
    const { training } = parsePersonalizationOptions({
      training: { holdoutDays: 14, activeCustomerDays: 90, listSize: 120, relatedSize: 25, minTestCustomers: 7, margin: 0.05 },
    })
    const candidate = { model: "item-knn" as const, options: { neighbours: 50 } }
    const active = { model: "popularity" as const }
    expect(trainingPlan(training, { candidate, active, asOf: 1_700_000_000_000 })).toEqual({
      candidate,
      active,
      asOf: 1_700_000_000_000,
      holdoutDays: 14,
      activeDays: 90,
      listSize: 120,
      relatedSize: 25,
      minTestCustomers: 7,
      margin: 0.05,
    })
  })
})
