/** Matrix helpers shared by the linear algebra rules and jnp.linalg (not part of jax.lax). */
import type { JaxArray } from "../core/array.js";
import { cachedScalar } from "../core/constants.js";
import { ValueError } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import * as el from "./elementwise.js";
import { zerosLike } from "./jvp_rules.js";
import { dotGeneral } from "./linalg.js";
import { reduceSum } from "./reduction.js";
import * as st from "./structural.js";

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Batched matrix product over equal leading dimensions. */
export function matmul(a: JaxArray, b: JaxArray): JaxArray {
  const n = a.ndim;
  const batch = range(n - 2);
  return dotGeneral(a, b, [
    [[n - 1], [n - 2]],
    [batch, batch],
  ]);
}
/** Swaps the last two dimensions. */
export function mT(a: JaxArray): JaxArray {
  const n = a.ndim;
  return st.transpose(a, [...range(n - 2), n - 1, n - 2]);
}
/** Keeps the entries on or below diagonal k (lower) or on or above it (upper); zeros elsewhere. */
function triangle(x: JaxArray, k: number, lower: boolean): JaxArray {
  const rows = st.broadcastedIota("int32", x.shape, x.ndim - 2);
  const cols = st.broadcastedIota("int32", x.shape, x.ndim - 1);
  const diag = el.add(rows, k);
  return st.select(lower ? el.le(cols, diag) : el.ge(cols, diag), x, zerosLike(x));
}
export const tril = (x: JaxArray, k = 0) => triangle(x, k, true);
export const triu = (x: JaxArray, k = 0) => triangle(x, k, false);
/**
 * 1 where mask holds, else 0, in a float dtype. A select rather than convert_element_type:
 * tf.js's webgpu cast from bool/int32 to float32 relabels the buffer without converting it.
 */
export function maskAs(mask: JaxArray, dtype: JaxArray["dtype"]): JaxArray {
  const one = st.broadcastInDim(cachedScalar(1, dtype, false), mask.shape, []);
  return st.select(mask, one, zerosLike(one));
}
/** The identity of x's matrix shape, broadcast over its batch dimensions. */
export function eyeLike(x: JaxArray): JaxArray {
  const rows = st.broadcastedIota("int32", x.shape, x.ndim - 2);
  const cols = st.broadcastedIota("int32", x.shape, x.ndim - 1);
  return maskAs(el.eq(rows, cols), x.dtype);
}
/** The diagonal of square matrices: [..., n, n] -> [..., n]. */
export function diagonal(x: JaxArray): JaxArray {
  return reduceSum(el.mul(x, eyeLike(x)), [x.ndim - 1]);
}
/** Vectors to diagonal matrices: [..., n] -> [..., n, n]. */
export function diagMatrix(v: JaxArray): JaxArray {
  const shape = [...v.shape, v.shape[v.ndim - 1]!];
  const cols = st.broadcastInDim(v, shape, [...range(v.ndim - 1), v.ndim]);
  return el.mul(cols, eyeLike(cols));
}
/** Broadcasts a vector [..., n] along a new row axis: [..., 1->m, n] (each row equal to v). */
export function asRows(v: JaxArray, m: number): JaxArray {
  return st.broadcastInDim(
    v,
    [...v.shape.slice(0, -1), m, v.shape[v.ndim - 1]!],
    [...range(v.ndim - 1), v.ndim],
  );
}
/** Broadcasts a vector [..., m] along a new column axis: [..., m, n] (each column equal to v). */
export function asCols(v: JaxArray, n: number): JaxArray {
  return st.broadcastInDim(v, [...v.shape, n], range(v.ndim));
}

/** Broadcasts the batch (leading) dimensions of matrices a and b against each other. */
export function broadcastBatch(fn: string, a: JaxArray, b: JaxArray): [JaxArray, JaxArray] {
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const n = Math.max(ba.length, bb.length);
  const pad = (s: readonly number[]) => [...new Array<number>(n - s.length).fill(1), ...s];
  const [pa, pb] = [pad(ba), pad(bb)];
  const batch = pa.map((d, i) => {
    const e = pb[i]!;
    if (d !== e && d !== 1 && e !== 1)
      throw new ValueError(
        `${fn}: batch dimensions of ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not broadcast`,
      );
    return d === 1 ? e : d;
  });
  return [broadcastMatrices(a, batch), broadcastMatrices(b, batch)];
}
function broadcastMatrices(x: JaxArray, batch: number[]): JaxArray {
  const shape = [...batch, ...x.shape.slice(-2)];
  if (shape.length === x.ndim && shape.every((d, i) => d === x.shape[i])) return x;
  const lead = shape.length - x.ndim;
  // Size-1 batch dimensions are squeezed, then broadcast_in_dim places the rest.
  const kept = x.shape
    .map((_, i) => i)
    .filter((i) => i >= x.ndim - 2 || x.shape[i] === shape[i + lead]);
  const squeezed =
    kept.length === x.ndim
      ? x
      : st.reshape(
          x,
          kept.map((i) => x.shape[i]!),
        );
  return st.broadcastInDim(
    squeezed,
    shape,
    kept.map((i) => i + lead),
  );
}
