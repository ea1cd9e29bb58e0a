/**
 * Names of the resources one `npm test` run owns, so that two runs on one machine (two
 * checkouts, or a developer's own databases) never touch each other's: scripts/test.mjs sets
 * PZ_TEST_RUN to a token unique to the run and drops the run's databases at the end.
 */
const run = process.env.PZ_TEST_RUN ?? `local_${process.pid}`

/** A database name of this run: pz_test_<run>_<name>. */
export function testDatabaseName(name: string): string {
  return `pz_test_${run}_${name}`.toLowerCase().replace(/[^a-z0-9_]/g, "_")
}
