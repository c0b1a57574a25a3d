/**
 * Lowering on the webgpu backend, through tf.js's program API:
 * - chains of float32 (and bool) elementwise and broadcast equations over one shape become one
 *   generated WGSL kernel each;
 * - a float32 reduction (sum, prod, max, min over any axes) becomes one kernel that computes its
 *   input's elementwise chain inline while reducing, with a workgroup of threads per output
 *   element for long reductions, and takes along its elementwise consumers of the output's shape
 *   (an epilogue, as in log(sum(exp(x)))) when it is their only input from a kernel;
 * - every other equation runs through its tf.js kernel.
 * Intermediates are freed at their last use. A generated kernel that fails to build raises: at
 * the first read of the call that built it, and at once on later calls.
 */
import * as tf from "@tensorflow/tfjs-core";
import { EagerArray, type JaxArray } from "../core/array.js";
import type { ShapedArray } from "../core/aval.js";
import type { Device } from "../core/backend.js";
import { cachedScalar } from "../core/constants.js";
import { BackendError } from "../core/errors.js";
import { type Atom, type ClosedJaxpr, type JaxprEqn, Literal, Var } from "../core/jaxpr.js";
import { bind } from "../core/primitive.js";
import { prod, shapesEqual, stridesOf } from "../core/shape.js";
import { flatProgram, gridProgram, runWebgpuProgram } from "../lax/kernels.js";

type Wgsl = (x: string[], params: Record<string, unknown>) => string;
const call =
  (fn: string): Wgsl =>
  ([a]) =>
    `${fn}(${a})`;
const infix =
  (op: string): Wgsl =>
  ([a, b]) =>
    `(${a} ${op} ${b})`;
// max/min propagate NaN as lax does (WGSL leaves it unspecified).
const nanSafe =
  (fn: string): Wgsl =>
  ([a, b]) =>
    `select(${fn}(${a}, ${b}), ${a} + ${b}, isnan(${a}) || isnan(${b}))`;

/**
 * Helper functions every generated kernel carries. log1p and expm1 use a short series near 0:
 * the usual compensated forms ((1 + x) - 1) may be folded away by a driver's fast math.
 */
const HELPERS = `
      fn tfjaxLog1p(x : f32) -> f32 {
        if (abs(x) < 0.1) {
          return x * (1.0 - x * (0.5 - x * (0.33333334 - x * (0.25 - x * (0.2 - x * (0.16666667 - x * 0.14285715))))));
        }
        return log(1.0 + x);
      }
      fn tfjaxExpm1(x : f32) -> f32 {
        if (abs(x) < 0.1) {
          return x * (1.0 + x * (0.5 + x * (0.16666667 + x * (0.041666668 + x * (0.008333334 + x * 0.0013888889)))));
        }
        return exp(x) - 1.0;
      }`;

/** WGSL for float32 elementwise primitives (operands f32, or bool where noted). */
const FLOAT_OPS: Record<string, Wgsl> = {
  neg: ([a]) => `(-${a})`,
  exp: call("exp"),
  log: call("log"),
  log1p: call("tfjaxLog1p"),
  expm1: call("tfjaxExpm1"),
  sin: call("sin"),
  cos: call("cos"),
  sqrt: call("sqrt"),
  rsqrt: call("inverseSqrt"),
  abs: call("abs"),
  floor: call("floor"),
  ceil: call("ceil"),
  sign: call("sign"),
  // tanh through exp(-2|x|), which stays finite where WGSL's tanh may not.
  tanh: ([a]) => `(sign(${a}) * (1.0 - exp(-2.0 * abs(${a}))) / (1.0 + exp(-2.0 * abs(${a}))))`,
  logistic: ([a]) => `(1.0 / (1.0 + exp(-${a})))`,
  square: ([a]) => `(${a} * ${a})`,
  add: infix("+"),
  sub: infix("-"),
  mul: infix("*"),
  div: infix("/"),
  max: nanSafe("max"),
  min: nanSafe("min"),
  integer_pow: ([a], p) => {
    const y = p.y as number;
    const product = Array.from({ length: Math.abs(y) }, () => a).join(" * ") || "1.0";
    return y < 0 ? `(1.0 / (${product}))` : `(${product})`;
  },
};
/** Primitives producing bool from f32 (comparisons) or combining bools. */
const BOOL_OPS: Record<string, Wgsl> = {
  eq: infix("=="),
  ne: infix("!="),
  lt: infix("<"),
  le: infix("<="),
  gt: infix(">"),
  ge: infix(">="),
  and: infix("&&"),
  or: infix("||"),
  not: ([a]) => `(!${a})`,
};

