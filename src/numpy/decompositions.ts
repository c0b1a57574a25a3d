/**
 * jnp.linalg: factorizations and the functions built on them, over any leading batch
 * dimensions. The factorizations are lax.linalg primitives (one kernel per backend, JAX's jvp
 * rules); everything else is composed from them, so grad, vmap and jit follow.
 */
import type { JaxArray } from "../core/array.js";
import { finfo } from "../core/dtype.js";
import { TypeError_, ValueError } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import * as lax from "../lax/index.js";
import * as la from "../lax/linalg_prims.js";
import { broadcastBatch, diagonal as diagOf, eyeLike, maskAs, mT } from "../lax/linalg_util.js";
import { matmul } from "./linalg.js";
import { readArgs } from "./options.js";
import { max, min, prod, sum } from "./reductions.js";
import { expandDims, moveaxis, reshape } from "./shape.js";
import {
  abs,
  divide,
  greaterEqual,
  log,
  multiply,
  notEqual,
  power,
  sign,
  sqrt,
  subtract,
  where,
} from "./ufuncs.js";
import { type ArrayLike, promoteInexact } from "./util.js";

/** A tuple whose entries are also reachable by name, as JAX's NamedTuple results. */
function named<const K extends readonly string[]>(
  keys: K,
  values: JaxArray[],
): JaxArray[] & { [P in K[number]]: JaxArray } {
  const out = [...values] as JaxArray[] & Record<string, JaxArray>;
  keys.forEach((k, i) => {
    Object.defineProperty(out, k, { value: values[i], enumerable: false });
  });
  return out as JaxArray[] & { [P in K[number]]: JaxArray };
}

export function matrices(fn: string, a: ArrayLike, square = true): JaxArray {
  const [x] = promoteInexact(fn, a);
  const n = x!.shape[x!.ndim - 1];
  if (x!.ndim < 2 || (square && x!.shape[x!.ndim - 2] !== n))
    throw new ValueError(
      `${fn}: expected ${square ? "a square matrix" : "a matrix"} (or a batch of them), got shape ${fmtShape(x!.shape)}`,
    );
  return x!;
}

// --- cholesky -----------------------------------------------------------------------------------

export interface CholeskyOptions {
  upper?: boolean;
  symmetrizeInput?: boolean;
}
/**
 * jnp.linalg.cholesky(a, {upper, symmetrizeInput}): the lower factor L with L L^T = a (or
 * upper U = L^T). As in JAX, a matrix that is not positive definite gives NaNs.
 */
export function cholesky(a: ArrayLike, opts: CholeskyOptions = {}): JaxArray {
  const o = readArgs<CholeskyOptions>("cholesky", [opts], [], ["upper", "symmetrizeInput"]);
  const L = la.cholesky(matrices("cholesky", a), o.symmetrizeInput ?? true);
  return o.upper ? mT(L) : L;
}

// --- LU-based: solve, inv, det, slogdet -----------------------------------------------------

/**
 * jnp.linalg.solve(a, b): x with a x = b. b is a vector if it is 1-d, else matrices [..., m, k];
 * batch dimensions broadcast.
 */
export function solve(a: ArrayLike, b: ArrayLike): JaxArray {
  const [x, y] = promoteInexact("solve", a, b);
  const A = matrices("solve", x!);
  const vector = y!.ndim === 1;
  const B = vector ? reshape(y!, [y!.shape[0]!, 1]) : y!;
  checkRows("solve", A, B);
  const [A2, B2] = broadcastBatch("solve", A, B);
  const [f, , perm] = la.lu(A2);
  const out = la.luSolve(f, perm, B2);
  return vector ? reshape(out, out.shape.slice(0, -1)) : out;
}
function checkRows(fn: string, a: JaxArray, b: JaxArray): void {
  if (b.ndim < 2 || b.shape[b.ndim - 2] !== a.shape[a.ndim - 1])
    throw new ValueError(
      `${fn}: b must have shape [..., ${a.shape[a.ndim - 1]}] or [..., ${a.shape[a.ndim - 1]}, k] to match a ${fmtShape(a.shape)}, got ${fmtShape(b.shape)}`,
    );
}

/** jnp.linalg.inv(a): the inverse by LU solves against the identity. */
export function inv(a: ArrayLike): JaxArray {
  const A = matrices("inv", a);
  const [f, , perm] = la.lu(A);
  return la.luSolve(f, perm, eyeLike(A));
}

/** The sign of the row permutation of LU's pivots: (-1)^(number of actual swaps). */
function pivotSign(pivots: JaxArray, dtype: JaxArray["dtype"]): JaxArray {
  const steps = lax.broadcastedIota("int32", pivots.shape, pivots.ndim - 1);
  const swaps = sum(maskAs(notEqual(pivots, steps), dtype), { axis: -1 });
  return subtract(1, multiply(2, lax.rem(swaps, 2)));
}

