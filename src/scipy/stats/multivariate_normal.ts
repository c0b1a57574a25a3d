/** jax.scipy.stats.multivariate_normal. */
import type { JaxArray } from "../../core/array.js";
import { ValueError } from "../../core/errors.js";
import { broadcastShapes } from "../../core/shape.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import { type ArrayLike, broadcastTo, promoteInexact } from "../../numpy/util.js";
import { solveTriangular } from "../linalg/index.js";
import { expOf } from "./util.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** Sum over the last axis of L^-1 (x - mean) squared, for L the lower Cholesky factor of cov. */
function mahalanobis(name: string, diff: JaxArray, L: JaxArray): JaxArray {
  const n = L.shape.at(-1)!;
  if (L.ndim === 2) {
    // one factor for every point: solve for all of them at once as columns
    const batch = diff.shape.slice(0, -1);
    const columns = jnp.matrixTranspose(jnp.reshape(diff, [-1, n]));
    const y = solveTriangular(L, columns, { lower: true });
    return jnp.reshape(jnp.sum(lax.mul(y, y), 0), batch);
  }
  const batch = broadcastShapes(name, diff.shape.slice(0, -1), L.shape.slice(0, -2));
  const b = broadcastTo(jnp.expandDims(diff, -1), [...batch, n, 1]);
  const y = solveTriangular(broadcastTo(L, [...batch, n, n]), b, { lower: true });
  return jnp.sum(lax.mul(y, y), [-2, -1]);
}

/**
 * logpdf(x, mean, cov): x[..., n] against mean[..., n] and cov[..., n, n] (batch axes
 * broadcast), through the Cholesky factor: -|L^-1 (x - mean)|^2 / 2 - n log(2 pi)/2 - sum log
 * diag L. A scalar cov is an isotropic variance and a scalar mean a univariate normal, as in JAX.
 * cov must be positive definite; the result is nan otherwise.
 */
export function logpdf(x: ArrayLike, mean: ArrayLike, cov: ArrayLike): JaxArray {
  const name = "multivariate_normal.logpdf";
  const [xx, m, c] = promoteInexact(name, x, mean, cov) as [JaxArray, JaxArray, JaxArray];
  const n = m.ndim === 0 ? 1 : m.shape.at(-1)!;
  if (m.ndim > 0 && xx.shape.at(-1) !== n)
    throw new ValueError(`${name}: x.shape=[${xx.shape}] does not match mean.shape=[${m.shape}]`);
  const diff = lax.sub(...(jnp.broadcastArrays(xx, m) as [JaxArray, JaxArray]));
  if (m.ndim === 0)
    return lax.mul(lax.add(lax.div(lax.mul(diff, diff), c), lax.add(lax.log(c), LOG_2PI)), -0.5);
  if (c.ndim === 0) {
    const sq = jnp.sum(lax.mul(diff, diff), -1);
    return lax.mul(lax.add(lax.div(sq, c), lax.mul(lax.add(lax.log(c), LOG_2PI), n)), -0.5);
  }
  if (c.ndim < 2 || c.shape.at(-1) !== n || c.shape.at(-2) !== n)
    throw new ValueError(
      `${name}: cov must be [..., ${n}, ${n}] for mean.shape=[${m.shape}], got cov.shape=[${c.shape}]`,
    );
  const L = jnp.linalg.cholesky(c);
  const logDet = jnp.sum(lax.log(jnp.diagonal(L, 0, -2, -1)), -1);
  return lax.sub(lax.mul(lax.add(mahalanobis(name, diff, L), n * LOG_2PI), -0.5), logDet);
}
export const pdf = expOf(logpdf);