/** Float32 reductions a kernel can fold: their identity and how two partial values combine. */
const REDUCERS: Record<string, { identity: string; combine: (a: string, b: string) => string }> = {
  reduce_sum: { identity: "0.0", combine: (a, b) => `(${a} + ${b})` },
  reduce_prod: { identity: "1.0", combine: (a, b) => `(${a} * ${b})` },
  reduce_max: { identity: "(-uniforms.INFINITY)", combine: (a, b) => nanSafe("max")([a, b], {}) },
  reduce_min: { identity: "uniforms.INFINITY", combine: (a, b) => nanSafe("min")([a, b], {}) },
};

const isFloatOrBool = (a: ShapedArray) => a.dtype === "float32" || a.dtype === "bool";

/** Whether an equation can join a fused elementwise WGSL kernel. */
function fusable(e: JaxprEqn): boolean {
  if (e.outBinders.length !== 1) return false;
  const name = e.primitive.name;
  const avals = [...e.inputs.map((a) => a.aval), e.outBinders[0]!.aval];
  if (!avals.every(isFloatOrBool)) return false;
  const inputsFloat = e.inputs.every((a) => a.aval.dtype === "float32");
  if (name in FLOAT_OPS) return inputsFloat && e.outBinders[0]!.aval.dtype === "float32";
  if (name in BOOL_OPS)
    return name === "and" || name === "or" || name === "not" ? !inputsFloat : inputsFloat;
  return (
    name === "select_n" ||
    name === "broadcast_in_dim" ||
    name === "convert_element_type" ||
    name === "copy" ||
    name === "stop_gradient"
  );
}

/** tf.js declares each buffer's shape as a uniform vector of at most 6 components. */
const MAX_RANK = 6;

/** Whether a reduction can become a generated kernel (empty ones stay with tf.js). */
function reducible(e: JaxprEqn): boolean {
  if (!(e.primitive.name in REDUCERS) || e.outBinders.length !== 1) return false;
  const x = e.inputs[0];
  return (
    x instanceof Var &&
    x.aval.dtype === "float32" &&
    e.outBinders[0]!.aval.dtype === "float32" &&
    x.aval.size > 0 &&
    x.aval.shape.length <= MAX_RANK
  );
}

function literalWgsl(l: Literal): string {
  if (l.aval.dtype === "bool") return l.value ? "true" : "false";
  const v = Math.fround(Number(l.value));
  // WGSL has no constant NaN or infinity (a const-expression must be finite): tf.js passes
  // both as uniforms.
  if (Number.isNaN(v)) return "uniforms.NAN";
  if (!Number.isFinite(v)) return v > 0 ? "uniforms.INFINITY" : "(-uniforms.INFINITY)";
  return v < 0 || Object.is(v, -0) ? `(${v}f)` : `${v}f`;
}

/**
 * Where a chain of equations is evaluated: for one element, at flat index `index` (a WGSL
 * name) of `shape`; its locals are named `prefix`0, `prefix`1, ...
 */
interface Space {
  shape: readonly number[];
  index: string;
  prefix: string;
}

/**
 * WGSL reading variable `a` at the space's current element; `through` maps a broadcast's
 * source dimensions to the space's. External variables become the kernel's inputs X0, X1, ...
 */
function readInput(a: Var, space: Space, inputs: Var[], through?: number[]): string {
  let k = inputs.indexOf(a);
  if (k < 0) k = inputs.push(a) - 1;
  const src = a.aval.shape;
  const { shape } = space;
  let index = space.index;
  if (a.aval.size === 1) index = "0";
  else if (through || !shapesEqual(src, shape)) {
    const strides = stridesOf(shape);
    const s = stridesOf(src);
    const lead = shape.length - src.length;
    const terms = shape.flatMap((n, d) => {
      const j = through ? through.indexOf(d) : d - lead;
      if (j < 0 || src[j] === 1) return [];
      return [`((${space.index} / ${strides[d]}) % ${n}) * ${s[j]}`];
    });
    index = terms.join(" + ") || "0";
  }
  const value = `X${k}[${index}]`;
  return a.aval.dtype === "bool" ? `(${value} != 0)` : `f32(${value})`;
}

