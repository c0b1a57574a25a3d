/**
 * MCMC convergence diagnostics, as numpyro.diagnostics and ArviZ/posterior compute them.
 *
 * Samples are laid out as ArviZ lays them out: [chains, draws, ...paramShape]. The functions take
 * concrete jax Arrays or nested JS arrays and compute on the host in float64 (they post-process
 * finished draws: they are not traced, jitted or differentiated), returning JS numbers, nested
 * to the parameter shape.
 *
 * References: Vehtari, Gelman, Simpson, Carpenter, Buerkner (2021), "Rank-normalization,
 * folding, and localization: an improved R-hat for assessing convergence of MCMC", Bayesian
 * Analysis 16(2), https://doi.org/10.1214/20-BA1221 (rank-normalized split R-hat, bulk and tail
 * ESS, MCSE); Geyer (1992), "Practical Markov chain Monte Carlo", Statistical Science 7(4)
 * (initial monotone sequence estimator); Stan reference manual, "Effective sample size".
 */
import { JaxArray, type NestedArray } from "../core/array.js";
import { SyncReadError, TypeError_, ValueError } from "../core/errors.js";
import { fmtShape, normalizeAxis, prod } from "../core/shape.js";
import type { JaxArgs } from "../numpy/options.js";
import { readArgs } from "../numpy/options.js";
import {
  autocovarianceRows,
  averageRanks,
  betaPpf,
  mean,
  median,
  ndtri,
  quantileSorted,
  sorted,
  variance,
} from "./diagnostics_math.js";

/** Samples of one quantity: a concrete jax Array or a nested JS array of numbers (or booleans). */
export type SampleArray = JaxArray | NestedArray;

/** Results: a JS number per scalar component, nested to the component shape. */
export type NestedNumbers = number | NestedNumbers[];

/** A float64 copy of an array on the host. */
export interface HostArray {
  values: Float64Array;
  shape: number[];
}

/** Reads a jax Array or a rectangular nested JS array into float64 host memory. */
export function toHost(fn: string, arg: string, x: SampleArray): HostArray {
  if (x instanceof JaxArray) {
    try {
      return { values: Float64Array.from(x.dataSync()), shape: [...x.shape] };
    } catch (e) {
      if (e instanceof SyncReadError) throw new SyncReadError(`${fn}: ${arg}: ${e.message}`);
      throw e;
    }
  }
  if (typeof x === "number" || typeof x === "boolean")
    return { values: Float64Array.of(+x), shape: [] };
  if (!Array.isArray(x))
    throw new TypeError_(
      `${fn}: ${arg} must be a jax Array or a nested array of numbers, got ${describe(x)}`,
    );
  const shape: number[] = [];
  for (let level: unknown = x; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values = new Float64Array(prod(shape));
  let offset = 0;
  const walk = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof node !== "number" && typeof node !== "boolean")
        throw new TypeError_(`${fn}: ${arg} must hold numbers, found ${describe(node)}`);
      values[offset++] = +node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth])
      throw new ValueError(
        `${fn}: ${arg} is a ragged nested array: expected length ${shape[depth]} at depth ${depth}, got ${Array.isArray(node) ? node.length : describe(node)}`,
      );
    for (const child of node) walk(child, depth + 1);
  };
  walk(x, 0);
  return { values, shape };
}

function describe(x: unknown): string {
  return x === null ? "null" : Array.isArray(x) ? "an array" : typeof x;
}

/** Nests flat values to `shape` (a bare number for shape []). */
export function nest(values: ArrayLike<number>, shape: readonly number[]): NestedNumbers {
  if (shape.length === 0) return values[0]!;
  const [n, ...rest] = shape;
  const step = prod(rest);
  return Array.from({ length: n! }, (_, i) =>
    nest(Array.prototype.slice.call(values, i * step, (i + 1) * step), rest),
  );
}

// --- [chains, draws] draws of one scalar ----------------------------------------------------

/** The draws of one scalar component: `chains` rows of `draws` values, row-major. */
export interface Chains {
  values: Float64Array;
  chains: number;
  draws: number;
}

/**
 * Checks the [chains, draws, ...] layout and returns each scalar component's draws with the
 * component shape.
 */
