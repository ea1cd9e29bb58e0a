import type { PurchaseLine } from "../../ml/data/purchase-line"
import { runEvaluate } from "../evaluate"

const DAY = 86_400_000
const T = Date.UTC(2011, 5, 1)

// Six customers in two taste groups (items a* and b*); after the cutoff each buys the item of
// its group it had not bought yet, plus one item it had.
function lines(): PurchaseLine[] {
  const out: PurchaseLine[] = []
  let order = 0
  const buy = (c: string, p: string, t: number) =>
    out.push({ orderId: `o${order++}`, customerId: c, productId: p, quantity: 1, amount: 1, time: t })
  const groups = { a: ["a1", "a2", "a3"], b: ["b1", "b2", "b3"] }
  for (const [g, items] of Object.entries(groups)) {
    for (let k = 0; k < 3; k++) {
      const c = `${g}-cus${k}`
      items.forEach((p, j) => j !== k && buy(c, p, T - (10 + j) * DAY))
      buy(c, items[k], T + DAY)
      buy(c, items[(k + 1) % 3], T + 2 * DAY)
    }
  }
  return out
}

async function run(args: string[]) {
  let stdout = ""
  let stderr = ""
  const code = await runEvaluate(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    load: () => lines(),
    now: () => 0,
  })
  return { code, stdout, stderr }
}

describe("evaluate command", () => {
  it("prints one JSON document on stdout and progress on stderr", async () => {
    const r = await run(["--data", "x.csv", "--format", "orders", "--cutoff", "2011-06-01", "--models", "popularity,ease,hybrid", "--json"])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({
      cutoff: "2011-06-01 00:00:00",
      end: null,
      seed: 0,
      propensity: null,
      recommendation: { default: "hybrid", n_users: { all: 6, new: 6 }, train: { users: 6, items: 6 } },
    })
    expect(Object.keys(out.recommendation.models)).toEqual(["popularity", "ease", "hybrid"])
    // Each user's one new item is the only unbought item of its group: EASE ranks it first.
    const ease = out.recommendation.models.ease
    expect(ease.new["recall@20"]).toBe(1)
    expect(ease.new["ndcg@10"]).toBe(1)
    expect(Object.keys(ease.all)).toEqual(["recall@20", "ndcg@10", "hr@10", "coverage@20"])
    // Every customer of the six is in one segment; all of them buy again after the cutoff.
    const segments = out.segmentation.segments as { size: number; buy_rate: number; name: string }[]
    expect(segments.length).toBe(out.segmentation.k)
    expect(segments.reduce((n, s) => n + s.size, 0)).toBe(6)
    expect(segments).toEqual(segments.map(() => expect.objectContaining({ buy_rate: 1, name: expect.stringMatching(/\w/) })))
    expect(r.stderr).toMatch(/loaded 24 cleaned lines/)
  })

  it("answers bad arguments with exit code 2 and the usage", async () => {
    expect(await run(["--data", "x.csv"])).toEqual(expect.objectContaining({ code: 2, stderr: expect.stringMatching(/^--cutoff is required\nusage:/) }))
    expect(await run(["--help"])).toEqual(expect.objectContaining({ code: 0, stdout: expect.stringMatching(/^usage: medusa-personalization evaluate/) }))
    expect((await run(["--data", "x", "--cutoff", "2011-06-01", "--format", "xlsx"])).stderr).toMatch(/--format must be/)
    expect((await run(["--data", "x", "--cutoff", "June"])).stderr).toMatch(/--cutoff: not a timestamp/)
    expect((await run(["--data", "x", "--cutoff", "2011-06-01", "--models", "magic"])).stderr).toMatch(/unknown model\(s\): magic/)
    expect((await run(["--data", "x", "--cutoff", "2011-06-01", "--fit-cutoff", "2011-07-01"])).stderr).toMatch(
      /--fit-cutoff must be before --cutoff/
    )
    expect((await run(["--nope"])).code).toBe(2)
  })

  it("reports reference mismatches with exit code 1", async () => {
    const r = await run(["--data", "x", "--cutoff", "2011-06-01", "--models", "popularity", "--compare-reference"])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/reference mismatches:\npopularity column 1/)
  })
})

describe("evaluate: cold items", () => {
  it("ranks products first sold after the cutoff by their text next to what each customer bought", async () => {
    const extra: PurchaseLine[] = [
      { orderId: "n1", customerId: "a-cus0", productId: "a9", quantity: 1, amount: 1, time: T + 3 * DAY },
      { orderId: "n2", customerId: "b-cus0", productId: "b9", quantity: 1, amount: 1, time: T + 3 * DAY },
    ]
    const texts = new Map(["1", "2", "3", "9"].flatMap((k) => [[`a${k}`, `alpha mug ${k}`], [`b${k}`, `beta scarf ${k}`]] as [string, string][]))
    let stdout = ""
    const code = await runEvaluate(["--data", "x", "--format", "orders", "--cutoff", "2011-06-01", "--models", "popularity", "--json"], {
      stdout: (s) => (stdout += s),
      stderr: () => undefined,
      load: () => [...lines(), ...extra],
      loadTexts: () => texts,
      now: () => 0,
    })
    expect(code).toBe(0)
    const cold = JSON.parse(stdout).recommendation.cold_items
    expect(cold).toMatchObject({ items: 2, users: 2 })
    expect(cold.models.content).toEqual({ "recall@20": 1, "ndcg@10": 1 })
    // Newest first puts b9 first for both customers: a-cus0's a9 is second.
    expect(cold.models["newest-first"]["ndcg@10"]).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12)
  })
})

describe("evaluate --splits", () => {
  it("prints every split, the mean and the default's intervals against each reference", async () => {
    const r = await run([
      "--data", "x", "--format", "orders", "--splits", "2011-06-01,2011-06-01 12:00", "--test-days", "5",
      "--models", "popularity,buy-again,ease,hybrid", "--bootstrap", "50", "--json",
    ])
    expect(r.code).toBe(0)
    const rec = JSON.parse(r.stdout).splits.recommendation
    expect(rec.cutoffs).toEqual(["2011-06-01 00:00:00", "2011-06-01 12:00:00"])
    expect(rec.splits[0].models.ease.new["recall@20"]).toBe(1)
    expect(rec.mean.ease.new["ndcg@10"]).toBe(1)
    // hybrid vs each of the three references, on two truths and two metrics.
    expect(rec.comparisons).toHaveLength(2 * 2 * 3)
    const vsEase = rec.comparisons.find((c: { truth: string; metric: string; reference: string }) => c.truth === "new" && c.metric === "ndcg@10" && c.reference === "ease")
    expect(vsEase.splits).toHaveLength(2)
    expect(vsEase.mean.low).toBeLessThanOrEqual(vsEase.mean.estimate)
    expect(rec.verdict.new.best_reference).toBe("ease")
    expect(JSON.parse(r.stdout).splits.propensity).toBeNull()
  })

  it("names a bad --splits date or --bootstrap count with exit code 2", async () => {
    expect((await run(["--data", "x", "--splits", "2011-13-01"])).stderr).toMatch(/--splits: not a timestamp/)
    expect((await run(["--data", "x", "--splits", "2011-06-01", "--bootstrap", "0"])).stderr).toMatch(/--bootstrap must be an integer >= 1/)
    expect((await run(["--data", "x", "--splits", "2011-06-01", "--bootstrap", "0"])).code).toBe(2)
  })
})
