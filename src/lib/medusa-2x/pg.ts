import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"

/**
 * What the Medusa 2.x adapters use of knex: a parameterised statement (`?` placeholders), and
 * a transaction on one connection.
 */
export type Pg = {
  raw: (sql: string, bindings?: unknown[]) => Promise<{ rows: any[] }>
  transaction: <T>(fn: (trx: Pg) => Promise<T>) => Promise<T>
}

/** The app's PostgreSQL connection (knex), typed by what the adapters use. */
export const appPg = (container: MedusaContainer) => container.resolve(ContainerRegistrationKeys.PG_CONNECTION) as unknown as Pg

/**
 * Runs `fn` in a transaction with PostgreSQL's JIT off. The planner rates the adapters'
 * index-driven reads by row estimates of Medusa's tables that it cannot refine for a short
 * id list (a JSON parameter is estimated at 100 rows, an order at hundreds of items), so at a
 * million orders a one-order snapshot read crossed `jit_above_cost` and spent about 45 ms
 * compiling for about 2 ms of work (auto_explain, BENCHMARKS.md run 12).
 */
export function withoutJit<T>(pg: Pg, fn: (trx: Pg) => Promise<T>): Promise<T> {
  return pg.transaction(async (trx) => {
    await trx.raw(`SET LOCAL jit = off`)
    return fn(trx)
  })
}
