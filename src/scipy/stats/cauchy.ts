/** jax.scipy.stats.cauchy. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import { expOf, logOf, readLocScale } from "./util.js";

/** logpdf(x, loc=0, scale=1) = -log(pi scale) - log1p(z^2). */
export function logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { z, scale: s } = readLocScale("cauchy.logpdf", x, loc, scale);
  return lax.sub(lax.neg(lax.log1p(lax.mul(z, z))), lax.log(lax.mul(s, Math.PI)));
}
export const pdf = expOf(logpdf);
/** cdf(x, loc=0, scale=1) = atan2(1, -z) / pi: 1/2 + atan(z)/pi without its cancellation at z << 0. */
export function cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { z } = readLocScale("cauchy.cdf", x, loc, scale);
  return lax.mul(lax.atan2(jnp.onesLike(z), lax.neg(z)), 1 / Math.PI);
}
export const logcdf = logOf(cdf);
/** sf(x, loc=0, scale=1) = atan2(1, z) / pi. */
export function sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { z } = readLocScale("cauchy.sf", x, loc, scale);
  return lax.mul(lax.atan2(jnp.onesLike(z), z), 1 / Math.PI);
}
export const logsf = logOf(sf);
/**
 * tan(pi (q - 1/2)): as -1 / tan(pi q) below 1/4 and 1 / tan(pi (1 - q)) above 3/4, so that a q
 * near 0 or 1 keeps its digits (pi (q - 1/2) would round to a float32 next to pi/2).
 */
function standardPpf(q: JaxArray): JaxArray {
  const lower = lax.lt(q, 0.25);
  const upper = lax.gt(q, 0.75);
  const central = jnp.where(lax.bitwiseOr(lower, upper), 0.5, q);
  const viaTan = lax.tan(lax.mul(lax.sub(central, 0.5), Math.PI));
  const lowerCot = lax.neg(lax.div(1, lax.tan(lax.mul(jnp.where(lower, q, 0.1), Math.PI))));
  const upperCot = lax.div(1, lax.tan(lax.mul(lax.sub(1, jnp.where(upper, q, 0.9)), Math.PI)));
  const z = jnp.where(lower, lowerCot, jnp.where(upper, upperCot, viaTan));
  return jnp.where(lax.bitwiseOr(lax.lt(q, 0), lax.gt(q, 1)), Number.NaN, z);
}
/** ppf(q, loc=0, scale=1) = loc + scale tan(pi (q - 1/2)); nan off [0, 1]. */
export function ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [qq, l, s] = floats("cauchy.ppf", q, loc, scale);
  return lax.add(l!, lax.mul(s!, standardPpf(qq!)));
}
/** isf(q, loc=0, scale=1) = ppf(1 - q) = loc - scale tan(pi (q - 1/2)). */
export function isf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [qq, l, s] = floats("cauchy.isf", q, loc, scale);
  return lax.sub(l!, lax.mul(s!, standardPpf(qq!)));
}
