/**
 * jnp sorting, searching and counting: sort, argsort, searchsorted, interp, nonzero, argwhere,
 * flatnonzero, unique, histogram, histogramBinEdges, digitize, bincount.
 */

import { EagerArray, type JaxArray } from "../core/array.js";
import { type DType, isFloating, isInteger } from "../core/dtype.js";
import { ConcretizationTypeError, TypeError_, ValueError } from "../core/errors.js";
import { broadcastShapes, fmtShape, normalizeAxis } from "../core/shape.js";
import * as lax from "../lax/index.js";
import { readArgs } from "./options.js";
import {
  type ArrayLike,
  asArray,
  broadcastTo,
  isJaxArray,
  isOptions,
  promoteDtypes,
  promoteInexact,
} from "./util.js";

// --- private helpers --------------------------------------------------------------------------

const range = (n: number, start = 0): number[] => Array.from({ length: n }, (_, i) => i + start);

function ravel(x: JaxArray): JaxArray {
  return x.ndim === 1 ? x : lax.reshape(x, [x.size]);
}

function empty(shape: readonly number[], dtype: DType): JaxArray {
  return lax.reshape(lax.convertElementType(lax.iota("int32", 0), dtype), shape);
}

function full(shape: readonly number[], value: number | boolean, dtype: DType): JaxArray {
  return bcast(asArray("full", value, dtype), shape);
}

/** broadcastTo, except that broadcast_in_dim's tf.js impl turns a leading 0 of the target shape into 1: empty results are built directly. */
function bcast(x: JaxArray, shape: readonly number[]): JaxArray {
  return shape.includes(0) ? empty(shape, x.dtype) : broadcastTo(x, shape);
}

/** Integer-valued arguments given as JS arrays become int32 (JS cannot tell 1 from 1.0). */
function asIndexArray(fn: string, x: ArrayLike): JaxArray {
  return isJaxArray(x) || typeof x === "number" ? asArray(fn, x) : asArray(fn, x, "int32");
}

/** numpy's where with promotion of the two branches and broadcasting of all three. */
function where(fn: string, cond: JaxArray, x: ArrayLike, y: ArrayLike): JaxArray {
  const [a, b] = promoteDtypes(fn, x, y) as [JaxArray, JaxArray];
  const shape = broadcastShapes(fn, cond.shape, a.shape, b.shape);
  return lax.select(bcast(cond, shape), bcast(a, shape), bcast(b, shape));
}

/** arr[idx] for a 1-d arr and integer indices of any shape known to be in bounds. */
function take(arr: JaxArray, idx: JaxArray): JaxArray {
  const indices = lax.reshape(idx, [...idx.shape, 1]);
  return lax.gather(
    arr,
    indices,
    { offset_dims: [], collapsed_slice_dims: [0], start_index_map: [0] },
    [1],
    {
      mode: "promise_in_bounds",
    },
  );
}

/** operand.at[idx].add(updates) (or .set) on a 1-d operand; out-of-bounds indices are dropped. */
function scatter1d(
  kind: "add" | "set",
  operand: JaxArray,
  idx: JaxArray,
  updates: JaxArray,
): JaxArray {
  if (idx.size === 0) return operand;
  const indices = lax.reshape(idx, [idx.size, 1]);
  const upd = lax.reshape(bcast(updates, idx.shape), [idx.size]);
  return lax.scatterApply(
    kind,
    operand,
    indices,
    upd,
    { update_window_dims: [], inserted_window_dims: [0], scatter_dims_to_operand_dims: [0] },
    { mode: "fill" },
  );
}

/** x[start:stop] along axis 0 of a 1-d array (negative positions count from the end). */
function slice1d(x: JaxArray, start: number, stop: number = x.shape[0]!): JaxArray {
  const n = x.shape[0]!;
  const s = Math.min(Math.max(start < 0 ? start + n : start, 0), n);
  const e = Math.min(Math.max(stop < 0 ? stop + n : stop, s), n);
  return lax.sliceInDim(x, s, e, 1, 0);
}

function diff(x: JaxArray): JaxArray {
  return lax.sub(slice1d(x, 1), slice1d(x, 0, -1));
}

function asInt32(x: JaxArray): JaxArray {
  return lax.convertElementType(x, "int32");
}

