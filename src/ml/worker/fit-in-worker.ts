/**
 * Any fit of src/ml off the event loop (docs/architecture.md, house style 6): plain data in, plain model
 * out, in a `worker_threads` worker. A recommender job returns what the model's serialize()
 * returns (read it back with deserializeRecommender or the class's deserialize); a propensity
 * job returns the fitted PropensityModel, a plain object of typed arrays (store it with
 * serializePropensity).
 *
 * Copies: the job reaches the worker by structured clone, so its typed arrays are copied unless
 * they live in a SharedArrayBuffer (then shared, never copied) or `transferInput` is set (then
 * moved: no copy, and the caller's arrays are detached, length 0). The fitted model's typed
 * arrays are always moved back, never copied.
 */
import type { Worker } from "node:worker_threads"

import type { Interactions } from "../data/interactions"
import type { PackedColumns } from "../data/purchase-columns"
import type { PurchaseLine } from "../data/purchase-line"
import type { ListShard, RefreshSummary, SimilarityState, TrainingOutput, TrainingPlan, TrainingSummary } from "../pipeline/training"
import type { PropensityModel, PropensityOptions, PropensityTrainingSet } from "../lifecycle/propensity"
import type { PurchaseModel, PurchaseModelOptions, PurchaseTrainingSet } from "../lifecycle/purchase-model"
import type { ProductText } from "../recommend/content"
import type { MultVaeOptions } from "../recommend/mult-vae"
import type { SerializedModel } from "../recommend/recommender"
import type { RecommenderModel, RecommenderOptionsByModel } from "./registry"
import { type StartWorkerOptions, adoptTypedArrays, siblingModule, startWorker, transferableBuffers } from "./start-worker"

export type RecommenderFitJob = {
  [M in RecommenderModel]: { kind: "recommender"; model: M; options?: RecommenderOptionsByModel[M]; data: Interactions }
}[RecommenderModel]

export interface PropensityFitJob {
  kind: "propensity"
  train: PropensityTrainingSet
  /** Options of fitPropensity; the progress callback goes in WorkerFitOptions instead. */
  options?: Omit<PropensityOptions, "onProgress">
}

/**
 * A Mult-VAE fit on the wasm backend (prepared in the worker before the fit, which the
 * "recommender" kind cannot do: its fits are synchronous). Resolves to the serialized model.
 */
export interface MultVaeFitJob {
  kind: "mult-vae"
  options?: MultVaeOptions
  data: Interactions
}

/**
 * The default purchase prediction (src/ml/lifecycle/purchase-model.ts): fit rows at the fit
 * cutoff in, the plain PurchaseModel out (score it with scorePurchaseModel, in batches).
 */
export interface PurchaseModelFitJob {
  kind: "purchase-model"
  train: PurchaseTrainingSet
  options: PurchaseModelOptions
}

/**
 * A whole training run of src/ml/pipeline/training.ts: evaluation, decision, precomputed lists.
 * Its outputs (TrainingOutput) reach `onOutput` one at a time while it runs, and the worker
 * builds the next only once the returned promise settles; the run resolves to its summary.
 */
export interface TrainingJob {
  kind: "training"
  /**
   * The purchase lines: packed columns (packColumns; with `transferInput` their buffers move to
   * the worker, no copy: the store's run at millions of lines) or plain lines (copied).
   */
  lines: PurchaseLine[] | PackedColumns
  /** The catalogue's product texts (content recommender, strips, cold items); default none. */
  products?: ProductText[]
  plan: TrainingPlan
  /**
   * The personal lists of one shard only (runTraining's `shard`). Shard 0 runs the whole
   * training; a shard >= 1 (runTrainingShard) refits and yields its customers' lists alone, and
   * resolves to their number: start it once shard 0 decided to activate, on the same lines (in
   * SharedArrayBuffers, so that no thread copies them).
   */
  shard?: ListShard
}

/**
 * A nightly refresh of src/ml/pipeline/training.ts (refreshTraining): the last full run's
 * neighbour rows and today's lines in, the product table, the personal lists of `customers`
 * and the trending list out (through `onOutput`, as a training job's); resolves to its
 * RefreshSummary. With `transferInput`, the lines' and the state's buffers move, no copy.
 */
export interface RefreshJob {
  kind: "refresh"
  lines: PurchaseLine[] | PackedColumns
  products?: ProductText[]
  plan: TrainingPlan
  state: SimilarityState
  /** The customers whose lists to rebuild. */
  customers: string[]
}

export type FitJob = RecommenderFitJob | PropensityFitJob | TrainingJob | RefreshJob | MultVaeFitJob | PurchaseModelFitJob

/** Messages from the worker (fit-entry.ts). */
export type WorkerMessage =
  | { type: "progress"; args: [number, number, string] | [number, number, number] }
  | { type: "result"; model: unknown }
  | { type: "output"; value: unknown }
  | { type: "error"; name: string; message: string; stack: string }

