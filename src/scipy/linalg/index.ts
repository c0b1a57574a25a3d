/**
 * jax.scipy.linalg: scipy's conventions (upper Cholesky by default, cho_factor/cho_solve,
 * solve_triangular with trans, qr modes, eigh's eigvals_only, expm) over jnp.linalg and the
 * lax.linalg primitives. Leading dimensions are batch dimensions.
 */
import type { JaxArray } from "../../core/array.js";
import { ValueError } from "../../core/errors.js";
import { fmtShape } from "../../core/shape.js";
import * as lax from "../../lax/index.js";
import * as la from "../../lax/linalg_prims.js";
import { broadcastBatch, eyeLike, maskAs, mT, tril, triu } from "../../lax/linalg_util.js";
import * as npl from "../../numpy/decompositions.js";
import { matmul } from "../../numpy/linalg.js";
import { readArgs } from "../../numpy/options.js";
import { max, sum } from "../../numpy/reductions.js";
import { reshape } from "../../numpy/shape.js";
import { abs, ceil, divide, greater, log2, maximum, power, where } from "../../numpy/ufuncs.js";
import { type ArrayLike, promoteInexact } from "../../numpy/util.js";

export { det, inv } from "../../numpy/decompositions.js";

export interface CholeskyOptions {
  lower?: boolean;
  overwriteA?: boolean;
  checkFinite?: boolean;
}
/**
 * jax.scipy.linalg.cholesky(a, lower=false): the upper factor U (U^T U = a) by default, the
 * lower one if `lower`. Reads only the triangle it returns, as scipy (no symmetrization).
 */
export function cholesky(a: ArrayLike, ...rest: [boolean?] | [CholeskyOptions]): JaxArray {
  const o = readArgs<CholeskyOptions>("cholesky", rest, ["lower"], ["overwriteA", "checkFinite"]);
  const A = npl.matrices("cholesky", a);
  const L = la.cholesky(o.lower ? A : mT(A), false);
  return o.lower ? L : mT(L);
}

/** jax.scipy.linalg.cho_factor(a, lower=false): [c, lower] for choSolve. */
export function choFactor(
  a: ArrayLike,
  ...rest: [boolean?] | [CholeskyOptions]
): [JaxArray, boolean] {
  const o = readArgs<CholeskyOptions>("cho_factor", rest, ["lower"], ["overwriteA", "checkFinite"]);
  return [cholesky(a, { lower: o.lower ?? false }), o.lower ?? false];
}

/** b as matrices [..., m, k] (a vector when b has one dimension less than a), with a's batch. */
function asRhs(fn: string, a: JaxArray, b: JaxArray): [JaxArray, JaxArray, boolean] {
  const vector = b.ndim === a.ndim - 1;
  const B = vector ? reshape(b, [...b.shape, 1]) : b;
  if (B.ndim < 2 || B.shape[B.ndim - 2] !== a.shape[a.ndim - 1])
    throw new ValueError(
      `${fn}: b of shape ${fmtShape(b.shape)} does not match a of shape ${fmtShape(a.shape)}: expected [..., ${a.shape[a.ndim - 1]}] or [..., ${a.shape[a.ndim - 1]}, k]`,
    );
  const [A2, B2] = broadcastBatch(fn, a, B);
  return [A2, B2, vector];
}
const unvector = (x: JaxArray, vector: boolean) => (vector ? reshape(x, x.shape.slice(0, -1)) : x);

/**
 * jax.scipy.linalg.cho_solve([c, lower], b): solves a x = b from a's Cholesky factor c
 * (two triangular solves: with L and L^T, or U^T and U).
 */
export function choSolve(cAndLower: [ArrayLike, boolean], b: ArrayLike): JaxArray {
  const [c0, lower] = cAndLower;
  const [cc, bb] = promoteInexact("cho_solve", c0, b);
  const [c, B, vector] = asRhs("cho_solve", npl.matrices("cho_solve", cc!), bb!);
  const y = la.triangularSolve(c, B, { leftSide: true, lower, transposeA: !lower });
  return unvector(la.triangularSolve(c, y, { leftSide: true, lower, transposeA: lower }), vector);
}

