/** jax.scipy.stats.t: Student's t distribution. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { betaln } from "../special/index.js";
import { floats } from "../special/util.js";
import { expOf, standardize } from "./util.js";

/**
 * logpdf(x, df, loc=0, scale=1) = -log(sqrt(df) B(df/2, 1/2) scale) - (df+1)/2 log1p(z^2/df).
 * The normalizer is written with betaln rather than lgamma(df/2) - lgamma((df+1)/2), which
 * cancels for large df.
 */
export function logpdf(
  x: ArrayLike,
  df: ArrayLike,
  loc: ArrayLike = 0,
  scale: ArrayLike = 1,
): JaxArray {
  const [xx, d, l, s] = floats("t.logpdf", x, df, loc, scale);
  const z = standardize(xx!, l!, s!);
  const normalizer = lax.add(
    lax.add(betaln(lax.mul(d!, 0.5), 0.5), lax.mul(lax.log(d!), 0.5)),
    lax.log(s!),
  );
  const kernel = lax.mul(lax.add(lax.mul(d!, 0.5), 0.5), lax.log1p(lax.div(lax.mul(z, z), d!)));
  return lax.neg(lax.add(normalizer, kernel));
}
export const pdf = expOf(logpdf);
