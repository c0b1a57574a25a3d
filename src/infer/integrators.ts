/**
 * Symplectic integrators for Hamiltonian dynamics, each given by its palindromic list of
 * coefficients as in blackjax.mcmc.integrators: entries alternate between a momentum update
 * (p += b * eps * grad log p(x)) and a position update (x += a * eps * M^-1 p), starting and ending
 * with a momentum update. The gradient at the final position is carried to the next step, so
 * every position update costs one gradient evaluation.
 *
 * All three are second order; the two- and three-stage schemes trade more gradients per step for
 * much smaller energy errors. References: Blanes, Casas, Sanz-Serna (2014), "Numerical
 * integrators for the Hybrid Monte Carlo method", SIAM J. Sci. Comput. 36(4) (McLachlan's
 * two-stage b1, and the three-stage family blackjax names after Yoshida).
 */
import type { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import * as jnp from "../numpy/index.js";

/** A point in phase space, as flat float32 vectors (see ravelPytree). */
export interface IntegratorState {
  readonly position: JaxArray;
  readonly momentum: JaxArray;
  readonly logdensity: JaxArray;
  readonly logdensityGrad: JaxArray;
}

/** x -> [log density, its gradient], both on the flat vector. */
export type LogdensityAndGrad = (position: JaxArray) => [JaxArray, JaxArray];

/** One integration step of (signed) size stepSize. */
export type Integrator = (state: IntegratorState, stepSize: JaxArray | number) => IntegratorState;

export const velocityVerletCoefficients: readonly number[] = [0.5, 1, 0.5];

// b1 minimizes the error of the two-stage family (Blanes, Casas, Sanz-Serna 2014, section 4.2).
const MCLACHLAN_B1 = 0.1931833275037836;
export const mclachlanCoefficients: readonly number[] = [
  MCLACHLAN_B1,
  0.5,
  1 - 2 * MCLACHLAN_B1,
  0.5,
  MCLACHLAN_B1,
];

// The three-stage coefficients blackjax uses for its "yoshida" integrator.
const YOSHIDA_B1 = 0.11888010966548;
const YOSHIDA_A1 = 0.29619504261126;
export const yoshidaCoefficients: readonly number[] = [
  YOSHIDA_B1,
  YOSHIDA_A1,
  0.5 - YOSHIDA_B1,
  1 - 2 * YOSHIDA_A1,
  0.5 - YOSHIDA_B1,
  YOSHIDA_A1,
  YOSHIDA_B1,
];

export type IntegratorName = "velocityVerlet" | "mclachlan" | "yoshida";

const NAMED: Record<IntegratorName, readonly number[]> = {
  velocityVerlet: velocityVerletCoefficients,
  mclachlan: mclachlanCoefficients,
  yoshida: yoshidaCoefficients,
};

/** The coefficients of a named integrator, or the list itself checked. */
export function integratorCoefficients(
  fn: string,
  spec: IntegratorName | readonly number[] = "velocityVerlet",
): readonly number[] {
  const coefficients = typeof spec === "string" ? NAMED[spec] : spec;
  if (!coefficients)
    throw new ValueError(
      `${fn}: unknown integrator ${JSON.stringify(spec)}; use velocityVerlet, mclachlan, yoshida or a coefficient list`,
    );
  if (coefficients.length % 2 !== 1 || coefficients.some((c) => !Number.isFinite(c)))
    throw new ValueError(
      `${fn}: integrator coefficients must be an odd-length list of finite numbers (momentum, position, ..., momentum), got [${coefficients.join(", ")}]`,
    );
  return coefficients;
}

/**
 * The Euclidean integrator with these coefficients for a log density and a velocity map
 * (p -> M^-1 p, from the metric).
 */
export function euclideanIntegrator(
  coefficients: readonly number[],
  logdensityAndGrad: LogdensityAndGrad,
  velocity: (momentum: JaxArray) => JaxArray,
): Integrator {
  return (state, stepSize) => {
    let { position, momentum, logdensity, logdensityGrad } = state;
    coefficients.forEach((c, k) => {
      const h = jnp.multiply(stepSize, c);
      if (k % 2 === 0) momentum = jnp.add(momentum, jnp.multiply(h, logdensityGrad));
      else {
        position = jnp.add(position, jnp.multiply(h, velocity(momentum)));
        [logdensity, logdensityGrad] = logdensityAndGrad(position);
      }
    });
    return { position, momentum, logdensity, logdensityGrad };
  };
}
