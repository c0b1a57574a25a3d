/**
 * Lowering on the webgpu backend: chains of float32 (and bool) elementwise equations over one
 * shape become one generated WGSL kernel each, run through tf.js's program API; every other
 * equation runs through its tf.js kernel. Intermediates are freed at their last use.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { EagerArray, type JaxArray } from "../core/array.js";
import type { ShapedArray } from "../core/aval.js";
import type { Device } from "../core/backend.js";
import { cachedScalar } from "../core/constants.js";
import { type Atom, type ClosedJaxpr, type JaxprEqn, Literal, Var } from "../core/jaxpr.js";
import { bind } from "../core/primitive.js";
import { shapesEqual, stridesOf } from "../core/shape.js";
import { flatProgram, runWebgpuProgram } from "../lax/kernels.js";

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

/** WGSL for float32 elementwise primitives (operands f32, or bool where noted). */
const FLOAT_OPS: Record<string, Wgsl> = {
  neg: ([a]) => `(-${a})`,
  exp: call("exp"),
  log: call("log"),
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

const isFloatOrBool = (a: ShapedArray) => a.dtype === "float32" || a.dtype === "bool";

/** Whether an equation can join a fused WGSL kernel. */
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

function literalWgsl(l: Literal): string {
  if (l.aval.dtype === "bool") return l.value ? "true" : "false";
  const v = Math.fround(Number(l.value));
  // WGSL has no constant NaN or infinity (a const-expression must be finite): build them from
  // their bits with a runtime operand (`index & 0`).
  const bits = (word: string) => `bitcast<f32>(${word} | u32(index & 0))`;
  if (Number.isNaN(v)) return bits("0x7fc00000u");
  if (!Number.isFinite(v)) return bits(v > 0 ? "0x7f800000u" : "0xff800000u");
  return v < 0 || Object.is(v, -0) ? `(${v}f)` : `${v}f`;
}

/** One fused kernel: computes `out` from external inputs. */
interface FusedStep {
  kind: "fused";
  program: object;
  inputs: Var[];
  out: Var;
}
type Step = FusedStep | { kind: "eqn"; eqn: JaxprEqn };

/**
 * Inputs a fused kernel may read: WebGPU's compatibility limit is 8 storage buffers per shader
 * stage, and the output takes one (tf.js passes its uniforms separately).
 */
const MAX_INPUTS = 7;

/** Builds the WGSL kernel computing `target` from the group's equations (null: too many inputs). */
function fusedStep(eqns: JaxprEqn[], target: Var, shape: readonly number[]): FusedStep | null {
  const members = new Map<Var, JaxprEqn>();
  for (const e of eqns) members.set(e.outBinders[0]!, e);
  // Only the equations `target` depends on, in order.
  const needed = new Set<Var>();
  const visit = (v: Var) => {
    if (needed.has(v) || !members.has(v)) return;
    needed.add(v);
    for (const a of members.get(v)!.inputs) if (a instanceof Var) visit(a);
  };
  visit(target);
  const inputs: Var[] = [];
  const locals = new Map<Var, string>();
  const strides = stridesOf([...shape]);
  const read = (a: Atom, through?: number[]): string => {
    if (a instanceof Literal) return literalWgsl(a);
    if (locals.has(a)) return locals.get(a)!;
    let k = inputs.indexOf(a);
    if (k < 0) k = inputs.push(a) - 1;
    const src = a.aval.shape;
    let index = "index";
    if (a.aval.size === 1) index = "0";
    else if (through || !shapesEqual(src, shape)) {
      const s = stridesOf([...src]);
      const lead = shape.length - src.length;
      const terms = shape.flatMap((n, d) => {
        const j = through ? through.indexOf(d) : d - lead;
        if (j < 0 || src[j] === 1) return [];
        return [`((index / ${strides[d]}) % ${n}) * ${s[j]}`];
      });
      index = terms.join(" + ") || "0";
    }
    const value = `X${k}[${index}]`;
    return a.aval.dtype === "bool" ? `(${value} != 0)` : `f32(${value})`;
  };
  const lines: string[] = [];
  for (const e of eqns) {
    const v = e.outBinders[0]!;
    if (!needed.has(v)) continue;
    const p = e.params as Record<string, unknown>;
    const name = e.primitive.name;
    let expr: string;
    if (name === "broadcast_in_dim") expr = read(e.inputs[0]!, p.broadcast_dimensions as number[]);
    else {
      const ins = e.inputs.map((a) => read(a));
      // A fusable select_n has a bool predicate, so two cases.
      if (name === "select_n") expr = `select(${ins[1]}, ${ins[2] ?? ins[1]}, ${ins[0]})`;
      else if (name === "convert_element_type") {
        const from = e.inputs[0]!.aval.dtype;
        const to = v.aval.dtype;
        expr =
          from === to
            ? ins[0]!
            : to === "bool"
              ? `(${ins[0]} != 0.0)`
              : `select(0.0, 1.0, ${ins[0]})`;
      } else if (name === "copy" || name === "stop_gradient") expr = ins[0]!;
      else expr = (FLOAT_OPS[name] ?? BOOL_OPS[name])!(ins, p);
    }
    const local = `t${locals.size}`;
    lines.push(`let ${local} = ${expr};`);
    locals.set(v, local);
  }
  if (inputs.length > MAX_INPUTS) return null;
  const value = locals.get(target)!;
  const store = target.aval.dtype === "bool" ? `select(0, 1, ${value})` : value;
  const body = `${lines.join("\n          ")}
          result[index] = ${store};`;
  const key = `TfjaxFused_${shape}_${inputs.map((v) => `${v.aval.dtype}${v.aval.shape}`)}_${body}`;
  const program = flatProgram(
    key,
    inputs.map((_, k) => `X${k}`),
    [...shape],
    body,
  );
  return { kind: "fused", program, inputs, out: target };
}

/** Splits the Jaxpr into fused kernels and single equations. */
function partition(closed: ClosedJaxpr): Step[] {
  const { jaxpr } = closed;
  const uses = new Map<Var, number>();
  const count = (a: Atom) => {
    if (a instanceof Var) uses.set(a, (uses.get(a) ?? 0) + 1);
  };
  for (const e of jaxpr.eqns) e.inputs.forEach(count);
  jaxpr.outs.forEach(count);
  const steps: Step[] = [];
  let group: JaxprEqn[] = [];
  let shape: readonly number[] = [];
  const flush = () => {
    if (group.length === 1) steps.push({ kind: "eqn", eqn: group[0]! });
    else if (group.length > 1) {
      const inside = new Map<Var, number>();
      const members = new Set(group.map((e) => e.outBinders[0]!));
      for (const e of group)
        for (const a of e.inputs)
          if (a instanceof Var && members.has(a)) inside.set(a, (inside.get(a) ?? 0) + 1);
      const targets = [...members].filter((v) => (uses.get(v) ?? 0) > (inside.get(v) ?? 0));
      const fused = targets.map((v) => fusedStep(group, v, shape));
      if (fused.every((f) => f !== null)) steps.push(...fused);
      else for (const eqn of group) steps.push({ kind: "eqn", eqn });
    }
    group = [];
  };
  for (const e of jaxpr.eqns) {
    const out = e.outBinders[0]?.aval;
    if (out && fusable(e)) {
      if (group.length && !shapesEqual(shape, out.shape)) flush();
      shape = out.shape;
      group.push(e);
      continue;
    }
    const members = new Set(group.map((g) => g.outBinders[0]!));
    if (e.inputs.some((a) => a instanceof Var && members.has(a))) flush();
    steps.push({ kind: "eqn", eqn: e });
  }
  flush();
  return steps;
}

/** A plan for webgpu: fused kernels and tf.js kernels, freeing intermediates at last use. */
export function compileWebgpu(
  closed: ClosedJaxpr,
  outAvals: ShapedArray[],
  device: Device,
): (args: EagerArray[]) => JaxArray[] {
  const steps = partition(closed);
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
    steps.forEach((step, k) => {
      if (step.kind === "eqn") {
        const outs = bind(step.eqn.primitive, step.eqn.inputs.map(read), step.eqn.params);
        step.eqn.outBinders.forEach((v, i) => {
          hold(v, outs[i]!);
        });
      } else {
        const tensors = step.inputs.map((v) => (env.get(v) as EagerArray).tensor) as tf.Tensor[];
        const aval = step.out.aval;
        const t = runWebgpuProgram(
          step.program,
          tensors,
          aval.dtype === "bool" ? "bool" : "float32",
        );
        hold(step.out, new EagerArray(t, aval.dtype, aval.weakType, device, aval));
      }
      for (const v of dying[k]!) {
        const x = env.get(v)!;
        env.delete(v);
        const n = (holders.get(x) ?? 1) - 1;
        holders.set(x, n);
        if (n === 0 && x instanceof EagerArray && !kept.has(x) && !x.isShared) x.dispose();
      }
    });
    return jaxpr.outs.map((a, i) => {
      const x = read(a) as EagerArray;
      const aval = outAvals[i]!;
      if (x.weakType === aval.weakType && !x.isShared) return x;
      return new EagerArray(x.tensor.clone(), aval.dtype, aval.weakType, device, aval);
    });
  };
}
