/**
 * Pausing a run at a known point, with PostgreSQL's own locks: a second connection holds a
 * table lock that the run's next write needs, the test waits until the run is seen waiting for
 * it, does what must happen "during" the run, and releases the lock.
 */
import pg from "pg"

export type TableBlock = { release: () => Promise<void>; waitUntilBlocked: (timeoutMs?: number) => Promise<void> }

export async function blockWrites(databaseUrl: string, table: string): Promise<TableBlock> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  await client.query("BEGIN")
  // SHARE conflicts with the ROW EXCLUSIVE lock that INSERT, UPDATE and DELETE take; reads go on.
  await client.query(`LOCK TABLE ${client.escapeIdentifier(table)} IN SHARE MODE`)
  const [{ pid }] = (await client.query("SELECT pg_backend_pid() AS pid")).rows
  // Watched from a connection of its own: inside a transaction, pg_stat_activity stays the
  // snapshot taken at its first read.
  const watcher = new pg.Client({ connectionString: databaseUrl })
  await watcher.connect()
  return {
    async waitUntilBlocked(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const { rows } = await watcher.query(
          `SELECT 1 FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid)) AND query ILIKE $2`,
          [pid, `%${table}%`]
        )
        if (rows.length) return
        if (Date.now() > deadline) throw new Error(`nothing waited for ${table} within ${timeoutMs} ms`)
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    async release() {
      await client.query("COMMIT")
      await client.end()
      await watcher.end()
    },
  }
}
