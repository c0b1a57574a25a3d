/** Array creation: jnp.array, zeros, arange, linspace, eye, meshgrid, ... */

import { EagerArray, type JaxArray } from "../core/array.js";
import { arrayFromFlat, defaultDtypeOf, flattenNested } from "../core/constants.js";
import type { DType } from "../core/dtype.js";
import { ConcretizationTypeError, SyncReadError, TypeError_, ValueError } from "../core/errors.js";
import { checkShape } from "../core/shape.js";
import { Tracer } from "../core/trace.js";
import * as lax from "../lax/index.js";
import { readArgs } from "./options.js";
import {
  type ArrayLike,
  asArray,
  broadcastTo,
  dtypeOption,
  isJaxArray,
  isOptions,
  promoteInexact,
} from "./util.js";

type Shape = number | readonly number[];

/** jnp.array / jnp.asarray: JS numbers give float32 (JS cannot tell 1 from 1.0), booleans bool. */
export function array(
  object: ArrayLike,
  ...rest:
    | [DType?]
    | [{ dtype?: DType; copy?: boolean; ndmin?: number }]
    | [DType, { copy?: boolean; ndmin?: number }]
): JaxArray {
  const { dtype, ndmin } = readArgs<{ dtype: DType; ndmin: number }>(
    "array",
    rest,
    ["dtype"],
    ["copy", "ndmin", "order", "device"],
  );
  const out = arrayOf(object, dtypeOption("array", dtype));
  return ndmin && out.ndim < ndmin
    ? lax.reshape(out, [...Array(ndmin - out.ndim).fill(1), ...out.shape])
    : out;
}

function arrayOf(object: ArrayLike, dt: DType | undefined): JaxArray {
  if (isJaxArray(object)) {
    const x = dt ? lax.convertElementType(object, dt) : object;
    return x.weakType ? lax.convertElementType(x, x.dtype, false) : x;
  }
  if (ArrayBuffer.isView(object)) return asArray("array", object, dt);
  const { shape, flat } = flattenNested("array", object);
  return arrayFromFlat(flat, shape, dt ?? defaultDtypeOf("array", flat));
}
export const asarray = array;

export function full(
  shape: Shape,
  fillValue: ArrayLike,
  ...rest: [DType?] | [{ dtype?: DType }]
): JaxArray {
  const { dtype } = readArgs<{ dtype: DType }>("full", rest, ["dtype"], ["device"]);
  const s = checkShape("full", shape);
  const fill = array(fillValue, dtypeOption("full", dtype));
  return broadcastTo(fill, s);
}
export function zeros(shape: Shape, ...rest: [DType?] | [{ dtype?: DType }]): JaxArray {
  const { dtype } = readArgs<{ dtype: DType }>("zeros", rest, ["dtype"], ["device"]);
  return full(shape, 0, dtype ?? "float32");
}
export function ones(shape: Shape, ...rest: [DType?] | [{ dtype?: DType }]): JaxArray {
  const { dtype } = readArgs<{ dtype: DType }>("ones", rest, ["dtype"], ["device"]);
  return full(shape, 1, dtype ?? "float32");
}
/** JAX has no uninitialised memory: empty is zeros. */
export const empty = zeros;

interface LikeOptions {
  dtype?: DType;
  shape?: Shape;
}
export function fullLike(
  a: ArrayLike,
  fillValue: ArrayLike,
  ...rest: [DType?, Shape?] | [LikeOptions]
): JaxArray {
  const { dtype, shape } = readArgs<LikeOptions>("full_like", rest, ["dtype", "shape"], ["device"]);
  const x = asArray("full_like", a);
  return full(shape ?? x.shape, fillValue, dtypeOption("full_like", dtype) ?? x.dtype);
}
export function zerosLike(a: ArrayLike, ...rest: [DType?, Shape?] | [LikeOptions]): JaxArray {
  return fullLike(a, 0, ...(rest as [LikeOptions]));
}
export function onesLike(a: ArrayLike, ...rest: [DType?, Shape?] | [LikeOptions]): JaxArray {
  return fullLike(a, 1, ...(rest as [LikeOptions]));
}
export const emptyLike = zerosLike;