/** The WGSL expression of one elementwise equation, given a reader for its operands. */
function eqnWgsl(e: JaxprEqn, read: (a: Atom, through?: number[]) => string): string {
  const p = e.params as Record<string, unknown>;
  const name = e.primitive.name;
  if (name === "broadcast_in_dim") return read(e.inputs[0]!, p.broadcast_dimensions as number[]);
  const ins = e.inputs.map((a) => read(a));
  // A fusable select_n has a bool predicate, so two cases.
  if (name === "select_n") return `select(${ins[1]}, ${ins[2] ?? ins[1]}, ${ins[0]})`;
  if (name === "convert_element_type") {
    const from = e.inputs[0]!.aval.dtype;
    const to = e.outBinders[0]!.aval.dtype;
    if (from === to) return ins[0]!;
    return to === "bool" ? `(${ins[0]} != 0.0)` : `select(0.0, 1.0, ${ins[0]})`;
  }
  if (name === "copy" || name === "stop_gradient") return ins[0]!;
  return (FLOAT_OPS[name] ?? BOOL_OPS[name])!(ins, p);
}

/**
 * WGSL statements computing `target` in `space` from those of `eqns` it depends on (in order),
 * and the expression holding its value. Variables in `bound` are already WGSL values; other
 * variables the chain reads are appended to `inputs`.
 */
function chainWgsl(
  eqns: JaxprEqn[],
  target: Var,
  space: Space,
  inputs: Var[],
  bound: ReadonlyMap<Var, string> = new Map(),
): { lines: string[]; value: string } {
  const members = new Map<Var, JaxprEqn>();
  for (const e of eqns) members.set(e.outBinders[0]!, e);
  const needed = new Set<Var>();
  const visit = (v: Var) => {
    if (needed.has(v) || bound.has(v) || !members.has(v)) return;
    needed.add(v);
    for (const a of members.get(v)!.inputs) if (a instanceof Var) visit(a);
  };
  visit(target);
  const locals = new Map(bound);
  const read = (a: Atom, through?: number[]): string => {
    if (a instanceof Literal) return literalWgsl(a);
    return locals.get(a) ?? readInput(a, space, inputs, through);
  };
  const lines: string[] = [];
  for (const e of eqns) {
    const v = e.outBinders[0]!;
    if (!needed.has(v)) continue;
    const local = `${space.prefix}${lines.length}`;
    lines.push(`let ${local} = ${eqnWgsl(e, read)};`);
    locals.set(v, local);
  }
  return { lines, value: read(target) };
}

/** The elementwise chain of one kernel: `out` computed over `shape` from `eqns`. */
interface MapPlan {
  eqns: JaxprEqn[];
  out: Var;
  shape: readonly number[];
}

/**
 * A reduction kernel: the reduction of the value `prologue` computes for each input element,
 * then `epilogue` (elementwise, over the output's shape) giving `out`. `aliases` are reshapes
 * of the reduction's result (the same elements in the same order), which the epilogue may read.
 */
interface ReducePlan {
  prologue: JaxprEqn[];
  reduction: JaxprEqn;
  aliases: Var[];
  epilogue: JaxprEqn[];
  out: Var;
}

/** What the compiler reads of a tf.js program. */
interface ProgramLike {
  shaderKey: string;
  getUserCode(): string;
}

/** One generated kernel: computes `out` from external inputs. */
interface KernelStep {
  kind: "kernel";
  program: object;
  /** tf.js's pipeline cache key (before tf.js appends the inputs' ranks and dtypes) */
  key: string;
  source: string;
  inputs: Var[];
  out: Var;
  map?: MapPlan;
  reduce?: ReducePlan;
}
type Step = KernelStep | { kind: "eqn"; eqn: JaxprEqn };

/**
 * Inputs a kernel may read: WebGPU's compatibility limit is 8 storage buffers per shader stage,
 * and the output takes one (tf.js passes its uniforms separately).
 */
const MAX_INPUTS = 7;

const storeWgsl = (out: Var, value: string) =>
  out.aval.dtype === "bool" ? `select(0, 1, ${value})` : value;

const bindable = (inputs: Var[], out: Var) =>
  inputs.length <= MAX_INPUTS && [...inputs, out].every((v) => v.aval.shape.length <= MAX_RANK);

const inputsKey = (inputs: Var[]) => inputs.map((v) => `${v.aval.dtype}[${v.aval.shape}]`).join();

