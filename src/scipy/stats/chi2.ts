/** jax.scipy.stats.chi2: the gamma distribution with shape df / 2 and scale 2. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "../special/util.js";
import * as gamma from "./gamma.js";
import { expOf } from "./util.js";

const asGamma = (name: string, x: ArrayLike, df: ArrayLike, loc: ArrayLike, scale: ArrayLike) => {
  const [xx, d, l, s] = floats(name, x, df, loc, scale);
  return [xx!, lax.mul(d!, 0.5), l!, lax.mul(s!, 2)] as const;
};
/** gamma's method as chi2's method(x, df, loc=0, scale=1), named chi2's in errors. */
const viaGamma =
  (method: string, f: typeof gamma.cdf) =>
  (x: ArrayLike, df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): JaxArray =>
    f(...asGamma(`chi2.${method}`, x, df, loc, scale));

export const logpdf = viaGamma("logpdf", gamma.logpdf);
export const pdf = expOf(logpdf);
export const cdf = viaGamma("cdf", gamma.cdf);
export const logcdf = viaGamma("logcdf", gamma.logcdf);
export const sf = viaGamma("sf", gamma.sf);
export const logsf = viaGamma("logsf", gamma.logsf);
