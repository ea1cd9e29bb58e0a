/**
 * Compressed sparse row matrix over typed arrays (the layout of scipy.sparse.csr_matrix):
 * row r's entries are indices/data[indptr[r] .. indptr[r + 1]), columns strictly increasing
 * within a row (no duplicates, the canonical form every function here returns).
 */
export interface CsrMatrix {
  readonly nRows: number
  readonly nCols: number
  /** Length nRows + 1, indptr[0] = 0, non-decreasing. */
  readonly indptr: Int32Array
  /** Column of each stored entry, length nnz. */
  readonly indices: Int32Array
  /** Value of each stored entry, length nnz. */
  readonly data: Float32Array
}

export function nnz(m: CsrMatrix): number {
  return m.indptr[m.nRows]
}

/**
 * Builds a CSR matrix from (row, col, value) triples, summing duplicate (row, col) pairs (in
 * float64, then stored as float32). `values` defaults to all ones, which counts the triples.
 * Rows and columns must be integers in [0, nRows) and [0, nCols). Stable and O(nnz + nRows)
 * besides the per-row column sort.
 */
export function csrFromTriples(
  nRows: number,
  nCols: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  values?: ArrayLike<number>
): CsrMatrix {
  const n = rows.length
  if (cols.length !== n || (values && values.length !== n)) {
    throw new RangeError("csrFromTriples: rows, cols and values must have the same length")
  }
  const counts = new Int32Array(nRows + 1)
  for (let k = 0; k < n; k++) {
    const r = rows[k]
    const c = cols[k]
    if (!(r >= 0 && r < nRows && Number.isInteger(r)) || !(c >= 0 && c < nCols && Number.isInteger(c))) {
      throw new RangeError(`csrFromTriples: entry ${k} (${r}, ${c}) outside ${nRows} x ${nCols}`)
    }
    counts[r + 1]++
  }
  for (let r = 0; r < nRows; r++) counts[r + 1] += counts[r]
  // Counting sort by row; within a row the entries keep input order until sorted below.
  const next = counts.slice(0, nRows)
  const tmpCols = new Int32Array(n)
  const tmpVals = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    const p = next[rows[k]]++
    tmpCols[p] = cols[k]
    tmpVals[p] = values ? values[k] : 1
  }
  const indptr = new Int32Array(nRows + 1)
  const outCols = new Int32Array(n)
  const outVals = new Float64Array(n)
  let w = 0
  const order: number[] = []
  for (let r = 0; r < nRows; r++) {
    const lo = counts[r]
    const hi = counts[r + 1]
    order.length = 0
    for (let p = lo; p < hi; p++) order.push(p)
    order.sort((a, b) => tmpCols[a] - tmpCols[b] || a - b)
    let last = -1
    for (const p of order) {
      const c = tmpCols[p]
      if (c === last) {
        outVals[w - 1] += tmpVals[p]
      } else {
        outCols[w] = c
        outVals[w] = tmpVals[p]
        w++
        last = c
      }
    }
    indptr[r + 1] = w
  }
  return { nRows, nCols, indptr, indices: outCols.slice(0, w), data: Float32Array.from(outVals.subarray(0, w)) }
}

/** Transpose (nCols x nRows), canonical: a counting sort keeps columns increasing per row. */
export function transpose(m: CsrMatrix): CsrMatrix {
  const total = nnz(m)
  const indptr = new Int32Array(m.nCols + 1)
  for (let p = 0; p < total; p++) indptr[m.indices[p] + 1]++
  for (let c = 0; c < m.nCols; c++) indptr[c + 1] += indptr[c]
  const next = indptr.slice(0, m.nCols)
  const indices = new Int32Array(total)
  const data = new Float32Array(total)
  for (let r = 0; r < m.nRows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) {
      const q = next[m.indices[p]]++
      indices[q] = r
      data[q] = m.data[p]
    }
  }
  return { nRows: m.nCols, nCols: m.nRows, indptr, indices, data }
}

/** Same pattern with every stored value replaced by f(value, row, col). */
export function mapValues(m: CsrMatrix, f: (value: number, row: number, col: number) => number): CsrMatrix {
  const data = new Float32Array(m.data.length)
  for (let r = 0; r < m.nRows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) data[p] = f(m.data[p], r, m.indices[p])
  }
  return { ...m, data }
}

/** Same pattern with every stored value set to 1 (the "bought at all" matrix). */
export function binarize(m: CsrMatrix): CsrMatrix {
  return { ...m, data: new Float32Array(m.data.length).fill(1) }
}

/** Number of stored entries in each column (for a binary user x item matrix: buyers per item). */
export function columnCounts(m: CsrMatrix): Int32Array {
  const out = new Int32Array(m.nCols)
  const total = nnz(m)
  for (let p = 0; p < total; p++) out[m.indices[p]]++
  return out
}

/** Value at (row, col), 0 when not stored; binary search within the row. */
export function getValue(m: CsrMatrix, row: number, col: number): number {
  let lo = m.indptr[row]
  let hi = m.indptr[row + 1] - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const c = m.indices[mid]
    if (c === col) return m.data[mid]
    if (c < col) lo = mid + 1
    else hi = mid - 1
  }
  return 0
}

/** Dense row-major copy (nRows x nCols, float64); for tests and tiny matrices only. */
export function toDense(m: CsrMatrix): Float64Array {
  const out = new Float64Array(m.nRows * m.nCols)
  for (let r = 0; r < m.nRows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) out[r * m.nCols + m.indices[p]] = m.data[p]
  }
  return out
}
