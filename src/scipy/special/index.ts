/**
 * jax.scipy.special: special functions on float32 arrays, differentiable, batchable and
 * jittable. The iterative ones (incomplete gamma and beta, Bessel, zeta) are lax primitives
 * (src/lax/special.ts); the rest are compositions of lax operations, as in JAX.
 */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats } from "./util.js";

export {
  betainc,
  betaln,
  digamma,
  factorial,
  gammainc,
  gammaincc,
  gammaln,
  multigammaln,
  polygamma,
  zeta,
} from "./gamma.js";
export { expit, logit, logSoftmax, softmax, xlog1py, xlogy } from "./logistic.js";
export { type LogsumexpOptions, logsumexp } from "./logsumexp.js";
export { erf, erfc, erfinv, logNdtr, ndtr, ndtri } from "./normal.js";

/** jax.scipy.special.i0e: the exponentially scaled modified Bessel function exp(-|x|) I_0(x). */
export function i0e(x: ArrayLike): JaxArray {
  return lax.besselI0e(floats("i0e", x)[0]!);
}
/** jax.scipy.special.i1e: exp(-|x|) I_1(x). */
export function i1e(x: ArrayLike): JaxArray {
  return lax.besselI1e(floats("i1e", x)[0]!);
}
