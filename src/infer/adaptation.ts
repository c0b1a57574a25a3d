/**
 * Stan's warmup for HMC and NUTS: step size by dual averaging, and the mass matrix estimated in
 * memoryless, doubling "slow" windows between an initial and a final fast buffer. The schedule is
 * static (built on the host, as Stan builds it); each warmup step is a pure, jittable function of
 * its key, the sampler state, the adaptation state and the schedule flags.
 *
 * References: Stan reference manual, "HMC algorithm parameters" (automatic parameter tuning,
 * adaptation windows); Stan's stepsize_adaptation.hpp, windowed_adaptation.hpp,
 * var_adaptation.hpp and base_hmc.hpp (init_stepsize); Hoffman & Gelman (2014), JMLR 15,
 * algorithm 5 (dual averaging); Nesterov (2009), Math. Program. 120.
 */
import type { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import type { PyTree } from "../core/pytree.js";
import * as jnp from "../numpy/index.js";
import * as random from "../random/index.js";
import { type KeyLike, splitList } from "../random/keys.js";
import { cond, scan, whileLoop } from "../transforms/control_flow.js";
import { jit } from "../transforms/jit.js";
import { flatLogdensityAndGrad, type GradientState, type LogdensityFn } from "./base.js";
import { energyOf, flatStart } from "./hmc.js";
import { euclideanIntegrator, velocityVerletCoefficients } from "./integrators.js";
import { ravelPytree } from "./ravel.js";

// --- dual averaging ---------------------------------------------------------------------------

export interface DualAveragingState {
  readonly logStepSize: JaxArray;
  readonly logStepSizeAvg: JaxArray;
  readonly step: JaxArray;
  readonly avgError: JaxArray;
  readonly mu: JaxArray;
}

export interface DualAveragingOptions {
  targetAcceptanceRate?: number;
  gamma?: number;
  t0?: number;
  kappa?: number;
}

/** Nesterov's dual averaging of log(step size) with Stan's defaults (delta 0.8, gamma 0.05, t0 10, kappa 0.75). */
export function dualAveraging(options: DualAveragingOptions = {}) {
  const { targetAcceptanceRate = 0.8, gamma = 0.05, t0 = 10, kappa = 0.75 } = options;
  if (!(targetAcceptanceRate > 0 && targetAcceptanceRate < 1))
    throw new ValueError(
      `dualAveraging: targetAcceptanceRate must be in (0, 1), got ${targetAcceptanceRate}`,
    );
  const zero = () => jnp.array(0, { dtype: "float32" });
  return {
    /** Starts at stepSize with mu = log(10 * stepSize), Stan's choice. */
    init(stepSize: JaxArray | number): DualAveragingState {
      const logStepSize = jnp.log(jnp.asarray(stepSize, { dtype: "float32" }));
      return {
        logStepSize,
        logStepSizeAvg: zero(),
        step: zero(),
        avgError: zero(),
        mu: jnp.add(logStepSize, Math.log(10)),
      };
    },
    /** One update with the transition's acceptance statistic (Stan's learn_stepsize). */
    update(s: DualAveragingState, acceptanceRate: JaxArray): DualAveragingState {
      const step = jnp.add(s.step, 1);
      const accept = jnp.minimum(acceptanceRate, 1);
      const eta = jnp.reciprocal(jnp.add(step, t0));
      const avgError = jnp.add(
        jnp.multiply(jnp.subtract(1, eta), s.avgError),
        jnp.multiply(eta, jnp.subtract(targetAcceptanceRate, accept)),
      );
      const logStepSize = jnp.subtract(
        s.mu,
        jnp.divide(jnp.multiply(avgError, jnp.sqrt(step)), gamma),
      );
      const xEta = jnp.power(step, -kappa);
      const logStepSizeAvg = jnp.add(
        jnp.multiply(jnp.subtract(1, xEta), s.logStepSizeAvg),
        jnp.multiply(xEta, logStepSize),
      );
      return { logStepSize, logStepSizeAvg, step, avgError, mu: s.mu };
    },
    /** The step size to sample with after warmup: exp of the averaged iterate. */
    final: (s: DualAveragingState): JaxArray => jnp.exp(s.logStepSizeAvg),
  };
}

// --- mass matrix ------------------------------------------------------------------------------

/** Welford's running mean and sum of squared deviations (vector for diagonal, matrix for dense). */
export interface WelfordState {
  readonly mean: JaxArray;
  readonly m2: JaxArray;
  readonly count: JaxArray;
}

export function welfordInit(dim: number, diagonal: boolean): WelfordState {
  return {
    mean: jnp.zeros([dim], { dtype: "float32" }),
    m2: jnp.zeros(diagonal ? [dim] : [dim, dim], { dtype: "float32" }),
    count: jnp.array(0, { dtype: "float32" }),
  };
}

export function welfordUpdate(s: WelfordState, x: JaxArray): WelfordState {
  const count = jnp.add(s.count, 1);
  const delta = jnp.subtract(x, s.mean);
  const mean = jnp.add(s.mean, jnp.divide(delta, count));
  const after = jnp.subtract(x, mean);
  const m2 = jnp.add(s.m2, s.m2.ndim === 1 ? jnp.multiply(delta, after) : jnp.outer(delta, after));
  return { mean, m2, count };
}

/**
 * The inverse mass matrix from a window's draws with Stan's regularization toward 1e-3 * I:
 * (n / (n + 5)) * cov + 1e-3 * (5 / (n + 5)) * I, with the sample covariance over n - 1.
 */
export function regularizedCovariance(s: WelfordState): JaxArray {
  const n = s.count;
  const cov = jnp.divide(s.m2, jnp.maximum(jnp.subtract(n, 1), 1));
  const shrink = jnp.divide(n, jnp.add(n, 5));
  const jitter = jnp.divide(jnp.multiply(1e-3, 5), jnp.add(n, 5));
  const identity =
    s.m2.ndim === 1 ? jnp.onesLike(s.mean) : jnp.eye(s.mean.shape[0]!, { dtype: "float32" });
  return jnp.add(jnp.multiply(shrink, cov), jnp.multiply(jitter, identity));
}

// --- schedule ---------------------------------------------------------------------------------

export interface WindowSchedule {
  /** Whether warmup step i adds its draw to the mass-matrix estimate (a slow window). */
  slow: boolean[];
  /** Whether warmup step i closes a slow window (the metric is updated after it). */
  windowEnd: boolean[];
}

export interface ScheduleOptions {
  initialBuffer?: number;
  firstWindow?: number;
  finalBuffer?: number;
}

/**
 * Stan's windowed adaptation schedule: an initial buffer (75), slow windows doubling from 25, a
 * final buffer (50); when they do not fit, 15% / 75% / 10% of the warmup; under 20 warmup steps,
 * no mass-matrix adaptation (step size only), as Stan.
 */
export function buildSchedule(numSteps: number, options: ScheduleOptions = {}): WindowSchedule {
  if (!Number.isInteger(numSteps) || numSteps < 0)
    throw new ValueError(`buildSchedule: numSteps must be a non-negative integer, got ${numSteps}`);
  const slow = new Array<boolean>(numSteps).fill(false);
  const windowEnd = new Array<boolean>(numSteps).fill(false);
  if (numSteps < 20) return { slow, windowEnd };
  let { initialBuffer = 75, firstWindow = 25, finalBuffer = 50 } = options;
  if (initialBuffer + firstWindow + finalBuffer > numSteps) {
    initialBuffer = Math.floor(0.15 * numSteps);
    finalBuffer = Math.floor(0.1 * numSteps);
    firstWindow = numSteps - (initialBuffer + finalBuffer);
  }
  const lastSlow = numSteps - finalBuffer - 1;
  let windowSize = firstWindow;
  let nextEnd = initialBuffer + firstWindow - 1;
  for (let i = 0; i < numSteps; i++) {
    slow[i] = i >= initialBuffer && i <= lastSlow;
    if (i !== nextEnd) continue;
    windowEnd[i] = true;
    if (nextEnd === lastSlow) continue;
    windowSize *= 2;
    nextEnd = i + windowSize;
    // A window that would leave less than a doubled window before the final buffer absorbs it.
    if (nextEnd !== lastSlow && nextEnd + 2 * windowSize > lastSlow) nextEnd = lastSlow;
  }
  return { slow, windowEnd };
}

// --- initial step size ------------------------------------------------------------------------

export interface FindStepSizeOptions {
  /** The acceptance probability of one leapfrog step to aim for (Stan's 0.8). */
  targetAcceptance?: number;
  maxIterations?: number;
}

/**
 * Stan's init_stepsize heuristic: from one leapfrog step with fresh momentum, double the step
 * size while exp(H0 - H1) > 0.8, or halve it while it is below, and return the first step size
 * on the other side. Jittable (a whileLoop); stops after maxIterations or outside [1e-10, 1e7].
 */
export function findReasonableStepSize<P>(
  key: KeyLike,
  state: GradientState<P>,
  logdensityFn: LogdensityFn<P>,
  inverseMassMatrix: JaxArray | number[] | number[][],
  initialStepSize: JaxArray | number = 1,
  options: FindStepSizeOptions = {},
): JaxArray {
  const logTarget = Math.log(options.targetAcceptance ?? 0.8);
  const maxIterations = options.maxIterations ?? 100;
  const deltaEnergy = (k: KeyLike, stepSize: JaxArray) => {
    const { start, metric, unravel } = flatStart(
      "findReasonableStepSize",
      k,
      state,
      inverseMassMatrix,
    );
    const step = euclideanIntegrator(
      velocityVerletCoefficients,
      flatLogdensityAndGrad("findReasonableStepSize", logdensityFn, unravel),
      metric.velocity,
    );
    const delta = jnp.subtract(energyOf(metric, start), energyOf(metric, step(start, stepSize)));
    return jnp.where(jnp.isnan(delta), Number.NEGATIVE_INFINITY, delta);
  };
  const [key0, keyLoop] = splitList(key, 2);
  const eps0 = jnp.asarray(initialStepSize, { dtype: "float32" });
  const up = jnp.greater(deltaEnergy(key0!, eps0), logTarget);
  type Carry = { key: KeyLike; stepSize: JaxArray; done: JaxArray; iteration: JaxArray };
  const out = whileLoop<Carry>(
    (c) =>
      jnp.logicalAnd(
        jnp.logicalNot(c.done),
        jnp.logicalAnd(
          jnp.less(c.iteration, maxIterations),
          jnp.logicalAnd(jnp.greater(c.stepSize, 1e-10), jnp.less(c.stepSize, 1e7)),
        ),
      ),
    (c) => {
      const [next, k] = splitList(c.key, 2);
      const delta = deltaEnergy(k!, c.stepSize);
      const crossed = jnp.where(
        up,
        jnp.logicalNot(jnp.greater(delta, logTarget)),
        jnp.logicalNot(jnp.less(delta, logTarget)),
      );
      const moved = jnp.multiply(c.stepSize, jnp.where(up, 2, 0.5));
      return {
        key: next!,
        stepSize: jnp.where(crossed, c.stepSize, moved),
        done: crossed,
        iteration: jnp.add(c.iteration, 1),
      };
    },
    {
      key: keyLoop!,
      stepSize: eps0,
      done: jnp.array(false),
      iteration: jnp.array(0, { dtype: "int32" }),
    },
  );
  return out.stepSize;
}

// --- window adaptation ------------------------------------------------------------------------

/** What windowAdaptation needs of a sampler: hmc and nuts modules fit. */
export interface AdaptableAlgorithm<O, K> {
  init<P>(position: P, logdensityFn: LogdensityFn<P>): GradientState<P>;
  buildKernel(
    options?: O,
  ): <P>(
    key: KeyLike,
    state: GradientState<P>,
    logdensityFn: LogdensityFn<P>,
    params: K & { stepSize: JaxArray | number; inverseMassMatrix: JaxArray },
  ) => [GradientState<P>, { acceptanceRate: JaxArray }];
}

export interface AdaptationState {
  readonly stepSize: JaxArray;
  readonly inverseMassMatrix: JaxArray;
  readonly dualAveraging: DualAveragingState;
  readonly welford: WelfordState;
}

export interface AdaptationParameters {
  stepSize: JaxArray;
  inverseMassMatrix: JaxArray;
}

export interface WindowAdaptationOptions extends DualAveragingOptions, ScheduleOptions {
  /** Diagonal (default) or dense mass matrix. */
  isMassMatrixDiagonal?: boolean;
  initialStepSize?: number;
  /** Tune the step size by dual averaging (default true); false keeps initialStepSize. */
  adaptStepSize?: boolean;
  /** Estimate the mass matrix in the slow windows (default true); false keeps the initial one. */
  adaptMassMatrix?: boolean;
  /** The inverse mass matrix to start from (default the identity, diagonal or dense). */
  initialInverseMassMatrix?: JaxArray;
}

/**
 * windowAdaptation(algorithm, logdensityFn, options, kernelOptions, extraParams): Stan's warmup
 * for hmc or nuts. `init(key, position)` picks the first step size (findReasonableStepSize with
 * a unit metric); `step` is one warmup transition given the schedule flags; `final` gives the
 * parameters to sample with; `run(key, position, numSteps)` does the whole warmup in one jitted
 * scan, as blackjax's window_adaptation(...).run.
 */
export function windowAdaptation<P, O, K>(
  algorithm: AdaptableAlgorithm<O, K>,
  logdensityFn: LogdensityFn<P>,
  options: WindowAdaptationOptions = {},
  kernelOptions?: O,
  extraParams: K = {} as K,
) {
  const diagonal = options.isMassMatrixDiagonal ?? true;
  const adaptStepSize = options.adaptStepSize ?? true;
  const adaptMassMatrix = options.adaptMassMatrix ?? true;
  const da = dualAveraging(options);
  const schedule = (numSteps: number): WindowSchedule => {
    const s = buildSchedule(numSteps, options);
    if (adaptMassMatrix) return s;
    return { slow: s.slow.map(() => false), windowEnd: s.windowEnd.map(() => false) };
  };
  const kernel = algorithm.buildKernel(kernelOptions);

  const init = (key: KeyLike, position: P) => {
    const state = algorithm.init(position, logdensityFn);
    const dim = ravelPytree(position)[0].shape[0]!;
    const inverseMassMatrix =
      options.initialInverseMassMatrix ??
      (diagonal ? jnp.ones([dim], { dtype: "float32" }) : jnp.eye(dim, { dtype: "float32" }));
    const initialStepSize = jnp.asarray(options.initialStepSize ?? 1, { dtype: "float32" });
    const stepSize = adaptStepSize
      ? findReasonableStepSize(key, state, logdensityFn, inverseMassMatrix, initialStepSize)
      : initialStepSize;
    const adaptState: AdaptationState = {
      stepSize,
      inverseMassMatrix,
      dualAveraging: da.init(stepSize),
      welford: welfordInit(dim, diagonal),
    };
    return { state, adaptState };
  };

  /** Closes a slow window: new metric, then Stan's init_stepsize and a restarted dual averaging. */
  const endWindow = (
    key: KeyLike,
    state: GradientState<P>,
    a: AdaptationState,
  ): AdaptationState => {
    const inverseMassMatrix = regularizedCovariance(a.welford);
    const stepSize = findReasonableStepSize(
      key,
      state,
      logdensityFn,
      inverseMassMatrix,
      a.stepSize,
    );
    return {
      stepSize,
      inverseMassMatrix,
      dualAveraging: da.init(stepSize),
      welford: welfordInit(inverseMassMatrix.shape[0]!, diagonal),
    };
  };

  const step = (
    key: KeyLike,
    state: GradientState<P>,
    adaptState: AdaptationState,
    slow: JaxArray | boolean,
    windowEnd: JaxArray | boolean,
  ) => {
    const [keyKernel, keyWindow] = splitList(key, 2);
    const [newState, info] = kernel(keyKernel!, state, logdensityFn, {
      ...extraParams,
      stepSize: adaptState.stepSize,
      inverseMassMatrix: adaptState.inverseMassMatrix,
    });
    const dualAveraging = da.update(adaptState.dualAveraging, info.acceptanceRate);
    const updated = welfordUpdate(adaptState.welford, ravelPytree(newState.position)[0]);
    const slowFlag = jnp.asarray(slow, { dtype: "bool" });
    const welford: WelfordState = {
      mean: jnp.where(slowFlag, updated.mean, adaptState.welford.mean),
      m2: jnp.where(slowFlag, updated.m2, adaptState.welford.m2),
      count: jnp.where(slowFlag, updated.count, adaptState.welford.count),
    };
    const adapted: AdaptationState = {
      stepSize: adaptStepSize ? jnp.exp(dualAveraging.logStepSize) : adaptState.stepSize,
      inverseMassMatrix: adaptState.inverseMassMatrix,
      dualAveraging,
      welford,
    };
    const next = cond(
      jnp.asarray(windowEnd, { dtype: "bool" }),
      (a: AdaptationState) => endWindow(keyWindow!, newState, a),
      (a: AdaptationState) => a,
      adapted as unknown as PyTree,
    ) as unknown as AdaptationState;
    return [newState, next, info] as const;
  };

  const final = (adaptState: AdaptationState): AdaptationParameters => ({
    // Without a single warmup step there is no average yet: keep the initial step size.
    stepSize: adaptStepSize
      ? jnp.where(
          jnp.greater(adaptState.dualAveraging.step, 0),
          da.final(adaptState.dualAveraging),
          adaptState.stepSize,
        )
      : adaptState.stepSize,
    inverseMassMatrix: adaptState.inverseMassMatrix,
  });

  const run = (key: KeyLike, position: P, numSteps = 1000) => {
    const plan = schedule(numSteps);
    const warmup = jit((k: KeyLike, x: PyTree, slow: JaxArray, windowEnd: JaxArray) => {
      const [keyInit, keyRun] = splitList(k, 2);
      const { state, adaptState } = init(keyInit!, x as P);
      const keys = random.split(keyRun!, numSteps);
      const [[lastState, lastAdapt], info] = scan(
        (
          [s, a]: [GradientState<P>, AdaptationState],
          [kk, sl, we]: [KeyLike, JaxArray, JaxArray],
        ) => {
          const [s1, a1, i1] = step(kk, s, a, sl, we);
          return [[s1, a1], i1];
        },
        [state, adaptState],
        [keys, slow, windowEnd],
      ) as [[GradientState<P>, AdaptationState], PyTree];
      return { state: lastState, parameters: final(lastAdapt), info } as unknown as PyTree;
    });
    return warmup(
      key,
      position as PyTree,
      jnp.array(plan.slow, { dtype: "bool" }),
      jnp.array(plan.windowEnd, { dtype: "bool" }),
    ) as unknown as { state: GradientState<P>; parameters: AdaptationParameters; info: PyTree };
  };

  return {
    init,
    step,
    final,
    run,
    schedule,
  };
}