function sumAll(x: JaxArray): JaxArray {
  return lax.reduceSum(x, range(x.ndim));
}

function isNan(x: JaxArray): JaxArray {
  return lax.ne(x, x);
}

/** The value of an array that must be concrete (not traced), as JAX's concrete_or_error. */
function concreteNumber(fn: string, x: JaxArray, hint: string): number {
  if (!(x instanceof EagerArray))
    throw new ConcretizationTypeError(
      `${fn}: Abstract tracer value encountered where a concrete value is expected: the output shape depends on the values of ${x.aval.strShort()}. ${hint}`,
    );
  return Number(x.item());
}

/** XLA's sort order (NaNs last, -0 == 0) as a strict less-than, as JAX's _sort_lt_comparator. */
function sortLt(x: JaxArray, y: JaxArray): JaxArray {
  if (!isFloating(x.dtype)) return lax.lt(x, y);
  return lax.bitwiseOr(lax.lt(x, y), lax.bitwiseAnd(isNan(y), lax.bitwiseNot(isNan(x))));
}

function sortLe(x: JaxArray, y: JaxArray): JaxArray {
  return lax.bitwiseNot(sortLt(y, x));
}

function sortAxis(fn: string, x: JaxArray, axis: number | null | undefined): [JaxArray, number] {
  if (axis === null) return [ravel(x), 0];
  if (x.ndim === 0)
    throw new ValueError(
      `${fn}: axis ${axis ?? -1} is out of bounds for array of dimension 0; use axis=null to sort a 0-d array`,
    );
  return [x, normalizeAxis(fn, axis ?? -1, x.ndim)];
}

// --- sort, argsort ----------------------------------------------------------------------------

export interface SortOptions {
  /** The axis to sort along (default -1); null sorts the flattened array. */
  axis?: number | null;
  /** Accepted for numpy compatibility; the sort is always stable. */
  kind?: string | null;
  order?: null;
  stable?: boolean;
  descending?: boolean;
}

function sortOptions(
  axis: number | null | SortOptions | undefined,
  opts: SortOptions,
): SortOptions {
  if (isOptions(axis)) return axis as SortOptions;
  return axis === undefined ? opts : { ...opts, axis: axis as number | null };
}

/** jnp.sort: sorted copy along an axis (NaNs last; descending reverses the order). */
export function sort(
  a: ArrayLike,
  axis?: number | null | SortOptions,
  opts: SortOptions = {},
): JaxArray {
  const o = sortOptions(axis, opts);
  if (o.order != null) throw new TypeError_("sort: the 'order' argument is not supported");
  const [x, dim] = sortAxis("sort", asArray("sort", a), o.axis);
  const [sorted] = lax.sort(x, dim, o.stable ?? true);
  return o.descending ? lax.rev(sorted!, [dim]) : sorted!;
}

/** jnp.argsort: indices (int32) that sort the array along an axis; stable, ties keep their order. */
export function argsort(
  a: ArrayLike,
  axis?: number | null | SortOptions,
  opts: SortOptions = {},
): JaxArray {
  const o = sortOptions(axis, opts);
  if (o.order != null) throw new TypeError_("argsort: the 'order' argument is not supported");
  const [x, dim] = sortAxis("argsort", asArray("argsort", a), o.axis);
  const iota = lax.broadcastedIota("int32", x.shape, dim);
  if (!o.descending) return lax.sort([x, iota], dim, o.stable ?? true, 1)[1]!;
  // Sorting the reversed array ascending and reversing back keeps ties in their original order.
  const [, idx] = lax.sort([lax.rev(x, [dim]), iota], dim, o.stable ?? true, 1);
  return lax.sub(x.shape[dim]! - 1, lax.rev(idx!, [dim]));
}

// --- searchsorted -----------------------------------------------------------------------------

export type Side = "left" | "right";
export interface SearchsortedOptions {
  side?: Side;
  /** Indices that sort `a` (numpy's sorter). */
  sorter?: ArrayLike | null;
  /** 'scan' (default) and 'scan_unrolled': binary search; 'compare_all': compares every pair; 'sort' runs the scan too. */
  method?: "scan" | "scan_unrolled" | "sort" | "compare_all";
}

