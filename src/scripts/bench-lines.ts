/**
 * One stage of `npm run bench:lines` (scripts/bench-lines.mjs), on the database it runs against
 * (`npx medusa exec`), chosen by BENCH_LINES_STAGE:
 * - "objects": loadPurchaseLines (one PurchaseLine object per line);
 * - "columns": loadPurchaseColumns (typed arrays, integer indexes);
 * - "training-objects" / "training-columns": that load, then the training run of the nightly
 *   step in a worker thread (lines cloned into it, or columns moved with a transfer list), its
 *   lists built and handed over but not written;
 * - "prediction": the segmentation run's purchase prediction (predictPurchases) for every
 *   customer of the ledger, scored in batches.
 * Each stage runs in its own process, so its peak RSS (VmHWM, the worker thread included) is
 * its own. Prints one JSON line prefixed BENCH_RESULT.
 */
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { readFileSync } from "node:fs"
import { performance } from "node:perf_hooks"
import { configuredOptions } from "../lib/configured-options"
import * as storeData from "../lib/store-data"
import { defaultRecipe } from "../ml/pipeline/training"
import { fitInWorker } from "../ml/worker"
import { predictPurchases } from "../workflows/segmentation/purchase-prediction"

type Knex = { raw: (sql: string) => Promise<{ rows: { id: string }[] }> }

const MB = 1024 * 1024
const status = (key: string) => Number(/\d+/.exec(readFileSync("/proc/self/status", "utf8").split("\n").find((l) => l.startsWith(key)) ?? "0")?.[0] ?? 0) * 1024
const gc = () => (globalThis as { gc?: () => void }).gc?.()
const heldBytes = () => {
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

export default async function benchLines({ container }: ExecArgs) {
  const stage = process.env.BENCH_LINES_STAGE ?? "columns"
  const asOf = new Date()
  const baseRss = status("VmRSS")
  const held0 = heldBytes()
  const result: Record<string, unknown> = { stage, base_rss_mb: Math.round(baseRss / MB) }
  const t0 = performance.now()

  if (stage === "prediction") {
    // Every customer of the ledger, as the segmentation passes its segmented customers.
    const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION) as unknown as Knex
    const { rows } = await pg.raw(`SELECT DISTINCT customer_id AS id FROM personalization_order WHERE counted ORDER BY 1`)
    const customerIds = rows.map((r) => r.id)
    result.customers = customerIds.length
    const t1 = performance.now()
    const p = await predictPurchases(container, { asOf, customerIds, exclude: new Set(), windowDays: 90, minCustomers: 50 })
    result.seconds = (performance.now() - t1) / 1000
    result.ids_seconds = (t1 - t0) / 1000
    result.scored = p.scored_customers
    result.validation = p.validation
    result.reason = p.reason
  } else {
    const columns = !stage.endsWith("objects")
    // Older trees have only loadPurchaseLines: the "before" figures run this script there.
    const load = columns ? storeData.loadPurchaseColumns : storeData.loadPurchaseLines
    const lines = await load(container, { until: asOf })
    const loadSeconds = (performance.now() - t0) / 1000
    const n = Array.isArray(lines) ? lines.length : lines.length
    result.lines = n
    result.load_seconds = loadSeconds
    result.rows_per_second = Math.round(n / loadSeconds)
    result.bytes_per_line = Math.round((heldBytes() - held0) / n)
    result.load_peak_rss_mb = Math.round(status("VmHWM") / MB)
    if (stage.startsWith("training")) {
      const t = configuredOptions().training
      const products = Array.isArray(lines) ? new Set(lines.map((l) => l.productId)).size : lines.productIds.length
      let lists = 0
      let bytes = 0
      // A run longer than this is stopped: the figures then say how far it got and at what rate.
      const maxSeconds = Number(process.env.BENCH_LINES_MAX_SECONDS ?? 3600)
      const stages: { stage: string; at_seconds: number; rss_mb: number }[] = []
      let lastStage = ""
      const t1 = performance.now()
      const timeout = AbortSignal.timeout(maxSeconds * 1000)
      const summary = await fitInWorker(
        {
          kind: "training",
          // Required here, not imported: an older tree (the "before" figures) has no such file.
          lines: Array.isArray(lines) ? lines : (require("../ml/data/purchase-columns") as typeof import("../ml/data/purchase-columns")).packColumns(lines),
          products: [],
          plan: {
            candidate: defaultRecipe(products),
            active: null,
            asOf: asOf.getTime(),
            holdoutDays: t.holdoutDays,
            activeDays: t.activeCustomerDays,
            listSize: t.listSize,
            relatedSize: t.relatedSize,
            minTestCustomers: t.minTestCustomers,
            margin: t.margin,
          },
        },
        {
          transferInput: !Array.isArray(lines),
          signal: timeout,
          onProgress: (_done, _total, stage) => {
            if (stage !== lastStage) {
              stages.push({ stage, at_seconds: Math.round(performance.now() - t1) / 1000, rss_mb: Math.round(status("VmRSS") / MB) })
              lastStage = stage
            }
          },
          onOutput: async (o) => {
            if (o.type === "lists") {
              lists += o.batch.subjects.length
              bytes += o.batch.bytes.length
            }
          },
        }
      ).catch((e: unknown) => {
        if (timeout.aborted) return null
        throw e
      })
      result.recipe = defaultRecipe(products)
      if (summary) {
        result.decision = summary.decision
        result.data = summary.data
      } else result.stopped_after_seconds = maxSeconds
      result.fit_seconds = (performance.now() - t1) / 1000
      result.stages = stages
      result.lists = lists
      result.list_bytes = bytes
    }
  }
  result.seconds_total = (performance.now() - t0) / 1000
  result.peak_rss_mb = Math.round(status("VmHWM") / MB)
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`)
}
