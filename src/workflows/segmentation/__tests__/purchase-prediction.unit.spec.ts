import { DEFAULT_PROPENSITY } from "../../../cli/evaluate"
import { MIN_EACH_OUTCOME, PURCHASE_PREDICTION_MODEL } from "../purchase-prediction"

describe("the segmentation run's purchase prediction", () => {
  it("fits the model evaluate serves by default, for both the buy probability and the spend", () => {
    expect(PURCHASE_PREDICTION_MODEL).toBe(DEFAULT_PROPENSITY.buy)
    expect(PURCHASE_PREDICTION_MODEL).toBe(DEFAULT_PROPENSITY.spend)
  })

  it("needs each outcome at least once per out-of-fold fold of the calibration", () => {
    expect(MIN_EACH_OUTCOME).toBe(5)
  })
})
