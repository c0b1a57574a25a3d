/** x log y forms, the logistic function and its inverse, softmax. */
import type { JaxArray } from "../../core/array.js";
import { normalizeAxes } from "../../core/shape.js";
import * as lax from "../../lax/index.js";
import * as nn from "../../nn/index.js";
import * as jnp from "../../numpy/index.js";
import type { ArrayLike } from "../../numpy/util.js";
import { customJvp } from "../../transforms/custom_derivatives.js";
import { floats } from "./util.js";

const xlogyCustom = customJvp(function xlogy(x: JaxArray, y: JaxArray) {
  return jnp.where(lax.eq(x, 0), 0, lax.mul(x, lax.log(y)));
}).defjvp(([x, y], [dx, dy]) => {
  const [xa, ya] = [x as JaxArray, y as JaxArray];
  // d (x log y) = log(y) dx + x / y dy (JAX's rule, so 0 log 0 = 0 still has a y-derivative 0/0)
  return [
    xlogyCustom(xa, ya),
    lax.add(lax.mul(dx as JaxArray, lax.log(ya)), lax.mul(dy as JaxArray, lax.div(xa, ya))),
  ];
});
/** jax.scipy.special.xlogy: x log(y), 0 where x = 0. */
export function xlogy(x: ArrayLike, y: ArrayLike): JaxArray {
  const [a, b] = floats("xlogy", x, y);
  return xlogyCustom(a!, b!) as JaxArray;
}

const xlog1pyCustom = customJvp(function xlog1py(x: JaxArray, y: JaxArray) {
  return jnp.where(lax.eq(x, 0), 0, lax.mul(x, lax.log1p(y)));
}).defjvp(([x, y], [dx, dy]) => {
  const [xa, ya] = [x as JaxArray, y as JaxArray];
  // d (x log1p y) = log1p(y) dx + x / (1 + y) dy
  return [
    xlog1pyCustom(xa, ya),
    lax.add(
      lax.mul(dx as JaxArray, lax.log1p(ya)),
      lax.mul(dy as JaxArray, lax.div(xa, lax.add(ya, 1))),
    ),
  ];
});
/** jax.scipy.special.xlog1py: x log(1 + y), 0 where x = 0. */
export function xlog1py(x: ArrayLike, y: ArrayLike): JaxArray {
  const [a, b] = floats("xlog1py", x, y);
  return xlog1pyCustom(a!, b!) as JaxArray;
}

const expitCustom = customJvp(function expit(x: JaxArray) {
  return lax.logistic(x);
}).defjvp(([x], [t]) => {
  const xa = x as JaxArray;
  // d expit(x) = expit(x) expit(-x) dx, which keeps its digits where 1 - expit(x) would not
  const y = lax.logistic(xa);
  return [y, lax.mul(t as JaxArray, lax.mul(y, lax.logistic(lax.neg(xa))))];
});
/** jax.scipy.special.expit: the logistic sigmoid 1 / (1 + exp(-x)). */
export function expit(x: ArrayLike): JaxArray {
  return expitCustom(floats("expit", x)[0]!) as JaxArray;
}

const logitCustom = customJvp(function logit(p: JaxArray) {
  return lax.log(lax.div(p, lax.sub(1, p)));
}).defjvp(([p], [t]) => {
  const pa = p as JaxArray;
  // d logit(p) = dp / (p (1 - p))
  return [logitCustom(pa), lax.div(t as JaxArray, lax.mul(pa, lax.sub(1, pa)))];
});
/** jax.scipy.special.logit: log(p / (1 - p)). */
export function logit(p: ArrayLike): JaxArray {
  return logitCustom(floats("logit", p)[0]!) as JaxArray;
}

type Axis = number | readonly number[] | null;
/** jax.scipy.special.softmax(x, axis): over every axis by default (scipy's axis=None). */
export function softmax(x: ArrayLike, axis: Axis | { axis?: Axis } = null): JaxArray {
  const a = floats("softmax", x)[0]!;
  const ax =
    axis !== null && typeof axis === "object" && !Array.isArray(axis)
      ? ((axis as { axis?: Axis }).axis ?? null)
      : (axis as Axis);
  return nn.softmax(a, normalizeAxes("softmax", ax, a.ndim));
}
/** jax.scipy.special.log_softmax(x, axis): over every axis by default. */
export function logSoftmax(x: ArrayLike, axis: Axis | { axis?: Axis } = null): JaxArray {
  const a = floats("log_softmax", x)[0]!;
  const ax =
    axis !== null && typeof axis === "object" && !Array.isArray(axis)
      ? ((axis as { axis?: Axis }).axis ?? null)
      : (axis as Axis);
  return nn.logSoftmax(a, normalizeAxes("log_softmax", ax, a.ndim));
}