/** jnp.linalg.det(a): the product of U's diagonal of the pivoted LU, times the permutation sign. */
export function det(a: ArrayLike): JaxArray {
  const A = matrices("det", a);
  const [f, piv] = la.lu(A);
  return multiply(pivotSign(piv, A.dtype), prod(diagOf(f), { axis: -1 }));
}

export type SlogdetResult = JaxArray[] & { sign: JaxArray; logabsdet: JaxArray };
/**
 * jnp.linalg.slogdet(a): [sign, logabsdet] (also by name), from the pivoted LU; a singular
 * matrix gives sign 0 and logabsdet -inf.
 */
export function slogdet(a: ArrayLike): SlogdetResult {
  const A = matrices("slogdet", a);
  const [f, piv] = la.lu(A);
  const d = diagOf(f);
  const s = multiply(pivotSign(piv, A.dtype), prod(sign(d), { axis: -1 }));
  const logabs = sum(log(abs(d)), { axis: -1 });
  return named(["sign", "logabsdet"], [s, logabs]);
}

// --- eigh, svd, qr ------------------------------------------------------------------------------

export interface EighOptions {
  UPLO?: "L" | "U" | null;
  symmetrizeInput?: boolean;
}
export type EighResult = JaxArray[] & { eigenvalues: JaxArray; eigenvectors: JaxArray };
/** jnp.linalg.eigh(a, {UPLO, symmetrizeInput}): [eigenvalues (ascending), eigenvectors (columns)]. */
export function eigh(a: ArrayLike, opts: EighOptions = {}): EighResult {
  const o = readArgs<EighOptions>("eigh", [opts], [], ["UPLO", "symmetrizeInput"]);
  if (o.UPLO != null && o.UPLO !== "L" && o.UPLO !== "U")
    throw new ValueError(`eigh: UPLO must be 'L' or 'U', got ${String(o.UPLO)}`);
  const [v, w] = la.eigh(matrices("eigh", a), o.UPLO !== "U", o.symmetrizeInput ?? true);
  return named(["eigenvalues", "eigenvectors"], [w, v]);
}
/** jnp.linalg.eigvalsh(a, UPLO): the eigenvalues of symmetric matrices, ascending. */
export function eigvalsh(a: ArrayLike, UPLO: "L" | "U" = "L"): JaxArray {
  return eigh(a, { UPLO })[0]!;
}

export interface SvdOptions {
  fullMatrices?: boolean;
  computeUv?: boolean;
  hermitian?: boolean;
}
export type SVDResult = JaxArray[] & { U: JaxArray; S: JaxArray; Vh: JaxArray };
/**
 * jnp.linalg.svd(a, {fullMatrices=true, computeUv=true}): [U, S, Vh] with a = U diag(S) Vh and
 * S descending; S alone when computeUv is false. `hermitian` is accepted (the general
 * algorithm gives the same factorization up to signs).
 */
export function svd(a: ArrayLike, opts: SvdOptions & { computeUv: false }): JaxArray;
export function svd(a: ArrayLike, opts?: SvdOptions): SVDResult;
export function svd(a: ArrayLike, opts: SvdOptions = {}): SVDResult | JaxArray {
  const o = readArgs<SvdOptions>("svd", [opts], [], ["fullMatrices", "computeUv", "hermitian"]);
  const x = matrices("svd", a, false);
  if (o.computeUv === false) return la.svd(x, false, false)[0]!;
  const [s, u, vt] = la.svd(x, o.fullMatrices ?? true, true);
  return named(["U", "S", "Vh"], [u!, s!, vt!]);
}
/** jnp.linalg.svdvals(a): the singular values, descending. */
export function svdvals(a: ArrayLike): JaxArray {
  return svd(a, { computeUv: false });
}

export type QRResult = JaxArray[] & { Q: JaxArray; R: JaxArray };
/** jnp.linalg.qr(a, mode="reduced" | "complete" | "r"): [Q, R] (or R alone for mode "r"). */
export function qr(a: ArrayLike, mode: "r"): JaxArray;
export function qr(a: ArrayLike, mode?: "reduced" | "complete"): QRResult;
export function qr(
  a: ArrayLike,
  mode: "reduced" | "complete" | "r" = "reduced",
): QRResult | JaxArray {
  if (!["reduced", "complete", "r"].includes(mode))
    throw new ValueError(
      `qr: unsupported mode '${String(mode)}'; expected 'reduced', 'complete' or 'r'`,
    );
  const [q, r] = la.qr(matrices("qr", a, false), mode === "complete");
  return mode === "r" ? r : named(["Q", "R"], [q, r]);
}

