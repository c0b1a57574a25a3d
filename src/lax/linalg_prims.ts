/**
 * jax.lax.linalg's primitives: cholesky, triangular_solve, lu, eigh, svd and qr, on float32
 * matrices with any leading batch dimensions. Each runs as one tf.js kernel per backend (see
 * linalg_kernels.ts); the jvp rules are JAX's (jax/_src/lax/linalg.py), written with lax ops
 * and triangular_solve so that reverse mode transposes them.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { JaxArray } from "../core/array.js";
import type { ShapedArray } from "../core/aval.js";
import { TypeError_, ValueError } from "../core/errors.js";
import {
  bind,
  bind1,
  defBatch,
  defJvp,
  defTranspose,
  Primitive,
  registerRules,
  UndefinedPrimal,
} from "../core/primitive.js";
import { fmtShape } from "../core/shape.js";
import { batchSize, moveToFront } from "./batch_rules.js";
import { aval, T } from "./common.js";
import * as el from "./elementwise.js";
import { zerosLike } from "./jvp_rules.js";
import { KERNELS } from "./linalg_kernels.js";
import {
  asCols,
  asRows,
  diagMatrix,
  diagonal,
  eyeLike,
  maskAs,
  matmul,
  mT,
  range,
  tril,
  triu,
} from "./linalg_util.js";
import * as st from "./structural.js";

function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);
  return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
}

/** Float32 matrices (rank >= 2); `square` also requires the last two dimensions to agree. */
function checkMatrices(name: string, a: ShapedArray, square: boolean): void {
  if (a.dtype !== "float32")
    throw new TypeError_(`${name}: expected a float32 array, got ${a.dtype}${fmtShape(a.shape)}`);
  const n = a.shape.length;
  if (n < 2 || (square && a.shape[n - 1] !== a.shape[n - 2]))
    throw new ValueError(
      `${name}: expected ${square ? "square matrices" : "matrices"} (shape [..., m, ${square ? "m" : "n"}]), got shape ${fmtShape(a.shape)}`,
    );
}

/** Batch rule of primitives whose operands share the batch dimensions: all to the front. */
function batchAtFront<P extends object>(prim: Primitive<P>): void {
  defBatch(prim, (args, dims, params) => {
    const n = batchSize(args, dims);
    const outs = bind(
      prim,
      args.map((x, i) => moveToFront(x, dims[i]!, n)),
      params,
    );
    return [outs, outs.map(() => 0)];
  });
}

// --- cholesky --------------------------------------------------------------------------------

export const choleskyP = new Primitive<object>("cholesky");
registerRules(choleskyP, {
  abstractEval: ([a]) => {
    checkMatrices("cholesky", a!, true);
    return [aval(a!.shape, a!.dtype)];
  },
  impl: ([a]) => runKernel(KERNELS.cholesky, { a: T(a!) }, {}),
  singleKernel: () => true,
});
/**
 * lax.linalg.cholesky(x, symmetrizeInput=true): the lower Cholesky factor of each matrix (NaNs
 * where one is not positive definite). Only the lower triangle is read unless symmetrizing.
 */
export function cholesky(x: JaxArray, symmetrizeInput = true): JaxArray {
  return bind1(choleskyP, [symmetrizeInput ? symmetrize(x) : x], {});
}
export function symmetrize(x: JaxArray): JaxArray {
  return el.div(el.add(x, mT(x)), 2);
}
// dL = L phi(L^-1 dA L^-T) with phi = lower triangle, diagonal halved (Murray 2016,
// arXiv:1602.07527, as JAX's _cholesky_jvp_rule).
defJvp(choleskyP, ([x], [dx]) => {
  const L = bind1(choleskyP, [x!], {});
  const tmp = triangularSolve(L, dx!, { leftSide: false, lower: true, transposeA: true });
  const inner = triangularSolve(L, tmp, { leftSide: true, lower: true });
  const phi = el.div(tril(inner), el.add(eyeLike(inner), 1));
  return [[L], [matmul(L, phi)]];
});
batchAtFront(choleskyP);

// --- triangular_solve ------------------------------------------------------------------------

