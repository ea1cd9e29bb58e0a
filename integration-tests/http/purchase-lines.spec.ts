import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { loadPurchaseColumns, loadPurchaseLines } from "../../src/lib/store-data"
import { lineAt } from "../../src/ml/data/purchase-columns"
import { lifecyclePopulation } from "../../src/ml/lifecycle/evaluate"
import { seedPredictableStore } from "../helpers/segments"

jest.setTimeout(240_000)

const DAY = 86_400_000
const plain = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)))

medusaIntegrationTestRunner({
  testSuite: ({ getContainer }) => {
    describe("the ledger's purchase lines as columns", () => {
      it("reads the lines loadPurchaseLines reads, in its order, with the same cut-off and exclusions, and the same features", async () => {
        const container = getContainer()
        const customers = await seedPredictableStore(container, { emailPrefix: "cols" })
        const until = new Date(Date.now() - 100 * DAY)
        const exclude = new Set(customers.slice(0, 7).map((c) => c.id))
        for (const options of [{}, { until }, { until, exclude }]) {
          const lines = await loadPurchaseLines(container, options)
          const columns = await loadPurchaseColumns(container, options)
          expect(lines.length).toBeGreaterThan(50)
          expect(columns.length).toBe(lines.length)
          expect(Array.from({ length: columns.length }, (_, k) => lineAt(columns, k))).toEqual(lines)
          expect(columns.customerIds.some((id) => exclude.has(id))).toBe(!("exclude" in options))
        }
        const now = Date.now()
        const lines = await loadPurchaseLines(container)
        const columns = await loadPurchaseColumns(container)
        expect(lines.length).toBe(50 * 12 + 40 + 30 * 4)
        const population = lifecyclePopulation(columns, now - 90 * DAY, now)
        expect(population.features.customerIds.length).toBe(120)
        expect(plain(population)).toEqual(plain(lifecyclePopulation(lines, now - 90 * DAY, now)))
      })
    })
  },
})
