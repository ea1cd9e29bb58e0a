/**
 * medusa-personalization segment: customer segmentation of docs/evaluation.md ("Segmentation") on
 * an order file, and how well the segments separate what customers do next.
 *
 *   segment --data FILE --format online-retail|orders --cutoff T [--end E]
 *           [--columns recency,invoices,spend] [--k K | --k-range 2,8] [--criterion silhouette-floor|silhouette]
 *           [--min-segments 4] [--n-init 10] [--seed 0] [--workers N] [--sklearn] [--json]
 *
 * --columns takes any of the base and extra columns of ml/features/customer-features.ts.
 * Features at T from lines before T (log1p, standardised), k-means in worker threads, k chosen
 * automatically unless --k; behaviour = lines in [T, E) (E exclusive; default all later lines).
 * For every k tried it prints inertia, silhouette, and the spread of the segments' buy-again
 * rates; then each chosen segment's name, size, buy-again rate and mean future spend.
 * --sklearn also fits scikit-learn's KMeans (k-means++, same n_init) on the same matrix for
 * every k (needs /usr/bin/python3 with scikit-learn) and prints the inertia ratio.
 * Results go to stdout; progress to stderr.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"


import { formatTimestamp, requireTimestamp } from "../ml/data/time"
import { customerFeatures, EXTRA_CUSTOMER_FEATURES, futureLabels, selectColumns, SIGNED_FEATURES } from "../ml/features/customer-features"
import { applyFeatureTransform, fitFeatureTransform } from "../ml/features/feature-transform"
import { type KCriterion, type SegmentationResult, segmentCustomersInWorkers } from "../ml/segmentation/segment"
import { type CliIo, checkCutoff, loadData, parseCommand } from "./io"
import { progressBar } from "./progress"

export interface SegmentIo extends CliIo {
  /** Monotonic milliseconds for timings; defaults to performance.now. */
  now?: () => number
}

const USAGE =
  "usage: medusa-personalization segment --data FILE --format online-retail|orders --cutoff YYYY-MM-DD [--end YYYY-MM-DD] " +
  "[--columns recency,invoices,spend] [--k K | --k-range LO,HI] [--criterion silhouette-floor|silhouette] [--min-segments 4] " +
  "[--n-init 10] [--seed 0] [--workers N] [--sklearn] [--json]"


/** Per segment of a labelling: size, buy-again rate, mean future spend. */
export function behaviourBySegment(labels: Int32Array, k: number, bought: Uint8Array, spend: Float64Array) {
  const rows = Array.from({ length: k }, () => ({ size: 0, buyers: 0, spend: 0 }))
  for (let i = 0; i < labels.length; i++) {
    const r = rows[labels[i]]
    r.size++
    r.buyers += bought[i]
    r.spend += spend[i]
  }
  return rows.map((r) => ({ size: r.size, buyAgainRate: r.size ? r.buyers / r.size : 0, meanFutureSpend: r.size ? r.spend / r.size : 0 }))
}

function spread(values: number[]): number {
  return Math.max(...values) - Math.min(...values)
}

