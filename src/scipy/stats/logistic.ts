/** jax.scipy.stats.logistic. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { expit, logit } from "../special/index.js";
import { floats } from "../special/util.js";
import { expOf, readLocScale } from "./util.js";

/** -log(1 + e^-z) = log expit(z), without overflow for z << 0. */
const logExpit = (z: JaxArray) =>
  lax.neg(lax.add(lax.max(lax.neg(z), lax.mul(z, 0)), lax.log1p(lax.exp(lax.neg(lax.abs(z))))));

/** logpdf(x, loc=0, scale=1) = -|z| - 2 log1p(e^-|z|) - log(scale) (the density is even in z). */
export function logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const { z, scale: s } = readLocScale("logistic.logpdf", x, loc, scale);
  const a = lax.abs(z);
  return lax.sub(lax.neg(lax.add(a, lax.mul(lax.log1p(lax.exp(lax.neg(a))), 2))), lax.log(s));
}
export const pdf = expOf(logpdf);
/** cdf(x, loc=0, scale=1) = expit(z). */
export function cdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return expit(readLocScale("logistic.cdf", x, loc, scale).z);
}
export function logcdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return logExpit(readLocScale("logistic.logcdf", x, loc, scale).z);
}
/** sf(x, loc=0, scale=1) = expit(-z). */
export function sf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return expit(lax.neg(readLocScale("logistic.sf", x, loc, scale).z));
}
export function logsf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return logExpit(lax.neg(readLocScale("logistic.logsf", x, loc, scale).z));
}
/** ppf(q, loc=0, scale=1) = loc + scale logit(q). */
export function ppf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [qq, l, s] = floats("logistic.ppf", q, loc, scale);
  return lax.add(l!, lax.mul(s!, logit(qq!)));
}
/** isf(q, loc=0, scale=1) = loc - scale logit(q). */
export function isf(q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const [qq, l, s] = floats("logistic.isf", q, loc, scale);
  return lax.sub(l!, lax.mul(s!, logit(qq!)));
}
