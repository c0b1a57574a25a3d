/** jax.scipy.stats.chi2: the gamma distribution with shape df / 2 and scale 2. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import * as gamma from "./gamma.js";

const asGamma = (name: string, x: ArrayLike, df: ArrayLike, loc: ArrayLike, scale: ArrayLike) => {
  const [xx, d, l, s] = floats(name, x, df, loc, scale);
  return [xx!, lax.mul(d!, 0.5), l!, lax.mul(s!, 2)] as const;
};
/** logpdf(x, df, loc=0, scale=1). */
export function logpdf(
  x: ArrayLike,
  df: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return gamma.logpdf(...asGamma("chi2.logpdf", x, df, loc, scale));
}
export function pdf(
  x: ArrayLike,
  df: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return lax.exp(logpdf(x, df, loc, scale));
}
export function cdf(
  x: ArrayLike,
  df: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return gamma.cdf(...asGamma("chi2.cdf", x, df, loc, scale));
}
export function logcdf(
  x: ArrayLike,
  df: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return gamma.logcdf(...asGamma("chi2.logcdf", x, df, loc, scale));
}
export function sf(
  x: ArrayLike,
  df: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return gamma.sf(...asGamma("chi2.sf", x, df, loc, scale));
}
export function logsf(
  x: ArrayLike,
  df: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return gamma.logsf(...asGamma("chi2.logsf", x, df, loc, scale));
}