export interface TriangularSolveParams {
  left_side: boolean;
  lower: boolean;
  transpose_a: boolean;
  conjugate_a: boolean;
  unit_diagonal: boolean;
}
export interface TriangularSolveOptions {
  leftSide?: boolean;
  lower?: boolean;
  transposeA?: boolean;
  conjugateA?: boolean;
  unitDiagonal?: boolean;
}
export const triangularSolveP = new Primitive<TriangularSolveParams>("triangular_solve");
registerRules(triangularSolveP, {
  abstractEval: ([a, b], p) => {
    checkMatrices("triangular_solve", a!, true);
    checkMatrices("triangular_solve", b!, false);
    const m = a!.shape[a!.ndim - 1]!;
    const side = p.left_side ? b!.shape[b!.ndim - 2] : b!.shape[b!.ndim - 1];
    const sameBatch =
      a!.ndim === b!.ndim && a!.shape.slice(0, -2).every((d, i) => d === b!.shape[i]);
    if (!sameBatch || side !== m)
      throw new TypeError_(
        `triangular_solve: a ${fmtShape(a!.shape)} and b ${fmtShape(b!.shape)} need equal batch dimensions and b's ${p.left_side ? "rows" : "columns"} equal to a's size ${m}`,
      );
    return [aval(b!.shape, b!.dtype)];
  },
  impl: ([a, b], p) =>
    runKernel(
      KERNELS.triangularSolve,
      { a: T(a!), b: T(b!) },
      {
        leftSide: p.left_side,
        lower: p.lower,
        transposeA: p.transpose_a,
        unitDiagonal: p.unit_diagonal,
      },
    ),
  singleKernel: () => true,
});

/**
 * lax.linalg.triangular_solve(a, b, {leftSide, lower, transposeA, conjugateA, unitDiagonal}):
 * X with op(a) X = b (leftSide) or X op(a) = b. Defaults as JAX: right side, upper, no transpose.
 */
export function triangularSolve(
  a: JaxArray,
  b: JaxArray,
  o: TriangularSolveOptions = {},
): JaxArray {
  return bind1(triangularSolveP, [a, b], {
    left_side: o.leftSide ?? false,
    lower: o.lower ?? false,
    transpose_a: o.transposeA ?? false,
    conjugate_a: o.conjugateA ?? false,
    unit_diagonal: o.unitDiagonal ?? false,
  });
}
const optionsOf = (p: TriangularSolveParams): TriangularSolveOptions => ({
  leftSide: p.left_side,
  lower: p.lower,
  transposeA: p.transpose_a,
  conjugateA: p.conjugate_a,
  unitDiagonal: p.unit_diagonal,
});
// d X = op(A)^-1 (dB - op(dA) X) (left side), (dB - X op(dA)) op(A)^-1 (right side), with dA
// restricted to the triangle that is read (JAX's _triangular_solve_jvp_rule_a).
defJvp(triangularSolveP, ([a, b], [da, db], p) => {
  const x = bind1(triangularSolveP, [a!, b!], p);
  const k = p.unit_diagonal ? 1 : 0;
  let dA = p.lower ? tril(da!, -k) : triu(da!, k);
  if (p.transpose_a) dA = mT(dA);
  const rhs = el.sub(db!, p.left_side ? matmul(dA, x) : matmul(x, dA));
  return [[x], [bind1(triangularSolveP, [a!, rhs], p)]];
});
// Linear in b: ct_b = op(A)^-T ct (the same solve with transpose_a flipped).
defTranspose(triangularSolveP, ([ct], [a, b], p) => {
  if (a instanceof UndefinedPrimal)
    throw new TypeError_("triangular_solve: transpose is defined for the linear operand b only");
  if (!(b instanceof UndefinedPrimal)) return [null, null];
  if (ct === null) return [null, null];
  return [null, triangularSolve(a, ct, { ...optionsOf(p), transposeA: !p.transpose_a })];
});
batchAtFront(triangularSolveP);

// --- lu ----------------------------------------------------------------------------------------

