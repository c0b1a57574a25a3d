/**
 * The No-U-Turn Sampler, iterative and multinomial, as Stan, numpyro and blackjax build it:
 * the trajectory doubles in a random direction until the generalized U-turn criterion holds
 * (across the whole trajectory and every balanced subtree), an energy error exceeds the
 * divergence threshold, or the tree depth reaches its maximum. Within a new subtree the proposal
 * is drawn by progressive uniform sampling; the subtree's proposal replaces the current one with
 * probability min(1, w_subtree / w_tree) (biased progressive sampling).
 *
 * References: Hoffman & Gelman (2014), "The No-U-Turn Sampler", JMLR 15; Betancourt (2017), "A
 * Conceptual Introduction to Hamiltonian Monte Carlo", arXiv:1701.02434, appendix A; the
 * iterative subtree with U-turn checkpoints follows numpyro's hmc_util (iterative_build_subtree,
 * leaf_idx_to_ckpt_idxs).
 */
import type { JaxArray } from "../core/array.js";
import type { PyTree } from "../core/pytree.js";
import * as lax from "../lax/index.js";
import * as jnp from "../numpy/index.js";
import * as random from "../random/index.js";
import { type KeyLike, splitList } from "../random/keys.js";
import { whileLoop } from "../transforms/control_flow.js";
import { flatLogdensityAndGrad, type LogdensityFn, selectTree } from "./base.js";
import {
  energyOf,
  flatStart,
  type HMCKernelOptions,
  type HMCState,
  init as hmcInit,
  toGradientState,
} from "./hmc.js";
import {
  euclideanIntegrator,
  type Integrator,
  type IntegratorState,
  integratorCoefficients,
} from "./integrators.js";
import type { Metric } from "./metrics.js";

export type NUTSState<P = PyTree> = HMCState<P>;

export interface NUTSInfo {
  /** Mean of min(1, exp(H0 - H)) over every leaf built (Stan's accept_stat). */
  readonly acceptanceRate: JaxArray;
  readonly isDivergent: JaxArray;
  readonly isTurning: JaxArray;
  /** The total energy at the returned state. */
  readonly energy: JaxArray;
  readonly numIntegrationSteps: JaxArray;
  readonly treeDepth: JaxArray;
}

export interface NUTSParameters {
  stepSize: JaxArray | number;
  /** A vector (diagonal) or a matrix (dense), over the flat position. */
  inverseMassMatrix: JaxArray | number[] | number[][];
}

export interface NUTSKernelOptions extends HMCKernelOptions {
  /** The largest number of trajectory doublings (default 10: at most 1023 steps, as Stan). */
  maxTreeDepth?: number;
}

export type NUTSKernel = <P = PyTree>(
  key: KeyLike,
  state: NUTSState<P>,
  logdensityFn: LogdensityFn<P>,
  params: NUTSParameters,
) => [NUTSState<P>, NUTSInfo];

export function init<P>(position: P, logdensityFn: LogdensityFn<P>): NUTSState<P> {
  return hmcInit(position, logdensityFn);
}

interface Proposal {
  position: JaxArray;
  logdensity: JaxArray;
  logdensityGrad: JaxArray;
  energy: JaxArray;
}

interface Subtree {
  key: KeyLike;
  end: IntegratorState;
  momentumSum: JaxArray;
  logWeight: JaxArray;
  proposal: Proposal;
  turning: JaxArray;
  diverging: JaxArray;
  sumAcceptProb: JaxArray;
  numSteps: JaxArray;
  /** Momentum and momentum sum at the even leaves that start balanced subtrees. */
  momentumCkpts: JaxArray;
  momentumSumCkpts: JaxArray;
}

interface Trajectory {
  key: KeyLike;
  left: IntegratorState;
  right: IntegratorState;
  momentumSum: JaxArray;
  logWeight: JaxArray;
  proposal: Proposal;
  depth: JaxArray;
  turning: JaxArray;
  diverging: JaxArray;
  sumAcceptProb: JaxArray;
  numSteps: JaxArray;
}

const f32 = (v: number) => jnp.array(v, { dtype: "float32" });
const i32 = (v: number) => jnp.array(v, { dtype: "int32" });
const bool = (v: boolean) => jnp.array(v, { dtype: "bool" });

/**
 * For leaf n (0-based) of a subtree, the range of checkpoints to test for a U-turn, as numpyro's
 * leaf_idx_to_ckpt_idxs: idxMax = popcount(n >> 1), and idxMin = idxMax - (trailing ones of n) + 1.
 * An odd leaf closes one balanced subtree per trailing one bit.
 */