export function components(
  fn: string,
  arg: string,
  x: HostArray,
  minDraws: number,
): { parts: Chains[]; shape: number[] } {
  if (x.shape.length < 2)
    throw new ValueError(
      `${fn}: ${arg} must have shape [chains, draws, ...] (ArviZ's layout), got shape ${fmtShape(x.shape)}`,
    );
  const [chains, draws, ...shape] = x.shape as [number, number, ...number[]];
  if (chains < 1 || draws < minDraws)
    throw new ValueError(
      `${fn}: ${arg} needs at least 1 chain and ${minDraws} draws, got shape ${fmtShape(x.shape)}`,
    );
  const k = prod(shape);
  const parts = Array.from({ length: k }, (_, j) => {
    const values = new Float64Array(chains * draws);
    for (let i = 0; i < chains * draws; i++) values[i] = x.values[i * k + j]!;
    return { values, chains, draws };
  });
  return { parts, shape };
}

function rows(c: Chains): Float64Array[] {
  return Array.from({ length: c.chains }, (_, i) =>
    c.values.subarray(i * c.draws, (i + 1) * c.draws),
  );
}

function mapValues(c: Chains, f: (v: number) => number): Chains {
  return { ...c, values: c.values.map(f) };
}

/** Each chain cut into its first and last halves (the middle draw of an odd count is dropped). */
export function splitChains(c: Chains): Chains {
  const half = Math.floor(c.draws / 2);
  const values = new Float64Array(2 * c.chains * half);
  rows(c).forEach((row, i) => {
    values.set(row.subarray(0, half), 2 * i * half);
    values.set(row.subarray(c.draws - half), (2 * i + 1) * half);
  });
  return { values, chains: 2 * c.chains, draws: half };
}

/**
 * Rank normalization (Vehtari et al. 2021, eq. 14): average ranks over all chains, mapped
 * through the normal quantile function with Blom's offset 3/8.
 */
export function zScale(c: Chains): Chains {
  const n = c.values.length;
  const ranks = averageRanks(c.values);
  return { ...c, values: ranks.map((r) => ndtri((r - 3 / 8) / (n - 2 * (3 / 8) + 1))) };
}

function folded(c: Chains): Chains {
  const m = median(c.values);
  return mapValues(c, (v) => Math.abs(v - m));
}

function hasNaN(c: Chains): boolean {
  return c.values.some(Number.isNaN);
}

/** Potential scale reduction of chains as given (BDA3 eq. 11.4 with the split done by the caller). */
export function rhatBasic(c: Chains): number {
  if (hasNaN(c) || c.chains < 2) return Number.NaN;
  const chainRows = rows(c);
  const between = c.draws * variance(chainRows.map(mean), 1);
  const within = mean(chainRows.map((r) => variance(r, 1)));
  return Math.sqrt((between / within + c.draws - 1) / c.draws);
}

/**
 * Effective sample size of chains as given, with Geyer's initial positive sequence truncation
 * and initial monotone sequence, as Stan (and ArviZ's `_ess`, posterior's `.ess`) compute it.
 * Stan's "improved" estimate adds the last positive even lag, and tau is floored at
 * 1 / log10(total draws).
 */
