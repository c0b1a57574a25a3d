/**
 * The base samplers every distribution builds on: uniform floats from random bits, normal
 * through erf_inv, and the shared argument checks. Each follows jax._src.random bit for bit.
 */
import type { JaxArray } from "../core/array.js";
import { type DType, finfo, isFloating, isInteger } from "../core/dtype.js";
import { TypeError_, ValueError } from "../core/errors.js";
import { broadcastShapes, fmtShape, shapesEqual } from "../core/shape.js";
import * as lax from "../lax/index.js";
import * as jnp from "../numpy/index.js";
import { type ArrayLike, asArray } from "../numpy/util.js";
import { type KeyLike, randomBits } from "./keys.js";

export type Shape = readonly number[];
/** numpy's finfo(float32), whose tiny/eps/epsneg JAX's samplers use as interval ends. */
export const F32 = finfo("float32");

/** The float dtype a sampler works in (float32 is the only one, as JAX with x64 disabled). */
export function floatDtype(fn: string, dtype: DType | undefined): DType {
  const d = dtype ?? "float32";
  if (!isFloating(d)) throw new TypeError_(`${fn}: dtype argument must be a float dtype, got ${d}`);
  return d;
}
export function intDtype(fn: string, dtype: DType | undefined): DType {
  const d = dtype ?? "int32";
  if (!isInteger(d))
    throw new TypeError_(`${fn}: dtype argument must be an integer dtype, got ${d}`);
  return d;
}

/** JAX's _check_shape: parameter shapes broadcast to exactly the requested shape. */
export function checkShape(fn: string, shape: Shape, ...paramShapes: Shape[]): void {
  const result = broadcastShapes(fn, shape, ...paramShapes);
  if (!shapesEqual(result, shape))
    throw new ValueError(
      `${fn} parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result ${fmtShape(result)} for shape argument ${fmtShape(shape)}.`,
    );
}

/** A parameter as an array of `dtype` (JS numbers become literals of that dtype). */
export function param(fn: string, x: ArrayLike, dtype: DType): JaxArray {
  const arr = asArray(fn, x);
  return arr.dtype === dtype ? arr : lax.convertElementType(arr, dtype);
}

/** `shape` if given, else the broadcast shape of the parameters (JAX's shape=None). */
export function shapeOr(fn: string, shape: Shape | null | undefined, ...params: JaxArray[]): Shape {
  const shapes = params.map((p) => p.shape);
  if (shape === undefined || shape === null) return broadcastShapes(fn, ...shapes);
  checkShape(fn, shape, ...shapes);
  return shape;
}

export function broadcastParam(x: JaxArray, shape: Shape): JaxArray {
  return shapesEqual(x.shape, shape) ? x : jnp.broadcastTo(x, shape);
}

/**
 * Uniform floats in [minval, maxval): 23 random mantissa bits under the exponent of 1.0 give a
 * float in [1, 2), shifted to [0, 1) and scaled (jax.random._uniform).
 */
export function uniformImpl(
  key: KeyLike,
  shape: Shape,
  dtype: DType,
  minval: ArrayLike = 0,
  maxval: ArrayLike = 1,
): JaxArray {
  const fn = "uniform";
  const lo = param(fn, minval, dtype);
  const hi = param(fn, maxval, dtype);
  checkShape(fn, shape, lo.shape, hi.shape);
  const bits = randomBits(fn, key, shape);
  const mantissa = lax.shiftRightLogical(bits, 32 - 23);
  const floats = lax.sub(lax.bitcastConvertType(lax.bitwiseOr(mantissa, 0x3f800000), dtype), 1);
  return jnp.maximum(
    broadcastParam(lo, shape),
    jnp.add(jnp.multiply(floats, jnp.subtract(hi, lo)), lo),
  );
}

/** Standard normals: sqrt(2) erf_inv(u) for u uniform in (-1, 1) (jax.random._normal_real). */
export function normalImpl(key: KeyLike, shape: Shape, dtype: DType): JaxArray {
  const u = uniformImpl(key, shape, dtype, Math.fround(-1 + F32.epsneg), 1);
  return lax.mul(lax.erfInv(u), Math.SQRT2);
}