/**
 * jnp.searchsorted: int32 indices where v's elements would be inserted into the sorted 1-d `a`
 * to keep it sorted. The default method is JAX's 'scan': a vectorised binary search of
 * ceil(log2(n + 1)) gather-and-compare steps.
 */
export function searchsorted(
  a: ArrayLike,
  v: ArrayLike,
  side?: Side | SearchsortedOptions,
  sorter?: ArrayLike | null,
  opts: SearchsortedOptions = {},
): JaxArray {
  const o: SearchsortedOptions = isOptions(side)
    ? (side as SearchsortedOptions)
    : { ...opts, side: (side as Side | undefined) ?? opts.side, sorter: sorter ?? opts.sorter };
  const which = o.side ?? "left";
  if (which !== "left" && which !== "right")
    throw new ValueError(
      `searchsorted: '${String(which)}' is an invalid value for keyword 'side'. Expected one of ['left', 'right'].`,
    );
  const method = o.method ?? "scan";
  if (!["scan", "scan_unrolled", "sort", "compare_all"].includes(method))
    throw new ValueError(
      `searchsorted: '${method}' is an invalid value for keyword 'method'. Expected one of ['sort', 'scan', 'scan_unrolled', 'compare_all'].`,
    );
  let [arr, query] = promoteDtypes("searchsorted", a, v) as [JaxArray, JaxArray];
  if (arr.ndim !== 1)
    throw new ValueError(
      `searchsorted: a should be 1-dimensional, got shape ${fmtShape(arr.shape)}`,
    );
  if (o.sorter !== undefined && o.sorter !== null) {
    const perm = asIndexArray("searchsorted", o.sorter);
    if (perm.ndim !== 1 || perm.shape[0] !== arr.shape[0] || !isInteger(perm.dtype))
      throw new ValueError(
        `searchsorted: sorter must be a 1-d integer array of the same length as a, got ${perm.dtype}${fmtShape(perm.shape)} for a of shape ${fmtShape(arr.shape)}`,
      );
    arr = take(arr, perm);
  }
  const n = arr.shape[0]!;
  if (n === 0) return full(query.shape, 0, "int32");
  if (method === "compare_all") return searchCompareAll(arr, query, which);
  return searchScan(arr, query, which);
}

function searchScan(arr: JaxArray, query: JaxArray, side: Side): JaxArray {
  const n = arr.shape[0]!;
  const goesLeft = side === "left" ? sortLe : sortLt;
  let low = full(query.shape, 0, "int32");
  let high = full(query.shape, n, "int32");
  const levels = Math.ceil(Math.log2(n + 1));
  for (let step = 0; step < levels; step++) {
    // (low + high) / 2 on the unsigned bit pattern, so the sum cannot overflow.
    const mid = lax.shiftRightLogical(lax.add(low, high), 1);
    const left = goesLeft(query, take(arr, mid));
    low = lax.select(left, low, mid);
    high = lax.select(left, mid, high);
  }
  return high;
}

function searchCompareAll(arr: JaxArray, query: JaxArray, side: Side): JaxArray {
  const shape = [arr.shape[0]!, ...query.shape];
  if (query.size === 0) return empty(query.shape, "int32");
  const a = lax.broadcastInDim(arr, shape, [0]);
  const q = lax.broadcastInDim(query, shape, range(query.ndim, 1));
  const before = side === "left" ? sortLt(a, q) : sortLe(a, q);
  return lax.reduceSum(asInt32(before), [0]);
}

// --- interp -----------------------------------------------------------------------------------

export interface InterpOptions {
  /** Value for x < xp[0] (default fp[0]), or 'extrapolate'. */
  left?: ArrayLike | "extrapolate" | null;
  /** Value for x > xp[-1] (default fp[-1]), or 'extrapolate'. */
  right?: ArrayLike | "extrapolate" | null;
  /** Period of the x-coordinates; left/right are then ignored. */
  period?: ArrayLike | null;
}

// np.spacing(np.finfo(np.float32).eps): dx at or below this counts as a zero-width interval.
const INTERP_EPSILON = 1.4210855e-14;

