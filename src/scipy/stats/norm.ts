/** jax.scipy.stats.norm. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { logNdtr, ndtr, ndtri } from "../special/normal.js";
import { floats } from "../special/util.js";
import { expOf, readLocScale } from "./util.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** logpdf(x, loc=0, scale=1). */
export function logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { z, scale: s } = readLocScale("norm.logpdf", x, loc, scale);
  return lax.sub(lax.sub(lax.mul(lax.mul(z, z), -0.5), lax.log(s)), LOG_SQRT_2PI);
}
export const pdf = expOf(logpdf);
export function cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return ndtr(readLocScale("norm.cdf", x, loc, scale).z);
}
/** logcdf(x, loc=0, scale=1) through log_ndtr, accurate far into the lower tail. */
export function logcdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return logNdtr(readLocScale("norm.logcdf", x, loc, scale).z);
}
export function sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return ndtr(lax.neg(readLocScale("norm.sf", x, loc, scale).z));
}
export function logsf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return logNdtr(lax.neg(readLocScale("norm.logsf", x, loc, scale).z));
}
/** ppf(q, loc=0, scale=1) = loc + scale ndtri(q). */
export function ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [qq, l, s] = floats("norm.ppf", q, loc, scale);
  return lax.add(lax.mul(ndtri(qq!), s!), l!);
}
