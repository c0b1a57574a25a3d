/**
 * Gamma variates (Marsaglia and Tsang, "A simple method for generating gamma variables", ACM
 * TOMS 2000, as jax.random._gamma_one) and their implicit reparameterisation gradient
 * d sample / d a = -(dP(a, x)/da) / pdf(x; a), where P is the regularized lower incomplete gamma
 * function (Figurnov et al., "Implicit reparameterization gradients", NeurIPS 2018).
 */
import type { JaxArray } from "../core/array.js";
import * as lax from "../lax/index.js";
import * as jnp from "../numpy/index.js";
import { foriLoop } from "../transforms/control_flow.js";
import { customJvp } from "../transforms/custom_derivatives.js";
import { jvp } from "../transforms/jvp.js";
import { vmap } from "../transforms/vmap.js";
import { type KeyLike, keyDataOf, split, splitList } from "./keys.js";
import { normalImpl, uniformImpl } from "./uniform.js";
import { rejectionLoop } from "./while.js";

// Marsaglia-Tsang accepts at least 95% of proposals and the inner loop repeats with
// probability below 2%; these bounds only apply where a loop condition cannot be read back.
const OUTER_ROUNDS = 20;
const INNER_ROUNDS = 8;

/** One Gamma(alpha) variate (or its log) from one raw key: jax.random._gamma_one. */
function gammaOne(key: JaxArray, alpha: JaxArray, logSpace: boolean): JaxArray {
  const dtype = alpha.dtype;
  const boost = lax.ge(alpha, 1);
  const alphaOrig = alpha;
  // Gamma(a) = Gamma(a + 1) U^(1/a) for a < 1.
  const a = lax.select(boost, alpha, lax.add(alpha, 1));
  const d = lax.sub(a, 1 / 3);
  const c = lax.div(1 / 3, lax.sqrt(d));
  const zero = jnp.full([], 0, dtype);
  const [outerKey, subkey] = splitList(key, 2) as JaxArray[];

  type Inner = [JaxArray, JaxArray, JaxArray];
  type Outer = [JaxArray, JaxArray, JaxArray, JaxArray];
  const [, , V] = rejectionLoop<Outer>(
    ([, X, V, U]) =>
      lax.bitwiseAnd(
        lax.ge(U, lax.sub(1, lax.mul(0.0331, lax.mul(X, X)))),
        lax.ge(
          lax.log(U),
          lax.add(lax.mul(X, 0.5), lax.mul(d, lax.add(lax.sub(1, V), lax.log(V)))),
        ),
      ),
    ([k]) => {
      const [next, xKey, uKey] = splitList(k, 3) as JaxArray[];
      const [, x, v] = rejectionLoop<Inner>(
        ([, , v]) => lax.le(v, 0),
        ([kk]) => {
          const [kNext, sub] = splitList(kk, 2) as JaxArray[];
          const xx = normalImpl(sub!, [], dtype);
          return [kNext!, xx, lax.add(lax.mul(xx, c), 1)];
        },
        [xKey!, zero, jnp.full([], -1, dtype)],
        INNER_ROUNDS,
      );
      const U = uniformImpl(uKey!, [], dtype);
      return [next!, lax.mul(x, x), lax.mul(lax.mul(v, v), v), U];
    },
    [outerKey!, zero, jnp.full([], 1, dtype), jnp.full([], 2, dtype)],
    OUTER_ROUNDS,
  );
  if (logSpace) {
    const logU = lax.log1p(lax.neg(uniformImpl(subkey!, [], dtype)));
    const logBoost = lax.select(
      lax.bitwiseOr(boost, lax.eq(logU, 0)),
      zero,
      lax.mul(logU, lax.div(1, alphaOrig)),
    );
    return lax.add(lax.add(lax.log(d), lax.log(V)), logBoost);
  }
  const u = lax.sub(1, uniformImpl(subkey!, [], dtype));
  const boostFactor = lax.select(boost, jnp.full([], 1, dtype), lax.pow(u, lax.div(1, alphaOrig)));
  return lax.mul(lax.mul(d, V), boostFactor);
}

/** Samples of Gamma(a) for every entry of a, each from its own split of the key. */
function gammaSamples(key: JaxArray, a: JaxArray, logSpace: boolean): JaxArray {
  const n = a.size;
  const keys = split(key, n) as JaxArray;
  const flat = jnp.reshape(a, [n]);
  const samples = vmap((k: JaxArray, alpha: JaxArray) => gammaOne(k, alpha, logSpace))(keys, flat);
  return jnp.reshape(samples, a.shape);
}

