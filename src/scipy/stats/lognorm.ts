/**
 * scipy.stats.lognorm (jax.scipy.stats has none): exp(s Z) for a standard normal Z, scaled and
 * shifted, with scipy's arguments logpdf(x, s, loc=0, scale=1).
 */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { logNdtr, ndtr, ndtri } from "../special/index.js";
import { floats } from "../special/util.js";
import { expOf, standardize } from "./util.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** z = log(y) / s, -inf for y <= 0 (where ndtr(-inf) would give nan, cdf and sf answer 0 and 1). */
const read = (name: string, x: ArrayLike, s: ArrayLike, loc: ArrayLike, scale: ArrayLike) => {
  const [xx, ss, l, sc] = floats(name, x, s, loc, scale);
  const y = standardize(xx!, l!, sc!);
  const inside = lax.gt(y, 0);
  const logY = lax.log(jnp.where(inside, y, 1));
  return { z: jnp.where(inside, lax.div(logY, ss!), -Infinity), logY, inside, s: ss!, scale: sc! };
};

/** logpdf(x, s, loc=0, scale=1) = -(log y)^2 / (2 s^2) - log(s y scale sqrt(2 pi)); -inf for y <= 0. */
export function logpdf(
  x: ArrayLike,
  s: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const r = read("lognorm.logpdf", x, s, loc, scale);
  const z = lax.div(r.logY, r.s);
  const value = lax.sub(
    lax.mul(lax.mul(z, z), -0.5),
    lax.add(lax.add(lax.log(r.s), r.logY), lax.add(lax.log(r.scale), LOG_SQRT_2PI)),
  );
  return jnp.where(r.inside, value, -Infinity);
}
export const pdf = expOf(logpdf);
/** cdf(x, s, loc=0, scale=1) = ndtr(log(y) / s). */
export function cdf(
  x: ArrayLike,
  s: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const r = read("lognorm.cdf", x, s, loc, scale);
  return jnp.where(r.inside, ndtr(r.z), 0);
}
export function logcdf(
  x: ArrayLike,
  s: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  return logNdtr(read("lognorm.logcdf", x, s, loc, scale).z);
}
export function sf(x: ArrayLike, s: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray {
  const r = read("lognorm.sf", x, s, loc, scale);
  return jnp.where(r.inside, ndtr(lax.neg(r.z)), 1);
}
export function logsf(
  x: ArrayLike,
  s: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const r = read("lognorm.logsf", x, s, loc, scale);
  return jnp.where(r.inside, logNdtr(lax.neg(r.z)), 0);
}
/** ppf(q, s, loc=0, scale=1) = loc + scale exp(s ndtri(q)). */
export function ppf(
  q: ArrayLike,
  s: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const [qq, ss, l, sc] = floats("lognorm.ppf", q, s, loc, scale);
  return lax.add(l!, lax.mul(sc!, lax.exp(lax.mul(ss!, ndtri(qq!)))));
}