/** jnp.interp: one-dimensional piecewise-linear interpolation of (xp, fp) at x, as JAX computes it. */
export function interp(
  x: ArrayLike,
  xp: ArrayLike,
  fp: ArrayLike,
  left?: ArrayLike | "extrapolate" | null | InterpOptions,
  right?: ArrayLike | "extrapolate" | null,
  period?: ArrayLike | null,
): JaxArray {
  const o: InterpOptions = isOptions(left)
    ? (left as InterpOptions)
    : { left: left as InterpOptions["left"], right, period };
  let [xa, xpa] = promoteInexact("interp", x, xp) as [JaxArray, JaxArray];
  let [fpa] = promoteInexact("interp", fp) as [JaxArray];
  if (xpa.ndim !== 1 || fpa.ndim !== 1 || xpa.shape[0] !== fpa.shape[0])
    throw new ValueError(
      `interp: xp and fp must be one-dimensional arrays of equal size, got shapes ${fmtShape(xpa.shape)} and ${fmtShape(fpa.shape)}`,
    );
  if (xpa.shape[0] === 0) throw new ValueError("interp: xp and fp must not be empty");
  for (const [name, value] of [
    ["left", o.left],
    ["right", o.right],
  ] as const)
    if (typeof value === "string" && value !== "extrapolate")
      throw new ValueError(
        `interp: the only valid string value of \`${name}\` is 'extrapolate', got: '${value}'`,
      );
  const hasPeriod = o.period !== undefined && o.period !== null;
  if (hasPeriod) {
    const [p0] = promoteInexact("interp", o.period!) as [JaxArray];
    if (p0.ndim !== 0)
      throw new ValueError(`interp: period must be a scalar, got shape ${fmtShape(p0.shape)}`);
    const p = lax.convertElementType(lax.abs(p0), xa.dtype);
    const mod = (v: JaxArray) => {
      const r = lax.rem(v, p);
      return where("interp", lax.lt(r, 0), lax.add(r, p), r);
    };
    xa = mod(xa);
    xpa = mod(xpa);
    [xpa, fpa] = lax.sort([xpa, fpa], 0, true, 1) as [JaxArray, JaxArray];
    xpa = lax.concatenate([lax.sub(slice1d(xpa, -1), p), xpa, lax.add(slice1d(xpa, 0, 1), p)], 0);
    fpa = lax.concatenate([slice1d(fpa, -1), fpa, slice1d(fpa, 0, 1)], 0);
  }
  const m = xpa.shape[0]!;
  // i is the right end of each x's interval; with a single point both ends are that point.
  const i =
    m === 1 ? full(xa.shape, 0, "int32") : lax.clamp(1, searchsorted(xpa, xa, "right"), m - 1);
  const im1 = m === 1 ? i : lax.sub(i, 1);
  const [fi, fim1, xpi, xpim1] = [take(fpa, i), take(fpa, im1), take(xpa, i), take(xpa, im1)];
  const df = lax.sub(fi, fim1);
  const dx = lax.sub(xpi, xpim1);
  const delta = lax.sub(xa, xpim1);
  // A zero-width interval takes its left value (and keeps gradients free of NaN in JAX).
  const dx0 = lax.le(lax.abs(dx), INTERP_EPSILON);
  let f = lax.select(
    dx0,
    fim1,
    lax.add(fim1, lax.mul(lax.div(delta, lax.select(dx0, full(dx.shape, 1, dx.dtype), dx)), df)),
  );
  if (!hasPeriod) {
    const first = (v: JaxArray) => lax.reshape(slice1d(v, 0, 1), []);
    const last = (v: JaxArray) => lax.reshape(slice1d(v, -1), []);
    if (o.left !== "extrapolate")
      f = where("interp", lax.lt(xa, first(xpa)), o.left ?? first(fpa), f);
    if (o.right !== "extrapolate")
      f = where("interp", lax.gt(xa, last(xpa)), o.right ?? last(fpa), f);
  }
  return f;
}

// --- nonzero, argwhere, flatnonzero -----------------------------------------------------------

export interface NonzeroOptions {
  /** Static number of results: pads (with fillValue) or truncates; needed under jit. */
  size?: number | null;
  /** Padding value when size exceeds the count (default 0); one value or one per dimension. */
  fillValue?: number | readonly number[] | null;
}

const SIZE_HINT =
  "The size argument must be statically specified to use this function within JAX transformations (pass size=...).";

