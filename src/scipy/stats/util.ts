/** Helpers shared by the jax.scipy.stats distributions. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import { lgammaCorrection, log1pmx, logPoissonTerm } from "../../lax/log_gamma.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { betaln, xlog1py, xlogy } from "../special/index.js";
import { floats } from "../special/util.js";

/** (x - loc) / scale, the standardized variable of a location-scale family. */
export function standardize(x: JaxArray, loc: JaxArray, scale: JaxArray): JaxArray {
  return lax.div(lax.sub(x, loc), scale);
}

/** The float arguments of a location-scale function as z = (x - loc) / scale and the scale. */
export function readLocScale(name: string, x: ArrayLike, loc: ArrayLike, scale: ArrayLike) {
  const [xx, l, s] = floats(name, x, loc, scale);
  return { z: standardize(xx!, l!, s!), scale: s! };
}

/**
 * The same for a distribution on the half-line y = (x - loc) / scale >= 0: y clamped to 0 below
 * loc (so that the branch not taken stays finite), and where that happened.
 */
export function readHalfLine(name: string, x: ArrayLike, loc: ArrayLike, scale: ArrayLike) {
  const { z, scale: s } = readLocScale(name, x, loc, scale);
  const below = lax.lt(z, 0);
  return { y: jnp.where(below, 0, z), below, scale: s };
}

/** exp of f, with f's arguments: pdf from logpdf, pmf from logpmf. */
export function expOf<Args extends unknown[]>(
  f: (...args: Args) => JaxArray,
): (...args: Args) => JaxArray {
  return (...args) => lax.exp(f(...args));
}

/** log of f, with f's arguments: logcdf from cdf where the tail needs no formula of its own. */
export function logOf<Args extends unknown[]>(
  f: (...args: Args) => JaxArray,
): (...args: Args) => JaxArray {
  return (...args) => lax.log(f(...args));
}

/**
 * cdf, logcdf, sf and logsf from the cdf and sf of the prepared arguments, each function
 * preparing them under its own name (`${dist}.logcdf`), which errors report.
 */
export function tailFunctions<Args extends unknown[], Prepared>(
  dist: string,
  prepare: (name: string, ...args: Args) => Prepared,
  cdfOf: (prepared: Prepared) => JaxArray,
  sfOf: (prepared: Prepared) => JaxArray,
) {
  return {
    cdf: (...args: Args): JaxArray => cdfOf(prepare(`${dist}.cdf`, ...args)),
    logcdf: (...args: Args): JaxArray => lax.log(cdfOf(prepare(`${dist}.logcdf`, ...args))),
    sf: (...args: Args): JaxArray => sfOf(prepare(`${dist}.sf`, ...args)),
    logsf: (...args: Args): JaxArray => lax.log(sfOf(prepare(`${dist}.logsf`, ...args))),
  };
}

/** True where x is not a whole number (the pmf of a discrete distribution is 0 there, as scipy). */
export function notInteger(x: JaxArray): JaxArray {
  return lax.ne(jnp.round(x), x);
}

/**
 * log(1 - exp(x)) for x <= 0 without cancellation: log(-expm1(x)) near 0, log1p(-exp(x)) below
 * -log 2 (Maechler, "Accurately computing log(1 - exp(-|a|))", 2012).
 */
export function log1mexp(x: JaxArray): JaxArray {
  const nearZero = lax.gt(x, -Math.LN2);
  const safeNear = jnp.where(nearZero, x, -1);
  const safeFar = jnp.where(nearZero, -1, x);
  return jnp.where(
    nearZero,
    lax.log(lax.neg(lax.expm1(safeNear))),
    lax.log1p(lax.neg(lax.exp(safeFar))),
  );
}

/** log(exp(a) - exp(b)) for a >= b. */
export function logDiffExp(a: JaxArray, b: JaxArray): JaxArray {
  // exp(a) = 0 = exp(b) gives -inf rather than -inf - -inf = nan
  const bothZero = lax.eq(a, -Infinity);
  const d = jnp.where(bothZero, -1, lax.sub(b, a));
  return jnp.where(bothZero, -Infinity, lax.add(a, log1mexp(d)));
}

