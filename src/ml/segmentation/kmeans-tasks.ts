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