export function checkpointRange(n: JaxArray): [JaxArray, JaxArray] {
  const idxMax = jnp.bitwiseCount(jnp.rightShift(n, 1));
  const trailingOnes = jnp.bitwiseCount(jnp.rightShift(jnp.bitwiseXor(n, jnp.add(n, 1)), 1));
  return [jnp.add(jnp.subtract(idxMax, trailingOnes), 1), idxMax];
}

/** Whether any balanced subtree ending at this leaf (checkpoints idxMin..idxMax) makes a U-turn. */
function isIterativeTurning(
  metric: Metric,
  momentum: JaxArray,
  momentumSum: JaxArray,
  t: Subtree,
  idxMin: JaxArray,
  idxMax: JaxArray,
): JaxArray {
  const depth = t.momentumCkpts.shape[0]!;
  const idx = lax.iota("int32", depth);
  const active = jnp.logicalAnd(jnp.greaterEqual(idx, idxMin), jnp.lessEqual(idx, idxMax));
  // The momentum sum from checkpoint i's leaf through this leaf, for every i at once.
  const subtreeSums = jnp.add(jnp.subtract(momentumSum, t.momentumSumCkpts), t.momentumCkpts);
  const turning = metric.isTurning(t.momentumCkpts, momentum, subtreeSums);
  return jnp.any(jnp.logicalAnd(active, turning));
}

function buildSubtree(
  step: Integrator,
  metric: Metric,
  key: KeyLike,
  start: IntegratorState,
  stepSize: JaxArray,
  depth: JaxArray,
  energy0: JaxArray,
  maxTreeDepth: number,
  threshold: number,
): Subtree {
  const dim = start.position.shape[0]!;
  const numLeaves = jnp.leftShift(i32(1), depth);
  const zeros = jnp.zeros([maxTreeDepth, dim], { dtype: "float32" });
  const initial: Subtree = {
    key,
    end: start,
    momentumSum: jnp.zerosLike(start.momentum),
    logWeight: f32(Number.NEGATIVE_INFINITY),
    proposal: { ...start, energy: energy0 },
    turning: bool(false),
    diverging: bool(false),
    sumAcceptProb: f32(0),
    numSteps: i32(0),
    momentumCkpts: zeros,
    momentumSumCkpts: zeros,
  };
  return whileLoop<Subtree>(
    (t) =>
      jnp.logicalAnd(
        jnp.less(t.numSteps, numLeaves),
        jnp.logicalNot(jnp.logicalOr(t.turning, t.diverging)),
      ),
    (t) => {
      const [nextKey, keyTake] = splitList(t.key, 2);
      const leaf = step(t.end, stepSize);
      const energy = energyOf(metric, leaf);
      let deltaEnergy = jnp.subtract(energy, energy0);
      deltaEnergy = jnp.where(jnp.isnan(deltaEnergy), Number.POSITIVE_INFINITY, deltaEnergy);
      const leafLogWeight = jnp.negative(deltaEnergy);
      const logWeight = jnp.logaddexp(t.logWeight, leafLogWeight);
      // Progressive uniform sampling: the new leaf takes over with probability w_leaf / w_total.
      const take = jnp.less(
        jnp.log(random.uniform(keyTake!)),
        jnp.subtract(leafLogWeight, logWeight),
      );
      const proposal = selectTree(take, { ...leaf, energy }, t.proposal);
      const momentumSum = jnp.add(t.momentumSum, leaf.momentum);
      const [idxMin, idxMax] = checkpointRange(t.numSteps);
      const isEven = jnp.equal(jnp.bitwiseAnd(t.numSteps, 1), 0);
      const store = (ckpts: JaxArray, row: JaxArray) =>
        jnp.where(
          isEven,
          lax.dynamicUpdateSlice(ckpts, jnp.reshape(row, [1, dim]), [idxMax, 0]),
          ckpts,
        );
      const next: Subtree = {
        ...t,
        momentumCkpts: store(t.momentumCkpts, leaf.momentum),
        momentumSumCkpts: store(t.momentumSumCkpts, momentumSum),
      };
      return {
        ...next,
        key: nextKey!,
        end: leaf,
        momentumSum,
        logWeight,
        proposal,
        turning: isIterativeTurning(metric, leaf.momentum, momentumSum, next, idxMin, idxMax),
        diverging: jnp.greater(deltaEnergy, threshold),
        sumAcceptProb: jnp.add(t.sumAcceptProb, jnp.exp(jnp.minimum(leafLogWeight, 0))),
        numSteps: jnp.add(t.numSteps, 1),
      };
    },
    initial,
  );
}