export interface SolveTriangularOptions {
  trans?: 0 | 1 | 2 | "N" | "T" | "C";
  lower?: boolean;
  unitDiagonal?: boolean;
  overwriteB?: boolean;
  checkFinite?: boolean;
}
/**
 * jax.scipy.linalg.solve_triangular(a, b, trans=0, lower=false, unitDiagonal=false): x with
 * op(a) x = b, op = identity (trans 0/'N') or transpose (1/'T', 2/'C' for real matrices).
 */
export function solveTriangular(
  a: ArrayLike,
  b: ArrayLike,
  ...rest: [SolveTriangularOptions["trans"]?, boolean?, boolean?] | [SolveTriangularOptions]
): JaxArray {
  const o = readArgs<SolveTriangularOptions>(
    "solve_triangular",
    rest,
    ["trans", "lower", "unitDiagonal"],
    ["overwriteB", "checkFinite"],
  );
  const trans = o.trans ?? 0;
  if (![0, 1, 2, "N", "T", "C"].includes(trans))
    throw new ValueError(`solve_triangular: invalid 'trans' value ${String(trans)}`);
  const [aa, bb] = promoteInexact("solve_triangular", a, b);
  const [A, B, vector] = asRhs("solve_triangular", npl.matrices("solve_triangular", aa!), bb!);
  const x = la.triangularSolve(A, B, {
    leftSide: true,
    lower: o.lower ?? false,
    transposeA: trans !== 0 && trans !== "N",
    unitDiagonal: o.unitDiagonal ?? false,
  });
  return unvector(x, vector);
}

export interface SolveOptions {
  lower?: boolean;
  assumeA?: "gen" | "sym" | "her" | "pos";
  overwriteA?: boolean;
  overwriteB?: boolean;
  checkFinite?: boolean;
}
/**
 * jax.scipy.linalg.solve(a, b, {assumeA, lower}): LU for 'gen'/'sym'/'her', Cholesky for 'pos'
 * (reading the `lower` triangle). b is a vector when it has one dimension less than a.
 */
export function solve(a: ArrayLike, b: ArrayLike, opts: SolveOptions = {}): JaxArray {
  const o = readArgs<SolveOptions>(
    "solve",
    [opts],
    [],
    ["lower", "assumeA", "overwriteA", "overwriteB", "checkFinite"],
  );
  const assume = o.assumeA ?? "gen";
  if (!["gen", "sym", "her", "pos"].includes(assume))
    throw new ValueError(`solve: assume_a must be 'gen', 'sym', 'her' or 'pos', got '${assume}'`);
  const [aa, bb] = promoteInexact("solve", a, b);
  const [A, B, vector] = asRhs("solve", npl.matrices("solve", aa!), bb!);
  if (assume === "pos") {
    const c = cholesky(A, { lower: o.lower ?? false });
    return unvector(choSolve([c, o.lower ?? false], B), vector);
  }
  const [f, , perm] = la.lu(A);
  return unvector(la.luSolve(f, perm, B), vector);
}

