/**
 * Samples out to other tools: a JSON object that ArviZ's `az.from_dict` reads, and CSV.
 * Both keep ArviZ's (chain, draw, *shape) layout.
 */
import { JaxArray, type NestedArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { type SampleArray, toHost } from "./diagnostics.js";
import { componentName, namedLeaves, type Samples } from "./summary.js";

export interface ExportOptions {
  /** Per-draw sampler statistics (divergences, tree depth, ...), laid out like the samples. */
  extraFields?: Samples;
  /** Whether each array is [chains, draws, ...] (true, the default) or [draws, ...] for one chain. */
  groupByChain?: boolean;
}

/** The groups of an ArviZ InferenceData as plain JSON: `az.from_dict(**obj)` reads it. */
export interface ArvizJson {
  posterior: Record<string, NestedArray>;
  sample_stats: Record<string, NestedArray>;
  attrs: { inference_library: string };
}

/**
 * tfjax (numpyro/blackjax) names of sampler statistics -> ArviZ's sample_stats names, as ArviZ's
 * from_numpyro converts them. `potentialEnergy` becomes `lp` with its sign flipped.
 */
const ARVIZ_STAT_NAMES: Record<string, string> = {
  diverging: "diverging",
  divergences: "diverging",
  isDivergent: "diverging",
  acceptProb: "acceptance_rate",
  acceptanceRate: "acceptance_rate",
  acceptanceProbability: "acceptance_rate",
  treeDepth: "tree_depth",
  numSteps: "n_steps",
  numIntegrationSteps: "n_steps",
  energy: "energy",
  stepSize: "step_size",
  potentialEnergy: "lp",
  logdensity: "lp",
};

function arvizStatName(name: string): string {
  return ARVIZ_STAT_NAMES[name] ?? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** An array's values as nested JS values (numbers, or booleans for bool arrays), with its shape. */
function readLeaf(
  fn: string,
  name: string,
  x: SampleArray,
): { value: NestedArray; shape: number[] } {
  if (x instanceof JaxArray) {
    toHost(fn, name, x); // raises the same errors as the diagnostics for unreadable arrays
    return { value: x.tolist(), shape: [...x.shape] };
  }
  return { value: x, shape: toHost(fn, name, x).shape };
}

interface Leaf {
  name: string;
  value: NestedArray;
  shape: number[];
}

/** Reads a samples tree, adding a chain axis when groupByChain is false; checks the shared (chains, draws). */
function readTree(fn: string, tree: Samples, groupByChain: boolean, what: string): Leaf[] {
  return namedLeaves(fn, tree).map(([name, x]) => {
    const { value, shape } = readLeaf(fn, name, x);
    const leaf = groupByChain
      ? { name, value, shape }
      : { name, value: [value], shape: [1, ...shape] };
    if (leaf.shape.length < 2)
      throw new ValueError(
        `${fn}: ${what} '${name}' must have shape [chains, draws, ...] (or [draws, ...] with groupByChain false), got shape (${shape})`,
      );
    return leaf;
  });
}

function checkSameDraws(fn: string, leaves: Leaf[]): [number, number] {
  const [first] = leaves;
  const [chains, draws] = first!.shape as [number, number];
  for (const leaf of leaves)
    if (leaf.shape[0] !== chains || leaf.shape[1] !== draws)
      throw new ValueError(
        `${fn}: every array needs the same (chains, draws): '${first!.name}' has (${chains}, ${draws}), '${leaf.name}' has (${leaf.shape.slice(0, 2).join(", ")})`,
      );
  return [chains, draws];
}

function negate(value: NestedArray): NestedArray {
  return Array.isArray(value) ? value.map(negate) : -value;
}

/**
 * toArvizJson(samples, {extraFields, groupByChain}): the samples as ArviZ's `posterior` group and
 * the extra fields as `sample_stats`, every variable a nested array of shape (chain, draw, *shape).
 * In Python: `az.from_dict(**json.load(open("run.json")))`. Extra field names are mapped to
 * ArviZ's (acceptProb -> acceptance_rate, treeDepth -> tree_depth, numSteps -> n_steps,
 * potentialEnergy -> lp negated, others to snake_case).
 */
export function toArvizJson(samples: Samples, options: ExportOptions = {}): ArvizJson {
  const fn = "toArvizJson";
  const groupByChain = options.groupByChain ?? true;
  const params = readTree(fn, samples, groupByChain, "sample");
  const stats = options.extraFields
    ? readTree(fn, options.extraFields, groupByChain, "extra field")
    : [];
  checkSameDraws(fn, [...params, ...stats]);
  const posterior = Object.fromEntries(params.map((p) => [p.name, p.value]));
  const sampleStats: Record<string, NestedArray> = {};
  for (const s of stats) {
    const name = arvizStatName(s.name);
    sampleStats[name] = s.name === "potentialEnergy" ? negate(s.value) : s.value;
  }
  return { posterior, sample_stats: sampleStats, attrs: { inference_library: "tfjax" } };
}

/** Flat values of a leaf in row-major order (booleans as 1/0). */
function flatValues(value: NestedArray): number[] {
  return Array.isArray(value) ? value.flatMap(flatValues) : [Number(value)];
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * toCsv(samples, {extraFields, groupByChain}): one row per draw with columns chain, draw, then
 * every scalar parameter component (`theta[0]`, `L[1,0]`, quoted as RFC 4180 requires), then
 * the extra fields. Values are written in JS's shortest round-trip form; booleans as 1/0.
 */
export function toCsv(samples: Samples, options: ExportOptions = {}): string {
  const fn = "toCsv";
  const groupByChain = options.groupByChain ?? true;
  const leaves = [
    ...readTree(fn, samples, groupByChain, "sample"),
    ...(options.extraFields ? readTree(fn, options.extraFields, groupByChain, "extra field") : []),
  ];
  const [chains, draws] = checkSameDraws(fn, leaves);
  const columns: string[] = ["chain", "draw"];
  const perDraw: { values: number[]; size: number }[] = [];
  for (const leaf of leaves) {
    const inner = leaf.shape.slice(2);
    const size = inner.reduce((a, b) => a * b, 1);
    for (let k = 0; k < size; k++) columns.push(componentName(leaf.name, inner, k));
    perDraw.push({ values: flatValues(leaf.value), size });
  }
  const lines = [columns.map(csvField).join(",")];
  for (let c = 0; c < chains; c++)
    for (let d = 0; d < draws; d++) {
      const row: (number | string)[] = [c, d];
      const offset = c * draws + d;
      for (const { values, size } of perDraw)
        for (let k = 0; k < size; k++) row.push(values[offset * size + k]!);
      lines.push(row.join(","));
    }
  return `${lines.join("\n")}\n`;
}
