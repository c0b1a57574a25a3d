/** jax.scipy.stats.vonmises: the circular distribution with density e^(kappa cos x) / (2 pi I0(kappa)). */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { i0e } from "../special/index.js";
import { floats } from "../special/util.js";
import { expOf } from "./util.js";

/**
 * logpdf(x, kappa) = kappa (cos x - 1) - log(2 pi i0e(kappa)): log I0(kappa) = log i0e(kappa) +
 * kappa, so the exponentially scaled Bessel function never overflows; cos x - 1 is formed as
 * -2 sin^2(x/2), exact near the mode. nan for kappa <= 0, as JAX.
 */
export function logpdf(x: ArrayLike, kappa: ArrayLike): JaxArray {
  const [xx, k] = floats("vonmises.logpdf", x, kappa);
  const positive = lax.gt(k!, 0);
  const safeK = jnp.where(positive, k!, 1);
  const value = lax.sub(
    lax.mul(safeK, lax.mul(lax.square(lax.sin(lax.mul(xx!, 0.5))), -2)),
    lax.log(lax.mul(i0e(safeK), 2 * Math.PI)),
  );
  return jnp.where(positive, value, Number.NaN);
}
export const pdf = expOf(logpdf);
