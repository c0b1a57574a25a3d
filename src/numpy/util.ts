/** Shared helpers of the jnp layer: argument conversion, promotion, broadcasting, axis options. */
import { JaxArray, type NestedArray } from "../core/array.js";
import type { Device } from "../core/backend.js";
import {
  arrayFromFlat,
  cachedScalar,
  defaultDtypeOf,
  flattenNested,
  scalarArray,
  weakDtypeOfNumber,
} from "../core/constants.js";
import { checkDtype, type DType, type DtypeAndWeak, resultType, toInexact } from "../core/dtype.js";
import { TypeError_ } from "../core/errors.js";
import { broadcastShapes } from "../core/shape.js";
import { deviceOf } from "../lax/common.js";
import * as lax from "../lax/index.js";

/** JS typed arrays that jnp functions accept as 1-d arrays (numpy's buffers). */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** What jnp functions accept as an array argument. */
export type ArrayLike = JaxArray | NestedArray | TypedArray;

/**
 * The dtype of a typed array's values, as JAX with x64 disabled gives numpy's: floats become
 * float32, Uint32Array uint32, and the narrower integers int32.
 */
function typedArrayDtype(fn: string, x: ArrayBufferView): DType {
  if (x instanceof Float32Array || x instanceof Float64Array) return "float32";
  if (x instanceof Uint32Array) return "uint32";
  const ints = [Int32Array, Int16Array, Uint16Array, Int8Array, Uint8Array];
  if (ints.some((type) => x instanceof type)) return "int32";
  throw new TypeError_(
    `${fn}: unsupported buffer ${x.constructor.name}; pass a typed array of numbers`,
  );
}

export function isJaxArray(x: unknown): x is JaxArray {
  return x instanceof JaxArray;
}

/** The dtype and weak flag an argument contributes to promotion (JS numbers are weak). */
export function dtypeOfArg(x: ArrayLike, fn = "asarray"): DtypeAndWeak {
  if (isJaxArray(x)) return { dtype: x.dtype, weakType: x.weakType };
  if (typeof x === "number") return { dtype: weakDtypeOfNumber(x), weakType: true };
  if (typeof x === "boolean") return { dtype: "bool", weakType: false };
  if (ArrayBuffer.isView(x)) return { dtype: typedArrayDtype(fn, x), weakType: false };
  if (!Array.isArray(x))
    throw new TypeError_(
      `${fn}: expected an array, a JS number, a boolean, a typed array or a nested list, got ${x === null ? "null" : typeof x}`,
    );
  const { flat } = flattenNested("asarray", x);
  return { dtype: defaultDtypeOf("asarray", flat), weakType: false };
}

/**
 * Converts an argument to an array. JS scalars become weakly typed 0-d arrays (integers act like
 * Python ints); nested JS arrays become strongly typed arrays, float32 for numbers unless `dtype`.
 */
export function asArray(fn: string, x: ArrayLike, dtype?: DType, device?: Device): JaxArray {
  if (isJaxArray(x)) return dtype && x.dtype !== dtype ? lax.convertElementType(x, dtype) : x;
  if (typeof x === "number" || typeof x === "boolean") {
    const t = dtypeOfArg(x);
    return scalarArray(x, dtype ?? t.dtype, dtype ? false : t.weakType, device);
  }
  if (ArrayBuffer.isView(x)) {
    const values = Array.from(x as TypedArray);
    return arrayFromFlat(values, [values.length], dtype ?? typedArrayDtype(fn, x), false, device);
  }
  if (!Array.isArray(x))
    throw new TypeError_(
      `${fn}: expected an array, a number, a boolean, a typed array or a nested list, got ${typeof x}`,
    );
  const { shape, flat } = flattenNested(fn, x);
  return arrayFromFlat(flat, shape, dtype ?? defaultDtypeOf(fn, flat), false, device);
}

/** jnp.result_type of arguments. */
export function resultTypeOf(...args: ArrayLike[]): DtypeAndWeak {
  return resultType(...args.map((a) => dtypeOfArg(a)));
}
function resultTypeFor(fn: string, args: readonly ArrayLike[]): DtypeAndWeak {
  return resultType(...args.map((a) => dtypeOfArg(a, fn)));
}

