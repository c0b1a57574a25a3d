import * as tf from "@tensorflow/tfjs-core";
import { EagerArray, type JaxArray } from "../core/array.js";
import { ShapedArray } from "../core/aval.js";
import { getDefaultDevice } from "../core/backend.js";
import { cachedScalar, weakDtypeOfNumber } from "../core/constants.js";
import type { DType } from "../core/dtype.js";
import { TypeError_ } from "../core/errors.js";
import { fmtShape, shapesEqual } from "../core/shape.js";
import { selectWords } from "./kernels.js";

export type Operand = JaxArray | number | boolean;

/** The tf.js backend now running, for impls that need backend-specific care. */
export const activeBackend = (): string => tf.getBackend();

export const T = (a: EagerArray): tf.Tensor => a.tensor;

// tf.js's wasm kernels for where, stridedSlice and reverse misread bool data (1 byte per element)
// and can write past their output; bool values take an int32 detour through them.
export function boolSafe(t: tf.Tensor, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  return t.dtype === "bool" ? tf.cast(f(tf.cast(t, "int32")), "bool") : f(t);
}
export function where(cond: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  // tf.js's webgpu select kernel stops at rank 4: select higher ranks elementwise in 1-d.
  if (activeBackend() === "webgpu" && Math.max(cond.rank, a.rank, b.rank) > 4) {
    const { assertAndGetBroadcastShape: broadcast } = tf.backend_util;
    const shape = broadcast(cond.shape, broadcast(a.shape, b.shape));
    const flat = (t: tf.Tensor) => tf.reshape(tf.broadcastTo(t, shape), [-1]);
    return tf.reshape(where(flat(cond), flat(a), flat(b)), shape);
  }
  if (a.dtype === "int32") return selectWords(cond, a, b);
  if (a.dtype !== "bool") return tf.where(cond, a, b);
  return tf.cast(tf.where(cond, tf.cast(a, "int32"), tf.cast(b, "int32")), "bool");
}

export function isArrayValue(x: unknown): x is JaxArray {
  return typeof x === "object" && x !== null && "aval" in x;
}

/** The device that JS scalars mixed with `args` should be created on. */
/** The device of the first concrete array among the arguments (else the default device). */
export function deviceOf(args: readonly unknown[]) {
  for (const a of args) if (a instanceof EagerArray) return a.device;
  return getDefaultDevice();
}

/**
 * lax functions accept JS scalars next to arrays, as jax.lax accepts Python scalars: they take
 * the dtype of the array operands and are weakly typed.
 */
export function liftScalars(args: readonly Operand[]): JaxArray[] {
  if (args.every(isArrayValue)) return args as JaxArray[];
  const like = args.find(isArrayValue);
  const device = deviceOf(args);
  return args.map((a) => {
    if (isArrayValue(a)) return a;
    if (typeof a === "boolean") return cachedScalar(a, "bool", false, device);
    const dtype: DType = like ? like.dtype : weakDtypeOfNumber(a);
    return cachedScalar(a, dtype, true, device);
  });
}

export function aval(shape: readonly number[], dtype: DType, weakType = false): ShapedArray {
  return new ShapedArray(shape, dtype, weakType);
}

/** JAX's lax rule: operands share a dtype; the result is weak only if every operand is. */
export function checkSameDtypes(name: string, avals: ShapedArray[]): void {
  const dtypes = avals.map((a) => a.dtype);
  if (dtypes.some((d) => d !== dtypes[0]))
    throw new TypeError_(
      `${name} requires arguments to have the same dtypes, got ${dtypes.join(", ")}. ` +
        `(Tip: jnp.${name} is a similar function that does automatic type promotion on inputs).`,
    );
}

/** Elementwise lax ops take equal shapes; rank-0 operands broadcast (as JAX's scalar literals do). */
export function elementwiseShape(name: string, avals: ShapedArray[]): readonly number[] {
  if (avals.length === 1 || (avals.length === 2 && avals[0]!.shape === avals[1]!.shape))
    return avals[0]!.shape;
  const shaped = avals.filter((a) => a.shape.length > 0);
  const shape = shaped[0]?.shape ?? [];
  for (const a of shaped)
    if (!shapesEqual(a.shape, shape))
      throw new TypeError_(
        `${name}: arrays must have the same shapes, got ${avals.map((x) => fmtShape(x.shape)).join(", ")}`,
      );
  return shape;
}

export const allWeak = (avals: ShapedArray[]): boolean => avals.every((a) => a.weakType);
