/**
 * jax.nn: activations and the log-space reductions samplers and likelihoods use. The
 * numerically delicate ones carry custom JVP rules so that their derivatives stay finite
 * where the naive chain rule would produce inf/inf or 0*inf.
 */
import type { JaxArray } from "../core/array.js";
import { normalizeAxes } from "../core/shape.js";
import * as lax from "../lax/index.js";
import * as jnp from "../numpy/index.js";
import type { ArrayLike } from "../numpy/util.js";
import { asArray } from "../numpy/util.js";
import { customJvp } from "../transforms/custom_derivatives.js";

const float = (name: string, x: ArrayLike): JaxArray => {
  const a = asArray(name, x);
  return a.dtype === "float32" ? a : lax.convertElementType(a, "float32", a.weakType);
};

/** jax.nn.relu: max(x, 0), with derivative 0 at 0 (as JAX defines it). */
export const relu = customJvp(function relu(x: JaxArray) {
  return jnp.maximum(x, 0);
}).defjvp(([x], [t]) => {
  const xa = x as JaxArray;
  // d relu(x) = dx where x > 0, else 0
  return [jnp.maximum(xa, 0), jnp.where(jnp.greater(xa, 0), t as JaxArray, 0)];
});

/** jax.nn.sigmoid: 1 / (1 + exp(-x)). */
export function sigmoid(x: ArrayLike): JaxArray {
  return lax.logistic(float("sigmoid", x));
}

/** jax.nn.softplus: log(1 + exp(x)), stable for large |x|. */
export const softplus = customJvp(function softplus(x: JaxArray) {
  return jnp.logaddexp(x, 0);
}).defjvp(([x], [t]) => {
  const xa = x as JaxArray;
  // d softplus(x) = sigmoid(x) dx
  return [jnp.logaddexp(xa, 0), jnp.multiply(t as JaxArray, lax.logistic(xa))];
});

/** jax.nn.log_sigmoid: -softplus(-x). */
export function logSigmoid(x: ArrayLike): JaxArray {
  return lax.neg(softplus(lax.neg(float("log_sigmoid", x))) as JaxArray);
}

/** jax.nn.silu (swish): x * sigmoid(x). */
export function silu(x: ArrayLike): JaxArray {
  const a = float("silu", x);
  return jnp.multiply(a, lax.logistic(a));
}
export const swish = silu;

/** jax.nn.elu: x if x > 0 else alpha * (exp(x) - 1). */
export function elu(x: ArrayLike, alpha = 1.0): JaxArray {
  const a = float("elu", x);
  // expm1 of min(x, 0) keeps the unselected branch finite (and its gradient free of nan).
  const neg = lax.mul(
    lax.expm1(lax.min(a, lax.convertElementType(asArray("elu", 0), "float32", true))),
    alpha,
  );
  return lax.select(lax.gt(a, 0), a, neg);
}

/** jax.nn.selu with the constants of Klambauer et al. (2017). */
export function selu(x: ArrayLike): JaxArray {
  const alpha = 1.6732632423543772;
  const scale = 1.0507009873554805;
  return jnp.multiply(elu(x, alpha), scale);
}

/** jax.nn.gelu: tanh approximation by default, the exact erf form with approximate: false. */
export function gelu(x: ArrayLike, approximate = true): JaxArray {
  const a = float("gelu", x);
  if (approximate) {
    const c = Math.sqrt(2 / Math.PI);
    const inner = jnp.multiply(jnp.add(a, jnp.multiply(jnp.power(a, 3), 0.044715)), c);
    return jnp.multiply(jnp.multiply(a, 0.5), jnp.add(jnp.tanh(inner), 1));
  }
  return jnp.multiply(jnp.multiply(a, 0.5), jnp.add(lax.erf(jnp.divide(a, Math.SQRT2)), 1));
}

// jax.nn.logsumexp is jax.scipy.special.logsumexp (one implementation, with b and returnSign).
export { type LogsumexpOptions, logsumexp } from "../scipy/special/logsumexp.js";

/** jax.nn.log_softmax along `axis` (default the last). */
export function logSoftmax(x: ArrayLike, axis: number | readonly number[] = -1): JaxArray {
  const a = float("log_softmax", x);
  const axes = normalizeAxes("log_softmax", axis, a.ndim);
  const shifted = jnp.subtract(a, lax.stopGradient(jnp.max(a, { axis: axes, keepdims: true })));
  return jnp.subtract(shifted, jnp.log(jnp.sum(jnp.exp(shifted), { axis: axes, keepdims: true })));
}

/** jax.nn.softmax along `axis` (default the last). */
export function softmax(x: ArrayLike, axis: number | readonly number[] = -1): JaxArray {
  const a = float("softmax", x);
  const axes = normalizeAxes("softmax", axis, a.ndim);
  const shifted = jnp.subtract(a, lax.stopGradient(jnp.max(a, { axis: axes, keepdims: true })));
  const unnormalized = jnp.exp(shifted);
  return jnp.divide(unnormalized, jnp.sum(unnormalized, { axis: axes, keepdims: true }));
}
