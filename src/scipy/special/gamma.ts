/** The gamma family: gammaln, digamma, polygamma, the incomplete gamma and beta functions, zeta. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import { lgammaCorrection } from "../../lax/log_gamma.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { floats, staticInt } from "./util.js";

/** jax.scipy.special.gammaln: log|Gamma(x)|. */
export function gammaln(x: ArrayLike): JaxArray {
  return lax.lgamma(floats("gammaln", x)[0]!);
}
/** jax.scipy.special.digamma: d/dx log Gamma(x). */
export function digamma(x: ArrayLike): JaxArray {
  return lax.digamma(floats("digamma", x)[0]!);
}
/** jax.scipy.special.polygamma(n, x): the n-th derivative of digamma, n a non-negative integer. */
export function polygamma(n: ArrayLike, x: ArrayLike): JaxArray {
  const [nn, xx] = floats("polygamma", n, x);
  return lax.polygamma(nn!, xx!);
}
/** jax.scipy.special.gammainc(a, x): the regularized lower incomplete gamma function P(a, x). */
export function gammainc(a: ArrayLike, x: ArrayLike): JaxArray {
  const [aa, xx] = floats("gammainc", a, x);
  return lax.igamma(aa!, xx!);
}
/** jax.scipy.special.gammaincc(a, x): the regularized upper incomplete gamma function Q(a, x). */
export function gammaincc(a: ArrayLike, x: ArrayLike): JaxArray {
  const [aa, xx] = floats("gammaincc", a, x);
  return lax.igammac(aa!, xx!);
}
/** jax.scipy.special.betainc(a, b, x): the regularized incomplete beta function I_x(a, b). */
export function betainc(a: ArrayLike, b: ArrayLike, x: ArrayLike): JaxArray {
  const [aa, bb, xx] = floats("betainc", a, b, x);
  return lax.regularizedIncompleteBeta(aa!, bb!, xx!);
}
/** jax.scipy.special.zeta(x, q): the Hurwitz zeta function (Riemann's for q = 1). */
export function zeta(x: ArrayLike, q: ArrayLike = 1): JaxArray {
  const [xx, qq] = floats("zeta", x, q);
  return lax.zeta(xx!, qq!);
}
/** jax.scipy.special.factorial(n) (exact=False): Gamma(n + 1), 0 for n < 0. */
export function factorial(n: ArrayLike): JaxArray {
  const x = floats("factorial", n)[0]!;
  return jnp.where(lax.lt(x, 0), 0, lax.exp(lax.lgamma(lax.add(x, 1))));
}
/** jax.scipy.special.multigammaln(a, d): log of the multivariate gamma function of dimension d. */
export function multigammaln(a: ArrayLike, d: number): JaxArray {
  const dim = staticInt("multigammaln", "d", d);
  const x = floats("multigammaln", a)[0]!;
  let sum = lax.lgamma(x);
  for (let j = 1; j < dim; j++) sum = lax.add(sum, lax.lgamma(lax.sub(x, j / 2)));
  return lax.add(sum, (dim * (dim - 1) * Math.log(Math.PI)) / 4);
}

// --- log-gamma differences without cancellation ------------------------------------------------
/** lgamma(y) - lgamma(x + y) for y >= 8 (TFP's log_gamma_difference for a big y). */
function logGammaDifferenceBigY(x: JaxArray, y: JaxArray): JaxArray {
  const cancelledStirling = lax.add(
    lax.sub(
      lax.neg(lax.mul(lax.sub(lax.add(x, y), 0.5), lax.log1p(lax.div(x, y)))),
      lax.mul(x, lax.log(y)),
    ),
    x,
  );
  return lax.add(lax.sub(lgammaCorrection(y), lgammaCorrection(lax.add(x, y))), cancelledStirling);
}

/**
 * jax.scipy.special.betaln(a, b): log B(a, b), by TFP's lbeta (as JAX): Stirling's series where an
 * argument is large, so that lgamma(a) + lgamma(b) - lgamma(a + b) does not cancel.
 */
export function betaln(a: ArrayLike, b: ArrayLike): JaxArray {
  const [aa, bb] = floats("betaln", a, b);
  const x = lax.min(aa!, bb!);
  const y = lax.max(aa!, bb!);
  const naive = lax.sub(lax.add(lax.lgamma(x), lax.lgamma(y)), lax.lgamma(lax.add(x, y)));
  const bigY = lax.max(y, jnp.fullLike(y, 8));
  const bigX = lax.max(x, jnp.fullLike(x, 8));
  const smallLarge = lax.add(lax.lgamma(x), logGammaDifferenceBigY(x, bigY));
  const correction = lax.sub(
    lax.add(lgammaCorrection(bigX), lgammaCorrection(bigY)),
    lgammaCorrection(lax.add(bigX, bigY)),
  );
  const largeLarge = lax.sub(
    lax.add(
      lax.add(lax.mul(-0.5, lax.log(bigY)), 0.5 * Math.log(2 * Math.PI)),
      lax.add(correction, lax.mul(lax.sub(bigX, 0.5), lax.log(lax.div(bigX, lax.add(bigX, bigY))))),
    ),
    lax.mul(bigY, lax.log1p(lax.div(bigX, bigY))),
  );
  return jnp.where(lax.lt(y, 8), naive, jnp.where(lax.lt(x, 8), smallLarge, largeLarge));
}