function withGradient(logSpace: boolean) {
  const f = customJvp((key: JaxArray, a: JaxArray) => gammaSamples(key, a, logSpace));
  f.defjvp((primals, tangents) => {
    const [key, a] = primals as unknown as [JaxArray, JaxArray];
    const out = f(key, a) as JaxArray;
    const x = logSpace ? jnp.maximum(jnp.exp(out), 2 ** -126) : out;
    let grad = randomGammaGrad(a, x);
    if (logSpace) grad = lax.div(grad, x);
    return [out, lax.mul(tangents[1] as JaxArray, grad)];
  });
  return f;
}
const gammaSample = withGradient(false);
const logGammaSample = withGradient(true);

/** Gamma(a) variates for a of the requested shape (or their logs), differentiable in a. */
export function gammaImpl(key: KeyLike, a: JaxArray, logSpace: boolean): JaxArray {
  const data = keyDataOf("gamma", key);
  return (logSpace ? logGammaSample : gammaSample)(data, a) as JaxArray;
}

// --- the implicit gradient -----------------------------------------------------------------
const TERMS = 256;
const FPMIN = 1e-30;

/** P(a, x) by its power series (Numerical Recipes' gser), accurate for x < a + 1. */
function lowerSeries(a: JaxArray, x: JaxArray): JaxArray {
  const [, sum] = foriLoop<[JaxArray, JaxArray]>(
    1,
    TERMS,
    (n, [term, total]) => {
      const next = lax.mul(term, lax.div(x, lax.add(a, lax.convertElementType(n, a.dtype))));
      return [next, lax.add(total, next)];
    },
    [jnp.onesLike(x), jnp.onesLike(x)],
  );
  const logPrefix = lax.sub(lax.sub(lax.mul(a, lax.log(x)), x), lax.lgamma(lax.add(a, 1)));
  return lax.mul(lax.exp(logPrefix), sum);
}

/** 1 - Q(a, x) with Q by its continued fraction (modified Lentz), accurate for x >= a + 1. */
function upperFraction(a: JaxArray, x: JaxArray): JaxArray {
  const clampTiny = (v: JaxArray) => jnp.where(lax.lt(lax.abs(v), FPMIN), FPMIN, v);
  const b0 = lax.sub(lax.add(x, 1), a);
  const [, , , h] = foriLoop<[JaxArray, JaxArray, JaxArray, JaxArray]>(
    1,
    TERMS,
    (iArr, [b, c, d, h]) => {
      const i = lax.convertElementType(iArr, a.dtype);
      const an = lax.neg(lax.mul(i, lax.sub(i, a)));
      const bNext = lax.add(b, 2);
      const dNext = lax.div(1, clampTiny(lax.add(lax.mul(an, d), bNext)));
      const cNext = clampTiny(lax.add(bNext, lax.div(an, c)));
      return [bNext, cNext, dNext, lax.mul(h, lax.mul(dNext, cNext))];
    },
    [b0, jnp.fullLike(x, 1 / FPMIN), lax.div(1, b0), lax.div(1, b0)],
  );
  const logPrefix = lax.sub(lax.sub(lax.mul(a, lax.log(x)), x), lax.lgamma(a));
  return lax.sub(1, lax.mul(lax.exp(logPrefix), h));
}

/**
 * lax.random_gamma_grad(a, x): d x / d a for x ~ Gamma(a), holding the CDF P(a, x) fixed. dP/da
 * comes from forward-mode differentiation of the series or the continued fraction.
 */
export function randomGammaGrad(a: JaxArray, x: JaxArray): JaxArray {
  const useSeries = lax.lt(x, lax.add(a, 1));
  const cdf = (alpha: JaxArray) =>
    jnp.where(useSeries, lowerSeries(alpha, x), upperFraction(alpha, x));
  const [, dPda] = jvp(cdf, [a], [jnp.onesLike(a)]) as [JaxArray, JaxArray];
  const logPdf = lax.sub(lax.sub(lax.mul(lax.sub(a, 1), lax.log(x)), x), lax.lgamma(a));
  return lax.neg(lax.div(dPda, lax.exp(logPdf)));
}
