/**
 * scipy.stats.halfnorm (jax.scipy.stats has none): |Z| for a standard normal Z, scaled and
 * shifted, with scipy's arguments logpdf(x, loc=0, scale=1).
 */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { erf, erfc, erfinv, logNdtr, ndtri } from "../special/index.js";
import { floats } from "../special/util.js";
import { expOf, readHalfLine } from "./util.js";

const LOG_SQRT_2_OVER_PI = 0.5 * Math.log(2 / Math.PI);

/** logpdf(x, loc=0, scale=1) = log(sqrt(2/pi)) - y^2/2 - log(scale); -inf below loc. */
export function logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { y, below, scale: s } = readHalfLine("halfnorm.logpdf", x, loc, scale);
  const value = lax.sub(lax.sub(LOG_SQRT_2_OVER_PI, lax.mul(lax.mul(y, y), 0.5)), lax.log(s));
  return jnp.where(below, -Infinity, value);
}
export const pdf = expOf(logpdf);
/** cdf(x, loc=0, scale=1) = erf(y / sqrt 2), 0 below loc. */
export function cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return erf(lax.mul(readHalfLine("halfnorm.cdf", x, loc, scale).y, Math.SQRT1_2));
}
export function logcdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return lax.log(erf(lax.mul(readHalfLine("halfnorm.logcdf", x, loc, scale).y, Math.SQRT1_2)));
}
/** sf(x, loc=0, scale=1) = erfc(y / sqrt 2), exact in the upper tail. */
export function sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return erfc(lax.mul(readHalfLine("halfnorm.sf", x, loc, scale).y, Math.SQRT1_2));
}
/** logsf(x, loc=0, scale=1) = log 2 + log_ndtr(-y), finite far beyond where erfc underflows. */
export function logsf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return lax.add(logNdtr(lax.neg(readHalfLine("halfnorm.logsf", x, loc, scale).y)), Math.LN2);
}
/**
 * ppf(q, loc=0, scale=1): sqrt(2) erfinv(q) below q = 1/2 and -ndtri((1 - q)/2) above, which
 * keeps the digits of a q near 0 or near 1; nan off [0, 1].
 */
export function ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [qq, l, s] = floats("halfnorm.ppf", q, loc, scale);
  const lower = lax.lt(qq!, 0.5);
  const viaErfinv = lax.mul(erfinv(jnp.where(lower, qq!, 0.25)), Math.SQRT2);
  const viaNdtri = lax.neg(ndtri(lax.mul(lax.sub(1, jnp.where(lower, 0.75, qq!)), 0.5)));
  const z = jnp.where(lower, viaErfinv, viaNdtri);
  const outside = lax.bitwiseOr(lax.lt(qq!, 0), lax.gt(qq!, 1));
  return jnp.where(outside, Number.NaN, lax.add(l!, lax.mul(s!, z)));
}
