/**
 * jax.scipy.stats.dirichlet. As in scipy and JAX, the components of x run along its first axis;
 * x may omit the last component, which is then 1 minus the sum of the others.
 */
import type { JaxArray } from "../../core/array.js";
import { ValueError } from "../../core/errors.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import { type ArrayLike, promoteInexact } from "../../numpy/util.js";
import { gammaln, xlogy } from "../special/index.js";
import { expOf } from "./util.js";

/** logpdf(x, alpha) = sum((alpha - 1) log x) - log B(alpha); -inf off the open simplex. */
export function logpdf(x: ArrayLike, alpha: ArrayLike): JaxArray {
  let [xx, a] = promoteInexact("dirichlet.logpdf", x, alpha) as [JaxArray, JaxArray];
  if (a.ndim !== 1)
    throw new ValueError(
      `dirichlet.logpdf: alpha must be one-dimensional, got alpha.shape=[${a.shape}]`,
    );
  const k = a.shape[0]!;
  if (xx.ndim < 1 || (xx.shape[0] !== k && xx.shape[0] !== k - 1))
    throw new ValueError(
      `dirichlet.logpdf: x must have as many entries as alpha along its first axis or one fewer, got x.shape=[${xx.shape}] and alpha.shape=[${a.shape}]`,
    );
  if (xx.shape[0] !== k)
    xx = jnp.concatenate([xx, lax.sub(1, jnp.sum(xx, 0, { keepdims: true }))], 0);
  const normalizer = lax.sub(jnp.sum(gammaln(a)), gammaln(jnp.sum(a)));
  const column = jnp.reshape(a, [k, ...xx.shape.slice(1).map(() => 1)]);
  const value = lax.sub(jnp.sum(xlogy(lax.sub(column, 1), xx), 0), normalizer);
  const onSimplex = lax.bitwiseAnd(
    jnp.all(lax.gt(xx, 0), 0),
    lax.lt(jnp.abs(lax.sub(jnp.sum(xx, 0), 1)), 1e-6),
  );
  return jnp.where(onSimplex, value, -Infinity);
}
export const pdf = expOf(logpdf);