export const luP = new Primitive<object>("lu", true);
registerRules(luP, {
  abstractEval: ([a]) => {
    checkMatrices("lu", a!, false);
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const batch = a!.shape.slice(0, -2);
    return [
      aval(a!.shape, a!.dtype),
      aval([...batch, Math.min(m, n)], "int32"),
      aval([...batch, m], "int32"),
    ];
  },
  impl: ([a]) => runKernel(KERNELS.lu, { a: T(a!) }, {}),
});
/** lax.linalg.lu(a): [lu, pivots, permutation] with a[..., permutation, :] = L U (partial pivoting). */
export function lu(a: JaxArray): [JaxArray, JaxArray, JaxArray] {
  const [f, piv, perm] = bind(luP, [a], {});
  return [f!, piv!, perm!];
}
/** Row permutation as a one-hot float matrix P, so that P x = x[perm]. */
export function permutationMatrix(perm: JaxArray, dtype: JaxArray["dtype"]): JaxArray {
  const m = perm.shape[perm.ndim - 1]!;
  const shape = [...perm.shape, m];
  const rows = st.broadcastInDim(perm, shape, range(perm.ndim));
  return maskAs(el.eq(rows, st.broadcastedIota("int32", shape, perm.ndim)), dtype);
}
/** Solves A X = B from A's LU factors (A[perm] = L U): X = U^-1 L^-1 B[perm], batch dims equal. */
export function luSolve(f: JaxArray, perm: JaxArray, b: JaxArray): JaxArray {
  const permuted = matmul(permutationMatrix(perm, b.dtype), b);
  const y = triangularSolve(f, permuted, { leftSide: true, lower: true, unitDiagonal: true });
  return triangularSolve(f, y, { leftSide: true, lower: false });
}
// With P A = L U: L^-1 P dA U^-1 = L^-1 dL + dU U^-1, split into its strictly lower and upper
// parts (JAX's _lu_jvp_rule, square case).
defJvp(luP, ([a], [da]) => {
  const [f, piv, perm] = bind(luP, [a!], {});
  const [m, n] = a!.shape.slice(-2) as [number, number];
  if (m !== n)
    throw new ValueError(
      `lu: derivatives are implemented for square matrices only, got shape ${fmtShape(a!.shape)}`,
    );
  const x = matmul(permutationMatrix(perm!, a!.dtype), da!);
  const l = el.add(tril(f!, -1), eyeLike(f!));
  const u = triu(f!);
  const la = triangularSolve(l, x, { leftSide: true, lower: true, unitDiagonal: true });
  const lau = triangularSolve(u, la, { leftSide: false, lower: false });
  const dlu = el.add(matmul(l, tril(lau, -1)), matmul(triu(lau), u));
  return [
    [f!, piv!, perm!],
    [dlu, zerosLike(piv!), zerosLike(perm!)],
  ];
});
batchAtFront(luP);

// --- eigh ----------------------------------------------------------------------------------------

export interface EighParams {
  lower: boolean;
  sort_eigenvalues: boolean;
  subset_by_index: null;
}
export const eighP = new Primitive<EighParams>("eigh", true);
registerRules(eighP, {
  abstractEval: ([a]) => {
    checkMatrices("eigh", a!, true);
    return [aval(a!.shape, a!.dtype), aval(a!.shape.slice(0, -1), a!.dtype)];
  },
  impl: ([a], p) => runKernel(KERNELS.eigh, { a: T(a!) }, { lower: p.lower }),
});
/** lax.linalg.eigh(x, {lower}): [v, w], eigenvectors as columns and ascending eigenvalues. */
export function eigh(x: JaxArray, lower = true, symmetrizeInput = true): [JaxArray, JaxArray] {
  const [v, w] = bind(eighP, [symmetrizeInput ? symmetrize(x) : x], {
    lower,
    sort_eigenvalues: true,
    subset_by_index: null,
  });
  return [v!, w!];
}
// dw = diag(V^T dA V); dV = V (F o V^T dA V) with F_ij = 1/(w_j - w_i) off the diagonal, 0 on it
// (JAX's _eigh_jvp_rule).
defJvp(eighP, ([a], [da], p) => {
  const [v, w] = bind(eighP, [a!], p);
  const n = a!.shape[a!.ndim - 1]!;
  const eye = eyeLike(v!);
  const diff = el.sub(asRows(w!, n), asCols(w!, n));
  const F = el.sub(el.div(1, el.add(eye, diff)), eye);
  const vtdav = matmul(matmul(mT(v!), da!), v!);
  return [
    [v!, w!],
    [matmul(v!, el.mul(F, vtdav)), diagonal(vtdav)],
  ];
});
batchAtFront(eighP);

// --- svd -------------------------------------------------------------------------------------------

