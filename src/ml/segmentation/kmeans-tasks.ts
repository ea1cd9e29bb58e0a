/**
 * The units of work the k-means worker pool runs: one k-means restart, or one silhouette.
 * Plain data in and out, so the same function runs in a worker thread (kmeans-pool.ts) or on
 * the calling thread (workers: 0), with identical results.
 */
import { type PadWorkspace, hamerlyLloyd, kmeansRestart, padWorkspaceFor, type RestartResult } from "./kmeans"
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

/** Lloyd from given centres (the previous run's, for a stable solution at the previous k). */
export interface WarmTask {
  type: "warm"
  /** Row-major k x d initial centres. */
  init: Float64Array
  maxIter: number
  absTol: number
}

export type KMeansTask = RestartTask | SilhouetteTask | WarmTask
export type KMeansTaskResult = RestartResult | number

/** Runs tasks on one n x d matrix, keeping one WebAssembly workspace of it (made at the first
 * restart, when d <= 8) for all of them: the matrix must not change in between. */
export class TaskRunner {
  private workspace: PadWorkspace | null | undefined

  constructor(
    private readonly x: Float64Array,
    private readonly d: number
  ) {}

  run(task: KMeansTask): KMeansTaskResult {
    const { x, d } = this
    if (task.type === "restart") {
      this.workspace ??= padWorkspaceFor(x, d, task.k)
      return kmeansRestart(x, d, task.k, task.seed, task.maxIter, task.absTol, { localTrials: task.localTrials, workspace: this.workspace })
    }
    if (task.type === "warm") {
      this.workspace ??= padWorkspaceFor(x, d, task.init.length / d)
      return hamerlyLloyd(x, d, task.init, task.maxIter, task.absTol, undefined, this.workspace ?? undefined)
    }
    return silhouetteOfRows(x, d, task.labels, task.rows, task.k)
  }
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
  const runner = new TaskRunner(new Float64Array(input.buffer, input.byteOffset, input.length), input.d)
  port.on("message", (msg: { id: number; task: KMeansTask }) => {
    try {
      const result = runner.run(msg.task)
      const transfer = typeof result === "number" ? [] : [result.centres.buffer as ArrayBuffer, result.labels.buffer as ArrayBuffer]
      port.postMessage({ id: msg.id, result }, transfer)
    } catch (e) {
      port.postMessage({ id: msg.id, error: String((e as Error)?.stack ?? e) })
    }
  })
}
