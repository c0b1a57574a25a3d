/**
 * jax.scipy.special.logsumexp, the one implementation (jax.nn.logsumexp is this function):
 * log |sum(b exp(a))| with the shift by the maximum, its sign, and a custom JVP so that the
 * derivative stays finite where a naive chain rule would meet inf/inf.
 */
import type { JaxArray } from "../../core/array.js";
import { normalizeAxes } from "../../core/shape.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import { type ArrayLike, broadcastArraysTo, promoteInexact } from "../../numpy/util.js";
import { customJvp } from "../../transforms/custom_derivatives.js";

export interface LogsumexpOptions {
  axis?: number | readonly number[] | null;
  /** Weights: log |sum(b exp(a))|; entries with b = 0 are dropped, as JAX's where(b != 0, a, -inf). */
  b?: ArrayLike | null;
  keepdims?: boolean;
  /** Return [log |sum|, sign of the sum] instead of nan for a negative sum. */
  returnSign?: boolean;
}

/** The shifted weighted exponentials, their sum (keepdims) and the shift. */
function parts(a: JaxArray, b: JaxArray, axes: number[]) {
  const masked = jnp.where(lax.eq(b, 0), -Infinity, a);
  const kept = jnp.max(masked, { axis: axes, keepdims: true });
  // With every entry -inf (or an inf max) the shift is 0, so the result is -inf (or inf).
  const shift = lax.stopGradient(jnp.where(jnp.isfinite(kept), kept, 0));
  const exps = jnp.multiply(jnp.exp(jnp.subtract(masked, shift)), b);
  const summed = jnp.sum(exps, { axis: axes, keepdims: true });
  return { masked, shift, exps, summed };
}

const weighted = customJvp(
  function logsumexp(a: JaxArray, b: JaxArray, axes: number[], keepdims: boolean) {
    const { shift, summed } = parts(a, b, axes);
    const out = jnp.add(jnp.log(jnp.abs(summed)), shift);
    const drop = (y: JaxArray) => (keepdims ? y : lax.squeeze(y, axes));
    return [drop(out), drop(jnp.sign(summed))];
  },
  { nondiffArgnums: [2, 3] },
).defjvp(((axes: number[], keepdims: boolean, [a, b]: JaxArray[], [da, db]: JaxArray[]) => {
  const { masked, shift, exps, summed } = parts(a!, b!, axes);
  // d log|S| = dS / S with dS = sum(b e^(a - shift) da + e^(a - shift) db)
  const e = jnp.exp(jnp.subtract(masked, shift));
  const dS = jnp.sum(jnp.add(jnp.multiply(exps, da!), jnp.multiply(e, db!)), {
    axis: axes,
    keepdims: true,
  });
  const drop = (y: JaxArray) => (keepdims ? y : lax.squeeze(y, axes));
  const sign = jnp.sign(summed);
  return [
    [drop(jnp.add(jnp.log(jnp.abs(summed)), shift)), drop(sign)],
    [drop(jnp.divide(dS, summed)), drop(jnp.zerosLike(sign))],
  ];
}) as never);

/**
 * jax.scipy.special.logsumexp(a, {axis, b, keepdims, returnSign}): log(sum(b exp(a))) without
 * overflow. A negative weighted sum gives nan unless returnSign, which returns [value, sign].
 */
export function logsumexp(
  a: ArrayLike,
  opts: LogsumexpOptions & { returnSign: true },
): [JaxArray, JaxArray];
export function logsumexp(a: ArrayLike, opts?: LogsumexpOptions): JaxArray;
export function logsumexp(
  a: ArrayLike,
  opts: LogsumexpOptions = {},
): JaxArray | [JaxArray, JaxArray] {
  const hasB = opts.b !== undefined && opts.b !== null;
  let [x, w] = hasB
    ? promoteInexact("logsumexp", a, opts.b as ArrayLike)
    : promoteInexact("logsumexp", a, 1);
  if (hasB) [x, w] = broadcastArraysTo("logsumexp", [x!, w!], false);
  else w = lax.broadcastInDim(w!, x!.shape, []);
  const axes = normalizeAxes("logsumexp", opts.axis, x!.ndim);
  const [value, sign] = weighted(x!, w!, axes, opts.keepdims ?? false) as [JaxArray, JaxArray];
  if (opts.returnSign) return [value, sign];
  return hasB ? jnp.where(lax.lt(sign, 0), Number.NaN, value) : value;
}
