/**
 * The posterior summary table (numpyro's summary/print_summary with ArviZ's columns): per scalar
 * parameter the mean, sd, an HDI or equal-tailed interval, MCSE of mean and sd, bulk and tail ESS
 * and rank-normalized split R-hat. Computed on the host in float64, like src/infer/diagnostics.ts.
 */
import { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { treeFlatten } from "../core/pytree.js";
import type { JaxArgs } from "../numpy/options.js";
import { readArgs } from "../numpy/options.js";
import {
  type Chains,
  components,
  essOf,
  type HostArray,
  hpdiSorted,
  mcseOf,
  rhatOf,
  type SampleArray,
  toHost,
} from "./diagnostics.js";
import { mean, median, quantileSorted, sorted, variance } from "./diagnostics_math.js";

/** A pytree of sample arrays: an array, or (nested) objects and arrays of them. */
export type Samples = SampleArray | readonly Samples[] | { readonly [name: string]: Samples };

export type IntervalKind = "hdi" | "eti";

export interface SummaryRow {
  /** The parameter name, with the component index for non-scalars: `theta[0]`, `L[1,0]`. */
  name: string;
  mean: number;
  sd: number;
  median: number;
  /** The lower and upper ends of the HDI (or the equal-tailed interval) of mass `prob`. */
  lower: number;
  upper: number;
  mcseMean: number;
  mcseSd: number;
  essBulk: number;
  essTail: number;
  rHat: number;
}

export interface SummaryTable {
  prob: number;
  interval: IntervalKind;
  /** ArviZ's column labels of the interval ends, e.g. ["hdi_5%", "hdi_95%"] or ["eti_5%", "eti_95%"]. */
  intervalLabels: [string, string];
  rows: SummaryRow[];
}

export interface SummaryOptions {
  /** Probability mass of the interval (numpyro's default 0.9). */
  prob?: number;
  /** Whether each array is [chains, draws, ...] (true, the default) or [draws, ...]. */
  groupByChain?: boolean;
  /** "hdi" (the default: the highest density interval, numpyro's hpdi) or "eti" (quantiles). */
  interval?: IntervalKind;
}

type SummaryArgs = JaxArgs<[prob: number, groupByChain: boolean], SummaryOptions>;

/**
 * summary(samples, prob=0.9, groupByChain=true, {interval}): the summary table as data, one row
 * per scalar parameter. `samples` is a pytree of arrays laid out [chains, draws, ...shape]
 * (ArviZ's layout; [draws, ...shape] with groupByChain false). Object keys name the parameters
 * (nested keys joined by "."); other trees name their leaves Param:0, Param:1, ... as numpyro.
 * Vector components are named `theta[0]`, matrices `L[1,0]`. A nested JS array of numbers is
 * one array (never a container of parameters); jax Arrays in a JS array are separate leaves.
 */
export function summary(samples: Samples, ...args: SummaryArgs): SummaryTable {
  const options = readArgs<Required<SummaryOptions>>(
    "summary",
    args,
    ["prob", "groupByChain"],
    ["interval"],
  );
  return summarize("summary", samples, options);
}

function summarize(fn: string, samples: Samples, options: SummaryOptions): SummaryTable {
  const { prob = 0.9, groupByChain = true, interval = "hdi" } = options;
  if (typeof prob !== "number" || !(prob > 0 && prob < 1))
    throw new ValueError(`${fn}: prob must be in (0, 1), got ${String(prob)}`);
  if (interval !== "hdi" && interval !== "eti")
    throw new ValueError(`${fn}: interval must be "hdi" or "eti", got ${String(interval)}`);
  const rows: SummaryRow[] = [];
  for (const [name, leaf] of namedLeaves(fn, samples)) {
    const host = withChainAxis(toHost(fn, name, leaf), groupByChain);
    const { parts, shape } = components(fn, name, host, 4);
    parts.forEach((c, k) => {
      rows.push(summaryRow(componentName(name, shape, k), c, prob, interval));
    });
  }
  return { prob, interval, intervalLabels: intervalLabels(prob, interval), rows };
}

function withChainAxis(x: HostArray, groupByChain: boolean): HostArray {
  return groupByChain ? x : { values: x.values, shape: [1, ...x.shape] };
}

function summaryRow(name: string, c: Chains, prob: number, interval: IntervalKind): SummaryRow {
  const s = sorted(c.values);
  const [lower, upper] =
    interval === "hdi"
      ? hpdiSorted(s, prob)
      : [quantileSorted(s, (1 - prob) / 2), quantileSorted(s, (1 + prob) / 2)];
  return {
    name,
    mean: mean(c.values),
    sd: Math.sqrt(variance(c.values, 1)),
    median: median(c.values),
    lower,
    upper,
    mcseMean: mcseOf(c, "mean"),
    mcseSd: mcseOf(c, "sd"),
    essBulk: essOf(c, "bulk"),
    essTail: essOf(c, "tail"),
    rHat: rhatOf(c, "rank"),
  };
}

/** ArviZ's labels: hdi_5% and hdi_95% for prob 0.9 (printed with up to 6 significant digits). */
function intervalLabels(prob: number, interval: IntervalKind): [string, string] {
  const percent = (p: number) => `${interval}_${Number((100 * p).toPrecision(6))}%`;
  return [percent((1 - prob) / 2), percent(1 - (1 - prob) / 2)];
}

/** `name` for a scalar, else `name[i,j]` for the k-th component in row-major order. */
export function componentName(name: string, shape: readonly number[], k: number): string {
  if (shape.length === 0) return name;
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(k % shape[d]!);
    k = Math.floor(k / shape[d]!);
  }
  return `${name}[${index.join(",")}]`;
}

