/** jax.scipy.stats.poisson. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import { logPoissonTerm } from "../../lax/log_gamma.js";
import { igammac } from "../../lax/special.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import { expOf } from "./util.js";

/**
 * logpmf(k, mu, loc=0) = k log mu - mu - lgamma(k + 1) at x = k - loc, -inf off the
 * non-negative integers. For counts of 8 and more it is evaluated in Loader's saddle-point form
 * (see logPoissonTerm), exact to float32 rounding even at k = 1e6, where the naive sum of
 * three 1e7-sized terms keeps no correct digit: the basis of the C-statistic.
 */
export function logpmf(k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0): JaxArray {
  const [kk, m, l] = floats("poisson.logpmf", k, mu, loc);
  const x = lax.sub(kk!, l!);
  const value = logPoissonTerm(x, m!);
  const outside = lax.bitwiseOr(lax.lt(x, 0), lax.ne(jnp.round(kk!), kk!));
  return jnp.where(outside, -Infinity, value);
}
export const pmf = expOf(logpmf);
/** cdf(k, mu, loc=0) = Q(floor(x) + 1, mu), 0 below the support. */
export function cdf(k: ArrayLike, mu: ArrayLike, loc: ArrayLike = 0): JaxArray {
  const [kk, m, l] = floats("poisson.cdf", k, mu, loc);
  const x = lax.floor(lax.sub(kk!, l!));
  const safe = jnp.where(lax.lt(x, 0), 0, x);
  return jnp.where(lax.lt(x, 0), 0, igammac(lax.add(safe, 1), m!));
}
