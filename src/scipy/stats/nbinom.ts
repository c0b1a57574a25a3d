/** jax.scipy.stats.nbinom: failures k before the n-th success (n > 0 need not be whole). */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import { expOf, logBinomTerm, notInteger } from "./util.js";

/**
 * logpmf(k, n, p, loc=0) = log(Gamma(n+k) / (Gamma(n) k!) p^n (1-p)^k), as n/(n+k) times the
 * binomial probability of n successes in n + k trials (Loader's dnbinom), so that large n and k
 * keep their digits. -inf off the non-negative integers.
 */
export function logpmf(k: ArrayLike, n: ArrayLike, p: ArrayLike, loc: ArrayLike = 0): JaxArray {
  const [kk, nn, pp, l] = floats("nbinom.logpmf", k, n, p, loc);
  const x = lax.sub(kk!, l!);
  const outside = lax.bitwiseOr(lax.lt(x, 0), notInteger(x));
  const safeX = lax.max(x, jnp.zerosLike(x));
  const trials = lax.add(nn!, safeX);
  const value = lax.add(lax.log(lax.div(nn!, trials)), logBinomTerm(nn!, trials, pp!));
  return jnp.where(outside, -Infinity, value);
}
export const pmf = expOf(logpmf);