/** jnp.nonzero: per dimension, the int32 indices of the nonzero elements (row-major order). */
export function nonzero(a: ArrayLike, opts: NonzeroOptions = {}): JaxArray[] {
  const arr = asArray("nonzero", a);
  if (arr.ndim === 0)
    throw new ValueError(
      "nonzero: calling nonzero on 0d arrays is not allowed. Use jnp.atleast_1d(scalar).nonzero() instead.",
    );
  const mask = arr.dtype === "bool" ? arr : lax.ne(arr, 0);
  const flatMask = asInt32(ravel(mask));
  const size = opts.size ?? concreteNumber("nonzero", sumAll(flatMask), SIZE_HINT);
  if (!Number.isInteger(size) || size < 0)
    throw new ValueError(`nonzero: size must be a non-negative integer, got ${size}`);
  if (arr.size === 0 || size === 0) return arr.shape.map(() => full([size], 0, "int32"));
  // The k-th nonzero element sits where the running count of nonzeros first exceeds k:
  // counting positions per running count (bincount) and accumulating gives those flat indices.
  const running = lax.cumsum(flatMask);
  const perCount = scatter1d(
    "add",
    full([size], 0, "int32"),
    running,
    asArray("nonzero", 1, "int32"),
  );
  const flatIndices = lax.cumsum(perCount);
  let stride = arr.size;
  let out = arr.shape.map((n) => {
    stride /= n;
    return lax.rem(lax.div(flatIndices, stride), n);
  });
  if (opts.fillValue !== undefined && opts.fillValue !== null) {
    const fills =
      typeof opts.fillValue === "number"
        ? arr.shape.map(() => opts.fillValue as number)
        : [...opts.fillValue];
    if (fills.length !== arr.ndim)
      throw new ValueError(
        `nonzero: fill_value must be a scalar or a tuple of length ${arr.ndim}, got ${JSON.stringify(opts.fillValue)}`,
      );
    const padded = lax.ge(lax.iota("int32", size), sumAll(flatMask));
    out = out.map((idx, d) => where("nonzero", padded, fills[d]!, idx));
  }
  return out;
}

/** jnp.flatnonzero: indices of the nonzero elements of the flattened array. */
export function flatnonzero(a: ArrayLike, opts: NonzeroOptions = {}): JaxArray {
  return nonzero(ravel(asArray("flatnonzero", a)), opts)[0]!;
}

/** jnp.argwhere: the indices of nonzero elements as rows of an (N, ndim) int32 array. */
export function argwhere(a: ArrayLike, opts: NonzeroOptions = {}): JaxArray {
  const arr = asArray("argwhere", a);
  const idx = nonzero(arr.ndim === 0 ? lax.reshape(arr, [1]) : arr, opts);
  const n = idx[0]!.shape[0]!;
  if (arr.ndim === 0) return full([n, 0], 0, "int32");
  return lax.concatenate(
    idx.map((c) => lax.reshape(c, [n, 1])),
    1,
  );
}

// --- unique -----------------------------------------------------------------------------------

export interface UniqueOptions {
  returnIndex?: boolean;
  returnInverse?: boolean;
  returnCounts?: boolean;
  /** Only null (flatten) is supported, or an axis of a 1-d array. */
  axis?: number | null;
  /** NaNs count as one value (default true). */
  equalNan?: boolean;
  /** Static number of unique values returned; needed under jit. */
  size?: number | null;
  /** Padding for the values beyond the count when size is given (default: the smallest value). */
  fillValue?: ArrayLike | null;
  /** Accepted for JAX compatibility; results are always sorted. */
  sorted?: boolean;
}

type UniqueFlags = { returnIndex?: false; returnInverse?: false; returnCounts?: false };

/**
 * jnp.unique: the sorted unique values of the flattened array, and as requested the index of
 * each value's first occurrence, the inverse indices (in the input's shape) and the counts,
 * returned as [values, index?, inverse?, counts?].
 */
