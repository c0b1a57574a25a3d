/** jax.infer: MCMC diagnostics, the posterior summary and sample export (samplers land here too). */
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
export { type ArvizJson, type ExportOptions, toArvizJson, toCsv } from "./export.js";
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
