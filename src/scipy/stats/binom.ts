/** jax.scipy.stats.binom. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import { expOf, logBinomTerm, notInteger } from "./util.js";

/** logpmf(k, n, p, loc=0): -inf off {0, ..., n} (non-integers included, as scipy). */
export function logpmf(k: ArrayLike, n: ArrayLike, p: ArrayLike, loc: ArrayLike = 0): JaxArray {
  const [kk, nn, pp, l] = floats("binom.logpmf", k, n, p, loc);
  const x = lax.sub(kk!, l!);
  const outside = lax.bitwiseOr(lax.bitwiseOr(lax.lt(x, 0), lax.gt(x, nn!)), notInteger(x));
  const value = logBinomTerm(jnp.clip(x, 0, nn!), nn!, pp!);
  return jnp.where(outside, -Infinity, value);
}
export const pmf = expOf(logpmf);
