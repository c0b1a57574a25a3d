/**
 * The dense factorizations behind lax's linear algebra primitives, on one matrix at a time in
 * float64 JavaScript (row-major, `off` is the matrix's offset in the batch). The cpu, wasm and
 * tensorflow kernels run these on the host; float64 keeps float32 results accurate to the last
 * ulp or two even for moderately ill-conditioned inputs.
 */

/**
 * Cholesky-Banachiewicz on the lower triangle of a (n x n): writes L (zeros above the diagonal)
 * into l. A matrix that is not positive definite gives all NaNs, as LAPACK's potrf does in JAX.
 */
export function choleskyInto(a: ArrayLike<number>, l: Float64Array, n: number, off: number): void {
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[off + i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[off + i * n + k]! * l[off + j * n + k]!;
      if (i === j) {
        if (!(s > 0)) {
          l.fill(Number.NaN, off, off + n * n);
          return;
        }
        l[off + i * n + i] = Math.sqrt(s);
      } else l[off + i * n + j] = s / l[off + j * n + j]!;
    }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) l[off + i * n + j] = 0;
}

export interface TriangularOptions {
  leftSide: boolean;
  lower: boolean;
  transposeA: boolean;
  unitDiagonal: boolean;
}

/**
 * Solves op(A) X = B (left side) or X op(A) = B (right side) in place in x, which holds B
 * (m x k for left, k x m for right); a is the m x m triangle (the other triangle is ignored).
 * A right-side solve is the left-side solve of the transposed system: op(A)^T X^T = B^T.
 */
export function triangularSolveInto(
  a: ArrayLike<number>,
  x: Float64Array,
  m: number,
  k: number,
  aOff: number,
  xOff: number,
  o: TriangularOptions,
): void {
  const transposed = o.transposeA !== !o.leftSide;
  const at = (i: number, j: number) => (transposed ? a[aOff + j * m + i]! : a[aOff + i * m + j]!);
  // Element (row i, column c) of the left-side unknown: X itself, or X^T for a right-side solve.
  const idx = o.leftSide
    ? (i: number, c: number) => xOff + i * k + c
    : (i: number, c: number) => xOff + c * m + i;
  const effLower = o.lower !== transposed;
  for (let step = 0; step < m; step++) {
    const i = effLower ? step : m - 1 - step;
    const d = o.unitDiagonal ? 1 : at(i, i);
    for (let c = 0; c < k; c++) {
      let s = x[idx(i, c)]!;
      if (effLower) for (let j = 0; j < i; j++) s -= at(i, j) * x[idx(j, c)]!;
      else for (let j = i + 1; j < m; j++) s -= at(i, j) * x[idx(j, c)]!;
      x[idx(i, c)] = s / d;
    }
  }
}

/**
 * LU with partial pivoting (LAPACK getrf's conventions, as jax.lax.linalg.lu): lu holds L below
 * the diagonal (unit diagonal implied) and U on and above it; pivots[i] is the row swapped with
 * row i at step i; perm is the resulting permutation of the rows, so that A[perm] = L U.
 */
export function luInto(
  lu: Float64Array,
  pivots: Int32Array,
  perm: Int32Array,
  m: number,
  n: number,
  off: number,
  pivOff: number,
  permOff: number,
): void {
  for (let i = 0; i < m; i++) perm[permOff + i] = i;
  const kmax = Math.min(m, n);
  for (let k = 0; k < kmax; k++) {
    let p = k;
    for (let i = k + 1; i < m; i++)
      if (Math.abs(lu[off + i * n + k]!) > Math.abs(lu[off + p * n + k]!)) p = i;
    pivots[pivOff + k] = p;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[off + k * n + j]!;
        lu[off + k * n + j] = lu[off + p * n + j]!;
        lu[off + p * n + j] = t;
      }
      const t = perm[permOff + k]!;
      perm[permOff + k] = perm[permOff + p]!;
      perm[permOff + p] = t;
    }
    const d = lu[off + k * n + k]!;
    if (d === 0) continue; // singular: U has a zero pivot, L's column stays zero (as getrf)
    for (let i = k + 1; i < m; i++) {
      const f = lu[off + i * n + k]! / d;
      lu[off + i * n + k] = f;
      for (let j = k + 1; j < n; j++) lu[off + i * n + j] -= f * lu[off + k * n + j]!;
    }
  }
}

/**
 * Symmetric eigendecomposition by cyclic Jacobi rotations (Golub & Van Loan, Matrix
 * Computations, 4th ed., section 8.5), which is accurate to high relative precision. `a` (n x n,
 * symmetric, destroyed) becomes diagonal; v receives the eigenvectors as columns and w the
 * eigenvalues, both sorted in ascending order of the eigenvalues.
 */
