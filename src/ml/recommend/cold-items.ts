/**
 * New products in personal lists: a product with few or no purchases gets a place in the list
 * of a customer whose history is close to it in text (ContentIndex), since no collaborative
 * score can put it there. Plain functions over product indexes of a ContentIndex.
 */
import type { ContentIndex } from "./content"
import { topK } from "./top-k"

export interface ColdPickOptions {
  /** Products to pick, >= 0; default 2. */
  n?: number
  /** Least mean text cosine to the history for a pick, in [0, 1]; default 0.1. */
  minSimilarity?: number
  /** Weight of each history entry (e.g. 2^(-age / half-life)); default 1 each. */
  weights?: ArrayLike<number>
}

/**
 * The `n` cold products (cold[j] !== 0, indexed like content.ids) closest to a customer's
 * history (product indexes of `content`; -1 entries are skipped), by weighted mean text cosine,
 * best first; only those at or above minSimilarity. Empty for an empty history.
 */
export function coldItemPicks(content: ContentIndex, history: ArrayLike<number>, cold: Uint8Array, options: ColdPickOptions = {}): Int32Array {
  const n = options.n ?? 2
  const min = options.minSimilarity ?? 0.1
  if (cold.length !== content.ids.length) throw new RangeError(`coldItemPicks: cold has ${cold.length} entries for ${content.ids.length} products`)
  const scores = content.historyScores(history, options.weights)
  const mask = new Uint8Array(scores.length)
  for (let j = 0; j < scores.length; j++) if (!cold[j] || scores[j] < min) mask[j] = 1
  for (let k = 0; k < history.length; k++) if (history[k] >= 0) mask[history[k]] = 1
  return topK(scores, n, mask)
}

/**
 * Products with fewer than `minBuyers` buyers (default 3), as a 0/1 mask over content.ids;
 * `buyers` maps a product id to its distinct buyers (missing = 0).
 */
export function coldMask(content: ContentIndex, buyers: ReadonlyMap<string, number>, minBuyers = 3): Uint8Array {
  return Uint8Array.from(content.ids, (id) => ((buyers.get(id) ?? 0) < minBuyers ? 1 : 0))
}

/**
 * `list` with `extra` placed at positions first, first + every, ... (0-based; default 3 and 5:
 * the 4th, 9th, ... slot), skipping extras already in the list; extras whose slot lies past the
 * end are dropped. The list keeps its length when `keepLength` (default true): the last entries
 * make room.
 */
export function interleave<T>(list: readonly T[], extra: readonly T[], options: { first?: number; every?: number; keepLength?: boolean } = {}): T[] {
  const first = options.first ?? 3
  const every = options.every ?? 5
  if (!(Number.isInteger(first) && first >= 0 && Number.isInteger(every) && every >= 1)) throw new RangeError("interleave: first must be an integer >= 0 and every >= 1")
  const present = new Set(list)
  const adds = extra.filter((x) => !present.has(x))
  const out: T[] = []
  let k = 0
  for (const x of list) {
    while (k < adds.length && out.length === first + k * every) out.push(adds[k++])
    out.push(x)
  }
  while (k < adds.length && out.length >= first + k * every) out.push(adds[k++])
  return options.keepLength === false ? out : out.slice(0, Math.max(list.length, 0))
}