export function unique(ar: ArrayLike, opts?: UniqueOptions & UniqueFlags): JaxArray;
export function unique(ar: ArrayLike, opts: UniqueOptions): JaxArray | JaxArray[];
export function unique(
  ar: ArrayLike,
  returnIndex: boolean,
  returnInverse?: boolean,
  returnCounts?: boolean,
  axis?: number | null,
  opts?: UniqueOptions,
): JaxArray | JaxArray[];
export function unique(
  ar: ArrayLike,
  returnIndex?: boolean | UniqueOptions,
  returnInverse?: boolean,
  returnCounts?: boolean,
  axis?: number | null,
  opts: UniqueOptions = {},
): JaxArray | JaxArray[] {
  const o: UniqueOptions = isOptions(returnIndex)
    ? (returnIndex as UniqueOptions)
    : {
        ...opts,
        returnIndex: (returnIndex as boolean | undefined) ?? opts.returnIndex,
        returnInverse: returnInverse ?? opts.returnInverse,
        returnCounts: returnCounts ?? opts.returnCounts,
        axis: axis === undefined ? opts.axis : axis,
      };
  const input = asArray("unique", ar);
  if (o.axis !== undefined && o.axis !== null) {
    const ax = input.ndim === 0 ? NaN : normalizeAxis("unique", o.axis, input.ndim);
    if (input.ndim !== 1 || ax !== 0)
      throw new TypeError_(
        `unique: only axis=null is supported (or axis 0 of a 1-d array), got axis=${o.axis} for shape ${fmtShape(input.shape)}`,
      );
  }
  const size = o.size ?? null;
  if (size !== null && (!Number.isInteger(size) || size < 0))
    throw new ValueError(`unique: size must be a non-negative integer, got ${size}`);
  const x = ravel(input);
  const n = x.shape[0]!;
  if (n === 0 && size && (o.fillValue === undefined || o.fillValue === null))
    throw new ValueError(
      "unique: for zero-sized input with nonzero size argument, fill_value must be specified",
    );

  const [aux, perm] = lax.sort([x, lax.iota("int32", n)], 0, true, 1) as [JaxArray, JaxArray];
  let mask: JaxArray;
  if (n > 0) {
    const next = slice1d(aux, 1);
    const prev = slice1d(aux, 0, -1);
    let neq = lax.ne(next, prev);
    if (isFloating(aux.dtype) && (o.equalNan ?? true))
      neq = lax.bitwiseAnd(neq, lax.bitwiseNot(lax.bitwiseAnd(isNan(next), isNan(prev))));
    mask = lax.concatenate([full([1], true, "bool"), neq], 0);
  } else mask = full([0], false, "bool");

  const ind = nonzero(mask, { size })[0]!;
  let values = n > 0 ? take(aux, ind) : aux;
  if (size !== null && o.fillValue !== undefined && o.fillValue !== null) {
    const fill = lax.reshape(asArray("unique", o.fillValue, values.dtype), []);
    values =
      n > 0
        ? lax.select(
            lax.lt(lax.iota("int32", size), sumAll(asInt32(mask))),
            values,
            bcast(fill, [size]),
          )
        : bcast(fill, [size]);
  }
  const out: JaxArray[] = [values];
  if (o.returnIndex) out.push(n > 0 ? take(perm, ind) : perm);
  if (o.returnInverse) {
    let inverse = full([n], 0, "int32");
    if (n > 0) inverse = scatter1d("set", inverse, perm, lax.sub(lax.cumsum(asInt32(mask)), 1));
    out.push(o.axis === undefined || o.axis === null ? lax.reshape(inverse, input.shape) : inverse);
  }
  if (o.returnCounts) {
    if (n === 0) out.push(full([0], 0, "int32"));
    else if (size === null) out.push(diff(lax.concatenate([ind, full([1], n, "int32")], 0)));
    else {
      // Starts of the runs, padded with 0 beyond the count; those pads become n (empty runs).
      const starts = nonzero(mask, { size: size + 1 })[0]!;
      const tail = slice1d(starts, 1);
      const fixed = lax.select(lax.ne(tail, 0), tail, full([size], n, "int32"));
      out.push(diff(lax.concatenate([slice1d(starts, 0, 1), fixed], 0)));
    }
  }
  return out.length === 1 ? out[0]! : out;
}

// --- histogram, digitize, bincount ------------------------------------------------------------

export type HistogramRange = readonly [number, number] | JaxArray | null;
export interface HistogramOptions {
  /** Number of equal-width bins (default 10) or the bin edges. */
  bins?: number | ArrayLike;
  /** [lower, upper] of the bins (default [min(a), max(a)]); values outside are ignored. */
  range?: HistogramRange;
  weights?: ArrayLike | null;
  /** Normalise so that the histogram integrates to 1 over the range. */
  density?: boolean | null;
}