// --- least squares, pseudo-inverse, rank ------------------------------------------------------

/**
 * jnp.linalg.lstsq(a, b, rcond): [x, residuals, rank, s] by the SVD of the 2-d a, as JAX:
 * singular values below rcond * s[0] (default eps * max(m, n)) are dropped; residuals are the
 * squared norms of b - a x per column.
 */
export function lstsq(a: ArrayLike, b: ArrayLike, rcond: number | null = null): JaxArray[] {
  const [A, B0] = promoteInexact("lstsq", a, b);
  if (A!.ndim !== 2) throw new TypeError_(`lstsq: a must be 2-d, got shape ${fmtShape(A!.shape)}`);
  const vector = B0!.ndim === 1;
  const B = vector ? reshape(B0!, [B0!.shape[0]!, 1]) : B0!;
  if (B.ndim !== 2 || B.shape[0] !== A!.shape[0])
    throw new TypeError_(
      `lstsq: b must have shape [${A!.shape[0]}] or [${A!.shape[0]}, k] to match a ${fmtShape(A!.shape)}, got ${fmtShape(B0!.shape)}`,
    );
  const [m, n] = A!.shape as [number, number];
  const eps = finfo("float32").eps;
  const cutoff = rcond === null ? eps * Math.max(m, n) : rcond < 0 ? eps : rcond;
  const [s, u, vt] = la.svd(A!, false, true);
  const mask = greaterEqual(s!, multiply(cutoff, lax.sliceInDim(s!, 0, 1, 1, 0)));
  const rank = sum(mask);
  const sInv = where(mask, divide(1, where(mask, s!, 1)), 0);
  const x = matmul(mT(vt!), multiply(expandDims(sInv, -1), matmul(mT(u!), B)));
  const resid = sum(power(subtract(B, matmul(A!, x)), 2), { axis: 0 });
  return [vector ? reshape(x, [n]) : x, resid, rank, s!];
}

/** jnp.linalg.pinv(a, rtol): the Moore-Penrose pseudo-inverse by SVD. */
export function pinv(a: ArrayLike, rtol: number | null = null): JaxArray {
  const A = matrices("pinv", a, false);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const cutoff = rtol ?? 10 * Math.max(m, n) * finfo("float32").eps;
  const [s, u, vt] = la.svd(A, false, true);
  const sMax = max(s!, { axis: -1, keepdims: true });
  const keep = greaterEqual(s!, multiply(cutoff, sMax));
  const sInv = where(keep, divide(1, where(keep, s!, 1)), 0);
  return matmul(mT(vt!), multiply(expandDims(sInv, -1), mT(u!)));
}

/** jnp.linalg.matrix_rank(M, rtol): the number of singular values above rtol * max(s). */
export function matrixRank(M: ArrayLike, rtol: number | null = null): JaxArray {
  const A = matrices("matrix_rank", M, false);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const s = svdvals(A);
  const tol = multiply(
    rtol ?? Math.max(m, n) * finfo("float32").eps,
    max(s, { axis: -1, keepdims: true }),
  );
  return sum(lax.gt(s, tol), { axis: -1 });
}

// --- matrix_power -------------------------------------------------------------------------------

/** jnp.linalg.matrix_power(a, n): a^n by repeated squaring (n < 0 inverts first). */
export function matrixPower(a: ArrayLike, n: number): JaxArray {
  if (!Number.isInteger(n))
    throw new TypeError_(`matrix_power: exponent must be an integer, got ${n}`);
  let A = matrices("matrix_power", a);
  if (n === 0) return eyeLike(A);
  if (n < 0) A = inv(A);
  let k = Math.abs(n);
  let result: JaxArray | null = null;
  while (k > 0) {
    if (k & 1) result = result === null ? A : matmul(result, A);
    k >>= 1;
    if (k > 0) A = matmul(A, A);
  }
  return result!;
}

// --- norms ----------------------------------------------------------------------------------------

export type NormOrd = number | "fro" | "nuc" | null;
export interface NormOptions {
  ord?: NormOrd;
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
}

/**
 * jnp.linalg.norm(x, ord, axis, keepdims): vector norms over one axis (ord: null/2, 1, inf,
 * -inf, 0, any p), matrix norms over two (null/'fro', 'nuc', 1, -1, 2, -2, inf, -inf); with
 * axis null, the 2-norm of the flattened array when ord is null, else a vector norm of 1-d or
 * a matrix norm of 2-d x.
 */
