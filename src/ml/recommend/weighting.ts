import { type CsrMatrix, csrFromTriples, mapValues } from "../data/csr"
import type { Interactions } from "../data/interactions"
import { MS_PER_DAY } from "../data/time"

/**
 * How a user's history becomes the weights x_ui a collaborative model multiplies with its
 * item-item matrix (or builds its Gram matrix from). Plain data, so it serializes with a model.
 * - binary: 1 for every item bought (the reference models).
 * - log: log(1 + distinct orders with the item).
 * - decay: sum over the orders with the item of 2^(-age / halfLifeDays), age in days before
 *   asOf: recent purchases say more about what comes next than old ones.
 * - last-decay: 2^(-age of the latest order with the item / halfLifeDays), in (0, 1].
 * `floor` (default 0) is added to every stored weight, so old items never vanish entirely.
 */
export type HistoryWeighting =
  | { kind: "binary" }
  | { kind: "log"; floor?: number }
  | { kind: "decay"; halfLifeDays: number; floor?: number }
  | { kind: "last-decay"; halfLifeDays: number; floor?: number }

export const BINARY: HistoryWeighting = { kind: "binary" }

/** The users x items weight matrix of `data` under `w` (same pattern as data.strength). */
export function weightHistory(data: Interactions, w: HistoryWeighting): CsrMatrix {
  switch (w.kind) {
    case "binary":
      return mapValues(data.strength, () => 1)
    case "log": {
      const floor = w.floor ?? 0
      return mapValues(data.strength, (v) => Math.log1p(v) + floor)
    }
    case "decay":
    case "last-decay": {
      if (!(w.halfLifeDays > 0)) throw new RangeError(`weightHistory: halfLifeDays must be > 0, got ${w.halfLifeDays}`)
      const { user, item, time } = data.events
      const rate = Math.LN2 / (w.halfLifeDays * MS_PER_DAY)
      const decay = (t: number) => Math.exp(-Math.max(0, data.asOf - t) * rate)
      let m: CsrMatrix
      if (w.kind === "decay") {
        m = csrFromTriples(data.nUsers, data.nItems, user, item, Float64Array.from(time, decay))
      } else {
        // Events are sorted by user, item, time: the last of each (user, item) run is the latest.
        const keep: number[] = []
        for (let k = 0; k < user.length; k++) {
          if (k + 1 === user.length || user[k + 1] !== user[k] || item[k + 1] !== item[k]) keep.push(k)
        }
        m = csrFromTriples(
          data.nUsers,
          data.nItems,
          keep.map((k) => user[k]),
          keep.map((k) => item[k]),
          keep.map((k) => decay(time[k]))
        )
      }
      const floor = w.floor ?? 0
      return floor === 0 ? m : mapValues(m, (v) => v + floor)
    }
    default:
      throw new RangeError(`weightHistory: unknown weighting ${JSON.stringify(w)}`)
  }
}