function linspace(start: JaxArray, stop: JaxArray, num: number, dtype: DType): JaxArray {
  if (num === 1) return lax.reshape(start, [1]);
  const div = num - 1;
  // As JAX: start*(1-t) + stop*t for t = i/div, with the last point exactly stop.
  const t = lax.div(lax.iota(dtype, div), asArray("linspace", div, dtype));
  const body = lax.add(lax.mul(start, lax.sub(1, t)), lax.mul(stop, t));
  return lax.concatenate([body, lax.reshape(stop, [1])], 0);
}

/** jnp.histogram_bin_edges: the edges histogram uses for `bins` (a count or the edges themselves). */
export function histogramBinEdges(
  a: ArrayLike,
  bins: number | ArrayLike = 10,
  range_: HistogramRange = null,
): JaxArray {
  const [arr] = promoteInexact("histogram_bin_edges", a) as [JaxArray];
  const dtype = arr.dtype;
  if (typeof bins !== "number") {
    const edges = asArray("histogram_bin_edges", bins, dtype);
    if (edges.ndim !== 1)
      throw new ValueError(
        `histogram_bin_edges: bins must be an integer or a 1-d array of edges, got shape ${fmtShape(edges.shape)}`,
      );
    return lax.convertElementType(edges, dtype);
  }
  if (!Number.isInteger(bins) || bins < 1)
    throw new ValueError(`histogram_bin_edges: bins must be a positive integer, got ${bins}`);
  let lo: JaxArray;
  let hi: JaxArray;
  if (range_ === null || range_ === undefined) {
    if (arr.size === 0)
      throw new ValueError(
        "histogram_bin_edges: zero-size array has no range; pass range=[lo, hi] or bin edges",
      );
    const flat = ravel(arr);
    [lo, hi] = [lax.reduceMin(flat, [0]), lax.reduceMax(flat, [0])];
  } else {
    const r = isJaxArray(range_)
      ? lax.convertElementType(range_, dtype)
      : asArray("histogram_bin_edges", [...range_], dtype);
    if (r.ndim !== 1 || r.shape[0] !== 2)
      throw new ValueError(
        `histogram_bin_edges: range must be null or a pair [lower, upper], got shape ${fmtShape(r.shape)}`,
      );
    [lo, hi] = [lax.reshape(slice1d(r, 0, 1), []), lax.reshape(slice1d(r, 1, 2), [])];
  }
  const flat = lax.eq(lo, hi);
  lo = lax.select(flat, lax.sub(lo, 0.5), lo);
  hi = lax.select(flat, lax.add(hi, 0.5), hi);
  return linspace(lo, hi, bins + 1, dtype);
}

/**
 * jnp.histogram: [hist, binEdges]. As in JAX, hist is always a float array (JAX accumulates
 * unit weights in a's inexact dtype), values outside the edges are ignored, and the last bin
 * includes its right edge.
 */
export function histogram(
  a: ArrayLike,
  ...rest:
    | [(number | ArrayLike)?, HistogramRange?, (ArrayLike | null)?, (boolean | null)?]
    | [number | ArrayLike, HistogramOptions]
    | [HistogramOptions]
): [JaxArray, JaxArray] {
  const o = readArgs<HistogramOptions>("histogram", rest, [
    "bins",
    "range",
    "weights",
    "density",
  ]) as HistogramOptions;
  let arr: JaxArray;
  let w: JaxArray;
  if (o.weights === undefined || o.weights === null) {
    [arr] = promoteInexact("histogram", a) as [JaxArray];
    w = full(arr.shape, 1, arr.dtype);
  } else {
    [arr, w] = promoteInexact("histogram", a, o.weights) as [JaxArray, JaxArray];
    if (arr.shape.join() !== w.shape.join() || arr.ndim !== w.ndim)
      throw new ValueError(
        `histogram: weights should have the same shape as a, got ${fmtShape(w.shape)} and ${fmtShape(arr.shape)}`,
      );
  }
  arr = ravel(arr);
  w = ravel(w);
  const edges = histogramBinEdges(arr, o.bins ?? 10, o.range ?? null);
  const m = edges.shape[0]!;
  const lastEdge = lax.reshape(slice1d(edges, -1), []);
  let binIdx = searchsorted(edges, arr, "right");
  binIdx = lax.select(lax.eq(arr, lastEdge), full(binIdx.shape, m - 1, "int32"), binIdx);
  let counts = slice1d(scatter1d("add", full([m], 0, w.dtype), binIdx, w), 1);
  if (o.density) counts = lax.div(lax.div(counts, diff(edges)), sumAll(counts));
  return [counts, edges];
}

