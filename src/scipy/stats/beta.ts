/** jax.scipy.stats.beta. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { betainc, betaln, xlog1py, xlogy } from "../special/index.js";
import { floats } from "../special/util.js";
import { expOf, standardize, tailFunctions } from "./util.js";

type Args = [x: ArrayLike, a: ArrayLike, b: ArrayLike, loc?: ArrayLike, scale?: ArrayLike];
const read = (name: string, ...[x, a, b, loc = 0, scale = 1]: Args) => {
  const [xx, aa, bb, l, s] = floats(name, x, a, b, loc, scale);
  return { a: aa!, b: bb!, y: standardize(xx!, l!, s!), scale: s! };
};

/** logpdf(x, a, b, loc=0, scale=1) = (a-1) log y + (b-1) log1p(-y) - log B(a, b); -inf off [0, 1]. */
export function logpdf(...args: Args): JaxArray {
  const { a, b, y, scale } = read("beta.logpdf", ...args);
  const outside = lax.bitwiseOr(lax.lt(y, 0), lax.gt(y, 1));
  const safeY = jnp.where(outside, 0.5, y);
  const linear = lax.add(xlogy(lax.sub(a, 1), safeY), xlog1py(lax.sub(b, 1), lax.neg(safeY)));
  const value = lax.sub(lax.sub(linear, betaln(a, b)), lax.log(scale));
  return jnp.where(outside, -Infinity, value);
}
export const pdf = expOf(logpdf);
const clip01 = (y: JaxArray) => jnp.clip(y, 0, 1);
/** cdf(x, a, b, loc=0, scale=1) = I_y(a, b) and sf = I_{1-y}(b, a). */
export const { cdf, logcdf, sf, logsf } = tailFunctions(
  "beta",
  read,
  ({ a, b, y }) => betainc(a, b, clip01(y)),
  ({ a, b, y }) => betainc(b, a, lax.sub(1, clip01(y))),
);
