/**
 * The units of work the k-means worker pool runs: one k-means restart, or one silhouette.
 * Plain data in and out, so the same function runs in a worker thread (kmeans-pool.ts) or on
 * the calling thread (workers: 0), with identical results.
 */
import { kmeansRestart, type RestartResult } from "./kmeans"
import { silhouetteOfRows } from "./silhouette"

export interface RestartTask {
  type: "restart"
  k: number
  seed: number
  maxIter: number
  /** Absolute tolerance (see absoluteTolerance in kmeans.ts). */
  absTol: number
  localTrials?: number
}

export interface SilhouetteTask {
  type: "silhouette"
  k: number
  /** Labels of every row of the matrix. */
  labels: Int32Array
  /** Rows to score (see silhouetteSample). */
  rows: Int32Array
}

export type KMeansTask = RestartTask | SilhouetteTask
export type KMeansTaskResult = RestartResult | number

/** Runs one task on the n x d matrix x. */
export function runTask(x: Float64Array, d: number, task: KMeansTask): KMeansTaskResult {
  if (task.type === "restart") return kmeansRestart(x, d, task.k, task.seed, task.maxIter, task.absTol, { localTrials: task.localTrials })
  return silhouetteOfRows(x, d, task.labels, task.rows, task.k)
}

/** What a pool worker receives: the matrix, shared with the pool (no copy). */
export interface TaskWorkerInput {
  buffer: SharedArrayBuffer
  byteOffset: number
  length: number
  d: number
}

/**
 * The worker side of kmeans-pool (started through src/ml/worker/start-worker.ts): runs each
 * task it is sent on the shared matrix and posts the result back, moving its typed arrays.
 */
export function serveTasks(input: TaskWorkerInput): void {
  // Required here, not at the top: this module is also loaded on the main thread.
  const { parentPort } = require("node:worker_threads") as typeof import("node:worker_threads")
  const port = parentPort
  if (!port) throw new Error("serveTasks: not running in a worker thread")
  const x = new Float64Array(input.buffer, input.byteOffset, input.length)
  port.on("message", (msg: { id: number; task: KMeansTask }) => {
    try {
      const result = runTask(x, input.d, msg.task)
      const transfer = typeof result === "number" ? [] : [result.centres.buffer as ArrayBuffer, result.labels.buffer as ArrayBuffer]
      port.postMessage({ id: msg.id, result }, transfer)
    } catch (e) {
      port.postMessage({ id: msg.id, error: String((e as Error)?.stack ?? e) })
    }
  })
}
