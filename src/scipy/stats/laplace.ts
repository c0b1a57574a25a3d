/** jax.scipy.stats.laplace. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import { expOf, standardize } from "./util.js";

/** logpdf(x, loc=0, scale=1) = -log(2 scale) - |z|. */
export function logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [xx, l, s] = floats("laplace.logpdf", x, loc, scale);
  const z = standardize(xx!, l!, s!);
  return lax.sub(lax.neg(lax.abs(z)), lax.log(lax.mul(s!, 2)));
}
export const pdf = expOf(logpdf);
/** cdf(x, loc=0, scale=1): e^z / 2 below loc (exact far into the lower tail), 1 - e^-z / 2 above. */
export function cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [xx, l, s] = floats("laplace.cdf", x, loc, scale);
  const z = standardize(xx!, l!, s!);
  const halfTail = lax.mul(lax.exp(lax.neg(lax.abs(z))), 0.5);
  return jnp.where(lax.lt(z, 0), halfTail, lax.sub(1, halfTail));
}
