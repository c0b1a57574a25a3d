/** The error function family and the standard normal distribution function. */
import type { JaxArray } from "../../core/array.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { customJvp } from "../../transforms/custom_derivatives.js";
import { floats } from "./util.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** jax.scipy.special.erf. */
export function erf(x: ArrayLike): JaxArray {
  return lax.erf(floats("erf", x)[0]!);
}
/** jax.scipy.special.erfc: 1 - erf(x), accurate in the upper tail. */
export function erfc(x: ArrayLike): JaxArray {
  return lax.erfc(floats("erfc", x)[0]!);
}
/** jax.scipy.special.erfinv. */
export function erfinv(x: ArrayLike): JaxArray {
  return lax.erfInv(floats("erfinv", x)[0]!);
}

function ndtrOf(x: JaxArray): JaxArray {
  // As JAX's ndtr: erf near 0, erfc in the tails (where 1 + erf would lose the lower tail).
  const y = lax.mul(x, Math.SQRT1_2);
  const z = lax.abs(y);
  const central = lax.add(lax.mul(lax.erf(y), 0.5), 0.5);
  const halfErfc = lax.mul(lax.erfc(z), 0.5);
  const tails = jnp.where(lax.gt(y, 0), lax.sub(1, halfErfc), halfErfc);
  return jnp.where(lax.lt(z, Math.SQRT1_2), central, tails);
}
/** jax.scipy.special.ndtr: the standard normal CDF. */
export function ndtr(x: ArrayLike): JaxArray {
  return ndtrOf(floats("ndtr", x)[0]!);
}

// JAX's float32 segments of log_ndtr: above UPPER log(1 - q) = -q; below LOWER the asymptotic
// series of Abramowitz and Stegun 26.2.12 with three terms.
const LOWER = -10;
const UPPER = 5;
/** 1 - 1/x^2 + 3/x^4 - 15/x^6: the asymptotic series of Phi(x) (-x) / phi(x). */
function millsSeries(x: JaxArray): JaxArray {
  const w = lax.div(1, lax.mul(x, x));
  return lax.add(lax.mul(lax.add(lax.mul(lax.add(lax.mul(w, -15), 3), w), -1), w), 1);
}
function logNdtrOf(x: JaxArray): JaxArray {
  const low = lax.min(x, jnp.fullLike(x, LOWER));
  const lower = lax.add(
    lax.sub(lax.sub(lax.mul(lax.mul(low, low), -0.5), lax.log(lax.neg(low))), LOG_SQRT_2PI),
    lax.log(millsSeries(low)),
  );
  const middle = lax.log(ndtrOf(lax.max(x, jnp.fullLike(x, LOWER))));
  const upper = lax.neg(ndtrOf(lax.neg(x)));
  return jnp.where(lax.gt(x, UPPER), upper, jnp.where(lax.gt(x, LOWER), middle, lower));
}
const logNdtrCustom = customJvp(function logNdtr(x: JaxArray) {
  return logNdtrOf(x);
}).defjvp(([x], [t]) => {
  const xa = x as JaxArray;
  const y = logNdtrOf(xa);
  // d log Phi(x) = phi(x) / Phi(x) dx; below LOWER this is -x / millsSeries(x), which does not
  // cancel the way exp(-x^2/2 - log Phi(x)) would.
  const low = lax.min(xa, jnp.fullLike(xa, LOWER));
  const tail = lax.div(lax.neg(low), millsSeries(low));
  const ratio = lax.exp(lax.sub(lax.sub(lax.mul(lax.mul(xa, xa), -0.5), y), LOG_SQRT_2PI));
  return [y, lax.mul(t as JaxArray, jnp.where(lax.gt(xa, LOWER), ratio, tail))];
});
/** jax.scipy.special.log_ndtr: log of the standard normal CDF, accurate in both tails. */
export function logNdtr(x: ArrayLike): JaxArray {
  return logNdtrCustom(floats("log_ndtr", x)[0]!) as JaxArray;
}

