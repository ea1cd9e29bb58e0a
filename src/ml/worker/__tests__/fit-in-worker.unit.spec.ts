import type { Interactions } from "../../data/interactions"
import { loadOrdersCsv } from "../../data/orders-csv"
import { columnsFromLines, packColumns } from "../../data/purchase-columns"
import { type PropensityTrainingSet, fitPropensity, scorePropensity, useBackend } from "../../lifecycle/propensity"
import { fitPurchaseModel, scorePurchaseModel } from "../../lifecycle/purchase-model"
import { runTrainingToEnd } from "../../pipeline/training"
import { Rng } from "../../random"
import { interactions } from "../../recommend/__tests__/fixtures"
import { fitInWorker } from "../fit-in-worker"
import { type RecommenderModel, RECOMMENDERS, createRecommender, deserializeRecommender } from "../registry"
import { transferableBuffers } from "../start-worker"

/** Random purchases with repeat orders and ages 1..90 days, so that trending and recency matter. */
function randomData(nUsers: number, nItems: number, density: number, seed: number): Interactions {
  const rng = new Rng(seed)
  const buys: [number, number, number][] = []
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      if (rng.next() < density) for (let k = 0, n = 1 + rng.nextInt(3); k < n; k++) buys.push([u, i, 1 + rng.nextInt(90)])
    }
  }
  return interactions(nUsers, nItems, buys)
}

const TINY = randomData(12, 9, 0.35, 1)

const CASES: { model: RecommenderModel; options?: object }[] = [
  { model: "popularity" },
  { model: "buy-again" },
  { model: "item-knn" },
  { model: "item-knn", options: { neighbours: 3 } },
  { model: "ease", options: { lambda: 2 } },
  { model: "als", options: { factors: 4, iterations: 3, seed: 7 } },
  { model: "trending", options: { windowDays: 20 } },
  { model: "hybrid", options: { collaborative: { model: "ease", options: { lambda: 2 } } } },
  { model: "rp3beta", options: { neighbours: 4 } },
  { model: "blend", options: { parts: [{ model: "ease", options: { lambda: 2 }, weight: 1 }, { model: "rp3beta", weight: 0.5 }] } },
  // The cpu backend: the "recommender" kind cannot prepare wasm (see the "mult-vae" kind below).
  { model: "mult-vae", options: { hidden: 4, latent: 2, epochs: 2, batchSize: 4, backend: "cpu" } },
]

