/**
 * The samplers the MCMC driver runs, numpyro-style (infer.NUTS, infer.HMC, infer.RMH): each
 * binds a log density and its options, and exposes jittable warmup and sampling steps for one
 * chain. The driver vmaps them over chains (or runs chains one after another).
 */
import type { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import type { PyTree } from "../core/pytree.js";
import * as jnp from "../numpy/index.js";
import type { KeyLike } from "../random/keys.js";
import {
  type AdaptationParameters,
  type AdaptationState,
  buildSchedule,
  type WindowSchedule,
  windowAdaptation,
} from "./adaptation.js";
import type { GradientState, LogdensityFn } from "./base.js";
import * as hmcModule from "./hmc.js";
import type { IntegratorName } from "./integrators.js";
import * as nutsModule from "./nuts.js";
import * as rmhModule from "./rmh.js";

/** Per-draw sampler statistics, named as numpyro names them (camelCase). */
export type ExtraFields = Record<string, JaxArray>;

export interface WarmupCarry {
  state: PyTree;
  adapt: PyTree;
}

/** What MCMC needs of a sampler: jittable, single-chain pieces. */
export interface MCMCKernel {
  readonly name: string;
  /**
   * How the driver runs several chains unless told otherwise. NUTS prefers "sequential": under
   * vmap its trajectory loop runs until the deepest chain's tree is done, so on the cpu one
   * chain after another is faster (the draws are the same either way).
   */
  readonly preferredChainMethod?: "vectorized" | "sequential";
  readonly logdensityFn: LogdensityFn;
  schedule(numWarmup: number): WindowSchedule;
  warmupInit(key: KeyLike, position: PyTree): WarmupCarry;
  warmupStep(
    key: KeyLike,
    carry: WarmupCarry,
    slow: JaxArray,
    windowEnd: JaxArray,
  ): [WarmupCarry, ExtraFields];
  /** The parameters to sample with, from the end of warmup. */
  parameters(carry: WarmupCarry): PyTree;
  sample(key: KeyLike, state: PyTree, params: PyTree): [PyTree, ExtraFields];
}

/** Any log density over the user's parameter tree (checked when the sampler first traces it). */
export type AnyLogdensityFn = (position: never) => JaxArray | number;

export interface GradientSamplerOptions {
  logdensityFn: AnyLogdensityFn;
  /** The initial step size (default 1); with adaptStepSize false, the step size used. */
  stepSize?: number;
  adaptStepSize?: boolean;
  adaptMassMatrix?: boolean;
  /** A dense mass matrix (default false: diagonal). */
  denseMass?: boolean;
  /** Dual averaging's target acceptance statistic (default 0.8). */
  targetAcceptProb?: number;
  /** The starting (or, with adaptMassMatrix false, fixed) inverse mass matrix. */
  inverseMassMatrix?: JaxArray;
  integrator?: IntegratorName | readonly number[];
  divergenceThreshold?: number;
}

function checkLogdensity(name: string, fn: unknown): LogdensityFn {
  if (typeof fn !== "function")
    throw new ValueError(`${name}: options.logdensityFn must be a function, got ${typeof fn}`);
  return fn as LogdensityFn;
}

type GradientAlgorithm = typeof hmcModule | typeof nutsModule;

abstract class GradientSampler implements MCMCKernel {
  readonly logdensityFn: LogdensityFn;
  private readonly adaptation;
  private readonly kernel;
  private readonly extraParams: Record<string, unknown>;

  constructor(
    readonly name: string,
    options: GradientSamplerOptions,
    algorithm: GradientAlgorithm,
    kernelOptions: Record<string, unknown>,
    extraParams: Record<string, unknown>,
  ) {
    this.logdensityFn = checkLogdensity(name, options?.logdensityFn);
    this.extraParams = extraParams;
    this.kernel = algorithm.buildKernel(kernelOptions) as hmcModule.HMCKernel;
    this.adaptation = windowAdaptation(
      algorithm as never,
      this.logdensityFn,
      {
        isMassMatrixDiagonal: !(options.denseMass ?? false),
        initialStepSize: options.stepSize ?? 1,
        adaptStepSize: options.adaptStepSize ?? true,
        adaptMassMatrix: options.adaptMassMatrix ?? true,
        targetAcceptanceRate: options.targetAcceptProb ?? 0.8,
        initialInverseMassMatrix: options.inverseMassMatrix,
      },
      kernelOptions as never,
      extraParams as never,
    );
  }

  protected abstract fields(info: Record<string, JaxArray>, state: GradientState): ExtraFields;

  schedule(numWarmup: number): WindowSchedule {
    return this.adaptation.schedule(numWarmup);
  }

  warmupInit(key: KeyLike, position: PyTree): WarmupCarry {
    const { state, adaptState } = this.adaptation.init(key, position);
    return { state: state as unknown as PyTree, adapt: adaptState as unknown as PyTree };
  }

  warmupStep(key: KeyLike, carry: WarmupCarry, slow: JaxArray, windowEnd: JaxArray) {
    const [state, adapt, info] = this.adaptation.step(
      key,
      carry.state as unknown as GradientState,
      carry.adapt as unknown as AdaptationState,
      slow,
      windowEnd,
    );
    return [
      { state: state as unknown as PyTree, adapt: adapt as unknown as PyTree },
      this.fields(info as unknown as Record<string, JaxArray>, state),
    ] as [WarmupCarry, ExtraFields];
  }

  parameters(carry: WarmupCarry): PyTree {
    return this.adaptation.final(carry.adapt as unknown as AdaptationState) as unknown as PyTree;
  }

  sample(key: KeyLike, state: PyTree, params: PyTree): [PyTree, ExtraFields] {
    const [next, info] = this.kernel(key, state as unknown as GradientState, this.logdensityFn, {
      ...(this.extraParams as object),
      ...(params as unknown as AdaptationParameters),
    } as hmcModule.HMCParameters);
    return [
      next as unknown as PyTree,
      this.fields(info as unknown as Record<string, JaxArray>, next),
    ];
  }
}

export interface NUTSOptions extends GradientSamplerOptions {
  /** Default 10, as Stan and numpyro. */
  maxTreeDepth?: number;
}

/** infer.NUTS: the No-U-Turn sampler with Stan's window adaptation (numpyro's NUTS). */
export class NUTS extends GradientSampler {
  readonly preferredChainMethod = "sequential";
  constructor(options: NUTSOptions) {
    super(
      "NUTS",
      options,
      nutsModule,
      {
        integrator: options?.integrator,
        divergenceThreshold: options?.divergenceThreshold,
        maxTreeDepth: options?.maxTreeDepth,
      },
      {},
    );
  }
  protected fields(info: Record<string, JaxArray>, state: GradientState): ExtraFields {
    return {
      diverging: info.isDivergent!,
      acceptProb: info.acceptanceRate!,
      numSteps: info.numIntegrationSteps!,
      treeDepth: info.treeDepth!,
      energy: info.energy!,
      potentialEnergy: jnp.negative(state.logdensity),
    };
  }
}

export interface HMCOptions extends GradientSamplerOptions {
  /** Leapfrog steps per transition (default 10). */
  numSteps?: number;
}

/** infer.HMC: static-length Hamiltonian Monte Carlo with Stan's window adaptation. */
export class HMC extends GradientSampler {
  constructor(options: HMCOptions) {
    const numSteps = options?.numSteps ?? 10;
    if (!Number.isInteger(numSteps) || numSteps < 1)
      throw new ValueError(`HMC: numSteps must be a positive integer, got ${numSteps}`);
    super(
      "HMC",
      options,
      hmcModule,
      { integrator: options?.integrator, divergenceThreshold: options?.divergenceThreshold },
      { numIntegrationSteps: numSteps },
    );
  }
  protected fields(info: Record<string, JaxArray>, state: GradientState): ExtraFields {
    return {
      diverging: info.isDivergent!,
      acceptProb: info.acceptanceRate!,
      numSteps: info.numIntegrationSteps!,
      energy: info.energy!,
      potentialEnergy: jnp.negative(state.logdensity),
    };
  }
}

export interface RMHOptions {
  logdensityFn: AnyLogdensityFn;
  /** The normal random walk's scale (see rmh.RMHParameters.scale). */
  scale?: JaxArray | number | number[] | number[][];
  /** A user proposal (key, position) -> position, symmetric unless proposalLogdensityFn is given. */
  proposal?: (key: KeyLike, position: never) => unknown;
  proposalLogdensityFn?: (to: never, from: never) => JaxArray;
}

/** infer.RMH: random-walk Metropolis; warmup is burn-in (nothing is tuned). */
export class RMH implements MCMCKernel {
  readonly name = "RMH";
  readonly logdensityFn: LogdensityFn;
  private readonly params: rmhModule.RMHParameters;
  private readonly kernel = rmhModule.buildKernel();

  constructor(options: RMHOptions) {
    this.logdensityFn = checkLogdensity("RMH", options?.logdensityFn);
    const { logdensityFn: _, ...params } = options;
    this.params = params as unknown as rmhModule.RMHParameters;
  }
  schedule(numWarmup: number): WindowSchedule {
    const s = buildSchedule(numWarmup);
    return { slow: s.slow.map(() => false), windowEnd: s.windowEnd.map(() => false) };
  }
  warmupInit(_key: KeyLike, position: PyTree): WarmupCarry {
    return { state: rmhModule.init(position, this.logdensityFn) as unknown as PyTree, adapt: {} };
  }
  warmupStep(key: KeyLike, carry: WarmupCarry): [WarmupCarry, ExtraFields] {
    const [state, fields] = this.sample(key, carry.state, {});
    return [{ state, adapt: carry.adapt }, fields];
  }
  parameters(): PyTree {
    return {};
  }
  sample(key: KeyLike, state: PyTree, _params?: PyTree): [PyTree, ExtraFields] {
    const [next, info] = this.kernel(
      key,
      state as unknown as rmhModule.RMHState,
      this.logdensityFn,
      this.params,
    );
    return [
      next as unknown as PyTree,
      { acceptProb: info.acceptanceRate, potentialEnergy: jnp.negative(next.logdensity) },
    ];
  }
}