/** jnp.arange: int32 when every argument is an integer (as JAX with Python ints), else float32. */
export function arange(
  start: number,
  ...rest:
    | [number?, number?, DType?]
    | [number, number, { dtype?: DType }]
    | [number, { dtype?: DType }]
    | [{ dtype?: DType; step?: number; stop?: number }]
): JaxArray {
  const o = readArgs<{ stop: number; step: number; dtype: DType }>(
    "arange",
    rest,
    ["stop", "step", "dtype"],
    ["device"],
  );
  const [lo, hi] = o.stop === undefined || o.stop === null ? [0, start] : [start, o.stop];
  const step = o.step ?? 1;
  if (step === 0) throw new ValueError("arange: step must not be zero");
  for (const v of [lo, hi, step])
    if (typeof v !== "number")
      throw (v as unknown) instanceof Tracer
        ? new ConcretizationTypeError(
            `arange: Abstract tracer value encountered where a concrete value is expected: the length of arange's output depends on its traced argument ${(v as unknown as Tracer).aval.strShort()}. Pass JS numbers, or mark the argument static (jit's staticArgnums).`,
          )
        : new TypeError_(`arange: arguments must be JS numbers, got ${typeof v}`);
  const dtype =
    dtypeOption("arange", o.dtype) ??
    ([lo, hi, step].every(Number.isInteger) ? "int32" : "float32");
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  // Computed in float64 then rounded once, as numpy's arange (JAX builds a constant for static args).
  return arrayFromFlat(
    Array.from({ length: n }, (_, i) => lo + i * step),
    [n],
    dtype,
  );
}

interface LinspaceOptions {
  num?: number;
  endpoint?: boolean;
  retstep?: boolean;
  dtype?: DType;
  axis?: number;
}
export function linspace(
  start: ArrayLike,
  stop: ArrayLike,
  ...rest:
    | [number?, boolean?, boolean?, DType?, number?]
    | [number, LinspaceOptions]
    | [LinspaceOptions]
): JaxArray;
/** With retstep: [samples, step], as JAX. */
export function linspace(
  start: ArrayLike,
  stop: ArrayLike,
  num: number,
  opts: LinspaceOptions & { retstep: true },
): [JaxArray, JaxArray];
export function linspace(
  start: ArrayLike,
  stop: ArrayLike,
  ...rest: unknown[]
): JaxArray | [JaxArray, JaxArray] {
  const o = readArgs<LinspaceOptions>(
    "linspace",
    rest,
    ["num", "endpoint", "retstep", "dtype", "axis"],
    ["device"],
  );
  const [values, step] = linspaceWithStep("linspace", start, stop, o);
  return o.retstep ? [values, step] : values;
}

function linspaceWithStep(
  fn: string,
  start: ArrayLike,
  stop: ArrayLike,
  o: LinspaceOptions,
): [JaxArray, JaxArray] {
  const num = o.num ?? 50;
  const endpoint = o.endpoint ?? true;
  if (!Number.isInteger(num) || num < 0)
    throw new ValueError(`${fn}: number of samples, ${num}, must be a non-negative integer`);
  const [a, b] = promoteInexact(fn, start, stop).map((x) =>
    lax.convertElementType(x!, x!.dtype, false),
  );
  const div = endpoint ? num - 1 : num;
  const bshape = a!.ndim >= b!.ndim ? a!.shape : b!.shape;
  const sa = broadcastTo(a!, bshape);
  const sb = broadcastTo(b!, bshape);
  const step = lax.div(lax.sub(sb, sa), Math.max(div, 1));
  const outShape = [num, ...bshape];
  const dims = bshape.map((_, i) => i + 1);
  const iota = lax.broadcastedIota("float32", outShape, 0);
  let out = lax.add(
    lax.broadcastInDim(sa, outShape, dims),
    lax.mul(iota, lax.broadcastInDim(step, outShape, dims)),
  );
  if (endpoint && num > 1) {
    const isLast = lax.eq(lax.broadcastedIota("int32", outShape, 0), num - 1);
    out = lax.select(isLast, lax.broadcastInDim(sb, outShape, dims), out);
  }
  const axis = o.axis ?? 0;
  const nd = outShape.length;
  const ax = axis < 0 ? axis + nd : axis;
  if (ax !== 0)
    out = lax.transpose(out, [
      ...Array.from({ length: ax }, (_, i) => i + 1),
      0,
      ...Array.from({ length: nd - ax - 1 }, (_, i) => ax + i + 1),
    ]);
  const dt = dtypeOption(fn, o.dtype);
  if (dt && dt !== "float32")
    out = lax.convertElementType(dt === "bool" ? out : lax.floor(out), dt);
  return [out, step];
}