/** jax.scipy.linalg.lu_factor(a): [lu, piv] (LAPACK's pivots: row i was swapped with piv[i]). */
export function luFactor(a: ArrayLike): [JaxArray, JaxArray] {
  const [f, piv] = la.lu(npl.matrices("lu_factor", a, false));
  return [f, piv];
}
/** jax.scipy.linalg.lu_solve([lu, piv], b, trans=0): solves a x = b (or a^T x = b) from lu_factor. */
export function luSolve(
  luAndPiv: [JaxArray, JaxArray],
  b: ArrayLike,
  trans: 0 | 1 | 2 = 0,
): JaxArray {
  const [f, piv] = luAndPiv;
  const [bb] = promoteInexact("lu_solve", b);
  const [F, B, vector] = asRhs("lu_solve", f, bb!);
  const P = pivotMatrix(piv, F);
  const unit = { leftSide: true, lower: true, unitDiagonal: true };
  if (trans === 0) {
    const y = la.triangularSolve(F, matmul(P, B), unit);
    return unvector(la.triangularSolve(F, y, { leftSide: true, lower: false }), vector);
  }
  // a = P^T L U, so a^T x = b is U^T L^T P x = b.
  const y = la.triangularSolve(F, B, { leftSide: true, lower: false, transposeA: true });
  const z = la.triangularSolve(F, y, { ...unit, transposeA: true });
  return unvector(matmul(mT(P), z), vector);
}
/** P with P a = L U from LAPACK-style pivots: the product of the row swaps (i, piv[i]) in order. */
function pivotMatrix(piv: JaxArray, like: JaxArray): JaxArray {
  const eye = eyeLike(like);
  const rows = lax.broadcastedIota("int32", like.shape, like.ndim - 2);
  const cols = lax.broadcastedIota("int32", like.shape, like.ndim - 1);
  const batchDims = like.shape.slice(0, -2).map((_, d) => d);
  let P = eye;
  for (let i = 0; i < piv.shape[piv.ndim - 1]!; i++) {
    const pi = lax.squeeze(lax.sliceInDim(piv, i, i + 1, 1, piv.ndim - 1), [piv.ndim - 1]);
    const p = lax.broadcastInDim(pi, like.shape, batchDims);
    const stays = lax.bitwiseAnd(
      lax.eq(rows, cols),
      lax.bitwiseAnd(lax.ne(rows, i), lax.ne(rows, p)),
    );
    const swapped = lax.bitwiseOr(
      lax.bitwiseAnd(lax.eq(rows, i), lax.eq(cols, p)),
      lax.bitwiseAnd(lax.eq(rows, p), lax.eq(cols, i)),
    );
    const S = maskAs(lax.bitwiseOr(stays, swapped), like.dtype);
    P = matmul(S, P);
  }
  return P;
}

/** jax.scipy.linalg.lu(a, permute_l=false): [p, l, u] with a = p l u. */
export function lu(a: ArrayLike, permuteL = false): JaxArray[] {
  const A = npl.matrices("lu", a, false);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const [f, , perm] = la.lu(A);
  const lower = lax.sliceInDim(f, 0, k, 1, f.ndim - 1);
  const l = lax.add(tril(lower, -1), eyeLike(lower));
  const u = triu(lax.sliceInDim(f, 0, k, 1, f.ndim - 2));
  const p = mT(la.permutationMatrix(perm, A.dtype));
  return permuteL ? [matmul(p, l), u] : [p, l, u];
}

export interface EighOptions {
  b?: null;
  lower?: boolean;
  eigvalsOnly?: boolean;
  overwriteA?: boolean;
  overwriteB?: boolean;
  turbo?: boolean;
  eigvals?: null;
  type?: 1;
  checkFinite?: boolean;
}
/** jax.scipy.linalg.eigh(a, b=null, lower=true, eigvalsOnly=false): [w, v] (w ascending), or w. */
export function eigh(a: ArrayLike, opts: EighOptions = {}): JaxArray[] | JaxArray {
  const o = readArgs<EighOptions>(
    "eigh",
    [opts],
    [],
    [
      "b",
      "lower",
      "eigvalsOnly",
      "overwriteA",
      "overwriteB",
      "turbo",
      "eigvals",
      "type",
      "checkFinite",
    ],
  );
  if (o.b != null)
    throw new ValueError("eigh: only the standard problem is implemented (b must be null)");
  const [v, w] = la.eigh(npl.matrices("eigh", a), o.lower ?? true, false);
  return o.eigvalsOnly ? w : [w, v];
}

/** jax.scipy.linalg.svd(a, fullMatrices=true, computeUv=true): [U, s, Vh] or s. */
export function svd(
  a: ArrayLike,
  opts: {
    fullMatrices?: boolean;
    computeUv?: boolean;
    overwriteA?: boolean;
    checkFinite?: boolean;
    lapackDriver?: string;
  } = {},
): JaxArray[] | JaxArray {
  if (opts.computeUv === false) return npl.svd(a, { computeUv: false });
  return [...npl.svd(a, { fullMatrices: opts.fullMatrices ?? true })];
}