/** Runs the command; resolves to the process exit code (0 ok, 2 usage or data error). */
export async function runSegment(argv: string[], io: SegmentIo): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      data: { type: "string" },
      format: { type: "string", default: "online-retail" },
      cutoff: { type: "string" },
      end: { type: "string" },
      columns: { type: "string", default: "recency,invoices,spend" },
      k: { type: "string" },
      "k-range": { type: "string", default: "2,8" },
      criterion: { type: "string", default: "silhouette-floor" },
      "min-segments": { type: "string", default: "4" },
      "n-init": { type: "string", default: "10" },
      seed: { type: "string", default: "0" },
      workers: { type: "string" },
      sklearn: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    USAGE,
    io,
    ["data", "cutoff"]
  )
  if ("exit" in parsed) return parsed.exit
  const { values } = parsed
  const ints = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined
    const v = Number(text)
    if (!Number.isInteger(v)) throw new RangeError(`--${name} must be an integer, got "${text}"`)
    return v
  }
  let cutoff: number
  let end: number
  let k: number | undefined
  let kRange: [number, number]
  let nInit: number
  let seed: number
  let minSegments: number
  let workers: number | undefined
  const criterion = values.criterion as KCriterion
  try {
    cutoff = requireTimestamp(values.cutoff, "--cutoff")
    end = values.end ? requireTimestamp(values.end, "--end") : Number.POSITIVE_INFINITY
    k = ints("k", values.k)
    const range = (values["k-range"] as string).split(",").map((s) => ints("k-range", s.trim()) as number)
    if (range.length !== 2) throw new RangeError(`--k-range must be LO,HI, got "${values["k-range"]}"`)
    kRange = [range[0], range[1]]
    nInit = ints("n-init", values["n-init"]) as number
    seed = ints("seed", values.seed) as number
    minSegments = ints("min-segments", values["min-segments"]) as number
    workers = ints("workers", values.workers)
    if (criterion !== "silhouette-floor" && criterion !== "silhouette") throw new RangeError(`--criterion must be silhouette-floor or silhouette, got "${criterion}"`)
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`)
    return 2
  }
  const now = io.now ?? (() => performance.now())
  const progress = (msg: string) => io.stderr(`${msg}\n`)

  let t = now()
  const lines = loadData(io, values.data, values.format as string).lines
  checkCutoff(lines, cutoff, "--cutoff")
  // Without lines after the cutoff the segments still stand, but nothing shows how they buy next.
  const hasFuture = lines.some((l) => l.time >= cutoff && l.time < end)
  if (!hasFuture) progress(`warning: no line at or after --cutoff ${formatTimestamp(cutoff)}: the segments' buy-again and future spend are not shown`)
  progress(`loaded ${lines.length} cleaned lines in ${((now() - t) / 1000).toFixed(1)} s`)
  // Every extra column, so that --columns can name any of them; they cost little next to k-means.
  const features = customerFeatures(lines, cutoff, { extras: EXTRA_CUSTOMER_FEATURES })
  const columns = (values.columns as string).split(",").map((s) => s.trim())
  let raw: Float64Array
  try {
    raw = selectColumns(features, columns)
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`)
    return 2
  }
  const transform = fitFeatureTransform(raw, columns, { log1p: columns.filter((c) => !SIGNED_FEATURES.has(c)) })
  const x = applyFeatureTransform(transform, raw)
  const labels = futureLabels(lines, features.customerIds, cutoff, end)
  const n = features.customerIds.length
  progress(`${n} customers at ${formatTimestamp(cutoff)}; columns ${columns.join(", ")} (log1p where >= 0, standardised)`)

  t = now()
  const bar = progressBar("k-means", io.stderr, { tty: io.tty ?? false, now })
  const result: SegmentationResult = await segmentCustomersInWorkers(x, {
    onProgress: (done, total) => bar.update(done, total),
    transform,
    k,
    kRange,
    criterion,
    minSegments,
    nInit,
    seed,
    workers,
  })
  bar.done()
  const searchSeconds = (now() - t) / 1000
  progress(`k search (${result.search.length} values of k x ${nInit} restarts + silhouettes) in ${searchSeconds.toFixed(2)} s`)

  // The search keeps only the chosen k's labels. Separation of future behaviour for every k
  // comes from a fixed-k run each (same seed, so the same fits as inside the search), which
  // also times one fixed-k segmentation apart from the search.
  const perK: { k: number; seconds: number; buySpread: number; minSpend: number; maxSpend: number; sklearnInertia?: number; sklearnSeconds?: number }[] = []
  for (const row of result.search) {
    const t0 = now()
    const fixed = await segmentCustomersInWorkers(x, { transform, k: row.k, nInit, seed, workers })
    const seconds = (now() - t0) / 1000
    const b = behaviourBySegment(fixed.labels, row.k, labels.boughtAgain, labels.spend)
    perK.push({
      k: row.k,
      seconds,
      buySpread: spread(b.map((r) => r.buyAgainRate)),
      minSpend: Math.min(...b.map((r) => r.meanFutureSpend)),
      maxSpend: Math.max(...b.map((r) => r.meanFutureSpend)),
    })
  }

  if (values.sklearn) {
    const dir = mkdtempSync(join(tmpdir(), "segment-sklearn-"))
    try {
      const file = join(dir, "x.f64")
      writeFileSync(file, Buffer.from(x.buffer, x.byteOffset, x.byteLength))
      const script = join(__dirname, "..", "ml", "segmentation", "bench", "sklearn-kmeans.py")
      // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when a machine sets them, hold OpenBLAS to an older
      // kernel than the CPU's: the reference runs without them (its times are compared with ours).
      const env = { ...process.env }
      delete env.OPENBLAS_CORETYPE
      delete env.OPENBLAS_L2_SIZE
      for (const row of perK) {
        const p = spawnSync("/usr/bin/python3", [script, file, String(n), String(columns.length), String(row.k), String(nInit), "0"], { encoding: "utf8", env })
        if (p.status !== 0) {
          io.stderr(`scikit-learn run failed: ${p.stderr}\n`)
          break
        }
        const s = JSON.parse(p.stdout.trim().split("\n").pop() as string)
        row.sklearnInertia = s.inertia
        row.sklearnSeconds = s.seconds
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  const chosen = behaviourBySegment(result.labels, result.k, labels.boughtAgain, labels.spend)
  const report = {
    data: values.data,
    cutoff: formatTimestamp(cutoff),
    end: Number.isFinite(end) ? formatTimestamp(end) : null,
    customers: n,
    columns,
    criterion: result.criterion,
    k: result.k,
    silhouette: result.silhouette,
    inertia: result.inertia,
    searchSeconds,
    search: result.search.map((r, i) => ({ ...r, ...perK[i], inertiaRatio: perK[i].sklearnInertia ? r.inertia / perK[i].sklearnInertia : undefined })),
    segments: result.segments.map((s) => ({ ...s, ...(hasFuture ? chosen[s.label] : { size: chosen[s.label].size, buyAgainRate: null, meanFutureSpend: null }) })),
  }
  if (values.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`)
    return 0
  }
  io.stdout(`customers ${n}, columns ${columns.join(", ")}, criterion ${report.criterion}: k = ${report.k}, silhouette ${report.silhouette.toFixed(3)}, inertia ${report.inertia.toFixed(1)}\n`)
  io.stdout(`k | inertia    | silhouette | buy-again spread | mean future spend      | fit s | sklearn inertia (ratio)\n`)
  for (const r of report.search) {
    const sk = r.sklearnInertia ? `${r.sklearnInertia.toFixed(1)} (${(r.inertia / r.sklearnInertia).toFixed(5)}) ${r.sklearnSeconds?.toFixed(2)} s` : "-"
    const future = hasFuture ? `${r.buySpread.toFixed(3).padStart(16)} | ${r.minSpend.toFixed(0).padStart(8)} to ${r.maxSpend.toFixed(0).padEnd(9)}` : `${"-".padStart(16)} | ${"-".padStart(21)}`
    io.stdout(`${String(r.k).padEnd(1)} | ${r.inertia.toFixed(1).padStart(10)} | ${r.silhouette.toFixed(3).padStart(10)} | ${future} | ${r.seconds.toFixed(2).padStart(5)} | ${sk}\n`)
  }
  io.stdout(`search time ${searchSeconds.toFixed(2)} s\n`)
  for (const s of report.segments) {
    const future = s.buyAgainRate !== null && s.meanFutureSpend !== null ? `, buy-again rate ${s.buyAgainRate.toFixed(3)}, mean future spend ${s.meanFutureSpend.toFixed(0)}` : ""
    io.stdout(`${s.id} ${s.name}: ${s.size} customers${future}\n    ${s.description}\n`)
  }
  return 0
}

if (require.main === module) {
  const args = process.argv.slice(2)
  if (args[0] === "segment") args.shift()
  runSegment(args, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }).then(
    (code) => {
      process.exitCode = code
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`)
      process.exitCode = 1
    }
  )
}