export function logspace(
  start: ArrayLike,
  stop: ArrayLike,
  ...rest:
    | [number?, boolean?, number?, DType?, number?]
    | [number, LinspaceOptions & { base?: number }]
    | [LinspaceOptions & { base?: number }]
): JaxArray {
  const o = readArgs<LinspaceOptions & { base: number }>("logspace", rest, [
    "num",
    "endpoint",
    "base",
    "dtype",
    "axis",
  ]);
  const exponents = linspace(start, stop, { num: o.num, endpoint: o.endpoint, axis: o.axis });
  const out = lax.pow(
    lax.convertElementType(asArray("logspace", o.base ?? 10, "float32"), "float32", true),
    exponents,
  );
  return o.dtype && o.dtype !== "float32" ? lax.convertElementType(out, o.dtype) : out;
}

export function geomspace(
  start: ArrayLike,
  stop: ArrayLike,
  ...rest: [number?, boolean?, DType?, number?] | [number, LinspaceOptions] | [LinspaceOptions]
): JaxArray {
  const o = readArgs<LinspaceOptions>("geomspace", rest, ["num", "endpoint", "dtype", "axis"]);
  const [a, b] = promoteInexact("geomspace", start, stop);
  for (const x of [a!, b!])
    if (x instanceof EagerArray && readableValues(x).includes(0))
      throw new ValueError("geomspace: geometric sequence cannot include zero");
  const sign = lax.sign(a!);
  const logs = linspace(lax.log(lax.abs(a!)), lax.log(lax.abs(b!)), {
    num: o.num,
    endpoint: o.endpoint,
    axis: o.axis,
  });
  let out = lax.mul(sign, lax.exp(logs));
  const num = o.num ?? 50;
  if (a!.ndim === 0 && b!.ndim === 0 && num > 0) {
    // Exact endpoints, as numpy.
    const first = lax.eq(lax.iota("int32", num), 0);
    out = lax.select(first, lax.broadcastInDim(a!, [num], []), out);
    if ((o.endpoint ?? true) && num > 1)
      out = lax.select(
        lax.eq(lax.iota("int32", num), num - 1),
        lax.broadcastInDim(b!, [num], []),
        out,
      );
  }
  return o.dtype && o.dtype !== "float32" ? lax.convertElementType(out, o.dtype) : out;
}

/** (N, M=None, k=0, dtype) as eye and tri take them. */
type MatrixArgs =
  | [number?, number?, DType?]
  | [number | null, { k?: number; dtype?: DType }]
  | [{ M?: number; k?: number; dtype?: DType }];
function readMatrixArgs(fn: string, rest: MatrixArgs) {
  return readArgs<{ M: number | null; k: number; dtype: DType }>(
    fn,
    rest,
    ["M", "k", "dtype"],
    ["device"],
  );
}

export function eye(N: number, ...rest: MatrixArgs): JaxArray {
  const o = readMatrixArgs("eye", rest);
  const M = o.M ?? N;
  const k = o.k ?? 0;
  const rows = lax.broadcastedIota("int32", [N, M], 0);
  const cols = lax.broadcastedIota("int32", [N, M], 1);
  return lax.convertElementType(
    lax.eq(lax.add(rows, k), cols),
    dtypeOption("eye", o.dtype) ?? "float32",
  );
}
export function identity(n: number, ...rest: [DType?] | [{ dtype?: DType }]): JaxArray {
  const { dtype } = readArgs<{ dtype: DType }>("identity", rest, ["dtype"], ["device"]);
  return eye(n, { dtype });
}
export function tri(N: number, ...rest: MatrixArgs): JaxArray {
  const o = readMatrixArgs("tri", rest);
  const M = o.M ?? N;
  const mask = lax.ge(
    lax.add(lax.broadcastedIota("int32", [N, M], 0), o.k ?? 0),
    lax.broadcastedIota("int32", [N, M], 1),
  );
  return lax.convertElementType(mask, dtypeOption("tri", o.dtype) ?? "float32");
}
function triMask(fn: string, m: ArrayLike, k: number, lower: boolean): JaxArray {
  const x = asArray(fn, m);
  if (x.ndim < 2)
    throw new ValueError(`${fn}: input array must be at least 2-d, got shape (${x.shape})`);
  const [n, mm] = x.shape.slice(-2) as [number, number];
  const rows = lax.broadcastedIota("int32", [n, mm], 0);
  const cols = lax.broadcastedIota("int32", [n, mm], 1);
  const keep = lower ? lax.le(cols, lax.add(rows, k)) : lax.ge(cols, lax.add(rows, k));
  return lax.select(
    broadcastTo(keep, x.shape),
    x,
    broadcastTo(lax.convertElementType(asArray(fn, 0), x.dtype, false), x.shape),
  );
}
export function tril(m: ArrayLike, k: number | { k?: number } = 0): JaxArray {
  return triMask("tril", m, typeof k === "number" ? k : (k.k ?? 0), true);
}
export function triu(m: ArrayLike, k: number | { k?: number } = 0): JaxArray {
  return triMask("triu", m, typeof k === "number" ? k : (k.k ?? 0), false);
}

