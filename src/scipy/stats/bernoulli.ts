/** jax.scipy.stats.bernoulli. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { xlog1py, xlogy } from "../special/index.js";
import { floats } from "../special/util.js";
import { expOf } from "./util.js";

/** logpmf(k, p, loc=0) = k log p + (1 - k) log1p(-p) for k - loc in {0, 1}, -inf elsewhere. */
export function logpmf(k: ArrayLike, p: ArrayLike, loc: ArrayLike = 0): JaxArray {
  const [kk, pp, l] = floats("bernoulli.logpmf", k, p, loc);
  const x = lax.sub(kk!, l!);
  const value = lax.add(xlogy(x, pp!), xlog1py(lax.sub(1, x), lax.neg(pp!)));
  return jnp.where(lax.bitwiseOr(lax.eq(x, 0), lax.eq(x, 1)), value, -Infinity);
}
export const pmf = expOf(logpmf);
/** cdf(k, p): 0 below 0, 1 - p on [0, 1), 1 from 1; nan for p off [0, 1]. */
export function cdf(k: ArrayLike, p: ArrayLike): JaxArray {
  const [kk, pp] = floats("bernoulli.cdf", k, p);
  const value = jnp.where(lax.lt(kk!, 0), 0, jnp.where(lax.lt(kk!, 1), lax.sub(1, pp!), 1));
  return jnp.where(lax.bitwiseOr(lax.lt(pp!, 0), lax.gt(pp!, 1)), Number.NaN, value);
}
/** ppf(q, p): 0 for q <= 1 - p, else 1; nan for q or p off [0, 1]. */
export function ppf(q: ArrayLike, p: ArrayLike): JaxArray {
  const [qq, pp] = floats("bernoulli.ppf", q, p);
  const off = (v: JaxArray) => lax.bitwiseOr(lax.lt(v, 0), lax.gt(v, 1));
  const value = jnp.where(lax.le(qq!, lax.sub(1, pp!)), 0, 1);
  return jnp.where(lax.bitwiseOr(off(qq!), off(pp!)), Number.NaN, value);
}
