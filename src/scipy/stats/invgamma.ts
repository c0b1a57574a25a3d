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
import { expOf, logGammaDensity, standardize, tailFunctions } from "./util.js";

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
export const pdf = expOf(logpdf);
/** [a, 1/y] with y <= 0 mapped to 1/y = inf (cdf 0, sf 1). */
const reciprocal = (
  name: string,
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
) => {
  const [xx, aa, l, s] = floats(name, x, a, loc, scale);
  const y = standardize(xx!, l!, s!);
  return [aa!, jnp.where(lax.gt(y, 0), lax.div(1, y), Infinity)] as const;
};
/** cdf(x, a, loc=0, scale=1) = Q(a, 1/y) and sf = P(a, 1/y). */
export const { cdf, logcdf, sf, logsf } = tailFunctions(
  "invgamma",
  reciprocal,
  ([a, u]) => gammaincc(a, u),
  ([a, u]) => gammainc(a, u),
);