export function essBasic(c: Chains, relative = false): number {
  if (hasNaN(c)) return Number.NaN;
  const { chains, draws: n } = c;
  const total = chains * n;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of c.values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi - lo < 1e-15) return relative ? 1 : total; // a constant quantity (numpy's float resolution)
  const acov = autocovarianceRows(rows(c));
  const meanAcov = (t: number) => mean(acov.map((a) => a[t]!));
  const meanVar = (meanAcov(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (chains > 1) varPlus += variance(rows(c).map(mean), 1);
  const rhoAt = (t: number) => 1 - (meanVar - meanAcov(t)) / varPlus;

  const rho = new Float64Array(n);
  let even = 1;
  let odd = rhoAt(1);
  rho[0] = even;
  rho[1] = odd;
  let t = 1;
  while (t < n - 3 && even + odd > 0) {
    even = rhoAt(t + 1);
    odd = rhoAt(t + 2);
    if (even + odd >= 0) {
      rho[t + 1] = even;
      rho[t + 2] = odd;
    }
    t += 2;
  }
  const maxT = t - 2;
  if (even > 0) rho[maxT + 1] = even;
  for (let s = 1; s <= maxT - 2; s += 2) {
    if (rho[s + 1]! + rho[s + 2]! > rho[s - 1]! + rho[s]!) {
      rho[s + 1] = (rho[s - 1]! + rho[s]!) / 2;
      rho[s + 2] = rho[s + 1]!;
    }
  }
  let tau = -1 + rho[maxT + 1]!;
  for (let s = 0; s <= maxT; s++) tau += 2 * rho[s]!;
  tau = Math.max(tau, 1 / Math.log10(total));
  return (relative ? 1 : total) / tau;
}

function quantileOf(c: Chains, p: number): number {
  return quantileSorted(sorted(c.values), p);
}

function indicator(c: Chains, test: (v: number) => boolean): Chains {
  return mapValues(c, (v) => (test(v) ? 1 : 0));
}

/** ESS of the quantile at `prob`: split-ESS of the indicator x <= q (Vehtari et al. 2021, sec. 4.3). */
export function essQuantile(c: Chains, prob: number, relative = false): number {
  if (hasNaN(c)) return Number.NaN;
  const q = quantileOf(c, prob);
  return essBasic(splitChains(indicator(c, (v) => v <= q)), relative);
}

// --- rank-normalized R-hat, ESS and MCSE (ArviZ names) ---------------------------------------

export type RhatMethod = "rank" | "split" | "folded" | "z_scale" | "identity";
export type EssMethod =
  | "bulk"
  | "tail"
  | "quantile"
  | "mean"
  | "sd"
  | "median"
  | "mad"
  | "z_scale"
  | "folded"
  | "identity"
  | "local";
export type McseMethod = "mean" | "sd" | "median" | "quantile";

/** R-hat of one scalar by ArviZ's `method`; "rank" is max(bulk, folded) rank-normalized split R-hat. */
export function rhatOf(c: Chains, method: RhatMethod = "rank"): number {
  if (hasNaN(c)) return Number.NaN;
  switch (method) {
    case "rank": {
      const s = splitChains(c);
      return Math.max(rhatBasic(zScale(s)), rhatBasic(zScale(folded(s))));
    }
    case "split":
      return rhatBasic(splitChains(c));
    case "folded":
      return rhatBasic(zScale(folded(splitChains(c))));
    case "z_scale":
      return rhatBasic(zScale(splitChains(c)));
    case "identity":
      return rhatBasic(c);
  }
}

/** ESS of one scalar by ArviZ's `method`; `prob` is the quantile ("quantile"), the tail pair ("tail") or the interval ("local"). */
export function essOf(
  c: Chains,
  method: EssMethod = "bulk",
  prob?: number | readonly [number, number],
  relative = false,
): number {
  if (hasNaN(c)) return Number.NaN;
  switch (method) {
    case "bulk":
    case "z_scale":
      return essBasic(zScale(splitChains(c)), relative);
    case "tail": {
      const [low, high] = typeof prob === "number" ? [prob, 1 - prob] : (prob ?? [0.05, 0.95]);
      return Math.min(essQuantile(c, low, relative), essQuantile(c, high, relative));
    }
    case "quantile":
      return essQuantile(c, prob as number, relative);
    case "median":
      return essQuantile(c, 0.5, relative);
    case "mean":
      return essBasic(splitChains(c), relative);
    case "sd": {
      const s = splitChains(c);
      return Math.min(
        essBasic(s, relative),
        essBasic(
          mapValues(s, (v) => v * v),
          relative,
        ),
      );
    }
    case "mad": {
      const dev = folded(c);
      const m = median(dev.values);
      return essBasic(zScale(splitChains(indicator(dev, (v) => v <= m))), relative);
    }
    case "folded":
      return essBasic(zScale(folded(splitChains(c))), relative);
    case "identity":
      return essBasic(c, relative);
    case "local": {
      const [low, high] = prob as readonly [number, number];
      const s = sorted(c.values);
      const a = quantileSorted(s, low);
      const b = quantileSorted(s, high);
      return essBasic(splitChains(indicator(c, (v) => a <= v && v <= b)), relative);
    }
  }
}

/** Monte Carlo standard error of one scalar's mean, sd or quantile. */
export function mcseOf(c: Chains, method: McseMethod = "mean", prob?: number): number {
  if (hasNaN(c)) return Number.NaN;
  switch (method) {
    case "mean":
      return Math.sqrt(variance(c.values, 1) / essOf(c, "mean"));
    case "sd":
      return mcseSd(c);
    case "median":
      return mcseQuantile(c, 0.5);
    case "quantile":
      return mcseQuantile(c, prob as number);
  }
}

/**
 * MCSE of the sd as posterior's mcse_sd: Kenney and Keeping's variance of the variance estimate
 * with the ESS of the squared centred draws, then the delta method for the square root.
 */
function mcseSd(c: Chains): number {
  const mu = mean(c.values);
  const sq = mapValues(c, (v) => (v - mu) ** 2);
  const ess = essOf(sq, "mean");
  const evar = mean(sq.values);
  const varvar = (mean(sq.values.map((v) => v * v)) - evar * evar) / ess;
  return Math.sqrt(varvar / evar / 4);
}

/**
 * MCSE of a quantile (Vehtari et al. 2021, sec. 4.4): the ESS of the quantile gives a Beta
 * posterior for the rank; half the distance between the order statistics at its 16% and 84%
 * quantiles (+-1 sd of a normal) is the standard error.
 */
function mcseQuantile(c: Chains, prob: number): number {
  if (hasNaN(c)) return Number.NaN;
  const ess = essQuantile(c, prob);
  const s = sorted(c.values);
  const size = s.length;
  const a = ess * prob + 1;
  const b = ess * (1 - prob) + 1;
  const lowIndex = Math.floor(Math.max(betaPpf(0.1586553, a, b) * size - 1, 0));
  const highIndex = Math.ceil(Math.min(betaPpf(0.8413447, a, b) * size - 1, size - 1));
  return (s[highIndex]! - s[lowIndex]!) / 2;
}

// --- public API --------------------------------------------------------------------------------

function perComponent(
  fn: string,
  x: SampleArray,
  minDraws: number,
  stat: (c: Chains) => number,
): NestedNumbers {
  const { parts, shape } = components(fn, "x", toHost(fn, "x", x), minDraws);
  return nest(parts.map(stat), shape);
}

function checkChoice<T extends string>(
  fn: string,
  arg: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (!choices.includes(value as T))
    throw new ValueError(
      `${fn}: ${arg} must be one of ${choices.map((c) => `"${c}"`).join(", ")}, got ${String(value)}`,
    );
  return value as T;
}

function checkProb(fn: string, prob: unknown): void {
  const probs = Array.isArray(prob) ? prob : [prob];
  if (!probs.every((p) => typeof p === "number" && p >= 0 && p <= 1))
    throw new ValueError(`${fn}: prob must be in [0, 1], got ${JSON.stringify(prob)}`);
}

const RHAT_METHODS: readonly RhatMethod[] = ["rank", "split", "folded", "z_scale", "identity"];
const ESS_METHODS: readonly EssMethod[] = [
  "bulk",
  "tail",
  "quantile",
  "mean",
  "sd",
  "median",
  "mad",
  "z_scale",
  "folded",
  "identity",
  "local",
];
const MCSE_METHODS: readonly McseMethod[] = ["mean", "sd", "median", "quantile"];

/**
 * arviz.rhat: the rank-normalized split R-hat (the maximum of bulk and folded R-hat, Vehtari et
 * al. 2021) per scalar component of x [chains, draws, ...]. Other methods: "split" (classic split
 * R-hat), "folded", "z_scale", "identity" (no split; needs 2 chains). Unlike ArviZ, one chain is
 * enough for the split methods (its halves are compared), as in posterior. NaN draws give NaN.
 */
export function rhat(x: SampleArray, options: { method?: RhatMethod } = {}): NestedNumbers {
  const method = checkChoice("rhat", "method", options.method ?? "rank", RHAT_METHODS);
  return perComponent("rhat", x, 4, (c) => rhatOf(c, method));
}

/**
 * arviz.ess: effective sample size per scalar component of x [chains, draws, ...]. "bulk" (the
 * default: split-ESS of the rank-normalized draws), "tail" (the minimum of the 5% and 95% quantile
 * ESS; `prob` p or [p, q] changes them), "quantile" and "local" (need `prob`), "mean", "sd",
 * "median", "mad", "z_scale", "folded", "identity". `relative` divides by the number of draws.
 */
export function ess(
  x: SampleArray,
  options: {
    method?: EssMethod;
    prob?: number | readonly [number, number];
    relative?: boolean;
  } = {},
): NestedNumbers {
  const method = checkChoice("ess", "method", options.method ?? "bulk", ESS_METHODS);
  const { prob, relative = false } = options;
  if ((method === "quantile" || method === "local") && prob === undefined)
    throw new ValueError(`ess: method "${method}" needs prob`);
  if (method === "quantile" && typeof prob !== "number")
    throw new ValueError(`ess: method "quantile" needs a single prob, got ${JSON.stringify(prob)}`);
  if (method === "local" && !(Array.isArray(prob) && prob.length === 2))
    throw new ValueError(
      `ess: method "local" needs prob = [lower, upper], got ${JSON.stringify(prob)}`,
    );
  if (prob !== undefined) checkProb("ess", prob);
  return perComponent("ess", x, 4, (c) => essOf(c, method, prob, relative));
}

/**
 * arviz.mcse: Monte Carlo standard error per scalar component of x [chains, draws, ...] of the
 * "mean" (sd / sqrt(ess_mean)), the "sd" (as posterior's mcse_sd), the "median" or a "quantile"
 * at `prob` (Vehtari et al. 2021, sec. 4.4).
 */
export function mcse(
  x: SampleArray,
  options: { method?: McseMethod; prob?: number } = {},
): NestedNumbers {
  const method = checkChoice("mcse", "method", options.method ?? "mean", MCSE_METHODS);
  if (method === "quantile" && options.prob === undefined)
    throw new ValueError(`mcse: method "quantile" needs prob`);
  if (options.prob !== undefined) checkProb("mcse", options.prob);
  return perComponent("mcse", x, 4, (c) => mcseOf(c, method, options.prob));
}

// --- numpyro.diagnostics ---------------------------------------------------------------------

/** numpyro's within-chain variance and pooled variance estimate (Stan's var+). */
function chainVarianceStats(c: Chains): { within: number; estimator: number } {
  const chainRows = rows(c);
  let within = mean(chainRows.map((r) => variance(r, 1)));
  let estimator = (within * (c.draws - 1)) / c.draws;
  if (c.chains > 1) estimator += variance(chainRows.map(mean), 1);
  else within = estimator;
  return { within, estimator };
}

function gelmanRubinOf(c: Chains): number {
  const { within, estimator } = chainVarianceStats(c);
  return Math.sqrt(estimator / within);
}

/** numpyro.diagnostics.gelman_rubin: R-hat of x [chains >= 2, draws >= 2, ...] without splitting. */
export function gelmanRubin(x: SampleArray): NestedNumbers {
  const host = toHost("gelmanRubin", "x", x);
  if ((host.shape[0] ?? 0) < 2)
    throw new ValueError(
      `gelmanRubin: x needs at least 2 chains, got shape ${fmtShape(host.shape)}`,
    );
  return perComponent("gelmanRubin", x, 2, gelmanRubinOf);
}

/** numpyro.diagnostics.split_gelman_rubin: classic split R-hat of x [chains, draws >= 4, ...]. */
export function splitGelmanRubin(x: SampleArray): NestedNumbers {
  return perComponent("splitGelmanRubin", x, 4, (c) => gelmanRubinOf(splitChains(c)));
}

type BiasArgs = JaxArgs<[bias: boolean], { bias?: boolean }>;

/**
 * numpyro.diagnostics.effective_sample_size(x, bias=True): ESS of x [chains, draws >= 2, ...]
 * without splitting chains, with Geyer's initial monotone sequence as numpyro truncates it.
 * Prefer `ess` (bulk) and `ess(x, {method: "tail"})` for convergence checks.
 */
export function effectiveSampleSize(x: SampleArray, ...args: BiasArgs): NestedNumbers {
  const { bias = true } = readArgs<{ bias: boolean }>("effectiveSampleSize", args, ["bias"]);
  return perComponent("effectiveSampleSize", x, 2, (c) => numpyroEss(c, bias));
}

function numpyroEss(c: Chains, bias: boolean): number {
  const n = c.draws;
  const acov = rows(c).map((r) => autocovarianceOf(r, bias));
  const { within, estimator } = chainVarianceStats(c);
  const rho = Float64Array.from({ length: n }, (_, t) =>
    t === 0 ? 1 : 1 - (within - mean(acov.map((a) => a[t]!))) / estimator,
  );
  // Sums of adjacent pairs, clipped at 0 and made non-increasing (Geyer's initial monotone sequence).
  let tau = -1 + 2 * (rho[0]! + rho[1]!);
  let previous = Infinity;
  for (let k = 1; 2 * k + 1 < n; k++) {
    previous = Math.min(previous, Math.max(rho[2 * k]! + rho[2 * k + 1]!, 0));
    tau += 2 * previous;
  }
  return (c.chains * n) / tau;
}

/** numpyro's autocorrelation of one sequence; `bias` divides lag t by N (Stan), else by N - t. */
function autocorrelationOf(row: Float64Array, bias: boolean): Float64Array {
  const acov = autocovarianceRows([row])[0]!;
  const n = row.length;
  if (!bias) for (let t = 0; t < n; t++) acov[t] = (acov[t]! * n) / (n - t);
  const first = acov[0]!;
  return acov.map((v) => v / first);
}

function autocovarianceOf(row: Float64Array, bias: boolean): Float64Array {
  const v = variance(row);
  return autocorrelationOf(row, bias).map((r) => r * v);
}

type AxisBiasArgs = JaxArgs<[axis: number, bias: boolean], { axis?: number; bias?: boolean }>;

function alongAxis(
  fn: string,
  x: SampleArray,
  args: readonly unknown[],
  f: (row: Float64Array, bias: boolean) => Float64Array,
): NestedNumbers {
  const { axis: rawAxis = 0, bias = true } = readArgs<{ axis: number; bias: boolean }>(fn, args, [
    "axis",
    "bias",
  ]);
  const host = toHost(fn, "x", x);
  const axis = normalizeAxis(fn, rawAxis, host.shape.length);
  const shape = host.shape;
  const n = shape[axis]!;
  const inner = prod(shape.slice(axis + 1));
  const outer = prod(shape.slice(0, axis));
  const out = new Float64Array(host.values.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const row = Float64Array.from({ length: n }, (_, t) => host.values[(o * n + t) * inner + i]!);
      f(row, bias).forEach((v, t) => {
        out[(o * n + t) * inner + i] = v;
      });
    }
  return nest(out, shape);
}

/**
 * numpyro.diagnostics.autocorrelation(x, axis=0, bias=True) along `axis`, by FFT in O(n log n).
 * `bias` (the default, as numpyro, Stan and ArviZ) divides every lag by N; false by N - lag.
 */
export function autocorrelation(x: SampleArray, ...args: AxisBiasArgs): NestedNumbers {
  return alongAxis("autocorrelation", x, args, autocorrelationOf);
}

/** numpyro.diagnostics.autocovariance(x, axis=0, bias=True): autocorrelation times the variance. */
export function autocovariance(x: SampleArray, ...args: AxisBiasArgs): NestedNumbers {
  return alongAxis("autocovariance", x, args, autocovarianceOf);
}

/** The narrowest interval holding a fraction `prob` of sorted draws (numpyro's hpdi, ArviZ's hdi). */
export function hpdiSorted(s: Float64Array, prob: number): [number, number] {
  const n = s.length;
  const width = Math.min(Math.trunc(prob * n), n - 1);
  let best = 0;
  for (let i = 1; i < n - width; i++)
    if (s[i + width]! - s[i]! < s[best + width]! - s[best]!) best = i;
  return [s[best]!, s[best + width]!];
}

type HpdiArgs = JaxArgs<[prob: number, axis: number], { prob?: number; axis?: number }>;

/**
 * numpyro.diagnostics.hpdi(x, prob=0.9, axis=0): the highest posterior density interval, the
 * narrowest interval holding a fraction `prob` of the draws along `axis`; the result has that
 * axis replaced by [lower, upper].
 */
export function hpdi(x: SampleArray, ...args: HpdiArgs): NestedNumbers {
  const { prob = 0.9, axis: rawAxis = 0 } = readArgs<{ prob: number; axis: number }>("hpdi", args, [
    "prob",
    "axis",
  ]);
  checkProb("hpdi", prob);
  const host = toHost("hpdi", "x", x);
  const axis = normalizeAxis("hpdi", rawAxis, host.shape.length);
  const shape = host.shape;
  const n = shape[axis]!;
  if (n < 1)
    throw new ValueError(`hpdi: x has no draws along axis ${axis}, shape ${fmtShape(shape)}`);
  const inner = prod(shape.slice(axis + 1));
  const outer = prod(shape.slice(0, axis));
  const out = new Float64Array(outer * 2 * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const s = sorted(
        Float64Array.from({ length: n }, (_, t) => host.values[(o * n + t) * inner + i]!),
      );
      const [lo, hi] = hpdiSorted(s, prob);
      out[o * 2 * inner + i] = lo;
      out[(o * 2 + 1) * inner + i] = hi;
    }
  return nest(out, [...shape.slice(0, axis), 2, ...shape.slice(axis + 1)]);
}