export function jacobiEigh(a: Float64Array, n: number, v: Float64Array, w: Float64Array): void {
  v.fill(0);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const x = a[i * n + j]! ** 2;
        total += x;
        if (i !== j) off += x;
      }
    if (!(off > 1e-30 * total)) break;
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) rotatePair(a, v, n, p, q);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => a[i * n + i]! - a[j * n + j]!,
  );
  const vs = v.slice();
  order.forEach((src, dst) => {
    w[dst] = a[src * n + src]!;
    for (let r = 0; r < n; r++) v[r * n + dst] = vs[r * n + src]!;
  });
}

/** One Jacobi rotation zeroing a[p][q] (the symmetric Schur decomposition of the 2x2 block). */
function rotatePair(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q]!;
  if (apq === 0) return;
  const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p]!;
    const akq = a[k * n + q]!;
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k]!;
    const aqk = a[q * n + k]!;
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p]!;
    const vkq = v[k * n + q]!;
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

/**
 * Householder QR (Golub & Van Loan, section 5.2) of a (m x n, destroyed, becomes R): q receives
 * the m x m orthogonal factor. Reflections follow LAPACK's geqrf sign choice (R's diagonal has
 * the opposite sign of the pivot column's leading entry), so results match numpy's.
 */
export function householderQr(a: Float64Array, m: number, n: number, q: Float64Array): void {
  q.fill(0);
  for (let i = 0; i < m; i++) q[i * m + i] = 1;
  const v = new Float64Array(m);
  for (let k = 0; k < Math.min(m - 1, n); k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = a[k * n + k]!;
    const beta = alpha >= 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = a[i * n + k]!;
    v[k] = alpha - beta;
    let vv = 0;
    for (let i = k; i < m; i++) vv += v[i]! ** 2;
    if (vv === 0) continue;
    // A <- (I - 2 v v^T / v^T v) A on rows k.., and Q <- Q (I - 2 v v^T / v^T v).
    for (let j = k; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i]! * a[i * n + j]!;
      s = (2 * s) / vv;
      for (let i = k; i < m; i++) a[i * n + j] -= s * v[i]!;
    }
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let i = k; i < m; i++) s += q[r * m + i]! * v[i]!;
      s = (2 * s) / vv;
      for (let i = k; i < m; i++) q[r * m + i] -= s * v[i]!;
    }
    for (let i = k + 1; i < m; i++) a[i * n + k] = 0;
  }
}

/**
 * Thin SVD of a (m x n, m >= n, row-major) by one-sided Jacobi rotations (Hestenes; Demmel &
 * Veselic, "Jacobi's method is more accurate than QR", SIAM J. Matrix Anal. Appl. 1992):
 * columns of a are rotated until mutually orthogonal. Writes u (m x n), s (n, descending) and
 * v (n x n, columns are the right singular vectors).
 */
export function jacobiSvd(
  a: Float64Array,
  m: number,
  n: number,
  u: Float64Array,
  s: Float64Array,
  v: Float64Array,
): void {
  v.fill(0);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = a[i * n + p]!;
          const y = a[i * n + q]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        for (let i = 0; i < m; i++) {
          const x = a[i * n + p]!;
          const y = a[i * n + q]!;
          a[i * n + p] = c * x - sn * y;
          a[i * n + q] = sn * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v[i * n + p]!;
          const y = v[i * n + q]!;
          v[i * n + p] = c * x - sn * y;
          v[i * n + q] = sn * x + c * y;
        }
      }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let t = 0;
    for (let i = 0; i < m; i++) t += a[i * n + j]! ** 2;
    return Math.sqrt(t);
  });
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => norms[j]! - norms[i]!);
  // Columns of numerically zero norm carry no direction: U's basis is completed there instead.
  const tiny = 1e-13 * (norms[order[0]!] ?? 0);
  const vs = v.slice();
  let rank = 0;
  order.forEach((src, dst) => {
    const norm = norms[src]!;
    s[dst] = norm;
    if (norm > tiny) rank++;
    for (let i = 0; i < n; i++) v[i * n + dst] = vs[i * n + src]!;
    for (let i = 0; i < m; i++) u[i * n + dst] = norm > tiny ? a[i * n + src]! / norm : 0;
  });
  completeColumns(u, m, n, rank);
}

/**
 * Fills columns from..cols-1 of q (rows x cols) with unit vectors orthogonal to the columns
 * before them: Gram-Schmidt (applied twice, for orthogonality to rounding) over e_0, e_1, ...
 */
export function completeColumns(q: Float64Array, rows: number, cols: number, from: number): void {
  let e = 0;
  const col = new Float64Array(rows);
  for (let j = from; j < cols; j++)
    for (; e < rows; e++) {
      col.fill(0);
      col[e] = 1;
      for (let pass = 0; pass < 2; pass++)
        for (let c = 0; c < j; c++) {
          let d = 0;
          for (let i = 0; i < rows; i++) d += q[i * cols + c]! * col[i]!;
          for (let i = 0; i < rows; i++) col[i] -= d * q[i * cols + c]!;
        }
      const norm = Math.sqrt(col.reduce((t, x) => t + x * x, 0));
      if (norm > 1e-6) {
        for (let i = 0; i < rows; i++) q[i * cols + j] = col[i]! / norm;
        e++;
        break;
      }
    }
}
