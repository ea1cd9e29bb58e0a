/**
 * A progress bar on stderr for long steps. On a terminal it redraws one line
 * ("hybrid: cholesky [########------------]  40% 1243/3108"); elsewhere (a pipe, CI, a test)
 * it prints a plain line at most every `intervalMs`, so logs stay readable.
 */
export interface ProgressBar {
  update(done: number, total: number, stage?: string): void
  /** Clears the bar (on a terminal) so the next line starts clean. */
  done(): void
}

export function progressBar(
  label: string,
  write: (text: string) => void,
  { tty = Boolean(process.stderr.isTTY), width = 24, intervalMs = 2000, now = () => Date.now() } = {}
): ProgressBar {
  let last = Number.NEGATIVE_INFINITY
  let drawn = false
  return {
    update(done, total, stage) {
      const t = now()
      if (t - last < (tty ? 100 : intervalMs) && done < total) return
      last = t
      const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0
      const name = stage ? `${label}: ${stage}` : label
      if (tty) {
        const filled = Math.round(share * width)
        write(`\r${name} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${done}/${total}\u001b[K`)
        drawn = true
      } else {
        write(`${name} ${Math.round(share * 100)}% (${done}/${total})\n`)
      }
    },
    done() {
      if (drawn) write("\r\u001b[K")
      drawn = false
    },
  }
}
