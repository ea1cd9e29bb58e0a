/**
 * The report's 95% intervals on 1,200 seeded simulated campaigns with a known uplift: control
 * arms of 100 to 5,000 customers, log-normal revenue (sigma 1 to 2) that is zero for every
 * customer who did not buy. Half the campaigns have conversion rates of 1-20%, half have 50-95%
 * of customers at zero revenue (5-50% buyers); in half of each, the pre-period revenue
 * correlates with the outcome (0.8), in the other half it is independent of it.
 *
 * The campaigns are simulated by scripts/campaign-coverage.mjs in a child process (plain Node
 * runs it in about 2 s; inside jest's sandbox Math.exp and Math.log are some 30 times slower).
 */
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { Rng } from "../../random"
import { normalQuantile, simulateCampaign } from "../simulate"

type Cell = { campaigns: number; conversion: number; revenue_plain: number; revenue_cuped: number; cuped_se_ratio: number }

describe("the campaign report's intervals on simulated campaigns", () => {
  let cells: Record<string, Cell>
  beforeAll(() => {
    const script = join(__dirname, "../../../../scripts/campaign-coverage.mjs")
    const out = execFileSync(process.execPath, [script, "--campaigns", "1200", "--seed", "20261201", "--json"], { encoding: "utf8" })
    cells = JSON.parse(out).cells
  })

  it("cover the true conversion and revenue uplift 93-97% of the time, plain and CUPED", () => {
    const all = cells.all
    expect(all.campaigns).toBe(1200)
    for (const coverage of [all.conversion, all.revenue_plain, all.revenue_cuped]) {
      expect(coverage).toBeGreaterThanOrEqual(0.93)
      expect(coverage).toBeLessThanOrEqual(0.97)
    }
  })

  it("are narrower with CUPED when the pre-period correlates, and no more than 2% wider when it does not", () => {
    expect(cells["all correlated"].cuped_se_ratio).toBeLessThan(0.98)
    expect(cells["all independent"].cuped_se_ratio).toBeLessThanOrEqual(1.02)
  })

  it("simulate the rates they were given", () => {
    // The copula keeps each arm's marginal conversion rate: 20,000 customers at 5% -> 1,000 +- 90.
    const { control } = simulateCampaign(new Rng(7), {
      control: 20_000, treatment: 100, conversion: 0.05, conversionLift: 0, amountLift: 0, sigma: 1, mu: 3, correlation: 0.8,
    })
    expect(Math.abs(control.bought.reduce((s, v) => s + v, 0) - 1000)).toBeLessThan(90)
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6)
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 6)
  })
})
