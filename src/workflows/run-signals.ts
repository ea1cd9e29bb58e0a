/**
 * The abort signals of the runs in progress in this process, by run id (set by runs.ts while a
 * run holds its lock, when the lock provider gives a signal). Steps read them to stop before
 * writing more when the lease was lost, and pass them to worker-thread fits.
 */
const signals = new Map<string, AbortSignal>()

export function setRunSignal(runId: string, signal: AbortSignal | undefined): void {
  if (signal) signals.set(runId, signal)
  else signals.delete(runId)
}

/** The abort signal of the run `runId` while it runs in this process; undefined without one. */
export function runSignal(runId: string): AbortSignal | undefined {
  return signals.get(runId)
}

/** Throws the lost lease's error when the run's signal has aborted. */
export function throwIfAborted(runId: string): void {
  const signal = signals.get(runId)
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("the run lost its lock")
}
