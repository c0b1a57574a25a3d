/** jax.scipy.stats.uniform on [loc, loc + scale]. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import { expOf, standardize } from "./util.js";

/** logpdf(x, loc=0, scale=1) = -log(scale) on [loc, loc + scale], -inf elsewhere. */
export function logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [xx, l, s] = floats("uniform.logpdf", x, loc, scale);
  const y = standardize(xx!, l!, s!);
  const outside = lax.bitwiseOr(lax.lt(y, 0), lax.gt(y, 1));
  return jnp.where(outside, -Infinity, lax.neg(lax.log(lax.mul(s!, jnp.onesLike(y)))));
}
export const pdf = expOf(logpdf);
/** cdf(x, loc=0, scale=1) = clip((x - loc) / scale, 0, 1). */
export function cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [xx, l, s] = floats("uniform.cdf", x, loc, scale);
  return jnp.clip(standardize(xx!, l!, s!), 0, 1);
}
/** ppf(q, loc=0, scale=1) = loc + q scale; nan off [0, 1]. */
export function ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [qq, l, s] = floats("uniform.ppf", q, loc, scale);
  const outside = lax.bitwiseOr(lax.lt(qq!, 0), lax.gt(qq!, 1));
  return jnp.where(outside, Number.NaN, lax.add(l!, lax.mul(qq!, s!)));
}
