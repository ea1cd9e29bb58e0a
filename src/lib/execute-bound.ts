import type { SqlEntityManager } from "@medusajs/framework/mikro-orm/knex"

/**
 * Runs one statement in the manager's transaction (if it has one) with its parameters bound by
 * the PostgreSQL driver, and returns its rows. MikroORM's `em.execute` first inlines every
 * parameter into the SQL text, escaping it in JavaScript: for a rebuild page's lines (about
 * 19,000 lines, a 4.8 MB JSON parameter) that took 0.74-0.94 s a page, most of a cold rebuild's
 * write time (BENCHMARKS.md, run 9). Use it for statements that carry a batch as one parameter.
 * Placeholders are knex's: `?` for a value (`??` would be an identifier, so SQL text must not
 * hold a literal `?`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function executeBound(em: SqlEntityManager, text: string, params: unknown[] = []): Promise<any[]> {
  const query = em.getKnex().raw(text, params as never[])
  const transaction = em.getTransactionContext()
  if (transaction) query.transacting(transaction)
  const result = (await query) as { rows: unknown[] }
  return result.rows
}