function isSampleLeaf(x: unknown): x is SampleArray {
  if (x instanceof JaxArray || typeof x === "number" || typeof x === "boolean") return true;
  let level: unknown = x;
  while (Array.isArray(level)) {
    if (level.length === 0) return true;
    level = level[0];
  }
  return level !== x && (typeof level === "number" || typeof level === "boolean");
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The arrays of a samples pytree with their display names: object keys in insertion order
 * (nested keys joined by "."), else numpyro's Param:0, Param:1, ... over the flattened leaves.
 */
export function namedLeaves(fn: string, samples: Samples): [string, SampleArray][] {
  const out: [string, SampleArray][] = [];
  const walk = (node: unknown, name: string): void => {
    if (isSampleLeaf(node)) out.push([name, node]);
    else if (isPlainObject(node))
      for (const key of Object.keys(node)) walk(node[key], `${name}.${key}`);
    else flattenInto(fn, node, name, out);
  };
  if (isPlainObject(samples)) for (const key of Object.keys(samples)) walk(samples[key], key);
  else flattenInto(fn, samples, "", out);
  if (out.length === 0) throw new ValueError(`${fn}: samples holds no arrays`);
  return out;
}

function flattenInto(
  fn: string,
  node: unknown,
  prefix: string,
  out: [string, SampleArray][],
): void {
  const [leaves] = treeFlatten(node, isSampleLeaf);
  leaves.forEach((leaf, i) => {
    if (!isSampleLeaf(leaf))
      throw new ValueError(
        `${fn}: samples must hold jax Arrays or nested arrays of numbers, found ${typeof leaf}`,
      );
    out.push([prefix ? `${prefix}.${i}` : `Param:${i}`, leaf]);
  });
}

// --- printing ----------------------------------------------------------------------------------

export interface PrintSummaryOptions extends SummaryOptions {
  /** The number of divergent transitions, or the per-draw divergence flags to count. */
  divergences?: number | SampleArray;
}

/**
 * Formats a summary table as text: ArviZ's columns (mean sd hdi_5% hdi_95% mcse_mean mcse_sd
 * ess_bulk ess_tail r_hat) in numpyro's layout (right-aligned, two decimals; ESS as integers),
 * then "Number of divergences: n" when `divergences` is given.
 */
export function formatSummary(
  table: SummaryTable,
  options: { divergences?: number | SampleArray } = {},
): string {
  const headers = [
    "mean",
    "sd",
    ...table.intervalLabels,
    "mcse_mean",
    "mcse_sd",
    "ess_bulk",
    "ess_tail",
    "r_hat",
  ];
  const nameWidth = Math.max(10, ...table.rows.map((r) => r.name.length));
  const widths = headers.map((h) => Math.max(9, h.length));
  const line = (name: string, cells: string[]) =>
    name.padStart(nameWidth) + cells.map((c, i) => ` ${c.padStart(widths[i]!)}`).join("");
  const fixed = (v: number, digits: number) => (Number.isNaN(v) ? "nan" : v.toFixed(digits));
  const lines = ["", line("", headers)];
  for (const r of table.rows) {
    const cells = [r.mean, r.sd, r.lower, r.upper, r.mcseMean, r.mcseSd].map((v) => fixed(v, 2));
    cells.push(fixed(r.essBulk, 0), fixed(r.essTail, 0), fixed(r.rHat, 2));
    lines.push(line(r.name, cells));
  }
  lines.push("");
  if (options.divergences !== undefined)
    lines.push(`Number of divergences: ${countDivergences(options.divergences)}`);
  return lines.join("\n");
}

function countDivergences(divergences: number | SampleArray): number {
  if (typeof divergences === "number") return divergences;
  const { values } = toHost("printSummary", "divergences", divergences);
  return values.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0);
}

type PrintSummaryArgs = JaxArgs<[prob: number, groupByChain: boolean], PrintSummaryOptions>;

/**
 * printSummary(samples, prob=0.9, groupByChain=true, {interval, divergences}): prints the
 * summary table (see formatSummary) with console.log and returns it as data.
 */
export function printSummary(samples: Samples, ...args: PrintSummaryArgs): SummaryTable {
  const options = readArgs<Required<PrintSummaryOptions>>(
    "printSummary",
    args,
    ["prob", "groupByChain"],
    ["interval", "divergences"],
  );
  const table = summarize("printSummary", samples, options);
  console.log(formatSummary(table, { divergences: options.divergences }));
  return table;
}
