/**
 * Dense symmetric positive definite inverse through Cholesky, on row-major Float64Array
 * matrices, in plain TypeScript. Every phase is written as dot products of contiguous row
 * pieces and handles 4 rows at a time, so each row streamed from memory is used 4 times; that
 * blocking is what makes n = 3,000 take seconds rather than minutes in a JS engine.
 */

export type Progress = (done: number, total: number, stage: string) => void

/**
 * Cholesky factor of the symmetric positive definite n x n matrix `a` (row-major; only the
 * lower triangle is read), written in place: afterwards the lower triangle holds L with
 * a = L L^T and the strict upper triangle is set to 0. Throws when a pivot is not positive
 * (the matrix is not positive definite, e.g. a regulariser of 0 on a rank-deficient Gram).
 */
export function choleskyInPlace(a: Float64Array, n: number, onProgress?: Progress): Float64Array {
  if (a.length !== n * n) throw new RangeError(`choleskyInPlace: expected ${n * n} values, got ${a.length}`)
  for (let i0 = 0; i0 < n; i0 += 4) {
    const i1 = Math.min(n, i0 + 4)
    // Columns left of the block: each finished row j serves all rows of the block.
    for (let j = 0; j < i0; j++) {
      const rj = j * n
      const d = a[rj + j]
      if (i1 - i0 === 4) {
        const r0 = i0 * n
        const r1 = r0 + n
        const r2 = r1 + n
        const r3 = r2 + n
        let s0 = 0
        let s1 = 0
        let s2 = 0
        let s3 = 0
        for (let k = 0; k < j; k++) {
          const l = a[rj + k]
          s0 += a[r0 + k] * l
          s1 += a[r1 + k] * l
          s2 += a[r2 + k] * l
          s3 += a[r3 + k] * l
        }
        a[r0 + j] = (a[r0 + j] - s0) / d
        a[r1 + j] = (a[r1 + j] - s1) / d
        a[r2 + j] = (a[r2 + j] - s2) / d
        a[r3 + j] = (a[r3 + j] - s3) / d
      } else {
        for (let i = i0; i < i1; i++) {
          const ri = i * n
          let s = 0
          for (let k = 0; k < j; k++) s += a[ri + k] * a[rj + k]
          a[ri + j] = (a[ri + j] - s) / d
        }
      }
    }
    // The small triangle inside the block.
    for (let i = i0; i < i1; i++) {
      const ri = i * n
      for (let j = i0; j <= i; j++) {
        const rj = j * n
        let s = 0
        for (let k = 0; k < j; k++) s += a[ri + k] * a[rj + k]
        if (j === i) {
          const v = a[ri + i] - s
          if (!(v > 0)) throw new RangeError(`choleskyInPlace: matrix not positive definite (pivot ${i} = ${v})`)
          a[ri + i] = Math.sqrt(v)
        } else {
          a[ri + j] = (a[ri + j] - s) / a[rj + j]
        }
      }
      for (let j = i + 1; j < n; j++) a[ri + j] = 0
    }
    onProgress?.(i1, n, "cholesky")
  }
  return a
}

/**
 * U = (L^-1)^T for the lower triangular n x n factor `l` (row-major): an upper triangular
 * matrix, returned as a new array. Row j of U is column j of L^-1, which lets every step be a
 * dot product of a row of L with a row of U, both contiguous.
 */
