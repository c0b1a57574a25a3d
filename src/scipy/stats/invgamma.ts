/**
 * scipy.stats.invgamma (jax.scipy.stats has none): 1/X for X ~ Gamma(a), with scipy's argument
 * order logpdf(x, a, loc=0, scale=1).
 */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { gammainc, gammaincc } from "../special/index.js";
import { floats } from "../special/util.js";
import { logGammaDensity, standardize } from "./util.js";

/** logpdf(x, a, loc=0, scale=1): the gamma log-density at u = 1/y less 2 log y; -inf for y <= 0. */
export function logpdf(
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const [xx, aa, l, s] = floats("invgamma.logpdf", x, a, loc, scale);
  const y = standardize(xx!, l!, s!);
  const inside = lax.gt(y, 0);
  const safeY = jnp.where(inside, y, 1);
  const logY = lax.log(safeY);
  const value = lax.sub(
    logGammaDensity(aa!, lax.div(1, safeY)),
    lax.add(lax.mul(logY, 2), lax.log(s!)),
  );
  return jnp.where(inside, value, -Infinity);
}
export function pdf(
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return lax.exp(logpdf(x, a, loc, scale));
}
/** [a, 1/y] with y <= 0 mapped to 1/y = inf (cdf 0, sf 1). */
const reciprocal = (name: string, x: ArrayLike, a: ArrayLike, loc: ArrayLike, scale: ArrayLike) => {
  const [xx, aa, l, s] = floats(name, x, a, loc, scale);
  const y = standardize(xx!, l!, s!);
  return [aa!, jnp.where(lax.gt(y, 0), lax.div(1, y), Infinity)] as const;
};
/** cdf(x, a, loc=0, scale=1) = Q(a, 1/y). */
export function cdf(
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return gammaincc(...reciprocal("invgamma.cdf", x, a, loc, scale));
}
export function logcdf(
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return lax.log(gammaincc(...reciprocal("invgamma.logcdf", x, a, loc, scale)));
}
/** sf(x, a, loc=0, scale=1) = P(a, 1/y). */
export function sf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return gammainc(...reciprocal("invgamma.sf", x, a, loc, scale));
}
export function logsf(
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return lax.log(gammainc(...reciprocal("invgamma.logsf", x, a, loc, scale)));
}
