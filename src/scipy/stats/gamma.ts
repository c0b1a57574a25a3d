/** jax.scipy.stats.gamma. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { gammainc, gammaincc } from "../special/index.js";
import { floats } from "../special/util.js";
import { expOf, logGammaDensity, standardize, tailFunctions } from "./util.js";

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
export const pdf = expOf(logpdf);
/** [a, y] with y clamped to 0 below loc. */
const clampedY = (
  name: string,
  x: ArrayLike,
  a: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
) => {
  const [xx, aa, l, s] = floats(name, x, a, loc, scale);
  return [aa!, lax.max(standardize(xx!, l!, s!), jnp.zerosLike(xx!))] as const;
};
/**
 * cdf(x, a, loc=0, scale=1) = P(a, y), the regularized lower incomplete gamma function, and
 * sf = Q(a, y), exact in the upper tail where 1 - cdf is not.
 */
export const { cdf, logcdf, sf, logsf } = tailFunctions(
  "gamma",
  clampedY,
  ([a, y]) => gammainc(a, y),
  ([a, y]) => gammaincc(a, y),
);