/** The kernel computing an elementwise chain (null: more inputs than a shader stage binds). */
function mapStep(plan: MapPlan): KernelStep | null {
  const inputs: Var[] = [];
  const space = { shape: plan.shape, index: "index", prefix: "t" };
  const { lines, value } = chainWgsl(plan.eqns, plan.out, space, inputs);
  if (!bindable(inputs, plan.out)) return null;
  const body = `${lines.join("\n          ")}
          result[index] = ${storeWgsl(plan.out, value)};`;
  const key = `TfjaxFused_${plan.shape}_${inputsKey(inputs)}_${body}`;
  const program = flatProgram(
    key,
    inputs.map((_, k) => `X${k}`),
    [...plan.shape],
    body,
  );
  const source = `${HELPERS}\n${program.getUserCode()}`;
  program.getUserCode = () => source;
  return { kind: "kernel", program, key, source, inputs, out: plan.out, map: plan };
}

/** A run of merged input dimensions: its number of elements and its stride in the input. */
interface Dim {
  size: number;
  stride: number;
}

/**
 * The input's dimensions split into kept and reduced ones, size-1 dimensions dropped and
 * adjacent dimensions of one kind merged (a full reduction is one reduced run of stride 1).
 */
function reductionDims(shape: readonly number[], axes: readonly number[]) {
  const strides = stridesOf(shape);
  const kept: Dim[] = [];
  const reduced: Dim[] = [];
  let last: Dim[] | null = null;
  shape.forEach((size, d) => {
    if (size === 1) return;
    const runs = axes.includes(d) ? reduced : kept;
    // Row-major: a run continued by the next dimension of its kind keeps the inner stride.
    if (runs === last) runs.at(-1)!.size *= size;
    else runs.push({ size, stride: strides[d]! });
    runs.at(-1)!.stride = strides[d]!;
    last = runs;
  });
  return { kept, reduced };
}

/** WGSL for the input offset of element `v` of the row-major space of `dims`. */
function offsetWgsl(dims: Dim[], v: string): string {
  const inner = stridesOf(dims.map((d) => d.size));
  const terms = dims.map((d, j) => {
    let c = inner[j] === 1 ? v : `(${v} / ${inner[j]})`;
    // The outermost coordinate needs no modulo: v stays below the space's size.
    if (j > 0) c = `(${c} % ${d.size})`;
    return d.stride === 1 ? c : `${c} * ${d.stride}`;
  });
  return terms.join(" + ") || "0";
}

/** Reductions at most this long run one thread per output element, with no shared memory. */
const SERIAL_MAX = 64;

/** The kernel computing a reduction with its prologue and epilogue (null: too many inputs). */
function reduceStep(plan: ReducePlan, maxWorkgroup: number): KernelStep | null {
  const { reduction } = plan;
  const x = reduction.inputs[0] as Var;
  const total = reduction.outBinders[0]!;
  const outShape = plan.out.aval.shape;
  const inputs: Var[] = [];
  const pro = chainWgsl(plan.prologue, x, { shape: x.aval.shape, index: "i", prefix: "p" }, inputs);
  const epi = chainWgsl(
    plan.epilogue,
    plan.out,
    { shape: outShape, index: "o", prefix: "e" },
    inputs,
    new Map([total, ...plan.aliases].map((v) => [v, "total"])),
  );
  if (!bindable(inputs, plan.out)) return null;
  const axes = (reduction.params as { axes: readonly number[] }).axes;
  const { kept, reduced } = reductionDims(x.aval.shape, axes);
  const length = prod(reduced.map((d) => d.size));
  const { identity, combine } = REDUCERS[reduction.primitive.name]!;
  const fold = `let i = base + ${offsetWgsl(reduced, "k")};
            ${pro.lines.join("\n            ")}
            acc = ${combine("acc", pro.value)};`;
  const finish = `${epi.lines.join("\n          ")}
          result[o] = ${storeWgsl(plan.out, epi.value)};`;
  const names = inputs.map((_, k) => `X${k}`);
  const tag = `${outShape}_${inputsKey(inputs)}`;
  let program: ProgramLike;
  if (length <= SERIAL_MAX) {
    const body = serialReduction(kept, length, identity, fold, finish);
    program = flatProgram(`TfjaxReduce_${tag}_${body}`, names, [...outShape], body);
  } else {
    const width = workgroupWidth(length, maxWorkgroup);
    const code = parallelReduction(kept, length, width, identity, combine, fold, finish);
    program = workgroupProgram(`TfjaxReduceWg_${tag}_${code}`, names, [...outShape], width, code);
  }
  const key = program.shaderKey;
  const source = `${HELPERS}\n${program.getUserCode()}`;
  program.getUserCode = () => source;
  return { kind: "kernel", program, key, source, inputs, out: plan.out, reduce: plan };
}

