/**
 * scipy.stats.halfcauchy (jax.scipy.stats has none): |C| for a standard Cauchy C, with scipy's
 * arguments logpdf(x, loc=0, scale=1).
 */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import { expOf, logOf, readHalfLine } from "./util.js";

/** logpdf(x, loc=0, scale=1) = log(2/pi) - log1p(y^2) - log(scale); -inf below loc. */
export function logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { y, below, scale: s } = readHalfLine("halfcauchy.logpdf", x, loc, scale);
  const value = lax.sub(lax.sub(Math.log(2 / Math.PI), lax.log1p(lax.mul(y, y))), lax.log(s));
  return jnp.where(below, -Infinity, value);
}
export const pdf = expOf(logpdf);
/** cdf(x, loc=0, scale=1) = (2/pi) atan2(y, 1). */
export function cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { y } = readHalfLine("halfcauchy.cdf", x, loc, scale);
  return lax.mul(lax.atan2(y, jnp.onesLike(y)), 2 / Math.PI);
}
export const logcdf = logOf(cdf);
/** sf(x, loc=0, scale=1) = (2/pi) atan2(1, y), which keeps its digits in the upper tail. */
export function sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { y } = readHalfLine("halfcauchy.sf", x, loc, scale);
  return lax.mul(lax.atan2(jnp.onesLike(y), y), 2 / Math.PI);
}
export const logsf = logOf(sf);
/** ppf(q, loc=0, scale=1) = loc + scale tan(pi q / 2); nan off [0, 1]. */
export function ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [qq, l, s] = floats("halfcauchy.ppf", q, loc, scale);
  // near q = 1, tan(pi q / 2) = 1 / tan(pi (1 - q) / 2) with 1 - q exact
  const upper = lax.gt(qq!, 0.5);
  const z = jnp.where(
    upper,
    lax.div(1, lax.tan(lax.mul(lax.sub(1, jnp.where(upper, qq!, 0.75)), Math.PI / 2))),
    lax.tan(lax.mul(jnp.where(upper, 0.25, qq!), Math.PI / 2)),
  );
  const outside = lax.bitwiseOr(lax.lt(qq!, 0), lax.gt(qq!, 1));
  return jnp.where(outside, Number.NaN, lax.add(l!, lax.mul(s!, z)));
}