/** jax.scipy.linalg.qr(a, mode='full' | 'economic' | 'r'): [Q, R], or [R] for mode 'r' (as scipy). */
export function qr(
  a: ArrayLike,
  opts: {
    mode?: "full" | "economic" | "r";
    pivoting?: false;
    overwriteA?: boolean;
    lwork?: null;
    checkFinite?: boolean;
  } = {},
): JaxArray[] {
  const mode = opts.mode ?? "full";
  if (!["full", "economic", "r"].includes(mode))
    throw new ValueError(`qr: unsupported mode '${mode}'; expected 'full', 'economic' or 'r'`);
  if (opts.pivoting) throw new ValueError("qr: pivoting=true is not implemented");
  const [q, r] = la.qr(npl.matrices("qr", a, false), mode !== "economic");
  return mode === "r" ? [r] : [q, r];
}

// --- expm ---------------------------------------------------------------------------------------

// Padé numerator coefficients b_k of orders 3, 5 and 7 (Higham 2005, table 2.3).
const PADE: Record<3 | 5 | 7, number[]> = {
  3: [120, 60, 12, 1],
  5: [30240, 15120, 3360, 420, 30, 1],
  7: [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1],
};
/** U (odd part) and V (even part) of the order-m Padé approximant of exp at A. */
function padeUV(A: JaxArray, order: 3 | 5 | 7, powers: JaxArray[]): [JaxArray, JaxArray] {
  const b = PADE[order];
  let odd = lax.mul(eyeLike(A), b[1]!);
  let even = lax.mul(eyeLike(A), b[0]!);
  for (let k = 1; 2 * k <= order; k++) {
    odd = lax.add(odd, lax.mul(powers[k - 1]!, b[2 * k + 1]!));
    even = lax.add(even, lax.mul(powers[k - 1]!, b[2 * k]!));
  }
  return [matmul(A, odd), even];
}

export interface ExpmOptions {
  upperTriangular?: boolean;
  maxSquarings?: number;
}
/**
 * jax.scipy.linalg.expm(A, {upperTriangular, maxSquarings=16}): the matrix exponential by
 * scaling and squaring with a Padé approximant of order 3, 5 or 7 chosen by the 1-norm
 * (Higham, "The scaling and squaring method for the matrix exponential revisited", SIAM J.
 * Matrix Anal. Appl. 26 (2005), with JAX's float32 thresholds). All three approximants are
 * formed and selected per matrix, and the squarings run as a fixed chain of maxSquarings
 * selected products, so the function batches and differentiates without control flow. NaNs
 * where more than maxSquarings squarings would be needed, as JAX.
 */
export function expm(A: ArrayLike, opts: ExpmOptions = {}): JaxArray {
  const o = readArgs<ExpmOptions>("expm", [opts], [], ["upperTriangular", "maxSquarings"]);
  const X = npl.matrices("expm", A);
  const maxSquarings = o.maxSquarings ?? 16;
  const norm1 = max(sum(abs(X), { axis: -2 }), { axis: -1, keepdims: true });
  const n1 = reshape(norm1, [...norm1.shape, 1]);
  const squarings = maximum(0, ceil(log2(divide(n1, 3.92572478313866))));
  const scaled = divide(X, power(2, squarings));
  const A2 = matmul(scaled, scaled);
  const A4 = matmul(A2, A2);
  const A6 = matmul(A4, A2);
  const pick = (uv: [JaxArray, JaxArray][]) => {
    const [small, medium] = [0.4258730016922831, 1.880152677804762];
    const sel = (i: 0 | 1) =>
      where(lax.lt(n1, small), uv[0]![i], where(lax.lt(n1, medium), uv[1]![i], uv[2]![i]));
    return [sel(0), sel(1)];
  };
  const [U, V] = pick([
    padeUV(scaled, 3, [A2]),
    padeUV(scaled, 5, [A2, A4]),
    padeUV(scaled, 7, [A2, A4, A6]),
  ]);
  const P = lax.add(U, V);
  const Q = lax.sub(V, U);
  let R = o.upperTriangular
    ? la.triangularSolve(Q, P, { leftSide: true, lower: false })
    : npl.solve(Q, P);
  for (let i = 0; i < maxSquarings; i++) R = where(greater(squarings, i), matmul(R, R), R);
  return where(greater(squarings, maxSquarings), Number.NaN, R);
}