/** WGSL of a reduction folded by one thread per output element (`index`, below the size). */
function serialReduction(
  kept: Dim[],
  length: number,
  identity: string,
  fold: string,
  finish: string,
): string {
  return `let o = index;
          let base = ${offsetWgsl(kept, "o")};
          var acc = ${identity};
          for (var k = 0; k < ${length}; k = k + 1) {
            ${fold}
          }
          let total = acc;
          ${finish}`;
}

/** Threads per output element: a power of two, more for longer reductions. */
function workgroupWidth(length: number, maxWorkgroup: number): number {
  const wanted = length >= 4096 ? 256 : 64;
  let w = 1;
  while (w * 2 <= Math.min(wanted, maxWorkgroup)) w *= 2;
  return w;
}

/**
 * A tf.js program with one workgroup of `width` threads per element of `shape`; `code` is the
 * user code (WGSL with `fn main(index : i32)`, index = workgroup * width + lane).
 */
function workgroupProgram(
  shaderKey: string,
  variableNames: string[],
  shape: number[],
  width: number,
  code: string,
) {
  return gridProgram(shaderKey, variableNames, shape, prod(shape), width, code);
}

/**
 * WGSL of a workgroup-parallel reduction: each of `width` lanes folds every width-th element of
 * its output element's reduced range into a private accumulator, then the lanes combine their
 * accumulators as a tree in workgroup memory, and lane 0 runs the epilogue and stores.
 */
function parallelReduction(
  kept: Dim[],
  length: number,
  width: number,
  identity: string,
  combine: (a: string, b: string) => string,
  fold: string,
  finish: string,
): string {
  const tree: string[] = [];
  for (let s = width / 2; s >= 1; s /= 2)
    tree.push(`if (lane < ${s}) {
          tfjaxPartial[lane] = ${combine("tfjaxPartial[lane]", `tfjaxPartial[lane + ${s}]`)};
        }
        workgroupBarrier();`);
  return `
      var<workgroup> tfjaxPartial : array<f32, ${width}>;
      fn main(index : i32) {
        let o = index / ${width};
        let lane = index - o * ${width};
        var acc = ${identity};
        if (o < uniforms.size) {
          let base = ${offsetWgsl(kept, "o")};
          for (var k = lane; k < ${length}; k = k + ${width}) {
            ${fold}
          }
        }
        tfjaxPartial[lane] = acc;
        workgroupBarrier();
        ${tree.join("\n        ")}
        if (lane == 0 && o < uniforms.size) {
          let total = tfjaxPartial[0];
          ${finish}
        }
      }`;
}

/** How many times each variable is read by the equations and the outputs. */
function countUses(closed: ClosedJaxpr): Map<Var, number> {
  const uses = new Map<Var, number>();
  const count = (a: Atom) => {
    if (a instanceof Var) uses.set(a, (uses.get(a) ?? 0) + 1);
  };
  for (const e of closed.jaxpr.eqns) e.inputs.forEach(count);
  closed.jaxpr.outs.forEach(count);
  return uses;
}

/**
 * An open fusion group: elementwise equations over one shape, and the reductions of its
 * members, which fold the members' chains into their kernels.
 */
interface Group {
  eqns: JaxprEqn[];
  reductions: JaxprEqn[];
  shape: readonly number[];
  /** the elementwise equations' outputs */
  members: Set<Var>;
  /** members and reduction outputs: what equations after the group may read */
  produced: Set<Var>;
}
const emptyGroup = (): Group => ({
  eqns: [],
  reductions: [],
  shape: [],
  members: new Set(),
  produced: new Set(),
});

/** Options of the partition: the widest workgroup the device allows. */
interface PartitionOptions {
  maxWorkgroup: number;
}