export function invertLowerTransposed(l: Float64Array, n: number, onProgress?: Progress): Float64Array {
  const u = new Float64Array(n * n)
  for (let j0 = 0; j0 < n; j0 += 4) {
    const j1 = Math.min(n, j0 + 4)
    for (let j = j0; j < j1; j++) u[j * n + j] = 1 / l[j * n + j]
    // U[j][i] = -(sum_{k=j}^{i-1} L[i][k] U[j][k]) / L[i][i], for i > j.
    for (let i = j0 + 1; i < n; i++) {
      const ri = i * n
      const lii = l[ri + i]
      if (j1 - j0 === 4 && i >= j1) {
        const u0 = j0 * n
        const u1 = u0 + n
        const u2 = u1 + n
        const u3 = u2 + n
        let s0 = 0
        let s1 = 0
        let s2 = 0
        let s3 = 0
        // U[j][k] = 0 for k < j, so starting every sum at j0 adds exact zeros only.
        for (let k = j0; k < i; k++) {
          const lk = l[ri + k]
          s0 += lk * u[u0 + k]
          s1 += lk * u[u1 + k]
          s2 += lk * u[u2 + k]
          s3 += lk * u[u3 + k]
        }
        u[u0 + i] = -s0 / lii
        u[u1 + i] = -s1 / lii
        u[u2 + i] = -s2 / lii
        u[u3 + i] = -s3 / lii
      } else {
        for (let j = j0; j < Math.min(j1, i); j++) {
          const rj = j * n
          let s = 0
          for (let k = j; k < i; k++) s += l[ri + k] * u[rj + k]
          u[rj + i] = -s / lii
        }
      }
    }
    onProgress?.(j1, n, "triangular inverse")
  }
  return u
}

/**
 * P = U U^T for the upper triangular `u` = (L^-1)^T, i.e. (L L^T)^-1, written into `out`
 * (n x n, full symmetric). P[i][j] = sum_{k >= max(i, j)} U[i][k] U[j][k].
 */
export function upperTimesTranspose(u: Float64Array, n: number, out: Float64Array, onProgress?: Progress): Float64Array {
  for (let i0 = 0; i0 < n; i0 += 4) {
    const i1 = Math.min(n, i0 + 4)
    for (let j = 0; j < i1; j++) {
      const rj = j * n
      if (i1 - i0 === 4 && j < i0) {
        const r0 = i0 * n
        const r1 = r0 + n
        const r2 = r1 + n
        const r3 = r2 + n
        let s0 = 0
        let s1 = 0
        let s2 = 0
        let s3 = 0
        // Start at k = i0: U[i][k] = 0 for k < i, so the extra terms are exact zeros.
        for (let k = i0; k < n; k++) {
          const v = u[rj + k]
          s0 += u[r0 + k] * v
          s1 += u[r1 + k] * v
          s2 += u[r2 + k] * v
          s3 += u[r3 + k] * v
        }
        out[r0 + j] = s0
        out[r1 + j] = s1
        out[r2 + j] = s2
        out[r3 + j] = s3
      } else {
        for (let i = Math.max(i0, j); i < i1; i++) {
          const ri = i * n
          let s = 0
          for (let k = i; k < n; k++) s += u[ri + k] * u[rj + k]
          out[ri + j] = s
        }
      }
    }
    onProgress?.(i1, n, "product")
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[i * n + j] = out[j * n + i]
  return out
}

/**
 * Inverse of the symmetric positive definite n x n matrix `a` (row-major). Overwrites `a`
 * with the result and returns it; needs one more n x n Float64Array of working memory, so
 * 16 n^2 bytes in all (n = 3,000: 144 MB). Time grows as n^3 (about n^3 / 2 multiply-adds).
 */
export function spdInverseInPlace(a: Float64Array, n: number, onProgress?: Progress): Float64Array {
  choleskyInPlace(a, n, onProgress)
  const u = invertLowerTransposed(a, n, onProgress)
  return upperTimesTranspose(u, n, a, onProgress)
}

/** Slow reference: Gauss-Jordan inverse with partial pivoting, for tests on small matrices. */
export function inverseGaussJordan(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a)
  const inv = new Float64Array(n * n)
  for (let i = 0; i < n; i++) inv[i * n + i] = 1
  for (let c = 0; c < n; c++) {
    let p = c
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r
    if (m[p * n + c] === 0) throw new RangeError("inverseGaussJordan: singular matrix")
    for (let k = 0; k < n; k++) {
      ;[m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]]
      ;[inv[c * n + k], inv[p * n + k]] = [inv[p * n + k], inv[c * n + k]]
    }
    const d = m[c * n + c]
    for (let k = 0; k < n; k++) {
      m[c * n + k] /= d
      inv[c * n + k] /= d
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue
      const f = m[r * n + c]
      if (f === 0) continue
      for (let k = 0; k < n; k++) {
        m[r * n + k] -= f * m[c * n + k]
        inv[r * n + k] -= f * inv[c * n + k]
      }
    }
  }
  return inv
}