describe("fitInWorker: recommenders", () => {
  it.each(CASES)("$model $options fitted in a worker scores like one fitted here", async ({ model, options }) => {
    // TF.js prints a one-time hint about faster backends when the cpu backend starts.
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined)
    if (model === "mult-vae") await useBackend("cpu")
    const here = createRecommender(model, options as never).fit(TINY)
    warn.mockRestore()
    // `as never`: each case pairs a model with its own options; the union is not narrowed here.
    const s = await fitInWorker({ kind: "recommender", model, options, data: TINY } as never)
    const there = deserializeRecommender(s)
    expect(there.name).toBe(here.name)
    for (let u = 0; u < TINY.nUsers; u++) {
      expect(Array.from(there.scores(u))).toEqual(Array.from(here.scores(u)))
      expect(Array.from(there.recommend(u, 4))).toEqual(Array.from(here.recommend(u, 4)))
      expect(there.isUserKnown(u)).toBe(here.isUserKnown(u))
    }
  })

  it("fits Mult-VAE through its own job kind like a fit here", async () => {
    const options = { hidden: 4, latent: 2, epochs: 2, batchSize: 4, backend: "cpu" as const }
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined)
    await useBackend("cpu")
    const here = createRecommender("mult-vae", options).fit(TINY)
    warn.mockRestore()
    const there = deserializeRecommender(await fitInWorker({ kind: "mult-vae", options, data: TINY }))
    for (let u = 0; u < TINY.nUsers; u++) expect(Array.from(there.scores(u))).toEqual(Array.from(here.scores(u)))
  })

  it("fits the purchase model through its own job kind like a fit here", async () => {
    const rng = new Rng(5)
    const n = 300
    const names = ["recency", "tenure", "invoices", "spend", "averageInvoice", "invoices90", "items"]
    const values = Float64Array.from({ length: n * 7 }, () => rng.nextInt(50))
    const summary = { x: Float64Array.from({ length: n }, () => rng.nextInt(5)), tx: Float64Array.from({ length: n }, () => rng.nextInt(50)), T: Float64Array.from({ length: n }, () => 60 + rng.nextInt(50)), monetary: Float64Array.from({ length: n }, () => 10) }
    const bought = Uint8Array.from({ length: n }, (_, i) => (values[i * 7] < 25 ? 1 : 0))
    const spend = Float64Array.from(bought, (b) => b * 30)
    const train = { names, values, summary, bought, spend }
    const here = fitPurchaseModel(train, { horizonDays: 90 })
    const there = await fitInWorker({ kind: "purchase-model", train, options: { horizonDays: 90 } })
    expect(Array.from(scorePurchaseModel(there, train).buy)).toEqual(Array.from(scorePurchaseModel(here, train).buy))
  })

  it("covers every registered recommender", () => {
    expect(new Set(CASES.map((c) => c.model))).toEqual(new Set(Object.keys(RECOMMENDERS)))
  })

  it("forwards progress, at most once per percent and stage", async () => {
    const calls: [number, number, string][] = []
    const data = randomData(40, 300, 0.05, 2)
    await fitInWorker({ kind: "recommender", model: "ease", data }, { onProgress: (done, total, stage) => calls.push([done, total, stage]) })
    expect(calls.length).toBeGreaterThan(3)
    expect(calls.length).toBeLessThanOrEqual(3 * 101)
    expect(calls.some(([done, total, stage]) => stage === "cholesky" && done === total && total === 300)).toBe(true)
  })

  it("rejects with the worker's error message", async () => {
    await expect(fitInWorker({ kind: "recommender", model: "ease", options: { lambda: -1 }, data: TINY })).rejects.toThrow(
      "EaseRecommender: lambda must be > 0, got -1"
    )
    await expect(fitInWorker({ kind: "recommender", model: "nope" as "ease", data: TINY })).rejects.toThrow('unknown recommender "nope"')
  })

  it("copies the input by default and moves it with transferInput", async () => {
    const data = randomData(12, 9, 0.35, 3)
    const copy = structuredClone(data)
    const here = createRecommender("item-knn").fit(copy)
    await fitInWorker({ kind: "recommender", model: "item-knn", data })
    expect(data.strength.indices.length).toBe(copy.strength.indices.length)
    const s = await fitInWorker({ kind: "recommender", model: "item-knn", data }, { transferInput: true })
    expect(data.strength.indices.length).toBe(0)
    expect(data.events.time.length).toBe(0)
    expect(Array.from(deserializeRecommender(s).scores(0))).toEqual(Array.from(here.scores(0)))
  })

  it("rejects with an AbortError when aborted", async () => {
    const controller = new AbortController()
    const p = fitInWorker({ kind: "recommender", model: "als", options: { factors: 32, iterations: 50 }, data: randomData(400, 300, 0.1, 4) }, { signal: controller.signal })
    controller.abort()
    await expect(p).rejects.toMatchObject({ name: "AbortError" })
  })

  it("keeps the main thread responsive during a long fit", async () => {
    const data = randomData(1500, 600, 0.08, 5)
    let ticks = 0
    const timer = setInterval(() => ticks++, 5)
    const start = performance.now()
    try {
      await fitInWorker({ kind: "recommender", model: "als", options: { factors: 48, iterations: 12 }, data })
    } finally {
      clearInterval(timer)
    }
    const ms = performance.now() - start
    // A fit on this thread would allow no tick at all until it returned.
    expect(ms).toBeGreaterThan(150)
    expect(ticks).toBeGreaterThan(ms / 5 / 4)
    // The fit's length is not what is tested (it took over 30 s on two cores shared by two test runs).
  }, 180_000)
})

/** Two raw features with a planted buy probability and spend (as in propensity.unit.spec.ts). */
function planted(n: number, seed: number): PropensityTrainingSet {
  const rng = new Rng(seed)
  const values = new Float64Array(n * 2)
  const bought = new Uint8Array(n)
  const spend = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const recency = Math.floor(rng.next() * 180)
    const invoices = 1 + rng.nextInt(8)
    values[2 * i] = recency
    values[2 * i + 1] = invoices
    bought[i] = rng.next() < 1 / (1 + Math.exp(-(1.5 - 0.03 * recency + 0.4 * invoices))) ? 1 : 0
    spend[i] = bought[i] ? 20 * invoices * Math.exp(rng.normal(0, 0.3)) : 0
  }
  return { names: ["recency", "invoices"], values, bought, spend }
}

