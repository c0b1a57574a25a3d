/** jax.scipy.stats.gamma. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { gammainc, gammaincc } from "../special/index.js";
import { floats } from "../special/util.js";
import { logGammaDensity, standardize } from "./util.js";

/** logpdf(x, a, loc=0, scale=1): -inf below loc. */
export function logpdf(
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const [xx, aa, l, s] = floats("gamma.logpdf", x, a, loc, scale);
  const y = standardize(xx!, l!, s!);
  const inside = lax.ge(y, 0);
  const value = lax.sub(logGammaDensity(aa!, jnp.where(inside, y, 0)), lax.log(s!));
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
const clampedY = (name: string, x: ArrayLike, a: ArrayLike, loc: ArrayLike, scale: ArrayLike) => {
  const [xx, aa, l, s] = floats(name, x, a, loc, scale);
  return [aa!, lax.max(standardize(xx!, l!, s!), jnp.zerosLike(xx!))] as const;
};
/** cdf(x, a, loc=0, scale=1) = P(a, y), the regularized lower incomplete gamma function. */
export function cdf(
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return gammainc(...clampedY("gamma.cdf", x, a, loc, scale));
}
export function logcdf(
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return lax.log(gammainc(...clampedY("gamma.logcdf", x, a, loc, scale)));
}
/** sf(x, a, loc=0, scale=1) = Q(a, y), exact in the upper tail where 1 - cdf is not. */
export function sf(x: ArrayLike, a: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  return gammaincc(...clampedY("gamma.sf", x, a, loc, scale));
}
export function logsf(
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return lax.log(gammaincc(...clampedY("gamma.logsf", x, a, loc, scale)));
}
