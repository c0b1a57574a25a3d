/**
 * jax.scipy.stats.truncnorm: the normal distribution restricted to [a, b] in standardized units,
 * logpdf(x, a, b, loc=0, scale=1). The Gaussian mass of [a, b] is taken in the lower tail by
 * symmetry and from log_ndtr, as scipy and JAX do, so truncations far in a tail stay finite.
 */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { logNdtr, ndtr } from "../special/index.js";
import { floats } from "../special/util.js";
import * as norm from "./norm.js";
import { expOf, logDiffExp, standardize } from "./util.js";

/** log(Phi(b) - Phi(a)) for a <= b. */
function logGaussMass(a: JaxArray, b: JaxArray): JaxArray {
  const left = lax.le(b, 0);
  const right = lax.gt(a, 0);
  // both ends in the lower tail, or reflected there
  const lo = jnp.where(right, lax.neg(b), a);
  const hi = jnp.where(right, lax.neg(a), b);
  const tail = logDiffExp(logNdtr(hi), logNdtr(lo));
  // straddling 0: 1 - Phi(a) - Phi(-b) has no cancellation while the mass is not near 1
  const tails = lax.bitwiseOr(left, right);
  // (a placeholder interval in the branch not taken keeps its gradient finite)
  const ca = jnp.where(tails, -1, a);
  const cb = jnp.where(tails, 1, b);
  const central = lax.log1p(lax.neg(lax.add(ndtr(ca), ndtr(lax.neg(cb)))));
  return jnp.where(tails, tail, central);
}

type Args = [x: ArrayLike, a: ArrayLike, b: ArrayLike, loc?: ArrayLike, scale?: ArrayLike];
const read = (name: string, [x, a, b, loc = 0, scale = 1]: Args) => {
  const [xx, aa, bb, l, s] = floats(name, x, a, b, loc, scale);
  return { x: xx!, a: aa!, b: bb!, loc: l!, scale: s! };
};

/** logpdf(x, a, b, loc=0, scale=1): -inf outside [a, b], nan where a >= b. */
export function logpdf(...args: Args): JaxArray {
  const { x, a, b, loc, scale } = read("truncnorm.logpdf", args);
  const z = standardize(x, loc, scale);
  const value = lax.sub(norm.logpdf(x, loc, scale), logGaussMass(a, b));
  const outside = lax.bitwiseOr(lax.lt(z, a), lax.gt(z, b));
  return jnp.where(lax.ge(a, b), Number.NaN, jnp.where(outside, -Infinity, value));
}
export const pdf = expOf(logpdf);
/** log P(Z <= z | a <= Z <= b), through the complementary mass near 1 (as scipy). */
function standardLogcdf(z: JaxArray, a: JaxArray, b: JaxArray): JaxArray {
  const inside = jnp.clip(z, a, b);
  const total = logGaussMass(a, b);
  const logcdf = lax.sub(logGaussMass(a, inside), total);
  const logsf = lax.sub(logGaussMass(inside, b), total);
  const value = jnp.where(lax.gt(logcdf, -0.1), lax.log1p(lax.neg(lax.exp(logsf))), logcdf);
  const edges = jnp.where(lax.ge(z, b), 0, jnp.where(lax.le(z, a), -Infinity, value));
  return jnp.where(lax.ge(a, b), Number.NaN, edges);
}
export function logcdf(...args: Args): JaxArray {
  const { x, a, b, loc, scale } = read("truncnorm.logcdf", args);
  return standardLogcdf(standardize(x, loc, scale), a, b);
}
export const cdf = expOf(logcdf);
/** logsf through the reflection Z -> -Z, which maps [a, b] to [-b, -a]. */
export function logsf(...args: Args): JaxArray {
  const { x, a, b, loc, scale } = read("truncnorm.logsf", args);
  return standardLogcdf(lax.neg(standardize(x, loc, scale)), lax.neg(b), lax.neg(a));
}
export const sf = expOf(logsf);