describe("fitInWorker: purchase propensity", () => {
  const OPTIONS = { backend: "cpu" as const, hidden: [4], folds: 2, repeats: 1, maxEpochs: 6, patience: 3, batchSize: 32, seed: 3 }

  beforeAll(() => {
    // The cpu backend advertises tfjs-node once per process; the advice does not apply here.
    const warn = console.warn
    jest.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).includes("tfjs-node")) warn(...args)
    })
  })

  it("gives the same model as a fit on this thread, and forwards each epoch", async () => {
    const train = planted(120, 1)
    const here = await fitPropensity(train, OPTIONS)
    const epochs: [number, number, number][] = []
    const there = await fitInWorker({ kind: "propensity", train, options: OPTIONS }, { onProgress: (net, epoch, loss) => epochs.push([net, epoch, loss]) })
    expect(there.nets.map((n) => n.bestEpoch)).toEqual(here.nets.map((n) => n.bestEpoch))
    const rows = planted(50, 2)
    expect(Array.from(scorePropensity(there, rows).buy)).toEqual(Array.from(scorePropensity(here, rows).buy))
    expect(Array.from(scorePropensity(there, rows).spend)).toEqual(Array.from(scorePropensity(here, rows).spend))
    expect(new Set(epochs.map((e) => e[0]))).toEqual(new Set([0, 1]))
    expect(epochs.every(([, , loss]) => Number.isFinite(loss))).toBe(true)
  })

  it("rejects with the worker's error message", async () => {
    const train = planted(10, 1)
    await expect(fitInWorker({ kind: "propensity", train: { ...train, spend: new Float64Array(3) }, options: OPTIONS })).rejects.toThrow(
      "fitPropensity: values, bought and spend do not match"
    )
  })
})

describe("transferableBuffers", () => {
  it("lists whole, distinct, non-shared buffers only", () => {
    const a = new Float32Array(4)
    const big = new Int32Array(8)
    const shared = new Float64Array(new SharedArrayBuffer(16))
    const list = transferableBuffers({ a, again: a, nested: [{ view: big.subarray(2) }, big], shared, n: 3, s: "x" })
    expect(list).toEqual([a.buffer])
  })
})

describe("fitInWorker: a training run on packed columns", () => {
  it("moves the columns without a copy and gives the run of the same lines sent as objects", async () => {
    const { lines, titles } = loadOrdersCsv(`${__dirname}/../../../../data/example/orders.csv.gz`)
    const products = Array.from(titles, ([id, title]) => ({ id, title }))
    const asOf = lines.reduce((m, l) => Math.max(m, l.time), 0) + 1
    const plan = { candidate: { model: "item-knn" as const }, active: null, asOf, holdoutDays: 30, activeDays: 60, listSize: 10, relatedSize: 4, minTestCustomers: 5, margin: 0.01 }
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)))
    const inWorker = async (input: Parameters<typeof packColumns>[0] | typeof lines) => {
      const outputs: unknown[] = []
      const summary = await fitInWorker(
        { kind: "training", lines: Array.isArray(input) ? input : packColumns(input), products, plan },
        {
          transferInput: !Array.isArray(input),
          onOutput: async (o) => {
            outputs.push(plain(o))
          },
        }
      )
      return { summary, outputs }
    }
    const columns = columnsFromLines(lines)
    const fromColumns = await inWorker(columns)
    // Moved, not copied: this thread's arrays are detached.
    expect(columns.customer.length).toBe(0)
    expect(columns.time.length).toBe(0)
    const fromLines = await inWorker(lines)
    expect(fromColumns.summary.decision.activate).toBe(true)
    expect(fromColumns.outputs.length).toBeGreaterThan(3)
    expect(fromColumns).toEqual(fromLines)
    expect(fromColumns.summary).toEqual(runTrainingToEnd(lines, plan, products).summary)
  }, 120_000)
})