/** Splits the Jaxpr into generated kernels and single equations, in an order that runs. */
function partition(closed: ClosedJaxpr, options: PartitionOptions): Step[] {
  const { jaxpr } = closed;
  const uses = countUses(closed);
  const position = new Map(jaxpr.eqns.map((e, i) => [e, i]));
  const steps: Step[] = [];
  let group = emptyGroup();
  const standalone = (e: JaxprEqn): Step =>
    reduceStep(
      { prologue: [], reduction: e, aliases: [], epilogue: [], out: e.outBinders[0]! },
      options.maxWorkgroup,
    ) ?? { kind: "eqn", eqn: e };
  const flush = () => {
    const g = group;
    group = emptyGroup();
    if (g.eqns.length === 1 && !g.reductions.length) steps.push({ kind: "eqn", eqn: g.eqns[0]! });
    else if (g.eqns.length) steps.push(...groupSteps(g, uses, position, standalone, options));
  };
  for (const e of jaxpr.eqns) {
    const out = e.outBinders[0];
    const readsGroup = e.inputs.some((a) => a instanceof Var && group.produced.has(a));
    if (out && fusable(e)) {
      if (group.eqns.length && !shapesEqual(group.shape, out.aval.shape)) flush();
      group.shape = out.aval.shape;
      group.eqns.push(e);
      group.members.add(out);
      group.produced.add(out);
    } else if (out && reducible(e) && group.members.has(e.inputs[0] as Var)) {
      group.reductions.push(e);
      group.produced.add(out);
    } else {
      if (readsGroup) flush();
      steps.push(reducible(e) ? standalone(e) : { kind: "eqn", eqn: e });
    }
  }
  flush();
  return mergeEpilogues(steps, jaxpr.outs, options);
}

/**
 * The kernels of a closed group, ordered by the equations they end at: one per member read
 * after the group, one per reduction. Kernels that would bind too many inputs fall back to a
 * materialized reduction input or, for elementwise kernels, to single equations.
 */
function groupSteps(
  g: Group,
  uses: Map<Var, number>,
  position: Map<JaxprEqn, number>,
  standalone: (e: JaxprEqn) => Step,
  options: PartitionOptions,
): Step[] {
  const inside = new Map<Var, number>();
  for (const e of [...g.eqns, ...g.reductions])
    for (const a of e.inputs)
      if (a instanceof Var && g.members.has(a)) inside.set(a, (inside.get(a) ?? 0) + 1);
  const targets = [...g.members].filter((v) => (uses.get(v) ?? 0) > (inside.get(v) ?? 0));
  const definer = new Map(g.eqns.map((e) => [e.outBinders[0]!, e]));
  const built: { at: number; step: Step | null }[] = [];
  for (const r of g.reductions) {
    const plan = {
      prologue: g.eqns,
      reduction: r,
      aliases: [],
      epilogue: [],
      out: r.outBinders[0]!,
    };
    let step: Step | null = reduceStep(plan, options.maxWorkgroup);
    if (!step) {
      const x = r.inputs[0] as Var;
      if (!targets.includes(x)) targets.push(x);
      step = standalone(r);
    }
    built.push({ at: position.get(r)!, step });
  }
  for (const t of targets)
    built.push({
      at: position.get(definer.get(t)!)!,
      step: mapStep({ eqns: g.eqns, out: t, shape: g.shape }),
    });
  if (built.every((b) => b.step !== null))
    return built.sort((a, b) => a.at - b.at).map((b) => b.step!);
  const fallback = [
    ...g.eqns.map((eqn): Step => ({ kind: "eqn", eqn })),
    ...g.reductions.map(standalone),
  ];
  const at = (s: Step) =>
    position.get(s.kind === "eqn" ? s.eqn : (s.reduce?.reduction ?? definer.get(s.out)!))!;
  return fallback.sort((a, b) => at(a) - at(b));
}

/** Equations that keep every element in place: a reduction kernel may write their result. */
const relabels = (e: JaxprEqn) => e.primitive.name === "reshape" || e.primitive.name === "squeeze";

/** The plan of `reduce` extended by the step that is its result's only reader, if it can be. */
function extended(reduce: ReducePlan, reader: Step): ReducePlan | null {
  if (reader.kind === "eqn" && relabels(reader.eqn)) {
    const out = reader.eqn.outBinders[0]!;
    return { ...reduce, aliases: [...reduce.aliases, out], out };
  }
  const shape = reduce.out.aval.shape;
  if (reader.kind === "eqn") {
    const out = reader.eqn.outBinders[0];
    return out && fusable(reader.eqn) && shapesEqual(out.aval.shape, shape)
      ? { ...reduce, epilogue: [reader.eqn], out }
      : null;
  }
  return reader.map && shapesEqual(reader.map.shape, shape)
    ? { ...reduce, epilogue: reader.map.eqns, out: reader.out }
    : null;
}

