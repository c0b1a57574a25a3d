/**
 * Hamiltonian Monte Carlo with a fixed number of integration steps (Neal 2011, "MCMC using
 * Hamiltonian dynamics", Handbook of MCMC ch. 5), in blackjax's shape: init, buildKernel and the
 * top-level hmc(logdensityFn, params) -> {init, step}.
 */
import type { JaxArray } from "../core/array.js";
import type { PyTree } from "../core/pytree.js";
import * as jnp from "../numpy/index.js";
import { asArray } from "../numpy/util.js";
import type { KeyLike } from "../random/keys.js";
import { splitList } from "../random/keys.js";
import { foriLoop } from "../transforms/control_flow.js";
import {
  flatLogdensityAndGrad,
  type GradientState,
  initGradientState,
  type LogdensityFn,
  metropolisAccept,
  selectTree,
} from "./base.js";
import {
  euclideanIntegrator,
  type IntegratorName,
  type IntegratorState,
  integratorCoefficients,
} from "./integrators.js";
import { checkInverseMassMatrix, gaussianEuclidean, type Metric } from "./metrics.js";
import { ravelPytree } from "./ravel.js";

export type HMCState<P = PyTree> = GradientState<P>;

export interface HMCInfo {
  readonly acceptanceRate: JaxArray;
  readonly isAccepted: JaxArray;
  readonly isDivergent: JaxArray;
  /** The total energy -log p(x) + K(p) at the returned state. */
  readonly energy: JaxArray;
  readonly numIntegrationSteps: JaxArray;
}

export interface HMCParameters {
  stepSize: JaxArray | number;
  /** A vector (diagonal) or a matrix (dense), over the flat position. */
  inverseMassMatrix: JaxArray | number[] | number[][];
  numIntegrationSteps: JaxArray | number;
}

export interface HMCKernelOptions {
  /** A named integrator or its coefficient list (default velocity Verlet). */
  integrator?: IntegratorName | readonly number[];
  /** A transition whose energy error exceeds this is divergent (default 1000, as Stan). */
  divergenceThreshold?: number;
}

export type HMCKernel = <P = PyTree>(
  key: KeyLike,
  state: HMCState<P>,
  logdensityFn: LogdensityFn<P>,
  params: HMCParameters,
) => [HMCState<P>, HMCInfo];

export function init<P>(position: P, logdensityFn: LogdensityFn<P>): HMCState<P> {
  return initGradientState("hmc.init", position, logdensityFn);
}

/** The flat phase-space view of a gradient state, with a fresh momentum. */
export interface FlatStart<P> {
  start: IntegratorState;
  metric: Metric;
  unravel: (x: JaxArray) => P;
}

export function flatStart<P>(
  fn: string,
  key: KeyLike,
  state: GradientState<P>,
  inverseMassMatrix: JaxArray | number[] | number[][],
): FlatStart<P> {
  const [position, unravel] = ravelPytree(state.position);
  const [logdensityGrad] = ravelPytree(state.logdensityGrad);
  const invMass = asArray(fn, inverseMassMatrix, "float32");
  checkInverseMassMatrix(fn, invMass, position.shape[0]);
  const metric = gaussianEuclidean(invMass);
  const momentum = metric.sampleMomentum(key, position);
  return {
    start: { position, momentum, logdensity: state.logdensity, logdensityGrad },
    metric,
    unravel,
  };
}

/** The energy -log p(x) + K(p) of a phase-space point. */
export function energyOf(metric: Metric, s: IntegratorState): JaxArray {
  return jnp.subtract(metric.kineticEnergy(s.momentum), s.logdensity);
}

export function toGradientState<P>(
  s: IntegratorState,
  unravel: (x: JaxArray) => P,
): GradientState<P> {
  return {
    position: unravel(s.position),
    logdensity: s.logdensity,
    logdensityGrad: unravel(s.logdensityGrad),
  };
}

export function buildKernel(options: HMCKernelOptions = {}): HMCKernel {
  const coefficients = integratorCoefficients("hmc", options.integrator);
  const threshold = options.divergenceThreshold ?? 1000;
  return (key, state, logdensityFn, params) => {
    const [keyMomentum, keyAccept] = splitList(key, 2);
    const { start, metric, unravel } = flatStart(
      "hmc",
      keyMomentum!,
      state,
      params.inverseMassMatrix,
    );
    const step = euclideanIntegrator(
      coefficients,
      flatLogdensityAndGrad("hmc", logdensityFn, unravel),
      metric.velocity,
    );
    const end = foriLoop<IntegratorState>(
      0,
      params.numIntegrationSteps,
      (_i, s) => step(s, params.stepSize),
      start,
    );
    const energy0 = energyOf(metric, start);
    const energy1 = energyOf(metric, end);
    const logRatio = jnp.subtract(energy0, energy1);
    const [accepted, acceptProb] = metropolisAccept(keyAccept!, logRatio);
    const isDivergent = jnp.logicalNot(jnp.lessEqual(jnp.negative(logRatio), threshold));
    const proposal = toGradientState(end, unravel);
    return [
      selectTree(accepted, proposal, state),
      {
        acceptanceRate: acceptProb,
        isAccepted: accepted,
        isDivergent,
        energy: jnp.where(accepted, energy1, energy0),
        numIntegrationSteps: asArray("hmc", params.numIntegrationSteps, "int32"),
      },
    ];
  };
}

/** hmc(logdensityFn, params) -> {init, step}: the kernel with its log density and parameters bound. */
export function hmc<P = PyTree>(
  logdensityFn: LogdensityFn<P>,
  params: HMCParameters & HMCKernelOptions,
) {
  const kernel = buildKernel(params);
  return {
    init: (position: P) => init(position, logdensityFn),
    step: (key: KeyLike, state: HMCState<P>) => kernel(key, state, logdensityFn, params),
  };
}
