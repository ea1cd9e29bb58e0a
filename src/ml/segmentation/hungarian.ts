/**
 * Minimum-cost assignment (Kuhn-Munkres, the O(n^2 m) shortest-augmenting-path form with
 * row and column potentials, as in Jonker-Volgenant) on a dense rows x cols cost matrix.
 * Used to carry segment ids from one run to the next; sizes are tiny (k <= ~20), so the
 * readable cubic form is plenty.
 */

export interface Assignment {
  /** For each row, its column, or -1 when rows > cols and the row is left out. */
  rowToCol: Int32Array
  /** For each column, its row, or -1 when cols > rows and the column is left out. */
  colToRow: Int32Array
  /** Sum of the costs of the assigned pairs. */
  cost: number
}

/**
 * Assigns min(rows, cols) pairs, each row and column at most once, with the least total
 * cost. `cost` is row-major rows x cols, finite. Ties are broken deterministically (by the
 * scan order), so the same matrix always gives the same assignment.
 */
export function hungarian(cost: Float64Array, rows: number, cols: number): Assignment {
  if (cost.length !== rows * cols) throw new RangeError(`hungarian: ${cost.length} costs for ${rows} x ${cols}`)
  for (let q = 0; q < cost.length; q++) if (!Number.isFinite(cost[q])) throw new RangeError(`hungarian: cost ${q} is not finite`)
  if (rows > cols) {
    // The algorithm needs rows <= cols: solve the transpose and swap the answer.
    const t = new Float64Array(cost.length)
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = cost[i * cols + j]
    const a = hungarian(t, cols, rows)
    return { rowToCol: a.colToRow, colToRow: a.rowToCol, cost: a.cost }
  }
  const n = rows
  const m = cols
  // 1-based arrays with a virtual column 0, as in the classic formulation.
  const u = new Float64Array(n + 1)
  const v = new Float64Array(m + 1)
  const p = new Int32Array(m + 1) // p[j] = row (1-based) matched to column j, 0 if none
  const way = new Int32Array(m + 1)
  const minv = new Float64Array(m + 1)
  const used = new Uint8Array(m + 1)
  for (let i = 1; i <= n; i++) {
    p[0] = i
    let j0 = 0
    minv.fill(Infinity)
    used.fill(0)
    do {
      used[j0] = 1
      const i0 = p[j0]
      let delta = Infinity
      let j1 = 0
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue
        const cur = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j]
        if (cur < minv[j]) {
          minv[j] = cur
          way[j] = j0
        }
        if (minv[j] < delta) {
          delta = minv[j]
          j1 = j
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta
          v[j] -= delta
        } else minv[j] -= delta
      }
      j0 = j1
    } while (p[j0] !== 0)
    do {
      const j1 = way[j0]
      p[j0] = p[j1]
      j0 = j1
    } while (j0 !== 0)
  }
  const rowToCol = new Int32Array(n).fill(-1)
  const colToRow = new Int32Array(m).fill(-1)
  let total = 0
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue
    rowToCol[p[j] - 1] = j - 1
    colToRow[j - 1] = p[j] - 1
    total += cost[(p[j] - 1) * m + (j - 1)]
  }
  return { rowToCol, colToRow, cost: total }
}
