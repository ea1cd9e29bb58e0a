/**
 * Measures, on the database it runs against (`npx medusa exec`, see scripts/bench-rebuild.mjs):
 * - rebuild throughput (orders/s) from empty tables and over full ones (the nightly case),
 *   next to a reference in the same run: reading the same orders' snapshots without writing;
 * - the time handling `order.placed` adds per order (the sync workflow, sequentially), next to
 *   fetching the same order with its items through Medusa's query.graph.
 * Prints one JSON object on stdout.
 */
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { performance } from "node:perf_hooks"
import { pageOrderIds, readOrderSnapshots } from "../lib/medusa-2x/order-snapshots"
import { appPg } from "../lib/medusa-2x/pg"
import { syncPurchaseOrdersWorkflow } from "../workflows/purchase-features"
import { runRebuild } from "../workflows/runs"


const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits

export default async function benchRebuild({ container }: ExecArgs) {
  const knex = appPg(container)
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const samples = Number(process.env.BENCH_EVENT_SAMPLES ?? 300)
  const batch = Number(process.env.BENCH_BATCH_SIZE ?? 1000)

  // Reference: read every order snapshot, page by page, writing nothing.
  let started = performance.now()
  let read = 0
  for (let cursor = ""; ; ) {
    const ids = await pageOrderIds(knex, cursor, batch)
    read += (await readOrderSnapshots(knex, ids, { mergeGuestOrders: true })).snapshots.length
    if (ids.length < batch) break
    cursor = ids[ids.length - 1]
  }
  const readSeconds = (performance.now() - started) / 1000

  await knex.raw(`TRUNCATE personalization_order, personalization_order_line,
                  personalization_customer_features, personalization_customer_product, personalization_tombstone`)
  started = performance.now()
  const cold = await runRebuild(container, { batch_size: batch })
  const coldSeconds = (performance.now() - started) / 1000
  started = performance.now()
  const warm = await runRebuild(container, { batch_size: batch })
  const warmSeconds = (performance.now() - started) / 1000

  // Per-event cost on a full table: a sample of orders, spread over the id range.
  const { rows } = await knex.raw(
    `SELECT id FROM personalization_order ORDER BY md5(id) LIMIT ?`,
    [samples]
  )
  const ids: string[] = rows.map((r) => r.id)
  const handle: number[] = []
  const fetch: number[] = []
  for (const id of ids) {
    let t = performance.now()
    await query.graph({ entity: "order", fields: ["id", "customer_id", "items.*"], filters: { id } })
    fetch.push(performance.now() - t)
    t = performance.now()
    await syncPurchaseOrdersWorkflow(container).run({ input: { order_ids: [id] } })
    handle.push(performance.now() - t)
  }
  handle.sort((a, b) => a - b)
  fetch.sort((a, b) => a - b)
  const [{ lines }] = (await knex.raw(`SELECT COUNT(*)::int AS lines FROM personalization_order_line`)).rows

  const report = {
    orders: cold.orders,
    ledger_lines: lines,
    batch_size: batch,
    rebuild_cold: { seconds: round(coldSeconds), orders_per_second: Math.round(cold.orders / coldSeconds) },
    rebuild_warm: { seconds: round(warmSeconds), orders_per_second: Math.round(warm.orders / warmSeconds) },
    reference_read_only: { seconds: round(readSeconds), orders_per_second: Math.round(read / readSeconds) },
    rebuild_cold_vs_read_only: round(coldSeconds / readSeconds),
    order_placed_handling_ms: { samples: handle.length, p50: round(quantile(handle, 0.5)), p99: round(quantile(handle, 0.99)) },
    reference_query_graph_order_ms: { p50: round(quantile(fetch, 0.5)), p99: round(quantile(fetch, 0.99)) },
    handling_vs_query_graph_p50: round(quantile(handle, 0.5) / quantile(fetch, 0.5)),
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(report)}\n`)
}