// Cephes ndtri.c: a rational function of p - 1/2 in the centre, and of 1/sqrt(-2 log p) in the
// tails (two ranges), as jax.scipy.special.ndtri.
const P0 = [
  -59.96335010141079, 98.00107541859997, -56.67628574690703, 13.931260938727968,
  -1.2391658386738125,
];
const Q0 = [
  1, 1.9544885833814176, 4.676279128988815, 86.36024213908905, -225.46268785411937,
  200.26021238006066, -82.03722561683334, 15.90562251262117, -1.1833162112133,
];
const P1 = [
  4.0554489230596245, 31.525109459989388, 57.16281922464213, 44.08050738932008, 14.684956192885803,
  2.1866330685079025, -0.1402560791713545, -0.03504246268278482, -0.0008574567851546854,
];
const Q1 = [
  1, 15.779988325646675, 45.39076351288792, 41.3172038254672, 15.04253856929075, 2.504649462083094,
  -0.14218292285478779, -0.03808064076915783, -0.0009332594808954574,
];
const P2 = [
  3.2377489177694603, 6.915228890689842, 3.9388102529247444, 1.3330346081580755,
  0.20148538954917908, 0.012371663481782003, 0.00030158155350823543, 2.6580697468673755e-6,
  6.239745391849833e-9,
];
const Q2 = [
  1, 6.02427039364742, 3.6798356385616087, 1.3770209948908132, 0.21623699359449663,
  0.013420400608854318, 0.00032801446468212774, 2.8924786474538068e-6, 6.790194080099813e-9,
];
function horner(c: readonly number[], w: JaxArray): JaxArray {
  let p = lax.add(lax.mul(w, 0), c[0]!);
  for (const ci of c.slice(1)) p = lax.add(lax.mul(p, w), ci);
  return p;
}
const EXP_M2 = Math.exp(-2);
function ndtriOf(p: JaxArray): JaxArray {
  const flip = lax.gt(p, 1 - EXP_M2);
  const y = jnp.where(flip, lax.sub(1, p), p);
  const centralArg = lax.sub(jnp.clip(y, EXP_M2, 1 - EXP_M2), 0.5);
  const y2 = lax.mul(centralArg, centralArg);
  const central = lax.mul(
    lax.add(centralArg, lax.mul(centralArg, lax.div(lax.mul(y2, horner(P0, y2)), horner(Q0, y2)))),
    Math.sqrt(2 * Math.PI),
  );
  const tiny = lax.min(lax.max(y, jnp.fullLike(y, 1e-38)), jnp.fullLike(y, EXP_M2));
  const x = lax.sqrt(lax.mul(lax.log(tiny), -2));
  const x0 = lax.sub(x, lax.div(lax.log(x), x));
  const z = lax.div(1, x);
  const x1 = lax.mul(
    z,
    jnp.where(
      lax.lt(x, 8),
      lax.div(horner(P1, z), horner(Q1, z)),
      lax.div(horner(P2, z), horner(Q2, z)),
    ),
  );
  // Cephes returns -(x0 - x1) in the lower tail and x0 - x1 after the flip.
  const tail = jnp.where(flip, lax.sub(x0, x1), lax.sub(x1, x0));
  const out = jnp.where(lax.gt(y, EXP_M2), central, tail);
  const edges = jnp.where(lax.eq(p, 0), -Infinity, jnp.where(lax.eq(p, 1), Infinity, out));
  return jnp.where(lax.bitwiseOr(lax.lt(p, 0), lax.gt(p, 1)), Number.NaN, edges);
}
const ndtriCustom = customJvp(function ndtri(p: JaxArray) {
  return ndtriOf(p);
}).defjvp(([p], [t]) => {
  const y = ndtriOf(p as JaxArray);
  // d ndtri(p) = sqrt(2 pi) exp(ndtri(p)^2 / 2) dp
  const slope = lax.mul(lax.exp(lax.mul(lax.mul(y, y), 0.5)), Math.sqrt(2 * Math.PI));
  return [y, lax.mul(t as JaxArray, slope)];
});
/** jax.scipy.special.ndtri: the inverse of ndtr (the standard normal quantile function). */
export function ndtri(p: ArrayLike): JaxArray {
  return ndtriCustom(floats("ndtri", p)[0]!) as JaxArray;
}