export function meshgrid(
  ...args: (ArrayLike | { indexing?: "xy" | "ij"; sparse?: boolean; copy?: boolean })[]
): JaxArray[] {
  const last = args.at(-1);
  const o = (isOptions(last) ? last : {}) as { indexing?: "xy" | "ij"; sparse?: boolean };
  const xs = (isOptions(last) ? args.slice(0, -1) : args).map((a) =>
    asArray("meshgrid", a as ArrayLike),
  );
  for (const x of xs)
    if (x.ndim !== 1)
      throw new ValueError(`meshgrid: arguments must be 1-d, got shape (${x.shape})`);
  const indexing = o.indexing ?? "xy";
  if (indexing !== "xy" && indexing !== "ij")
    throw new ValueError(`meshgrid: indexing must be 'xy' or 'ij', got ${String(indexing)}`);
  const shape = xs.map((x) => x.shape[0]!);
  if (indexing === "xy" && xs.length >= 2) [shape[0], shape[1]] = [shape[1]!, shape[0]!];
  return xs.map((x, i) => {
    const dim = indexing === "xy" && xs.length >= 2 && i < 2 ? 1 - i : i;
    if (o.sparse)
      return lax.reshape(
        x,
        shape.map((d, j) => (j === dim ? d : 1)),
      );
    return lax.broadcastInDim(x, shape, [dim]);
  });
}

/** jnp.diag: the k-th diagonal of a 2-d array, or a 2-d array with a 1-d array on its k-th diagonal. */
export function diag(v: ArrayLike, k: number | { k?: number } = 0): JaxArray {
  const x = asArray("diag", v);
  const kk = typeof k === "number" ? k : (k.k ?? 0);
  if (x.ndim === 2) return diagonalOf(x, kk);
  if (x.ndim !== 1) throw new ValueError(`diag: input must be 1-d or 2-d, got shape (${x.shape})`);
  const n = x.shape[0]! + Math.abs(kk);
  const mask = eye(n, n, kk, "bool");
  const row =
    kk >= 0 ? lax.pad(x, 0, [[0, Math.abs(kk), 0]]) : lax.pad(x, 0, [[Math.abs(kk), 0, 0]]);
  const values =
    kk >= 0 ? lax.broadcastInDim(row, [n, n], [0]) : lax.broadcastInDim(row, [n, n], [0]);
  const zero = lax.broadcastInDim(lax.convertElementType(asArray("diag", 0), x.dtype), [n, n], []);
  return lax.select(mask, values, zero);
}
export function diagflat(v: ArrayLike, k: number | { k?: number } = 0): JaxArray {
  const x = asArray("diagflat", v);
  return diag(lax.reshape(x, [x.size]), k);
}

/** Values for argument checks; empty where the backend cannot read synchronously (WebGPU in Node). */
function readableValues(x: EagerArray): number[] {
  try {
    return Array.from(x.dataSync());
  } catch (e) {
    if (e instanceof SyncReadError) return [];
    throw e;
  }
}

/** The offset-th diagonal of the last two axes, as a strided slice of the flattened matrix. */
export function diagonalOf(x: JaxArray, offset: number): JaxArray {
  const [n, m] = x.shape.slice(-2) as [number, number];
  const batch = x.shape.slice(0, -2);
  const len = Math.max(0, offset >= 0 ? Math.min(n, m - offset) : Math.min(n + offset, m));
  if (len === 0)
    return lax.reshape(
      lax.slice(lax.reshape(x, [...batch, n * m]), [...batch.map(() => 0), 0], [...batch, 0]),
      [...batch, 0],
    );
  const flat = lax.reshape(x, [...batch, n * m]);
  const start = offset >= 0 ? offset : -offset * m;
  const limit = start + (len - 1) * (m + 1) + 1;
  return lax.slice(
    flat,
    [...batch.map(() => 0), start],
    [...batch, limit],
    [...batch.map(() => 1), m + 1],
  );
}