/**
 * Moves a reduction into the steps that are its result's only reader while they are reshapes
 * or one elementwise step of the output's shape (e.g. the log of log(sum(exp(x))), the
 * division of a mean), as long as the merged kernel binds few enough inputs. The merged kernel
 * runs where the reader ran.
 */
function mergeEpilogues(steps: Step[], outs: Atom[], options: PartitionOptions): Step[] {
  const readers = new Map<Var, Set<number>>();
  steps.forEach((s, k) => {
    for (const a of s.kind === "eqn" ? s.eqn.inputs : s.inputs)
      if (a instanceof Var) readers.set(a, (readers.get(a) ?? new Set()).add(k));
  });
  const results = new Set(outs.filter((a): a is Var => a instanceof Var));
  const merged: (Step | null)[] = [...steps];
  steps.forEach((s, k) => {
    let at = k;
    let step = s;
    while (step.kind === "kernel" && step.reduce && !step.reduce.epilogue.length) {
      const only = [...(readers.get(step.out) ?? [])];
      if (only.length !== 1 || results.has(step.out)) return;
      const plan = extended(step.reduce, merged[only[0]!]!);
      const next = plan && reduceStep(plan, options.maxWorkgroup);
      if (!next) return;
      merged[at] = null;
      at = only[0]!;
      merged[at] = next;
      step = next;
    }
  });
  return merged.filter((s) => s !== null);
}

/** The plan's kernels, for tests and debugging: how each step runs, and the generated WGSL. */
export interface WebgpuPlanInfo {
  /** one entry per step: "map" and "reduce" for generated kernels, else the primitive's name */
  steps: string[];
  /** the generated kernels' WGSL (tf.js adds bindings, uniforms and the entry point) */
  sources: string[];
  /** the generated kernels' shader keys */
  keys: string[];
}

/** Describes how compileWebgpu would run a (optimized) closed Jaxpr. */
export function describeWebgpu(closed: ClosedJaxpr, maxWorkgroup = 256): WebgpuPlanInfo {
  const steps = partition(closed, { maxWorkgroup });
  return {
    steps: steps.map((s) =>
      s.kind === "eqn" ? s.eqn.primitive.name : s.reduce ? "reduce" : "map",
    ),
    sources: steps.flatMap((s) => (s.kind === "kernel" ? [s.source] : [])),
    keys: steps.flatMap((s) => (s.kind === "kernel" ? [s.key] : [])),
  };
}

// --- Turning WGSL build failures into errors ----------------------------------------------
// Dawn reports a shader that fails to build asynchronously (on stderr, without an error scope)
// and the kernel leaves its output buffer unwritten. Each kernel's first run is wrapped in a
// validation error scope; a failure makes the reads of that call's outputs reject, and every
// later run of the kernel throw.

interface ErrorScopes {
  pushErrorScope(filter: "validation"): void;
  popErrorScope(): Promise<{ message: string } | null>;
  limits?: Record<string, number>;
}
const gpuDevice = (): ErrorScopes | undefined =>
  (tf.findBackend("webgpu") as unknown as { device?: ErrorScopes } | null)?.device;

/** Per shader key: the pending or settled check of its first build (resolving to an error). */
const shaderChecks = new Map<string, Promise<string | null>>();
const shaderFailures = new Map<string, string>();
const settledChecks = new Set<string>();

const buildError = (message: string) =>
  new BackendError(`a WGSL kernel generated by jit failed to build on webgpu: ${message}`);

/**
 * Runs a generated program; the first run of each shader key is checked. Returns the output
 * and, while that check is pending, the check.
 */
export function runCheckedProgram(
  program: object,
  key: string,
  tensors: tf.Tensor[],
  dtype: "float32" | "bool",
): { out: tf.Tensor; check?: Promise<string | null> } {
  const failure = shaderFailures.get(key);
  if (failure !== undefined) throw buildError(failure);
  // tf.js appends the inputs' ranks and dtypes to shaderKey in place on every run.
  const fresh = { ...program };
  const pending = shaderChecks.get(key);
  if (pending) {
    const out = runWebgpuProgram(fresh, tensors, dtype);
    return settledChecks.has(key) ? { out } : { out, check: pending };
  }
  const device = gpuDevice();
  device?.pushErrorScope("validation");
  let out: tf.Tensor;
  try {
    out = runWebgpuProgram(fresh, tensors, dtype);
  } finally {
    const popped = device?.popErrorScope() ?? Promise.resolve(null);
    const check = popped.then(
      (e) => {
        settledChecks.add(key);
        if (e) shaderFailures.set(key, e.message);
        return e ? e.message : null;
      },
      () => {
        settledChecks.add(key);
        return null;
      },
    );
    shaderChecks.set(key, check);
  }
  return { out, check: shaderChecks.get(key)! };
}