export function buildKernel(options: NUTSKernelOptions = {}): NUTSKernel {
  const coefficients = integratorCoefficients("nuts", options.integrator);
  const threshold = options.divergenceThreshold ?? 1000;
  const maxTreeDepth = options.maxTreeDepth ?? 10;
  if (!Number.isInteger(maxTreeDepth) || maxTreeDepth < 1 || maxTreeDepth > 30)
    throw new RangeError(`nuts: maxTreeDepth must be an integer in [1, 30], got ${maxTreeDepth}`);
  return (key, state, logdensityFn, params) => {
    const [keyMomentum, keyTree] = splitList(key, 2);
    const { start, metric, unravel } = flatStart(
      "nuts",
      keyMomentum!,
      state,
      params.inverseMassMatrix,
    );
    const step = euclideanIntegrator(
      coefficients,
      flatLogdensityAndGrad("nuts", logdensityFn, unravel),
      metric.velocity,
    );
    const stepSize = jnp.asarray(params.stepSize, { dtype: "float32" });
    const energy0 = energyOf(metric, start);
    const initial: Trajectory = {
      key: keyTree!,
      left: start,
      right: start,
      momentumSum: start.momentum,
      logWeight: f32(0),
      proposal: { ...start, energy: energy0 },
      depth: i32(0),
      turning: bool(false),
      diverging: bool(false),
      sumAcceptProb: f32(0),
      numSteps: i32(0),
    };
    const done = whileLoop<Trajectory>(
      (t) =>
        jnp.logicalAnd(
          jnp.less(t.depth, maxTreeDepth),
          jnp.logicalNot(jnp.logicalOr(t.turning, t.diverging)),
        ),
      (t) => {
        const [nextKey, keyDirection, keySubtree, keyTake] = splitList(t.key, 4);
        const goRight = random.bernoulli(keyDirection!);
        const sub = buildSubtree(
          step,
          metric,
          keySubtree!,
          selectTree(goRight, t.right, t.left),
          jnp.where(goRight, stepSize, jnp.negative(stepSize)),
          t.depth,
          energy0,
          maxTreeDepth,
          threshold,
        );
        const left = selectTree(goRight, t.left, sub.end);
        const right = selectTree(goRight, sub.end, t.right);
        const momentumSum = jnp.add(t.momentumSum, sub.momentumSum);
        // Biased progressive sampling: move to the new subtree with probability min(1, w_new / w_old).
        const rejected = jnp.logicalOr(sub.turning, sub.diverging);
        const take = jnp.logicalAnd(
          jnp.logicalNot(rejected),
          jnp.less(jnp.log(random.uniform(keyTake!)), jnp.subtract(sub.logWeight, t.logWeight)),
        );
        return {
          key: nextKey!,
          left,
          right,
          momentumSum,
          logWeight: jnp.logaddexp(t.logWeight, sub.logWeight),
          proposal: selectTree(take, sub.proposal, t.proposal),
          depth: jnp.add(t.depth, 1),
          turning: jnp.logicalOr(
            sub.turning,
            metric.isTurning(left.momentum, right.momentum, momentumSum),
          ),
          diverging: sub.diverging,
          sumAcceptProb: jnp.add(t.sumAcceptProb, sub.sumAcceptProb),
          numSteps: jnp.add(t.numSteps, sub.numSteps),
        };
      },
      initial,
    );
    const p = done.proposal;
    const newState = toGradientState(
      {
        position: p.position,
        momentum: start.momentum,
        logdensity: p.logdensity,
        logdensityGrad: p.logdensityGrad,
      },
      unravel,
    );
    return [
      newState,
      {
        acceptanceRate: jnp.divide(done.sumAcceptProb, jnp.maximum(done.numSteps, 1)),
        isDivergent: done.diverging,
        isTurning: done.turning,
        energy: p.energy,
        numIntegrationSteps: done.numSteps,
        treeDepth: done.depth,
      },
    ];
  };
}

/** nuts(logdensityFn, params) -> {init, step}. */
export function nuts<P = PyTree>(
  logdensityFn: LogdensityFn<P>,
  params: NUTSParameters & NUTSKernelOptions,
) {
  const kernel = buildKernel(params);
  return {
    init: (position: P) => init(position, logdensityFn),
    step: (key: KeyLike, state: NUTSState<P>) => kernel(key, state, logdensityFn, params),
  };
}
