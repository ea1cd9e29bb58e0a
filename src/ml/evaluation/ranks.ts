/**
 * 1-based ranks of `values` in ascending order, tied values sharing the average of the ranks
 * they span (scipy.stats.rankdata "average"), so the result does not depend on row order.
 * NaN is not allowed (throws).
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = 0; i < n; i++) if (values[i] !== values[i]) throw new RangeError(`averageRanks: NaN at ${i}`)
  order.sort((a, b) => values[a] - values[b])
  const ranks = new Float64Array(n)
  let i = 0
  while (i < n) {
    let j = i + 1
    while (j < n && values[order[j]] === values[order[i]]) j++
    // Positions i..j-1 (0-based) hold ranks i+1..j; their mean is (i + 1 + j) / 2.
    const r = (i + 1 + j) / 2
    for (let k = i; k < j; k++) ranks[order[k]] = r
    i = j
  }
  return ranks
}