export interface WorkerFitOptions<P extends (...args: never[]) => void> {
  /**
   * Progress forwarded from the worker, with the arguments the fit reports: a recommender
   * (done, total, stage), at most once per whole percent of a stage; propensity (net, epoch,
   * validation loss) after each epoch.
   */
  onProgress?: P
  /** Move the job's typed arrays to the worker instead of copying them; default false. */
  transferInput?: boolean
  /** Stops the worker and rejects with an AbortError. */
  signal?: AbortSignal
  /** V8 heap limits of the worker (typed arrays are outside them). */
  resourceLimits?: StartWorkerOptions["resourceLimits"]
}

export interface TrainingFitOptions extends WorkerFitOptions<(done: number, total: number, stage: string) => void> {
  /** Takes each output of the run; the worker waits for it to settle. A rejection stops the run with that error. */
  onOutput: (output: TrainingOutput) => Promise<void>
}

/** An error thrown inside the worker, with its message; `workerStack` is the stack over there. */
export class WorkerFitError extends Error {
  constructor(
    message: string,
    readonly workerName: string,
    readonly workerStack: string
  ) {
    super(message)
    this.name = workerName === "Error" ? "WorkerFitError" : workerName
  }
}

/** Fits in a worker thread; resolves to the serialized model, rejects with the worker's error. */
export function fitInWorker(job: RecommenderFitJob, options?: WorkerFitOptions<(done: number, total: number, stage: string) => void>): Promise<SerializedModel>
export function fitInWorker(job: PropensityFitJob, options?: WorkerFitOptions<(net: number, epoch: number, validationLoss: number) => void>): Promise<PropensityModel>
export function fitInWorker(job: TrainingJob & { shard?: { index: 0 } }, options: TrainingFitOptions): Promise<TrainingSummary>
export function fitInWorker(job: TrainingJob, options: TrainingFitOptions): Promise<TrainingSummary | number>
export function fitInWorker(job: RefreshJob, options: TrainingFitOptions): Promise<RefreshSummary>
export function fitInWorker(job: MultVaeFitJob, options?: WorkerFitOptions<(done: number, total: number, stage: string) => void>): Promise<SerializedModel>
export function fitInWorker(job: PurchaseModelFitJob, options?: WorkerFitOptions<() => void>): Promise<PurchaseModel>
export function fitInWorker(job: FitJob, options: WorkerFitOptions<(...args: never[]) => void> & { onOutput?: (output: never) => Promise<void> } = {}): Promise<unknown> {
  const signal = options.signal
  if (signal?.aborted) return Promise.reject(abortError(signal))
  // Forwarded progress has the callback's own argument types (see the overloads above).
  const onProgress = options.onProgress as ((...args: unknown[]) => void) | undefined
  let worker: Worker
  try {
    worker = startWorker(siblingModule(__dirname, "fit-entry", __filename), "runFitJob", {
      input: { job, progress: !!onProgress },
      transferList: options.transferInput ? transferableBuffers(job) : [],
      resourceLimits: options.resourceLimits,
    })
  } catch (e) {
    return Promise.reject(e)
  }
  return new Promise<unknown>((resolve, reject) => {
    let settled = false
    const finish = (f: () => void) => {
      if (settled) return
      settled = true
      signal?.removeEventListener("abort", onAbort)
      // The result is in hand (or the fit failed): the worker has nothing left to do.
      void worker.terminate()
      f()
    }
    const onAbort = () => finish(() => reject(abortError(signal as AbortSignal)))
    signal?.addEventListener("abort", onAbort, { once: true })
    const onOutput = options.onOutput as ((output: unknown) => Promise<void>) | undefined
    worker.on("message", (msg: WorkerMessage) => {
      if (msg.type === "progress") {
        if (!settled) onProgress?.(...msg.args)
      } else if (msg.type === "output") {
        if (settled) return
        if (!onOutput) return finish(() => reject(new Error("fitInWorker: the job streams outputs; pass onOutput")))
        Promise.resolve()
          .then(() => onOutput(adoptTypedArrays(msg.value)))
          .then(
            () => {
              if (!settled) worker.postMessage("ack")
            },
            (e: unknown) => finish(() => reject(e))
          )
      } else if (msg.type === "result") {
        finish(() => resolve(adoptTypedArrays(msg.model)))
      } else if (msg.type === "error") {
        finish(() => reject(new WorkerFitError(msg.message, msg.name, msg.stack)))
      }
    })
    worker.on("error", (e) => finish(() => reject(e)))
    worker.on("exit", (code) => finish(() => reject(new Error(`fit worker exited with code ${code} before returning a model`))))
  })
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  if (reason instanceof Error) return reason
  const e = new Error("fit in worker aborted")
  e.name = "AbortError"
  return e
}
