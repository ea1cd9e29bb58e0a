/**
 * k-means off the main thread. A pool of `worker_threads` shares the matrix through one
 * SharedArrayBuffer (no copy per worker) and takes tasks from a queue: the restarts of one
 * k-means run, or the restarts and silhouettes of a search over k. Results are combined in
 * task order, so the answer is the same for any number of workers, and the same as the
 * synchronous `kmeans` with the same seed.
 *
 * Workers start through src/ml/worker/start-worker.ts (compiled .js or TypeScript sources alike)
 * and run kmeans-tasks' serveTasks.
 */
import { availableParallelism } from "node:os"
import type { Worker } from "node:worker_threads"

import { type KMeansOptions, type KMeansResult, KMEANS_DEFAULTS, absoluteTolerance, bestRestart, checkMatrix, restartSeeds, type RestartResult } from "./kmeans"
import { siblingModule, startWorker } from "../worker/start-worker"
import { type KMeansTask, type KMeansTaskResult, TaskRunner, type TaskWorkerInput } from "./kmeans-tasks"


export interface PoolOptions {
  /**
   * Worker threads, integer >= 0. Default: min(os.availableParallelism(), number of tasks).
   * 0 runs every task on the calling thread (blocking; for tiny inputs and tests).
   */
  workers?: number
  /** Called after each finished task with (tasks done, total tasks). */
  onProgress?: (done: number, total: number) => void
}

/** The matrix in shared memory: itself when it already is, else one copy. */
function shared(x: Float64Array): Float64Array {
  if (x.buffer instanceof SharedArrayBuffer) return x
  const s = new Float64Array(new SharedArrayBuffer(x.byteLength))
  s.set(x)
  return s
}

function workerInput(x: Float64Array, d: number): TaskWorkerInput {
  return { buffer: x.buffer as SharedArrayBuffer, byteOffset: x.byteOffset, length: x.length, d }
}

/**
 * Runs `tasks` on the n x d matrix `x` in a pool of worker threads; resolves to their
 * results in task order. Rejects (and stops the pool) on the first failing task.
 */
export async function runKMeansTasks(x: Float64Array, d: number, tasks: readonly KMeansTask[], options: PoolOptions = {}): Promise<KMeansTaskResult[]> {
  const total = tasks.length
  const nWorkers = Math.min(options.workers ?? availableParallelism(), total)
  if (!(Number.isInteger(nWorkers) && nWorkers >= 0)) throw new RangeError(`workers must be an integer >= 0, got ${options.workers}`)
  const results: KMeansTaskResult[] = new Array(total)
  if (nWorkers === 0) {
    const runner = new TaskRunner(x, d)
    tasks.forEach((t, i) => {
      results[i] = runner.run(t)
      options.onProgress?.(i + 1, total)
    })
    return results
  }
  const sx = shared(x)
  const input = workerInput(sx, d)
  const workers: Worker[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      let nextTask = 0
      let done = 0
      let failed = false
      const feed = (w: Worker) => {
        if (nextTask >= total) return
        const id = nextTask++
        w.postMessage({ id, task: tasks[id] })
      }
      for (let i = 0; i < nWorkers; i++) {
        const w = startWorker(siblingModule(__dirname, "kmeans-tasks", __filename), "serveTasks", { input })
        workers.push(w)
        w.on("message", (msg: { id: number; result?: KMeansTaskResult; error?: string }) => {
          if (failed) return
          if (msg.error !== undefined) {
            failed = true
            reject(new Error(`k-means worker task ${msg.id} failed: ${msg.error}`))
            return
          }
          results[msg.id] = msg.result as KMeansTaskResult
          done++
          options.onProgress?.(done, total)
          if (done === total) resolve()
          else feed(w)
        })
        w.on("error", (e) => {
          if (!failed) {
            failed = true
            reject(e)
          }
        })
        w.on("exit", (code) => {
          if (!failed && done < total && code !== 0) {
            failed = true
            reject(new Error(`k-means worker exited with code ${code}`))
          }
        })
        feed(w)
      }
    })
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
  return results
}

/**
 * k-means (see kmeans.ts for the algorithm and option ranges) with its nInit restarts spread
 * over worker threads. Same result as `kmeans(x, d, options)` for the same seed; the calling
 * thread only copies the matrix to shared memory (when it is not there already) and waits.
 */
export async function runKMeansInWorkers(x: Float64Array, d: number, options: KMeansOptions & PoolOptions): Promise<KMeansResult> {
  const k = options.k
  checkMatrix(x, d, k)
  const nInit = options.nInit ?? KMEANS_DEFAULTS.nInit
  const maxIter = options.maxIter ?? KMEANS_DEFAULTS.maxIter
  if (!(Number.isInteger(nInit) && nInit >= 1)) throw new RangeError(`k-means: nInit must be a positive integer, got ${nInit}`)
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new RangeError(`k-means: maxIter must be a positive integer, got ${maxIter}`)
  const absTol = absoluteTolerance(x, d, options.tol ?? KMEANS_DEFAULTS.tol)
  const seeds = restartSeeds(options.seed ?? KMEANS_DEFAULTS.seed, nInit)
  const tasks: KMeansTask[] = seeds.map((seed) => ({ type: "restart", k, seed, maxIter, absTol, localTrials: options.localTrials }))
  const results = (await runKMeansTasks(x, d, tasks, options)) as RestartResult[]
  return bestRestart(results, seeds, k, d)
}
