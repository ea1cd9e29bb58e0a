import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"

/** Lock keys of the plugin's runs: one run of each kind at a time, across processes. */
export const RUN_LOCK_KEYS = {
  rebuild: "personalization:rebuild",
  segmentation: "personalization:segmentation",
  training: "personalization:training",
} as const

export type RunKind = keyof typeof RUN_LOCK_KEYS

/** How long a lease lasts without renewal; `locking-redis` renews it every third of that. */
export const RUN_LOCK_EXPIRE_SECONDS = 120
/** How long a run waits for a held lock before it is skipped: Medusa's minimum, 1 s. */
export const RUN_LOCK_TIMEOUT_SECONDS = 1

export type RunLockOutcome<T> =
  | { status: "done"; value: T }
  /** The job never started: another run holds the lock, or the lock store did not answer. */
  | { status: "skipped"; reason: string }
  /** The job started and its lease was lost (another process may take over): its work stopped. */
  | { status: "failed"; reason: string }

/**
 * Runs `job` while holding the lock of a run kind, through Medusa's locking module
 * (`locking.execute`). With `locking-redis` the lease is renewed every third of `expire` and
 * `signal` aborts when it is lost; the in-memory and `locking-postgres` providers pass no signal
 * (one process, or one transaction that holds the lock for the whole job). Every provider throws
 * a CONFLICT for a lock it could not take in time and for a lost lease alike, so the outcome is
 * decided by whether the job had started. Errors of the job itself are thrown as they are.
 */
export async function withRunLock<T>(
  container: MedusaContainer,
  kind: RunKind,
  job: (signal: AbortSignal | undefined) => Promise<T>,
  options: { timeoutSeconds?: number; expireSeconds?: number } = {}
): Promise<RunLockOutcome<T>> {
  return withLock(container, RUN_LOCK_KEYS[kind], `another ${kind} run holds the lock`, job, options)
}

/**
 * `withRunLock` for any lock key of the plugin (a segment campaign's creation or its sends):
 * `held` says what a held lock means, for the skipped outcome's reason.
 */
export async function withLock<T>(
  container: MedusaContainer,
  key: string,
  held: string,
  job: (signal: AbortSignal | undefined) => Promise<T>,
  { timeoutSeconds = RUN_LOCK_TIMEOUT_SECONDS, expireSeconds = RUN_LOCK_EXPIRE_SECONDS } = {}
): Promise<RunLockOutcome<T>> {
  const locking = container.resolve(Modules.LOCKING)
  let started = false
  let signal: AbortSignal | undefined
  try {
    const value = await locking.execute(
      key,
      async (given?: AbortSignal) => {
        started = true
        signal = given
        return job(given)
      },
      { timeout: timeoutSeconds, expire: expireSeconds }
    )
    return { status: "done", value }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (!started) {
      return {
        status: "skipped",
        reason: `${held}, or the lock store did not answer within ${timeoutSeconds} s (${message})`,
      }
    }
    if (signal?.aborted) {
      const reason = signal.reason instanceof Error ? signal.reason.message : message
      return { status: "failed", reason: `the run lost its lock and stopped: ${reason}` }
    }
    throw error
  }
}
