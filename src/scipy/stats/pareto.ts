/** jax.scipy.stats.pareto: density b / y^(b+1) on y = (x - loc) / scale >= 1. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import { expOf, standardize } from "./util.js";

/** [b, log y with y < 1 clamped to 1, y < 1, scale]. */
const read = (name: string, x: ArrayLike, b: ArrayLike, loc: ArrayLike, scale: ArrayLike) => {
  const [xx, bb, l, s] = floats(name, x, b, loc, scale);
  const y = standardize(xx!, l!, s!);
  const below = lax.lt(y, 1);
  return { b: bb!, logY: lax.log(jnp.where(below, 1, y)), below, scale: s! };
};

/** logpdf(x, b, loc=0, scale=1) = log(b) - (b + 1) log(y) - log(scale); -inf for y < 1. */
export function logpdf(
  x: ArrayLike,
  b: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const r = read("pareto.logpdf", x, b, loc, scale);
  const value = lax.sub(lax.sub(lax.log(r.b), lax.mul(lax.add(r.b, 1), r.logY)), lax.log(r.scale));
  return jnp.where(r.below, -Infinity, value);
}
export const pdf = expOf(logpdf);
/** cdf(x, b, loc=0, scale=1) = 1 - y^-b = -expm1(-b log y). */
export function cdf(
  x: ArrayLike,
  b: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const r = read("pareto.cdf", x, b, loc, scale);
  return lax.neg(lax.expm1(lax.neg(lax.mul(r.b, r.logY))));
}
/** sf(x, b, loc=0, scale=1) = y^-b. */
export function sf(x: ArrayLike, b: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const r = read("pareto.sf", x, b, loc, scale);
  return lax.exp(lax.neg(lax.mul(r.b, r.logY)));
}
/** ppf(q, b, loc=0, scale=1) = loc + scale (1 - q)^(-1/b); nan off [0, 1]. */
export function ppf(
  q: ArrayLike,
  b: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const [qq, bb, l, s] = floats("pareto.ppf", q, b, loc, scale);
  const y = lax.exp(lax.neg(lax.div(lax.log1p(lax.neg(qq!)), bb!)));
  const outside = lax.bitwiseOr(lax.lt(qq!, 0), lax.gt(qq!, 1));
  return jnp.where(outside, Number.NaN, lax.add(l!, lax.mul(s!, y)));
}
