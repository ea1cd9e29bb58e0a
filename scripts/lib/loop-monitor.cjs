/**
 * Preloaded (`node --require`) into the server by `npm run bench:loop`: measures the event
 * loop's delay with perf_hooks.monitorEventLoopDelay and writes, once a second, the last
 * second's maximum and the whole run's histogram to LOOP_MONITOR_FILE (JSON lines). Only the
 * Medusa CLI process measures (npx, which starts it, loads this too).
 */
const { monitorEventLoopDelay } = require("node:perf_hooks")
const { appendFileSync } = require("node:fs")

const file = process.env.LOOP_MONITOR_FILE
const entry = process.argv[1] ?? ""
if (file && (/[\\/]\.bin[\\/]medusa$/.test(entry) || /@medusajs[\\/]cli[\\/]cli\.js$/.test(entry))) {
  const second = monitorEventLoopDelay({ resolution: 5 })
  second.enable()
  const timer = setInterval(() => {
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), pid: process.pid, max_ms: second.max / 1e6, p99_ms: second.percentile(99) / 1e6 })}\n`)
    second.reset()
  }, 1000)
  timer.unref()
}
