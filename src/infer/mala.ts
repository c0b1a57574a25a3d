/**
 * The Metropolis-adjusted Langevin algorithm: a Langevin step x' = x + eps * grad log p(x) +
 * sqrt(2 eps) z with the Metropolis-Hastings correction for its asymmetric proposal (Roberts &
 * Tweedie 1996, "Exponential convergence of Langevin distributions and their discrete
 * approximations", Bernoulli 2(4)); blackjax.mcmc.mala's parameterization of the step size.
 */
import type { JaxArray } from "../core/array.js";
import type { PyTree } from "../core/pytree.js";
import * as jnp from "../numpy/index.js";
import * as random from "../random/index.js";
import { type KeyLike, splitList } from "../random/keys.js";
import {
  floatScalar,
  type GradientState,
  initGradientState,
  type LogdensityFn,
  logdensityAndGradTree,
  metropolisAccept,
  selectTree,
} from "./base.js";
import { ravelPytree } from "./ravel.js";

export type MALAState<P = PyTree> = GradientState<P>;

export interface MALAInfo {
  readonly acceptanceRate: JaxArray;
  readonly isAccepted: JaxArray;
}

export interface MALAParameters {
  stepSize: JaxArray | number;
}

export type MALAKernel = <P = PyTree>(
  key: KeyLike,
  state: MALAState<P>,
  logdensityFn: LogdensityFn<P>,
  params: MALAParameters,
) => [MALAState<P>, MALAInfo];

export function init<P>(position: P, logdensityFn: LogdensityFn<P>): MALAState<P> {
  return initGradientState("mala.init", position, logdensityFn);
}

/** log q(to | from) up to a constant: -|to - from - eps grad(from)|^2 / (4 eps). */
function transitionLogdensity(to: JaxArray, from: JaxArray, gradFrom: JaxArray, eps: JaxArray) {
  const r = jnp.subtract(jnp.subtract(to, from), jnp.multiply(eps, gradFrom));
  return jnp.divide(jnp.sum(jnp.square(r)), jnp.multiply(-4, eps));
}

export function buildKernel(): MALAKernel {
  return (key, state, logdensityFn, params) => {
    const eps = floatScalar("mala", "stepSize", params.stepSize);
    const [keyNoise, keyAccept] = splitList(key, 2);
    const [x, unravel] = ravelPytree(state.position);
    const [g] = ravelPytree(state.logdensityGrad);
    const noise = random.normal(keyNoise!, x.shape);
    const y = jnp.add(
      jnp.add(x, jnp.multiply(eps, g)),
      jnp.multiply(jnp.sqrt(jnp.multiply(2, eps)), noise),
    );
    const position = unravel(y);
    const [logdensity, logdensityGrad] = logdensityAndGradTree("mala", logdensityFn, position);
    const [gy] = ravelPytree(logdensityGrad);
    const logRatio = jnp.add(
      jnp.subtract(logdensity, state.logdensity),
      jnp.subtract(transitionLogdensity(x, y, gy, eps), transitionLogdensity(y, x, g, eps)),
    );
    const [accepted, acceptProb] = metropolisAccept(keyAccept!, logRatio);
    return [
      selectTree(accepted, { position, logdensity, logdensityGrad }, state),
      { acceptanceRate: acceptProb, isAccepted: accepted },
    ];
  };
}

/** mala(logdensityFn, params) -> {init, step}. */
export function mala<P = PyTree>(logdensityFn: LogdensityFn<P>, params: MALAParameters) {
  const kernel = buildKernel();
  return {
    init: (position: P) => init(position, logdensityFn),
    step: (key: KeyLike, state: MALAState<P>) => kernel(key, state, logdensityFn, params),
  };
}
