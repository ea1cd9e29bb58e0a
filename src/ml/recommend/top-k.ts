/** Scores over items, higher is better. */
export type ItemScores = Float32Array | Float64Array

/**
 * Indices of the n best items: descending score, ties by ascending item index (the order of
 * a stable sort on -score), which docs/evaluation.md fixes so that two implementations agree.
 * NaN ranks below every number. Items with exclude[i] !== 0 are left out (the list is shorter
 * than n only when fewer than n items remain). O(items x n) worst case, O(items) typically.
 */
export function topK(scores: ItemScores, n: number, exclude?: Uint8Array | null): Int32Array {
  return topKOf(identity(scores.length), scores, n, exclude)
}

let identityCache = new Int32Array(0)
/** 0, 1, ..., n - 1 (a view of one array kept between calls, grown when needed). */
function identity(n: number): Int32Array {
  if (identityCache.length < n) {
    identityCache = new Int32Array(Math.max(n, 2 * identityCache.length))
    for (let i = 0; i < identityCache.length; i++) identityCache[i] = i
  }
  return identityCache.subarray(0, n)
}

/**
 * topK over a subset of items, in any order: `values[t]` is the score of items[t]. The same
 * ranking and tie rule as topK on a scores array that holds these values (an equal score goes
 * to the lower item index); the caller guarantees that no item outside the subset would make
 * the cut. Items with exclude[item] !== 0 are left out. Returns items, not positions.
 */
export function topKOf(items: ArrayLike<number>, values: ArrayLike<number>, n: number, exclude?: Uint8Array | null): Int32Array {
  const k = Math.max(0, Math.min(n, items.length))
  const idx = new Int32Array(k)
  const val = new Float64Array(k)
  let size = 0
  for (let t = 0; t < items.length; t++) {
    const i = items[t]
    if (exclude && exclude[i] !== 0) continue
    let s = values[t]
    if (s !== s) s = Number.NEGATIVE_INFINITY
    if (size === k) {
      if (k === 0 || s < val[k - 1] || (s === val[k - 1] && i > idx[k - 1])) continue
      size--
    }
    let p = size
    while (p > 0 && (s > val[p - 1] || (s === val[p - 1] && i < idx[p - 1]))) {
      val[p] = val[p - 1]
      idx[p] = idx[p - 1]
      p--
    }
    val[p] = s
    idx[p] = i
    size++
  }
  return size === k ? idx : idx.slice(0, size)
}

/** Slow reference for topK: a full stable sort. For tests. */
export function topKBySort(scores: ItemScores, n: number, exclude?: Uint8Array | null): Int32Array {
  const key = (i: number) => (scores[i] !== scores[i] ? Number.NEGATIVE_INFINITY : scores[i])
  const items: number[] = []
  for (let i = 0; i < scores.length; i++) if (!exclude || exclude[i] === 0) items.push(i)
  items.sort((a, b) => (key(b) > key(a) ? 1 : key(b) < key(a) ? -1 : a - b))
  return Int32Array.from(items.slice(0, Math.max(0, n)))
}
