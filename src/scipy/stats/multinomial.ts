/** jax.scipy.stats.multinomial: counts x[..., K] of n trials over K categories with probabilities p. */
import type { JaxArray } from "../../core/array.js";
import { ValueError } from "../../core/errors.js";
import * as lax from "../../lax/index.js";
import * as jnp from "../../numpy/index.js";
import { type ArrayLike, promoteInexact } from "../../numpy/util.js";
import { gammaln, xlogy } from "../special/index.js";
import { expOf, notInteger } from "./util.js";

/**
 * logpmf(x, n, p) = lgamma(n+1) + sum(x log p - lgamma(x+1)) over the last axis; -inf unless the
 * counts are non-negative integers summing to n. Batch axes of x, n and p broadcast.
 */
export function logpmf(x: ArrayLike, n: ArrayLike, p: ArrayLike): JaxArray {
  const [xx, nn, pp] = promoteInexact("multinomial.logpmf", x, n, p);
  if (xx!.ndim < 1 || pp!.ndim < 1 || xx!.shape.at(-1) !== pp!.shape.at(-1))
    throw new ValueError(
      `multinomial.logpmf: x and p need the same last (category) axis, got x.shape=[${xx!.shape}] and p.shape=[${pp!.shape}]`,
    );
  const terms = lax.sub(xlogy(xx!, pp!), gammaln(lax.add(xx!, 1)));
  const value = lax.add(gammaln(lax.add(nn!, 1)), jnp.sum(terms, -1));
  const badCount = jnp.any(lax.bitwiseOr(lax.lt(xx!, 0), notInteger(xx!)), -1);
  const valid = lax.bitwiseAnd(jnp.equal(jnp.sum(xx!, -1), nn!), jnp.logicalNot(badCount));
  return jnp.where(valid, value, -Infinity);
}
export const pmf = expOf(logpmf);