export interface SvdParams {
  full_matrices: boolean;
  compute_uv: boolean;
  subset_by_index: null;
  algorithm: null;
}
export const svdP = new Primitive<SvdParams>("svd", true);
registerRules(svdP, {
  abstractEval: ([a], p) => {
    checkMatrices("svd", a!, false);
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const batch = a!.shape.slice(0, -2);
    const k = Math.min(m, n);
    const s = aval([...batch, k], a!.dtype);
    if (!p.compute_uv) return [s];
    const [ur, vc] = p.full_matrices ? [m, n] : [k, k];
    return [s, aval([...batch, m, ur], a!.dtype), aval([...batch, vc, n], a!.dtype)];
  },
  impl: ([a], p) =>
    runKernel(
      KERNELS.svd,
      { a: T(a!) },
      { fullMatrices: p.full_matrices, computeUv: p.compute_uv },
    ),
});
/** lax.linalg.svd(x, {fullMatrices, computeUv}): [s, u, vt] (or [s]), s descending. */
export function svd(x: JaxArray, fullMatrices = true, computeUv = true): JaxArray[] {
  return bind(svdP, [x], {
    full_matrices: fullMatrices,
    compute_uv: computeUv,
    subset_by_index: null,
    algorithm: null,
  });
}
// JAX's _svd_jvp_rule (thin factors): ds = diag(U^T dA V); dU and dV from the antisymmetric parts
// of U^T dA V scaled by F_ij = 1/(s_j^2 - s_i^2), plus the components outside the column spaces.
defJvp(svdP, ([a], [da], p) => {
  if (p.full_matrices && p.compute_uv && a!.shape.at(-1) !== a!.shape.at(-2))
    throw new ValueError(
      "svd: derivatives with fullMatrices=true are defined for square matrices only (as in JAX); use fullMatrices=false",
    );
  const [s, U, Vt] = bind(svdP, [a!], { ...p, compute_uv: true, full_matrices: false });
  const [m, n] = a!.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const V = mT(Vt!);
  const dS = matmul(matmul(mT(U!), da!), V);
  const ds = diagonal(dS);
  if (!p.compute_uv) return [[s!], [ds]];
  const sRow = asRows(s!, k);
  const sCol = mT(sRow);
  const sDiffs = el.mul(el.add(sRow, sCol), el.sub(sRow, sCol));
  const zeroDiff = maskAs(el.eq(sDiffs, 0), a!.dtype);
  const F = el.sub(el.div(1, el.add(sDiffs, zeroDiff)), zeroDiff);
  const dSS = el.mul(sRow, dS);
  const SdS = el.mul(sCol, dS);
  const sZero = maskAs(el.eq(s!, 0), a!.dtype);
  const sInv = el.sub(el.div(1, el.add(s!, sZero)), sZero);
  const dUdVdiag = el.mul(el.mul(el.sub(dS, mT(dS)), 0.5), diagMatrix(sInv));
  let dU = matmul(U!, el.add(el.mul(F, el.add(dSS, mT(dSS))), dUdVdiag));
  let dV = matmul(V, el.mul(F, el.add(SdS, mT(SdS))));
  if (m > n) {
    const dAV = matmul(da!, V);
    dU = el.add(dU, el.div(el.sub(dAV, matmul(U!, matmul(mT(U!), dAV))), asRows(s!, m)));
  }
  if (n > m) {
    const dAtU = matmul(mT(da!), U!);
    dV = el.add(dV, el.div(el.sub(dAtU, matmul(V, matmul(Vt!, dAtU))), asRows(s!, n)));
  }
  return [
    [s!, U!, Vt!],
    [ds, dU, mT(dV)],
  ];
});
batchAtFront(svdP);

// --- qr ----------------------------------------------------------------------------------------------

export interface QrParams {
  pivoting: false;
  full_matrices: boolean;
  use_magma: false;
}
export const qrP = new Primitive<QrParams>("qr", true);
registerRules(qrP, {
  abstractEval: ([a], p) => {
    checkMatrices("qr", a!, false);
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const batch = a!.shape.slice(0, -2);
    const k = p.full_matrices ? m : Math.min(m, n);
    return [aval([...batch, m, k], a!.dtype), aval([...batch, k, n], a!.dtype)];
  },
  impl: ([a], p) => runKernel(KERNELS.qr, { a: T(a!) }, { fullMatrices: p.full_matrices }),
});
/** lax.linalg.qr(x, {fullMatrices}): [q, r] by Householder reflections. */
export function qr(x: JaxArray, fullMatrices = true): [JaxArray, JaxArray] {
  const [q, r] = bind(qrP, [x], { pivoting: false, full_matrices: fullMatrices, use_magma: false });
  return [q!, r!];
}
// JAX's _qr_jvp_rule (J. Townsend, "Differentiating the QR decomposition", 2018): with
// C = Q^T dA R^-1 and Omega = tril(C, -1) - tril(C, -1)^T: dQ = Q (Omega - C) + dA R^-1,
// dR = (C - Omega) R.
defJvp(qrP, ([a], [da], p) => {
  const [q, r] = bind(qrP, [a!], p);
  const [m, n] = a!.shape.slice(-2) as [number, number];
  if (m < n || (p.full_matrices && m !== n))
    throw new ValueError(
      `qr: derivatives are implemented only for m >= n with reduced factors (as in JAX), got shape ${fmtShape(a!.shape)}${p.full_matrices ? " with full matrices" : ""}`,
    );
  const dxRinv = triangularSolve(r!, da!);
  const qtDxRinv = matmul(mT(q!), dxRinv);
  const lowerPart = tril(qtDxRinv, -1);
  const omega = el.sub(lowerPart, mT(lowerPart));
  const dq = el.add(matmul(q!, el.sub(omega, qtDxRinv)), dxRinv);
  const dr = matmul(el.sub(qtDxRinv, omega), r!);
  return [
    [q!, r!],
    [dq, dr],
  ];
});
batchAtFront(qrP);
