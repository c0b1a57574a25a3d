/** jax.scipy.stats.expon. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import { expOf, log1mexp, standardize } from "./util.js";

const read = (name: string, x: ArrayLike, loc: ArrayLike, scale: ArrayLike) => {
  const [xx, l, s] = floats(name, x, loc, scale);
  const y = standardize(xx!, l!, s!);
  return { y, below: lax.lt(y, 0), scale: s! };
};

/** logpdf(x, loc=0, scale=1) = -y - log(scale); -inf below loc. */
export function logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { y, below, scale: s } = read("expon.logpdf", x, loc, scale);
  return jnp.where(below, -Infinity, lax.neg(lax.add(y, lax.log(s))));
}
export const pdf = expOf(logpdf);
/** cdf(x, loc=0, scale=1) = -expm1(-y), exact for small y. */
export function cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { y, below } = read("expon.cdf", x, loc, scale);
  return jnp.where(below, 0, lax.neg(lax.expm1(lax.neg(lax.max(y, jnp.zerosLike(y))))));
}
/** logcdf(x, loc=0, scale=1) = log(1 - exp(-y)). */
export function logcdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { y, below } = read("expon.logcdf", x, loc, scale);
  return jnp.where(below, -Infinity, log1mexp(lax.neg(lax.max(y, jnp.zerosLike(y)))));
}
export const sf = expOf(logsf);
/** logsf(x, loc=0, scale=1) = -y, 0 below loc. */
export function logsf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { y, below } = read("expon.logsf", x, loc, scale);
  return jnp.where(below, 0, lax.neg(y));
}
/** ppf(q, loc=0, scale=1) = loc - scale log1p(-q); nan off [0, 1]. */
export function ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [qq, l, s] = floats("expon.ppf", q, loc, scale);
  const value = lax.sub(l!, lax.mul(s!, lax.log1p(lax.neg(qq!))));
  return jnp.where(lax.bitwiseOr(lax.lt(qq!, 0), lax.gt(qq!, 1)), Number.NaN, value);
}
