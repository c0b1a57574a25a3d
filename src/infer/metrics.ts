/**
 * The Gaussian Euclidean metric of HMC (blackjax.mcmc.metrics.gaussian_euclidean): momentum
 * p ~ N(0, M), kinetic energy p^T M^-1 p / 2, velocity M^-1 p, and the generalized U-turn test.
 * The inverse mass matrix is a vector (diagonal) or a square matrix (dense), on flat positions.
 */
import type { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import * as jnp from "../numpy/index.js";
import * as random from "../random/index.js";
import type { KeyLike } from "../random/keys.js";

export interface Metric {
  /** p ~ N(0, M), shaped like the flat position. */
  sampleMomentum(key: KeyLike, position: JaxArray): JaxArray;
  kineticEnergy(momentum: JaxArray): JaxArray;
  /** M^-1 p; p may carry leading batch axes (rows of momenta). */
  velocity(momentum: JaxArray): JaxArray;
  /**
   * The generalized no-U-turn criterion (Betancourt 2013, arXiv:1304.1920; Stan, numpyro and
   * blackjax's form): with rho = pSum - (pLeft + pRight) / 2, the trajectory turns when
   * v(pLeft) . rho <= 0 or v(pRight) . rho <= 0. Works row-wise on leading batch axes.
   */
  isTurning(momentumLeft: JaxArray, momentumRight: JaxArray, momentumSum: JaxArray): JaxArray;
}

/** Checks an inverse mass matrix against the flat dimension d (when known). */
export function checkInverseMassMatrix(fn: string, m: JaxArray, d?: number): void {
  const ok =
    (m.ndim === 1 && (d === undefined || m.shape[0] === d)) ||
    (m.ndim === 2 && m.shape[0] === m.shape[1] && (d === undefined || m.shape[0] === d));
  if (!ok)
    throw new ValueError(
      `${fn}: inverseMassMatrix must have shape (${d ?? "d"},) or (${d ?? "d"}, ${d ?? "d"}) for a position of ${d ?? "d"} scalars, got ${fmtShape(m.shape)}`,
    );
}

export function gaussianEuclidean(inverseMassMatrix: JaxArray): Metric {
  const dense = inverseMassMatrix.ndim === 2;
  // Dense: p = L z with L L^T = M = inverse(M^-1).
  const massSqrt = dense ? jnp.linalg.cholesky(jnp.linalg.inv(inverseMassMatrix)) : null;
  const invStd = dense ? null : jnp.reciprocal(jnp.sqrt(inverseMassMatrix));
  const velocity = (p: JaxArray): JaxArray =>
    dense ? jnp.matmul(p, inverseMassMatrix) : jnp.multiply(p, inverseMassMatrix);
  const dotLast = (a: JaxArray, b: JaxArray) => jnp.sum(jnp.multiply(a, b), { axis: -1 });
  return {
    sampleMomentum: (key, position) => {
      const z = random.normal(key, position.shape);
      return dense ? jnp.matmul(massSqrt!, z) : jnp.multiply(z, invStd!);
    },
    kineticEnergy: (p) => jnp.multiply(0.5, dotLast(p, velocity(p))),
    velocity,
    isTurning: (pLeft, pRight, pSum) => {
      const rho = jnp.subtract(pSum, jnp.multiply(0.5, jnp.add(pLeft, pRight)));
      const atLeft = jnp.lessEqual(dotLast(velocity(pLeft), rho), 0);
      const atRight = jnp.lessEqual(dotLast(velocity(pRight), rho), 0);
      return jnp.logicalOr(atLeft, atRight);
    },
  };
}