export function norm(
  x: ArrayLike,
  ...rest: [NormOrd?, (number | readonly number[] | null)?, boolean?] | [NormOptions]
): JaxArray {
  const o = readArgs<NormOptions>("norm", rest, ["ord", "axis", "keepdims"]);
  const [a] = promoteInexact("norm", x);
  const X = a!;
  const ord = o.ord ?? null;
  const keepdims = o.keepdims ?? false;
  let axis = o.axis ?? null;
  if (axis === null) {
    if (ord === null) return sqrt(sum(multiply(X, X), { keepdims }));
    if (X.ndim !== 1 && X.ndim !== 2)
      throw new ValueError(
        `norm: improper number of dimensions to norm: ndim ${X.ndim} with ord ${String(ord)} and no axis`,
      );
    axis = X.ndim === 1 ? [0] : [0, 1];
  }
  const axes = (typeof axis === "number" ? [axis] : [...axis]).map((ax) =>
    ax < 0 ? ax + X.ndim : ax,
  );
  if (axes.length === 1) return vectorNormOf(X, axes[0]!, ord, keepdims);
  if (axes.length === 2) return matrixNormOf(X, axes as [number, number], ord, keepdims);
  throw new ValueError(`norm: improper number of axes for norm: ${JSON.stringify(axis)}`);
}

function vectorNormOf(x: JaxArray, axis: number, ord: NormOrd, keepdims: boolean): JaxArray {
  const opts = { axis, keepdims };
  if (typeof ord === "string") throw new ValueError(`norm: invalid order '${ord}' for vectors`);
  if (ord === null || ord === 2) return sqrt(sum(multiply(x, x), opts));
  if (ord === Number.POSITIVE_INFINITY) return max(abs(x), opts);
  if (ord === Number.NEGATIVE_INFINITY) return min(abs(x), opts);
  if (ord === 0) return sum(maskAs(notEqual(x, 0), x.dtype), opts);
  if (ord === 1) return sum(abs(x), opts);
  return power(sum(power(abs(x), ord), opts), 1 / ord);
}

function matrixNormOf(
  x: JaxArray,
  [row, col]: [number, number],
  ord: NormOrd,
  keepdims: boolean,
): JaxArray {
  if (row === col) throw new ValueError(`norm: duplicate axes given: (${row}, ${col})`);
  const keep = (r: JaxArray) =>
    keepdims
      ? expandDims(
          r,
          [row, col].sort((p, q) => p - q),
        )
      : r;
  // After reducing one axis, the other axis index shifts down if it came after.
  const after = (ax: number, removed: number) => (ax > removed ? ax - 1 : ax);
  switch (ord) {
    case null:
    case "fro":
      return keep(sqrt(sum(multiply(x, x), { axis: [row, col] })));
    case 1:
      return keep(max(sum(abs(x), { axis: row }), { axis: after(col, row) }));
    case -1:
      return keep(min(sum(abs(x), { axis: row }), { axis: after(col, row) }));
    case Number.POSITIVE_INFINITY:
      return keep(max(sum(abs(x), { axis: col }), { axis: after(row, col) }));
    case Number.NEGATIVE_INFINITY:
      return keep(min(sum(abs(x), { axis: col }), { axis: after(row, col) }));
    case 2:
    case -2:
    case "nuc": {
      const s = svdvals(moveaxis(x, [row, col], [-2, -1]));
      const r =
        ord === 2 ? max(s, { axis: -1 }) : ord === -2 ? min(s, { axis: -1 }) : sum(s, { axis: -1 });
      return keep(r);
    }
    default:
      throw new ValueError(`norm: invalid order ${String(ord)} for matrices`);
  }
}

/** jnp.linalg.vector_norm(x, {axis, keepdims, ord=2}). */
export function vectorNorm(
  x: ArrayLike,
  opts: { axis?: number | null; keepdims?: boolean; ord?: number } = {},
): JaxArray {
  const [a] = promoteInexact("vector_norm", x);
  if (opts.axis == null) return vectorNormOf(reshape(a!, [-1]), 0, opts.ord ?? 2, false);
  return vectorNormOf(
    a!,
    opts.axis < 0 ? opts.axis + a!.ndim : opts.axis,
    opts.ord ?? 2,
    opts.keepdims ?? false,
  );
}
/** jnp.linalg.matrix_norm(x, {keepdims, ord='fro'}): over the last two axes. */
export function matrixNorm(
  x: ArrayLike,
  opts: { keepdims?: boolean; ord?: NormOrd } = {},
): JaxArray {
  const [a] = promoteInexact("matrix_norm", x);
  return matrixNormOf(a!, [a!.ndim - 2, a!.ndim - 1], opts.ord ?? "fro", opts.keepdims ?? false);
}
