/** jax.scipy.stats.geom: the number of trials up to and including the first success. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { xlog1py } from "../special/index.js";
import { floats } from "../special/util.js";
import { expOf, notInteger } from "./util.js";

/** logpmf(k, p, loc=0) = (k - 1) log1p(-p) + log(p); -inf off {1, 2, ...}. */
export function logpmf(k: ArrayLike, p: ArrayLike, loc: ArrayLike = 0): JaxArray {
  const [kk, pp, l] = floats("geom.logpmf", k, p, loc);
  const x = lax.sub(kk!, l!);
  const value = lax.add(xlog1py(lax.sub(x, 1), lax.neg(pp!)), lax.log(pp!));
  return jnp.where(lax.bitwiseOr(lax.lt(x, 1), notInteger(x)), -Infinity, value);
}
export const pmf = expOf(logpmf);
