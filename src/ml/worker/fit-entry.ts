/**
 * What runs inside the worker of fit-in-worker.ts: one fit job in, one plain model out. Kept
 * apart from fit-in-worker.ts so that a worker loads only the model code it needs.
 */
import { parentPort } from "node:worker_threads"

import { fitPropensity } from "../lifecycle/propensity"
import { unpackColumns } from "../data/purchase-columns"
import { type TrainingOutput, refreshTraining, runTraining, runTrainingShard } from "../pipeline/training"
import { MultVaeRecommender } from "../recommend/mult-vae"
import { useBackend } from "../lifecycle/propensity"
import { fitPurchaseModel } from "../lifecycle/purchase-model"
import type { FitJob, WorkerMessage } from "./fit-in-worker"
import { createRecommender } from "./registry"
import { transferableBuffers } from "./start-worker"

function post(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  ;(parentPort as NonNullable<typeof parentPort>).postMessage(msg, transfer)
}

/**
 * Progress of a recommender fit, forwarded only when the whole percentage or the stage changes:
 * some kernels report once per row, and a message per row would cost more than the row.
 */
function recommenderProgress(): (done: number, total: number, stage: string) => void {
  let lastStage = ""
  let lastPercent = -1
  return (done, total, stage) => {
    const percent = total > 0 ? Math.floor((100 * done) / total) : 100
    if (stage === lastStage && percent === lastPercent) return
    lastStage = stage
    lastPercent = percent
    post({ type: "progress", args: [done, total, stage] })
  }
}

/** Resolves when the parent has taken the last output (it answers every output with an "ack"). */
function nextAck(): Promise<void> {
  return new Promise((resolve) => (parentPort as NonNullable<typeof parentPort>).once("message", () => resolve()))
}

async function run(job: FitJob, withProgress: boolean): Promise<unknown> {
  if (job.kind === "recommender") {
    const model = createRecommender(job.model, job.options)
    model.fit(job.data, withProgress ? { onProgress: recommenderProgress() } : {})
    return model.serialize()
  }
  if (job.kind === "propensity") {
    const onProgress = withProgress ? (net: number, epoch: number, loss: number) => post({ type: "progress", args: [net, epoch, loss] }) : undefined
    return fitPropensity(job.train, { ...job.options, onProgress })
  }
  if (job.kind === "mult-vae") {
    const model = new MultVaeRecommender(job.options)
    await useBackend(model.options.backend)
    return model.fit(job.data, withProgress ? { onProgress: recommenderProgress() } : {}).serialize()
  }
  if (job.kind === "purchase-model") {
    return fitPurchaseModel(job.train, job.options)
  }
  if (job.kind === "training" || job.kind === "refresh") {
    // Each output (the decision, the product table, a batch of lists) moves to the parent, which
    // writes it before the next is built: at most one batch is in memory on either side.
    const lines = Array.isArray(job.lines) ? job.lines : unpackColumns(job.lines)
    const shard = (job.kind === "training" && job.shard) || { index: 0, count: 1 }
    const training: Generator<TrainingOutput, unknown, void> =
      job.kind === "refresh"
        ? refreshTraining(lines, job.plan, job.state, new Set(job.customers), job.products ?? [])
        : shard.index > 0
          ? runTrainingShard(lines, job.plan, shard, job.products ?? [])
          : runTraining(lines, job.plan, withProgress ? recommenderProgress() : undefined, job.products ?? [], shard)
    for (let step = training.next(); ; step = training.next()) {
      if (step.done) return step.value
      const ack = nextAck()
      post({ type: "output", value: step.value }, transferableBuffers(step.value))
      await ack
    }
  }
  throw new RangeError(`fitInWorker: unknown job kind "${String((job as { kind?: unknown }).kind)}"`)
}

/** Entry called by the worker bootstrap (start-worker.ts) with the job. */
export function runFitJob(input: { job: FitJob; progress: boolean }): void {
  run(input.job, input.progress).then(
    (model) => post({ type: "result", model }, transferableBuffers(model)),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e))
      post({ type: "error", name: err.name, message: err.message, stack: err.stack ?? "" })
    }
  )
}