/**
 * log(y^(a-1) e^-y / Gamma(a)) for y >= 0. For y > 0 it is the Poisson term log(y^a e^-y / a!)
 * plus log(a / y), whose saddle-point form keeps its digits for large a with y near a (where
 * (a - 1) log y, y and lgamma(a) nearly cancel); at y = 0 the direct form gives inf, 1 or -inf.
 */
export function logGammaDensity(a: JaxArray, y: JaxArray): JaxArray {
  const positive = lax.gt(y, 0);
  const safeY = jnp.where(positive, y, 1);
  const viaPoisson = lax.add(logPoissonTerm(a, safeY), lax.sub(lax.log(a), lax.log(safeY)));
  const atZero = lax.sub(xlogy(lax.sub(a, 1), y), lax.lgamma(a));
  return jnp.where(positive, viaPoisson, atZero);
}

/**
 * a log(x / a) - (x - a) = a log1pmx((x - a) / a), given d = x - a formed without cancellation.
 * Near the saddle x = a the series log1pmx keeps the digits that the two large terms would lose.
 */
function deviance(a: JaxArray, x: JaxArray, d: JaxArray): JaxArray {
  const t = lax.div(d, a);
  const near = lax.bitwiseAnd(lax.gt(t, -2 / 3), lax.lt(t, 2));
  const safeX = jnp.where(near, a, x);
  return jnp.where(
    near,
    lax.mul(a, log1pmx(jnp.where(near, t, 0))),
    lax.sub(lax.mul(a, lax.log(lax.div(safeX, a))), d),
  );
}

/**
 * log(C(n, k) p^k (1-p)^(n-k)) for 0 <= k <= n (n need not be whole). Where k and n - k are both
 * 8 or more it is Loader's saddle-point form ("Fast and accurate computation of binomial
 * probabilities", 2000): Stirling's corrections plus the deviances of k from np and of n - k from
 * n(1-p), exact to float32 rounding for counts of millions; elsewhere log C is -log(n+1) -
 * log B(n-k+1, k+1), through betaln's own large-argument series.
 */
export function logBinomTerm(k: JaxArray, n: JaxArray, p: JaxArray): JaxArray {
  const m = lax.sub(n, k);
  // log C(n, k) is exactly 0 at k = 0 and k = n, which betaln would miss by a rounding
  const logChoose = jnp.where(
    lax.bitwiseOr(lax.eq(k, 0), lax.eq(m, 0)),
    0,
    lax.neg(lax.add(lax.log1p(n), betaln(lax.add(m, 1), lax.add(k, 1)))),
  );
  const direct = lax.add(logChoose, lax.add(xlogy(k, p), xlog1py(m, lax.neg(p))));
  const saddleOk = lax.bitwiseAnd(lax.ge(k, 8), lax.ge(m, 8));
  // clamped copies, so that the branch not taken stays finite (and so do its gradients)
  const kk = lax.max(k, jnp.fullLike(k, 8));
  const mm = lax.max(m, jnp.fullLike(m, 8));
  const nn = lax.add(kk, mm);
  const np = lax.mul(nn, p);
  const corrections = lax.sub(
    lgammaCorrection(nn),
    lax.add(lgammaCorrection(kk), lgammaCorrection(mm)),
  );
  const deviances = lax.add(
    deviance(kk, np, lax.sub(np, kk)),
    deviance(mm, lax.mul(nn, lax.sub(1, p)), lax.sub(kk, np)),
  );
  const logNormal = lax.mul(lax.log(lax.div(nn, lax.mul(lax.mul(kk, mm), 2 * Math.PI))), 0.5);
  const saddle = lax.add(lax.add(corrections, deviances), logNormal);
  return jnp.where(saddleOk, saddle, direct);
}