/** Makes reading `t` asynchronously wait for `checks`, and reject if a kernel failed to build. */
function failReadsOn(t: tf.Tensor, checks: Promise<string | null>[]): void {
  const read = t.data.bind(t);
  Object.defineProperty(t, "data", {
    configurable: true,
    value: async () => {
      for (const c of checks) {
        const message = await c;
        if (message !== null) throw buildError(message);
      }
      return read();
    },
  });
}

/** A plan for webgpu: generated kernels and tf.js kernels, freeing intermediates at last use. */
export function compileWebgpu(
  closed: ClosedJaxpr,
  outAvals: ShapedArray[],
  device: Device,
): (args: EagerArray[]) => JaxArray[] {
  const limits = gpuDevice()?.limits;
  const maxWorkgroup = Math.min(
    256,
    limits?.maxComputeWorkgroupSizeX ?? 256,
    limits?.maxComputeInvocationsPerWorkgroup ?? 256,
  );
  const steps = partition(closed, { maxWorkgroup });
  const { jaxpr } = closed;
  const stepInputs = steps.map((s) => (s.kind === "eqn" ? s.eqn.inputs : s.inputs));
  const lastUse = new Map<Var, number>();
  stepInputs.forEach((ins, k) => {
    for (const a of ins) if (a instanceof Var) lastUse.set(a, k);
  });
  for (const a of jaxpr.outs) if (a instanceof Var) lastUse.set(a, Number.POSITIVE_INFINITY);
  const dying = steps.map(() => [] as Var[]);
  for (const [v, k] of lastUse) if (Number.isFinite(k)) dying[k]!.push(v);
  return (args) => {
    const env = new Map<Var, JaxArray>();
    const kept = new Set<JaxArray>([...closed.consts, ...args]);
    jaxpr.constvars.forEach((v, i) => {
      env.set(v, closed.consts[i]!);
    });
    jaxpr.invars.forEach((v, i) => {
      env.set(v, args[i]!);
    });
    const read = (a: Atom): JaxArray =>
      a instanceof Literal
        ? cachedScalar(a.value, a.aval.dtype, a.aval.weakType, device)
        : env.get(a)!;
    // An equation may hand back an input (a loop that never ran): count the variables
    // holding each array, and free it when the last one dies.
    const holders = new Map<JaxArray, number>();
    const hold = (v: Var, x: JaxArray) => {
      env.set(v, x);
      holders.set(x, (holders.get(x) ?? 0) + 1);
    };
    const checks: Promise<string | null>[] = [];
    steps.forEach((step, k) => {
      if (step.kind === "eqn") {
        const outs = bind(step.eqn.primitive, step.eqn.inputs.map(read), step.eqn.params);
        step.eqn.outBinders.forEach((v, i) => {
          hold(v, outs[i]!);
        });
      } else {
        const tensors = step.inputs.map((v) => (env.get(v) as EagerArray).tensor) as tf.Tensor[];
        const aval = step.out.aval;
        const dtype = aval.dtype === "bool" ? "bool" : "float32";
        const { out, check } = runCheckedProgram(step.program, step.key, tensors, dtype);
        if (check) checks.push(check);
        hold(step.out, new EagerArray(out, aval.dtype, aval.weakType, device, aval));
      }
      for (const v of dying[k]!) {
        const x = env.get(v)!;
        env.delete(v);
        const n = (holders.get(x) ?? 1) - 1;
        holders.set(x, n);
        if (n === 0 && x instanceof EagerArray && !kept.has(x) && !x.isShared) x.dispose();
      }
    });
    const results = jaxpr.outs.map((a, i) => {
      const x = read(a) as EagerArray;
      const aval = outAvals[i]!;
      if (x.weakType === aval.weakType && !x.isShared) return x;
      return new EagerArray(x.tensor.clone(), aval.dtype, aval.weakType, device, aval);
    });
    if (checks.length)
      for (const r of results) if (!kept.has(r)) failReadsOn(r.tensor as tf.Tensor, checks);
    return results;
  };
}