/** Converts arguments to arrays of their promoted dtype (no broadcasting), on a common device. */
export function promoteDtypes(fn: string, ...args: ArrayLike[]): JaxArray[] {
  const { dtype, weakType } = resultTypeFor(fn, args);
  const device = deviceOf(args);
  return args.map((a) => {
    if (!isJaxArray(a) && (typeof a === "number" || typeof a === "boolean"))
      return cachedScalar(a, dtype, weakType, device);
    const arr = asArray(fn, a, undefined, device);
    // Same dtype: only the weak flag would change, which lax ops do not need (JAX stages no convert).
    return arr.dtype === dtype ? arr : lax.convertElementType(arr, dtype, weakType);
  });
}

/** Promotes to an inexact (float) dtype, as jnp's sqrt/mean/true_divide do. */
export function promoteInexact(fn: string, ...args: ArrayLike[]): JaxArray[] {
  const { dtype, weakType } = toInexact(resultTypeFor(fn, args));
  const device = deviceOf(args);
  return args.map((a) => {
    // A JS number becomes a float literal directly, as a Python float would (jnp.log(2.0)).
    if (typeof a === "number" || typeof a === "boolean")
      return cachedScalar(a, dtype, weakType, device);
    const arr = asArray(fn, a, undefined, device);
    return arr.dtype === dtype ? arr : lax.convertElementType(arr, dtype, weakType);
  });
}

/** numpy broadcasting of arrays to a common shape through broadcast_in_dim (rank-0 stays rank-0 for lax). */
export function broadcastArraysTo(fn: string, args: JaxArray[], keepScalars = true): JaxArray[] {
  const shape = broadcastShapes(fn, ...args.map((a) => a.shape));
  return args.map((a) => {
    if (keepScalars && a.ndim === 0) return a;
    return broadcastTo(a, shape);
  });
}

export function broadcastTo(a: JaxArray, shape: readonly number[]): JaxArray {
  if (a.ndim === shape.length && a.shape.every((d, i) => d === shape[i])) return a;
  broadcastShapes("broadcast_to", a.shape, shape);
  const lead = shape.length - a.ndim;
  if (lead < 0)
    throw new TypeError_(
      `broadcast_to: cannot broadcast array of rank ${a.ndim} to shape of rank ${shape.length}`,
    );
  const squeezed = a.shape.map((d, i) => d === 1 && shape[lead + i] !== 1);
  const kept = a.shape.map((_, i) => i).filter((i) => !squeezed[i]);
  const base =
    kept.length === a.ndim
      ? a
      : lax.reshape(
          a,
          kept.map((i) => a.shape[i]!),
        );
  return lax.broadcastInDim(
    base,
    shape,
    kept.map((i) => i + lead),
  );
}

/** Promotes and broadcasts, the common prologue of binary ufuncs. */
export function promoteArgs(fn: string, ...args: ArrayLike[]): JaxArray[] {
  if (args.length === 2 && alreadyAligned(args[0], args[1])) return args as JaxArray[];
  return broadcastArraysTo(fn, promoteDtypes(fn, ...args));
}

/** Two arrays of one dtype, weak flag and shape need no promotion or broadcasting. */
function alreadyAligned(a: ArrayLike | undefined, b: ArrayLike | undefined): boolean {
  if (!isJaxArray(a) || !isJaxArray(b)) return false;
  const x = a.aval;
  const y = b.aval;
  if (x.dtype !== y.dtype || x.weakType !== y.weakType || x.shape.length !== y.shape.length)
    return false;
  for (let i = 0; i < x.shape.length; i++) if (x.shape[i] !== y.shape[i]) return false;
  return true;
}

/** Splits a trailing options object from positional arguments: f(x, 0) or f(x, {axis: 0}). */
export function isOptions(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !isJaxArray(x);
}

export function dtypeOption(fn: string, dtype: unknown): DType | undefined {
  return dtype === undefined || dtype === null ? undefined : checkDtype(fn, dtype);
}
