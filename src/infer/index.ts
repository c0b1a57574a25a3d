/** jax.infer: samplers (blackjax's shape), Stan's warmup, numpyro's MCMC driver, diagnostics, summary and export. */

export {
  type AdaptationParameters,
  type AdaptationState,
  buildSchedule,
  type DualAveragingState,
  dualAveraging,
  findReasonableStepSize,
  regularizedCovariance,
  type WelfordState,
  type WindowAdaptationOptions,
  type WindowSchedule,
  welfordInit,
  welfordUpdate,
  windowAdaptation,
} from "./adaptation.js";
export type { GradientState, LogdensityFn } from "./base.js";
export {
  autocorrelation,
  autocovariance,
  type EssMethod,
  effectiveSampleSize,
  ess,
  gelmanRubin,
  hpdi,
  type McseMethod,
  mcse,
  type NestedNumbers,
  type RhatMethod,
  rhat,
  type SampleArray,
  splitGelmanRubin,
} from "./diagnostics.js";
export * as ellipticalSlice from "./elliptical_slice.js";
export * as ensemble from "./ensemble.js";
export { type ArvizJson, type ExportOptions, toArvizJson, toCsv } from "./export.js";
export * as hmc from "./hmc.js";
export {
  euclideanIntegrator,
  type IntegratorState,
  mclachlanCoefficients,
  velocityVerletCoefficients,
  yoshidaCoefficients,
} from "./integrators.js";
export * as mala from "./mala.js";
export {
  type ChainMethod,
  type GetOptions,
  MCMC,
  type MCMCOptions,
  type RunOptions,
} from "./mcmc.js";
export { gaussianEuclidean, type Metric } from "./metrics.js";
export * as nuts from "./nuts.js";
export { ravelPytree, type Unravel } from "./ravel.js";
export * as rmh from "./rmh.js";
export {
  type AnyLogdensityFn,
  type ExtraFields,
  HMC,
  type HMCOptions,
  type MCMCKernel,
  NUTS,
  type NUTSOptions,
  RMH,
  type RMHOptions,
} from "./samplers.js";
export {
  formatSummary,
  type IntervalKind,
  type PrintSummaryOptions,
  printSummary,
  type Samples,
  type SummaryOptions,
  type SummaryRow,
  type SummaryTable,
  summary,
} from "./summary.js";