export interface DigitizeOptions {
  /** Bins include their right edge instead of their left. */
  right?: boolean;
  method?: SearchsortedOptions["method"];
}

/** jnp.digitize: the int32 index of the bin of each x (bins increasing or decreasing). */
export function digitize(
  x: ArrayLike,
  bins: ArrayLike,
  right: boolean | DigitizeOptions = false,
  opts: DigitizeOptions = {},
): JaxArray {
  const o: DigitizeOptions = typeof right === "boolean" ? { ...opts, right } : right;
  const r = o.right ?? false;
  const arr = asArray("digitize", x);
  const edges = asArray("digitize", bins);
  if (edges.ndim !== 1)
    throw new ValueError(
      `digitize: bins must be a 1-dimensional array, got shape ${fmtShape(edges.shape)}`,
    );
  const n = edges.shape[0]!;
  if (n === 0) return full(arr.shape, 0, "int32");
  const side: Side = r ? "left" : "right";
  const increasing = lax.ge(
    lax.reshape(slice1d(edges, -1), []),
    lax.reshape(slice1d(edges, 0, 1), []),
  );
  const search = { side, method: o.method ?? "scan" } as const;
  const up = searchsorted(edges, arr, search);
  const down = lax.sub(n, searchsorted(lax.rev(edges, [0]), arr, search));
  return lax.select(bcast(increasing, up.shape), up, down);
}

export interface BincountOptions {
  weights?: ArrayLike | null;
  minlength?: number;
  /** Static output length (values at or beyond it are dropped); needed under jit. */
  length?: number | null;
}

/**
 * jnp.bincount: counts (or summed weights) of each non-negative integer in a 1-d array. As in
 * JAX, negative values count into bin 0; the result is int32 without weights, else the weights' dtype.
 */
export function bincount(
  x: ArrayLike,
  weights?: ArrayLike | null | BincountOptions,
  minlength = 0,
  opts: BincountOptions = {},
): JaxArray {
  const o: BincountOptions = isOptions(weights)
    ? (weights as BincountOptions)
    : {
        ...opts,
        weights: weights as ArrayLike | null | undefined,
        minlength: opts.minlength ?? minlength,
      };
  const arr = asIndexArray("bincount", x);
  if (!isInteger(arr.dtype))
    throw new TypeError_(`bincount: x argument must have an integer type, got ${arr.dtype}`);
  if (arr.ndim !== 1)
    throw new ValueError(
      `bincount: only 1-dimensional input is supported, got shape ${fmtShape(arr.shape)}`,
    );
  const minLength = o.minlength ?? 0;
  if (!Number.isInteger(minLength) || minLength < 0)
    throw new ValueError(`bincount: minlength must be a non-negative integer, got ${minLength}`);
  let length = o.length ?? null;
  if (length === null) {
    const top = arr.size
      ? concreteNumber(
          "bincount",
          lax.reduceMax(arr, [0]),
          "Pass a static `length` argument to use bincount within JAX transformations.",
        ) + 1
      : 0;
    length = Math.max(minLength, top);
  }
  if (!Number.isInteger(length) || length < 0)
    throw new ValueError(`bincount: length must be a non-negative integer, got ${length}`);
  let w: JaxArray;
  if (o.weights === undefined || o.weights === null) w = asArray("bincount", 1, "int32");
  else {
    w = asArray("bincount", o.weights);
    if (w.shape.join() !== arr.shape.join() || w.ndim !== arr.ndim)
      throw new ValueError(
        `bincount: shape of weights must match shape of x, got ${fmtShape(w.shape)} and ${fmtShape(arr.shape)}`,
      );
  }
  const idx = arr.dtype === "uint32" ? arr : lax.max(arr, 0);
  return scatter1d("add", full([length], 0, w.dtype), idx, w);
}
