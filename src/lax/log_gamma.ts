/**
 * Log-gamma terms without cancellation, as lax compositions: the helpers behind the stable
 * gamma and Poisson log-densities and the x-derivative of igamma. Not part of the lax
 * namespace (jax.lax has no such functions).
 */
import type { JaxArray } from "../core/array.js";
import { cachedScalar } from "../core/constants.js";
import * as el from "./elementwise.js";
import * as st from "./structural.js";

const full = (x: JaxArray, v: number) =>
  st.broadcastInDim(cachedScalar(v, x.dtype, false), x.shape, []);

/** lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2): Stirling's series, accurate for x >= 8. */
export function lgammaCorrection(x: JaxArray): JaxArray {
  const w = el.div(1, el.mul(x, x));
  let series = el.add(el.mul(w, -1 / 1680), 1 / 1260);
  series = el.add(el.mul(series, w), -1 / 360);
  series = el.add(el.mul(series, w), 1 / 12);
  return el.div(series, x);
}

/**
 * log1p(t) - t, by -t v + 2 (v^3/3 + v^5/5 + ...) with v = t / (2 + t) where |v| < 1/2 (the
 * series of Loader's bd0), directly elsewhere; special_math.ts has the same kernel on tensors.
 */
export function log1pmx(t: JaxArray): JaxArray {
  const v = el.div(t, el.add(t, 2));
  const small = el.lt(el.abs(v), 0.5);
  const vs = st.select(small, v, full(v, 0));
  const v2 = el.mul(vs, vs);
  let series = full(v2, 0);
  for (let j = 13; j >= 1; j--) series = el.add(el.mul(series, v2), 2 / (2 * j + 1));
  const viaSeries = el.sub(el.mul(el.mul(series, v2), vs), el.mul(t, vs));
  return st.select(small, viaSeries, el.sub(el.log1p(t), t));
}

/**
 * log(x^a e^-x / Gamma(a + 1)), the log Poisson probability of a counts at mean x. For a >= 8
 * it is a log1pmx((x - a)/a) - log(2 pi a)/2 minus Stirling's correction: a log x, x and
 * lgamma(a + 1) are then large and nearly cancel, which float32 cannot afford (Loader, "Fast
 * and accurate computation of binomial probabilities", 2000: the saddle-point form of R's dpois).
 */
export function logPoissonTerm(a: JaxArray, x: JaxArray): JaxArray {
  const aLogX = st.select(el.eq(a, 0), full(a, 0), el.mul(a, el.log(x)));
  const direct = el.sub(el.sub(aLogX, x), el.lgamma(el.add(a, 1)));
  const big = el.max(a, full(a, 8));
  // a (log1p(t) - t) with t = (x - a)/a; far from the saddle (t <= -2/3 or t >= 2) as
  // a log(x/a) - (x - a), since 1 + t would have lost the digits of a small x/a.
  const t = el.div(el.sub(x, big), big);
  const nearSaddle = el.bitwiseAnd(el.gt(t, -2 / 3), el.lt(t, 2));
  const deviance = st.select(
    nearSaddle,
    el.mul(big, log1pmx(t)),
    el.sub(el.mul(big, el.log(el.div(x, big))), el.sub(x, big)),
  );
  const saddle = el.sub(
    el.sub(deviance, el.mul(el.log(el.mul(big, 2 * Math.PI)), 0.5)),
    lgammaCorrection(big),
  );
  return st.select(el.ge(a, 8), saddle, direct);
}

/** x^(a-1) e^-x / Gamma(a), the Gamma(a) density, through logPoissonTerm. */
export function gammaDensity(a: JaxArray, x: JaxArray): JaxArray {
  const density = el.div(el.mul(el.exp(logPoissonTerm(a, x)), a), x);
  // at x = 0: x^(a-1) is inf, 1 or 0 for a below, at or above 1
  const atZero = st.select(
    el.lt(a, 1),
    full(a, Infinity),
    st.select(el.eq(a, 1), full(a, 1), full(a, 0)),
  );
  return st.select(el.eq(x, 0), atZero, density);
}
