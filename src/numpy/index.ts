/** jax.numpy */
import "./methods.js";

export { JaxArray as ndarray } from "../core/array.js";
export { type DType, finfo, iinfo, promoteTypes } from "../core/dtype.js";
export * from "./creation.js";
export { type Index, IndexUpdateRef, take, takeAlongAxis } from "./indexing.js";
export * from "./linalg.js";
export * from "./misc.js";
export * from "./pad.js";
export type { Axis } from "./reductions.js";
export * from "./reductions.js";
export {
  arraySplit,
  atleast1d,
  atleast2d,
  atleast3d,
  broadcastArrays,
  broadcastShapes_ as broadcastShapes,
  broadcastTo,
  columnStack,
  concat,
  concatenate,
  diagonal,
  dsplit,
  dstack,
  expandDims,
  flip,
  fliplr,
  flipud,
  hsplit,
  hstack,
  matrixTranspose,
  moveaxis,
  permuteDims,
  ravel,
  repeat,
  reshape,
  roll,
  rot90,
  rowStack,
  split,
  squeeze,
  stack,
  swapaxes,
  tile,
  trace,
  transpose,
  vsplit,
  vstack,
} from "./shape.js";
export * from "./sorting.js";
export * from "./statistics.js";
export { var_ as var } from "./statistics.js";
export * from "./ufuncs.js";
export { type ArrayLike, resultTypeOf as resultType, type TypedArray } from "./util.js";

import type { JaxArray } from "../core/array.js";
import { type ArrayLike as AL, asArray } from "./util.js";
export const float32 = "float32" as const;
export const int32 = "int32" as const;
export const uint32 = "uint32" as const;
export const bool_ = "bool" as const;
export const pi = Math.PI;
export const e = Math.E;
export const inf = Number.POSITIVE_INFINITY;
export const nan = Number.NaN;
export const newaxis = null;
export const ndim = (x: AL): number => asArray("ndim", x).ndim;
export const shape = (x: AL): number[] => asArray("shape", x).shape;
export const size = (x: AL): number => asArray("size", x).size;
export const isscalar = (x: unknown): boolean => typeof x === "number" || typeof x === "boolean";
export function astype(x: AL, dtype: JaxArray["dtype"]): JaxArray {
  return asArray("astype", x).astype(dtype);
}
export * as linalg from "./decompositions.js";
