/**
 * Lowering on the cpu backend: a whole Jaxpr becomes one generated JavaScript function over
 * typed arrays (new Function). Size-1 values are numeric locals (straight-line code, no
 * allocation: the MCMC case); arrays live in buffers allocated once per compiled program.
 * Chains of elementwise equations over one shape fuse into a single loop whose intermediates
 * are locals; reductions, contractions and data movement are loops with index tables built at
 * compile time; `while`, `scan` and `cond` become JS loops and branches. Any other primitive
 * runs through its tf.js kernel from inside the program (a "fallback" call).
 *
 * Values follow tf.js's cpu storage: float32 in Float32Array (every result rounded with
 * Math.fround, as tf.js's own cpu kernels round each op), int32 and uint32 as int32 words in
 * Int32Array, bool as 0/1 in Uint8Array.
 */
import * as tf from "@tensorflow/tfjs-core";
import { EagerArray, type JaxArray } from "../core/array.js";
import { ShapedArray } from "../core/aval.js";
import type { Device } from "../core/backend.js";
import { type DType, storageDtype } from "../core/dtype.js";
import { takeHostArray } from "../core/host_buffers.js";
import {
  type Atom,
  type ClosedJaxpr,
  type Jaxpr,
  type JaxprEqn,
  Literal,
  Var,
} from "../core/jaxpr.js";
import { bind, type Params, type Primitive } from "../core/primitive.js";
import { prod, shapesEqual, stridesOf } from "../core/shape.js";
import { intKernelJs } from "../lax/kernels.js";
import { THREEFRY_PARITY, THREEFRY_ROTATIONS } from "../lax/threefry.js";
import * as scalarMath from "./scalar_math.js";
import {
  compileKernel,
  type KernelReduction,
  lowerable,
  operandDtype,
  runKernel,
  type SimdKernel,
  simdAvailable,
} from "./wasm.js";

/** Fused loops shorter than this stay JavaScript: a SIMD kernel's copies and call cost more. */
const SIMD_MIN_SIZE = 1024;
/** The dtypes of arrays a SIMD kernel reads and writes (bool arrays, bytes here, do not go). */
const SIMD_ARRAY = new Set<DType>(["float32", "int32", "uint32"]);

type Typed = Float32Array | Int32Array | Uint8Array;
type Value = number | Typed;

/** A value in generated code: a numeric local or literal (size 1), or a typed array. */
interface Val {
  code: string;
  aval: ShapedArray;
}
const isScalar = (v: { aval: ShapedArray }) => v.aval.size === 1;

const CTOR: Record<DType, string> = {
  float32: "Float32Array",
  int32: "Int32Array",
  uint32: "Int32Array",
  bool: "Uint8Array",
};

/** A reduction as statements around and inside a loop over its input (see JaxprEmitter.reducer). */
interface Reducer {
  setup: string[];
  step: (value: string, index: string) => string;
  finish: string[];
  /** A reduction to one value: its accumulator (which `finish` reads). */
  accumulator?: string;
}
const REDUCTIONS = new Set([
  "reduce_sum",
  "reduce_prod",
  "reduce_max",
  "reduce_min",
  "reduce_and",
  "reduce_or",
]);

interface Fallback {
  primitive: Primitive;
  params: Params;
  inAvals: ShapedArray[];
  outAvals: ShapedArray[];
}

/** What generated code calls back into. */
export interface Runtime {
  call(k: number, inputs: Value[]): Value[];
  math: typeof scalarMath;
  int: typeof intKernelJs;
  bits: { f32: Float32Array; i32: Int32Array };
  take: typeof takeHostArray;
  simd: typeof runKernel;
}

// --- literals and elementwise expressions ---------------------------------------------------

function literalCode(value: number | boolean, dtype: DType): string {
  if (dtype === "bool") return value ? "1" : "0";
  const v = dtype === "float32" ? Math.fround(Number(value)) : Number(value) | 0;
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "Infinity";
  if (v === Number.NEGATIVE_INFINITY) return "(-Infinity)";
  if (Object.is(v, -0)) return "(-0)";
  return v < 0 ? `(${v})` : String(v);
}

const F = (e: string) => `Math.fround(${e})`;
const U = (e: string) => `(${e} >>> 0)`;

type Expr = (
  x: string[],
  inDtype: DType,
  outDtype: DType,
  params: Record<string, unknown>,
) => string;
const floatMath =
  (fn: string): Expr =>
  ([a]) =>
    F(`${fn}(${a})`);
const bool = (e: string) => `(${e} ? 1 : 0)`;

function compare(op: string): Expr {
  return ([a, b], d) =>
    d === "uint32" ? bool(`${U(a!)} ${op} ${U(b!)}`) : bool(`${a} ${op} ${b}`);
}

function minMax(which: "max" | "min"): Expr {
  const op = which === "max" ? ">" : "<";
  return ([a, b], d) =>
    d === "float32"
      ? `Math.${which}(${a}, ${b})`
      : d === "uint32"
        ? `(${U(a!)} ${op} ${U(b!)} ? ${a} : ${b})`
        : `(${a} ${op} ${b} ? ${a} : ${b})`;
}

function convert(a: string, from: DType, to: DType): string {
  if (from === to) return a;
  if (to === "bool") return bool(`${a} !== 0`);
  if (to === "float32") return from === "uint32" ? F(U(a)) : from === "bool" ? a : F(a);
  // to int32/uint32: float truncates and wraps as tf.js's cast does; the others keep their words.
  return from === "float32" ? `(Math.trunc(${a}) | 0)` : a;
}

/** An integer kernel's JS function, its result kept as an int32 word (uint32 results wrap). */
const intCall = (name: string, a: string, b: string) => `(rt.int.${name}(${a}, ${b}) | 0)`;

/** A shift; a literal count in [0, 32) is JS's own operator (XLA's rules differ beyond). */
function shift(op: string, kernel: string): Expr {
  return ([a, b]) => {
    const count = Number(b);
    return /^\d+$/.test(b!) && count < 32 ? `((${a} ${op} ${count}) | 0)` : intCall(kernel, a!, b!);
  };
}

const ELEMENTWISE: Record<string, Expr> = {
  neg: ([a], d) => (d === "float32" ? `(-${a})` : `((-${a}) | 0)`),
  sign: ([a], d) => (d === "uint32" ? `(${a} !== 0 ? 1 : 0)` : `Math.sign(${a})`),
  floor: ([a]) => `Math.floor(${a})`,
  ceil: ([a]) => `Math.ceil(${a})`,
  round: ([a], _d, _o, p) =>
    p.rounding_method === 1
      ? `rt.math.roundEven(${a})`
      : `(Math.sign(${a}) * Math.floor(Math.abs(${a}) + 0.5))`,
  is_finite: ([a]) => bool(`Number.isFinite(${a})`),
  // rt.math.exp: float32-exact like Math.exp, but V8 inlines it into the loop.
  exp: floatMath("rt.math.exp"),
  exp2: ([a]) => F(`2 ** ${a}`),
  log: floatMath("Math.log"),
  expm1: floatMath("Math.expm1"),
  log1p: floatMath("Math.log1p"),
  tanh: floatMath("Math.tanh"),
  logistic: ([a]) => F(`1 / (1 + rt.math.exp(-${a}))`),
  sin: floatMath("Math.sin"),
  cos: floatMath("Math.cos"),
  tan: floatMath("Math.tan"),
  asin: floatMath("Math.asin"),
  acos: floatMath("Math.acos"),
  atan: floatMath("Math.atan"),
  sinh: floatMath("Math.sinh"),
  cosh: floatMath("Math.cosh"),
  asinh: floatMath("Math.asinh"),
  acosh: floatMath("Math.acosh"),
  atanh: floatMath("Math.atanh"),
  sqrt: floatMath("Math.sqrt"),
  rsqrt: ([a]) => F(`1 / Math.sqrt(${a})`),
  cbrt: floatMath("Math.cbrt"),
  abs: ([a], d) =>
    d === "float32" ? `Math.abs(${a})` : d === "uint32" ? a! : `(Math.abs(${a}) | 0)`,
  erf: ([a]) => `rt.math.erf(${a})`,
  erfc: ([a]) => `rt.math.erfc(${a})`,
  lgamma: ([a]) => `rt.math.lgamma(${a})`,
  digamma: ([a]) => `rt.math.digamma(${a})`,
  erf_inv: ([a]) => `rt.int.TfjaxErfInv(${a}, 0)`,
  square: ([a], d) => (d === "float32" ? F(`${a} * ${a}`) : `Math.imul(${a}, ${a})`),
  not: ([a], d) => (d === "bool" ? `(1 - ${a})` : `(~${a})`),
  population_count: ([a]) => intCall("TfjaxPopulationCount", a!, "0"),
  integer_pow: ([a], d, _o, p) => {
    const y = p.y as number;
    if (d === "float32") return y < 0 ? F(`1 / (${a} ** ${-y})`) : F(`${a} ** ${y}`);
    let e = "1";
    for (let k = 0; k < y; k++) e = `Math.imul(${e}, ${a})`;
    return e;
  },
  add: ([a, b], d) => (d === "float32" ? F(`${a} + ${b}`) : `((${a} + ${b}) | 0)`),
  sub: ([a, b], d) => (d === "float32" ? F(`${a} - ${b}`) : `((${a} - ${b}) | 0)`),
  mul: ([a, b], d) =>
    d === "float32" ? F(`${a} * ${b}`) : d === "bool" ? `(${a} & ${b})` : `Math.imul(${a}, ${b})`,
  div: ([a, b], d) =>
    d === "float32"
      ? F(`${a} / ${b}`)
      : intCall(d === "uint32" ? "TfjaxUintDiv" : "TfjaxIntDiv", a!, b!),
  rem: ([a, b], d) =>
    d === "float32"
      ? F(`${a} % ${b}`)
      : intCall(d === "uint32" ? "TfjaxUintRem" : "TfjaxIntRem", a!, b!),
  pow: ([a, b]) => `rt.math.pow(${a}, ${b})`,
  max: minMax("max"),
  min: minMax("min"),
  atan2: ([a, b]) => F(`Math.atan2(${a}, ${b})`),
  nextafter: ([a, b]) => `rt.int.TfjaxNextafter(${a}, ${b})`,
  and: ([a, b]) => `(${a} & ${b})`,
  or: ([a, b]) => `(${a} | ${b})`,
  xor: ([a, b]) => `(${a} ^ ${b})`,
  shift_left: shift("<<", "TfjaxShiftLeft"),
  shift_right_logical: shift(">>>", "TfjaxShiftRightLogical"),
  shift_right_arithmetic: shift(">>", "TfjaxShiftRightArithmetic"),
  eq: compare("==="),
  ne: compare("!=="),
  lt: compare("<"),
  le: compare("<="),
  gt: compare(">"),
  ge: compare(">="),
  convert_element_type: ([a], d, o) => convert(a!, d, o),
  bitcast_convert_type: ([a], d, o) =>
    d === "float32" && o !== "float32"
      ? `(rt.bits.f32[0] = ${a}, rt.bits.i32[0])`
      : d !== "float32" && o === "float32"
        ? `(rt.bits.i32[0] = ${a}, rt.bits.f32[0])`
        : a!,
  select_n: ([which, ...cases]) =>
    cases.length === 1
      ? cases[0]!
      : cases
          .slice(0, -1)
          .reduceRight((rest, c, i) => `(${which} == ${i} ? ${c} : ${rest})`, cases.at(-1)!),
  clamp: ([lo, x, hi], d) =>
    d === "float32"
      ? `Math.min(Math.max(${x}, ${lo}), ${hi})`
      : d === "uint32"
        ? `(${U(x!)} < ${U(lo!)} ? ${lo} : ${U(x!)} > ${U(hi!)} ? ${hi} : ${x})`
        : `(${x} < ${lo} ? ${lo} : ${x} > ${hi} ? ${hi} : ${x})`,
  copy: ([a]) => a!,
  stop_gradient: ([a]) => a!,
};

// --- index tables ------------------------------------------------------------------------------

/** For each flat index over the listed dims of `shape` (row-major), its flat offset in `shape`. */
function offsetsOver(shape: readonly number[], dims: readonly number[]): Int32Array {
  const strides = stridesOf([...shape]);
  const sizes = dims.map((d) => shape[d]!);
  const out = new Int32Array(prod(sizes));
  const coords = sizes.map(() => 0);
  for (let k = 0; k < out.length; k++) {
    out[k] = coords.reduce((o, c, i) => o + c * strides[dims[i]!]!, 0);
    for (let i = sizes.length - 1; i >= 0; i--) {
      if (++coords[i]! < sizes[i]!) break;
      coords[i] = 0;
    }
  }
  return out;
}

/** Source position for each element of `outShape` under per-axis source strides (0 repeats). */
function stridedTable(
  outShape: readonly number[],
  strides: readonly number[],
  offset = 0,
): Int32Array {
  const out = new Int32Array(prod([...outShape]));
  const coords = outShape.map(() => 0);
  for (let k = 0; k < out.length; k++) {
    out[k] = coords.reduce((o, c, i) => o + c * strides[i]!, offset);
    for (let i = outShape.length - 1; i >= 0; i--) {
      if (++coords[i]! < outShape[i]!) break;
      coords[i] = 0;
    }
  }
  return out;
}

/** numpy broadcasting of `from` (right-aligned) into `to`, as source strides. */
function broadcastStrides(from: readonly number[], to: readonly number[]): number[] {
  const strides = stridesOf([...from]);
  const lead = to.length - from.length;
  return to.map((_, i) => (i < lead || from[i - lead] === 1 ? 0 : strides[i - lead]!));
}

// --- the program builder --------------------------------------------------------------------------

class Program {
  readonly decls: string[] = [];
  readonly closure: unknown[] = [];
  readonly fallbacks: Fallback[] = [];
  /** Output arrays allocated by each call (the caller may keep them). */
  readonly perCall = new Set<string>();
  #n = 0;
  fresh(prefix: string): string {
    return `${prefix}${this.#n++}`;
  }
  /** A closure constant (table, const array): declared once, outside the run function. */
  constant(value: unknown): string {
    const name = this.fresh("k");
    this.decls.push(`const ${name} = C[${this.closure.length}];`);
    this.closure.push(value);
    return name;
  }
  buffer(aval: ShapedArray, ctor = CTOR[aval.dtype]): string {
    const name = this.fresh("b");
    this.decls.push(`const ${name} = new ${ctor}(${aval.size});`);
    return name;
  }
  /** A constant array (a Jaxpr const or a folded value) as a Val. */
  constArray(x: JaxArray): Val {
    const data = (x as EagerArray).storageValues();
    if (x.size === 1) return { code: literalCode(data[0]!, x.dtype), aval: x.aval };
    // The program reads the array's values: keeping the array alive keeps them from being
    // freed (and recycled) while the program lives.
    this.closure.push(x);
    return { code: this.constant(data), aval: x.aval };
  }
}

/** Generated statements with indentation. */
class Code {
  readonly lines: string[] = [];
  #depth = 1;
  line(s: string): void {
    this.lines.push("  ".repeat(this.#depth) + s);
  }
  block(head: string, body: () => void, tail = "}"): void {
    this.line(`${head} {`);
    this.#depth++;
    body();
    this.#depth--;
    this.line(tail);
  }
}

/** Reads element `index` of a value: the local itself for size-1 values. */
const at = (v: Val, index: string) => (isScalar(v) ? v.code : `${v.code}[${index}]`);

const ELEMENTWISE_STRUCTURAL = new Set(["broadcast_in_dim", "iota"]);
function isElementwise(e: JaxprEqn): boolean {
  const name = e.primitive.name;
  return name in ELEMENTWISE || ELEMENTWISE_STRUCTURAL.has(name) || name === "threefry2x32";
}

/** Emits the equations of one Jaxpr into `code`, given the values of its constvars and invars. */
class JaxprEmitter {
  readonly env = new Map<Var, Val>();
  /** How many equations (and outputs) read each variable, to know what a fused loop must store. */
  readonly uses = new Map<Var, number>();

  constructor(
    private readonly prog: Program,
    private readonly code: Code,
    private readonly jaxpr: Jaxpr,
    private readonly topLevel = false,
  ) {
    const count = (a: Atom) => {
      if (a instanceof Var) this.uses.set(a, (this.uses.get(a) ?? 0) + 1);
    };
    for (const e of jaxpr.eqns) e.inputs.forEach(count);
    jaxpr.outs.forEach(count);
  }

  read(a: Atom): Val {
    if (a instanceof Literal) return { code: literalCode(a.value, a.aval.dtype), aval: a.aval };
    const v = this.env.get(a);
    if (!v) throw new Error("internal: unbound variable in generated code");
    return v;
  }

  run(consts: Val[], args: Val[]): Val[] {
    this.jaxpr.constvars.forEach((v, i) => {
      this.env.set(v, consts[i]!);
    });
    this.jaxpr.invars.forEach((v, i) => {
      this.env.set(v, args[i]!);
    });
    let group: FusedGroup | null = null;
    for (const e of this.jaxpr.eqns) {
      const outVar = e.outBinders[0]!;
      const out = outVar.aval;
      if (isElementwise(e) && !isScalar(outVar)) {
        if (group && !shapesEqual(group.shape, out.shape) && group.dependsOn(e)) {
          group.emit();
          group = null;
        }
        if (group && shapesEqual(group.shape, out.shape) && !group.needsResult(e)) {
          group.add(e);
          continue;
        }
        group?.emit();
        group = new FusedGroup(this, this.prog, this.code, out.shape);
        group.add(e);
        continue;
      }
      // A reduction of a value the open loop computes folds into that loop.
      const input = e.inputs[0];
      if (
        group &&
        REDUCTIONS.has(e.primitive.name) &&
        input instanceof Var &&
        group.computes(input)
      ) {
        group.addReduction(e);
        continue;
      }
      if (group?.dependsOn(e)) {
        group.emit();
        group = null;
      }
      this.emitOne(e);
    }
    group?.emit();
    return this.jaxpr.outs.map((a) => this.read(a));
  }

  bind(v: Var, val: Val): void {
    this.env.set(v, val);
  }

  /**
   * A fresh output value for `v`: a const local for size 1, else a program buffer, or for the
   * program's own outputs an array allocated per call (handed to the caller without a copy).
   */
  output(v: Var): Val {
    if (isScalar(v)) return { code: this.prog.fresh("s"), aval: v.aval };
    if (this.topLevel && this.jaxpr.outs.includes(v)) {
      const name = this.prog.fresh("out");
      this.code.line(`const ${name} = rt.take("${CTOR[v.aval.dtype]}", ${v.aval.size});`);
      this.prog.perCall.add(name);
      return { code: name, aval: v.aval };
    }
    return { code: this.prog.buffer(v.aval), aval: v.aval };
  }

  emitOne(e: JaxprEqn): void {
    const name = e.primitive.name;
    const p = e.params as Record<string, unknown>;
    const ins = e.inputs.map((a) => this.read(a));
    const out = e.outBinders[0]!;
    if (isElementwise(e)) {
      this.emitScalarElementwise(e, ins);
      return;
    }
    switch (name) {
      case "reshape":
      case "squeeze":
      case "copy":
      case "stop_gradient": {
        this.bind(out, { code: ins[0]!.code, aval: out.aval });
        return;
      }
      case "reduce_sum":
      case "reduce_prod":
      case "reduce_max":
      case "reduce_min":
      case "reduce_and":
      case "reduce_or": {
        this.emitReduction(name, ins[0]!, p.axes as number[], out);
        return;
      }
      case "dot_general": {
        this.emitDot(ins[0]!, ins[1]!, p.dimension_numbers as number[][][], out);
        return;
      }
      case "transpose": {
        const strides = stridesOf(ins[0]!.aval.shape as number[]);
        const perm = p.permutation as number[];
        this.emitTable(
          ins[0]!,
          out,
          stridedTable(
            out.aval.shape,
            perm.map((q) => strides[q]!),
          ),
        );
        return;
      }
      case "rev": {
        const x = ins[0]!;
        const shape = x.aval.shape;
        const strides = stridesOf(shape as number[]);
        const dims = p.dimensions as number[];
        const offset = dims.reduce((o, d) => o + (shape[d]! - 1) * strides[d]!, 0);
        const signed = strides.map((s, d) => (dims.includes(d) ? -s : s));
        this.emitTable(x, out, stridedTable(shape, signed, offset));
        return;
      }
      case "slice": {
        const x = ins[0]!;
        const strides = stridesOf(x.aval.shape as number[]);
        const start = p.start_indices as number[];
        const steps = (p.strides as number[] | null) ?? start.map(() => 1);
        const offset = start.reduce((o, s, d) => o + s * strides[d]!, 0);
        const table = stridedTable(
          out.aval.shape,
          strides.map((s, d) => s * steps[d]!),
          offset,
        );
        this.emitTable(x, out, table);
        return;
      }
      case "pad": {
        this.emitPad(ins[0]!, ins[1]!, p.padding_config as [number, number, number][], out);
        return;
      }
      case "concatenate": {
        this.emitConcat(ins, p.dimension as number, out);
        return;
      }
      case "dynamic_slice": {
        this.emitDynamicSlice(ins[0]!, ins.slice(1), out);
        return;
      }
      case "dynamic_update_slice": {
        this.emitDynamicUpdate(ins[0]!, ins[1]!, ins.slice(2), out);
        return;
      }
      case "while": {
        emitWhile(this, this.prog, this.code, e, ins);
        return;
      }
      case "scan": {
        emitScan(this, this.prog, this.code, e, ins);
        return;
      }
      case "cond": {
        emitCond(this, this.prog, this.code, e, ins);
        return;
      }
      default: {
        this.emitFallback(e, ins);
        return;
      }
    }
  }

  /** An elementwise equation on size-1 values: one const per output. */
  emitScalarElementwise(e: JaxprEqn, ins: Val[]): void {
    const exprs = elementwiseExprs(
      e,
      ins.map((v) => at(v, "0")),
      () => "0",
    );
    if (exprs.pre) this.code.line(exprs.pre);
    e.outBinders.forEach((v, i) => {
      const name = this.prog.fresh("s");
      this.code.line(`const ${name} = ${exprs.outs[i]};`);
      this.bind(v, { code: name, aval: v.aval });
    });
  }

  /** out[j] = x[table[j]] (table entries < 0 take `fill`). */
  emitTable(x: Val, out: Var, table: Int32Array, fill?: Val): void {
    if (out.aval.size === 0) {
      this.bind(out, this.output(out));
      return;
    }
    if (isScalar(out)) {
      const j = table[0]!;
      this.bind(out, { code: j < 0 ? fill!.code : at(x, String(j)), aval: out.aval });
      return;
    }
    const o = this.output(out);
    const t = this.prog.constant(table);
    const read = fill ? `(${t}[j] < 0 ? ${fill.code} : ${at(x, `${t}[j]`)})` : at(x, `${t}[j]`);
    this.code.line(`for (let j = 0; j < ${table.length}; j++) ${o.code}[j] = ${read};`);
    this.bind(out, o);
  }

  emitPad(x: Val, value: Val, config: [number, number, number][], out: Var): void {
    const outShape = out.aval.shape;
    const outStrides = stridesOf(outShape as number[]);
    const table = new Int32Array(out.aval.size).fill(-1);
    const inShape = x.aval.shape;
    const coords = inShape.map(() => 0);
    for (let k = 0; k < x.aval.size; k++) {
      let pos = 0;
      const inside = coords.every((c, d) => {
        const o = config[d]![0] + c * (1 + config[d]![2]);
        pos += o * outStrides[d]!;
        return o >= 0 && o < outShape[d]!;
      });
      if (inside) table[pos] = k;
      for (let d = coords.length - 1; d >= 0; d--) {
        if (++coords[d]! < inShape[d]!) break;
        coords[d] = 0;
      }
    }
    this.emitTable(x, out, table, value);
  }

  emitConcat(parts: Val[], axis: number, out: Var): void {
    if (isScalar(out)) {
      const only = parts.find((v) => v.aval.size === 1)!;
      this.bind(out, { code: at(only, "0"), aval: out.aval });
      return;
    }
    const o = this.output(out);
    const outStrides = stridesOf(out.aval.shape as number[]);
    let start = 0;
    for (const v of parts) {
      if (v.aval.size > 0) {
        const positions = stridedTable(v.aval.shape, outStrides, start * outStrides[axis]!);
        const t = this.prog.constant(positions);
        this.code.line(
          `for (let j = 0; j < ${positions.length}; j++) ${o.code}[${t}[j]] = ${at(v, "j")};`,
        );
      }
      start += v.aval.shape[axis]!;
    }
    this.bind(out, o);
  }

  /** The flat offset of a dynamic window's origin, with JAX's clamping of the start indices. */
  windowBase(shape: readonly number[], sizes: readonly number[], starts: Val[]): string {
    const strides = stridesOf([...shape]);
    const base = this.prog.fresh("o");
    const terms = starts.map(
      (s, d) => `Math.min(Math.max(${s.code}, 0), ${shape[d]! - sizes[d]!}) * ${strides[d]}`,
    );
    this.code.line(`const ${base} = ${terms.join(" + ") || "0"};`);
    return base;
  }

  emitDynamicSlice(x: Val, starts: Val[], out: Var): void {
    const sizes = out.aval.shape;
    const base = this.windowBase(x.aval.shape, sizes, starts);
    const rel = stridedTable(sizes, stridesOf(x.aval.shape as number[]));
    if (isScalar(out)) {
      this.bind(out, { code: at(x, `${base} + ${rel[0]}`), aval: out.aval });
      return;
    }
    const o = this.output(out);
    const t = this.prog.constant(rel);
    this.code.line(
      `for (let j = 0; j < ${rel.length}; j++) ${o.code}[j] = ${at(x, `${base} + ${t}[j]`)};`,
    );
    this.bind(out, o);
  }

  emitDynamicUpdate(x: Val, update: Val, starts: Val[], out: Var): void {
    if (update.aval.size === 0) {
      this.bind(out, { code: x.code, aval: out.aval });
      return;
    }
    if (isScalar(out)) {
      this.bind(out, { code: at(update, "0"), aval: out.aval });
      return;
    }
    const base = this.windowBase(x.aval.shape, update.aval.shape, starts);
    const rel = stridedTable(update.aval.shape, stridesOf(x.aval.shape as number[]));
    const o = this.output(out);
    const t = this.prog.constant(rel);
    this.code.line(`${o.code}.set(${x.code});`);
    this.code.line(
      `for (let j = 0; j < ${rel.length}; j++) ${o.code}[${base} + ${t}[j]] = ${at(update, "j")};`,
    );
    this.bind(out, o);
  }

  emitReduction(name: string, x: Val, axes: number[], out: Var): void {
    if (isScalar(x)) {
      this.bind(out, { code: x.code, aval: out.aval });
      return;
    }
    const r = this.reducer(name, x.aval, axes, out);
    for (const line of r.setup) this.code.line(line);
    this.code.line(`for (let j = 0; j < ${x.aval.size}; j++) ${r.step(`${x.code}[j]`, "j")}`);
    for (const line of r.finish) this.code.line(line);
  }

  /**
   * A reduction in three parts, so that a fused loop can carry it: statements before the loop,
   * the statement folding element `index` (value `value`) in, and statements after it. Floats
   * accumulate in doubles and are rounded once.
   */
  reducer(name: string, input: ShapedArray, axes: number[], out: Var): Reducer {
    const d = input.dtype;
    const op = name.slice("reduce_".length);
    const init: Record<string, string> = {
      sum: "0",
      prod: "1",
      max:
        d === "float32" ? "-Infinity" : d === "uint32" ? "0" : d === "bool" ? "0" : "-2147483648",
      min: d === "float32" ? "Infinity" : d === "uint32" ? "-1" : d === "bool" ? "1" : "2147483647",
      and: "1",
      or: "0",
    };
    const combine = (acc: string, v: string): string => {
      switch (op) {
        case "sum":
          return d === "float32" ? `${acc} + ${v}` : `(${acc} + ${v}) | 0`;
        case "prod":
          return d === "float32" ? `${acc} * ${v}` : `Math.imul(${acc}, ${v})`;
        case "and":
          return `${acc} & ${v}`;
        case "or":
          return `${acc} | ${v}`;
        default:
          return minMax(op as "max" | "min")([acc, v], d, d, {});
      }
    };
    const finish = (acc: string) => (d === "float32" ? F(acc) : acc);
    if (isScalar(out)) {
      const acc = this.prog.fresh("acc");
      const s = this.prog.fresh("s");
      this.bind(out, { code: s, aval: out.aval });
      return {
        setup: [`let ${acc} = ${init[op]};`],
        step: (v) => `${acc} = ${combine(acc, v)};`,
        finish: [`const ${s} = ${finish(acc)};`],
        accumulator: acc,
      };
    }
    const shape = input.shape;
    const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const outStrides = stridesOf(kept.map((i) => shape[i]!));
    const strides = shape.map((_, i) => (kept.includes(i) ? outStrides[kept.indexOf(i)]! : 0));
    const target = this.prog.constant(stridedTable(shape, strides));
    const acc = this.prog.buffer(out.aval, d === "float32" ? "Float64Array" : "Int32Array");
    const o = this.output(out);
    this.bind(out, o);
    return {
      setup: [`${acc}.fill(${init[op]});`],
      step: (v, index) =>
        `{ const t = ${target}[${index}]; ${acc}[t] = ${combine(`${acc}[t]`, v)}; }`,
      finish: [`for (let j = 0; j < ${out.aval.size}; j++) ${o.code}[j] = ${acc}[j];`],
    };
  }

  emitDot(lhs: Val, rhs: Val, dims: number[][][], out: Var): void {
    const [[lc, rc], [lb, rb]] = dims as [[number[], number[]], [number[], number[]]];
    const free = (ndim: number, used: number[]) =>
      Array.from({ length: ndim }, (_, i) => i).filter((i) => !used.includes(i));
    const ls = lhs.aval.shape;
    const rs = rhs.aval.shape;
    const lf = free(ls.length, [...lc, ...lb]);
    const rf = free(rs.length, [...rc, ...rb]);
    const t = (shape: readonly number[], ds: number[]) =>
      this.prog.constant(offsetsOver(shape, ds));
    const [LB, LM, LK, RB, RN, RK] = [
      t(ls, lb),
      t(ls, lf),
      t(ls, lc),
      t(rs, rb),
      t(rs, rf),
      t(rs, rc),
    ];
    const B = prod(lb.map((d) => ls[d]!));
    const M = prod(lf.map((d) => ls[d]!));
    const N = prod(rf.map((d) => rs[d]!));
    const K = prod(lc.map((d) => ls[d]!));
    const float = out.aval.dtype === "float32";
    const term = `${at(lhs, `lo + ${LK}[k]`)} * ${at(rhs, `ro + ${RK}[k]`)}`;
    const accumulate = float
      ? `acc += ${term};`
      : `acc = (acc + Math.imul(${at(lhs, `lo + ${LK}[k]`)}, ${at(rhs, `ro + ${RK}[k]`)})) | 0;`;
    const o = this.output(out);
    const store = isScalar(out)
      ? `${o.code} = ${float ? F("acc") : "acc"};`
      : `${o.code}[(b * ${M} + m) * ${N} + n] = acc;`;
    if (isScalar(out)) this.code.line(`let ${o.code} = 0;`);
    this.code.block(`for (let b = 0; b < ${B}; b++)`, () => {
      this.code.block(`for (let m = 0; m < ${M}; m++)`, () => {
        this.code.line(`const lo = ${LB}[b] + ${LM}[m];`);
        this.code.block(`for (let n = 0; n < ${N}; n++)`, () => {
          this.code.line(`const ro = ${RB}[b] + ${RN}[n];`);
          this.code.line("let acc = 0;");
          this.code.line(`for (let k = 0; k < ${K}; k++) ${accumulate}`);
          this.code.line(store);
        });
      });
    });
    this.bind(out, o);
  }

  emitFallback(e: JaxprEqn, ins: Val[]): void {
    const k = this.prog.fallbacks.length;
    this.prog.fallbacks.push({
      primitive: e.primitive,
      params: e.params,
      inAvals: ins.map((v) => v.aval),
      outAvals: e.outBinders.map((v) => v.aval),
    });
    const r = this.prog.fresh("r");
    this.code.line(`const ${r} = rt.call(${k}, [${ins.map((v) => v.code).join(", ")}]);`);
    e.outBinders.forEach((v, i) => {
      this.bind(v, { code: `${r}[${i}]`, aval: v.aval });
    });
  }
}

/**
 * The expressions of an elementwise equation's outputs from its inputs' element expressions
 * (`pre` is a statement to run first: threefry computes both words at once). `coordinate(d)`
 * gives the element's coordinate along axis d (for iota).
 */
function elementwiseExprs(
  e: JaxprEqn,
  ins: string[],
  coordinate: (axis: number) => string,
): { pre?: string; outs: string[] } {
  const name = e.primitive.name;
  const out = e.outBinders[0]!.aval;
  if (name === "threefry2x32") return threefryCode(ins);
  if (name === "broadcast_in_dim") return { outs: [ins[0]!] };
  if (name === "iota") {
    const p = e.params as { dimension: number; dtype: DType };
    return { outs: [convert(coordinate(p.dimension), "int32", p.dtype)] };
  }
  const expr = ELEMENTWISE[name]!;
  return { outs: [expr(ins, operandDtype(e), out.dtype, e.params as Record<string, unknown>)] };
}

let threefryCount = 0;
/**
 * Threefry-2x32 with 20 rounds, unrolled inline (the constants of src/lax/threefry.ts):
 * statements leaving the two output words in fresh locals.
 */
function threefryCode([k0, k1, x0, x1]: string[]): { pre: string; outs: string[] } {
  const n = threefryCount++;
  const [a, b, ks] = [`fa${n}`, `fb${n}`, `fk${n}`];
  const keys = [k0, k1, ks];
  const lines = [
    `const ${ks} = (${k0} ^ ${k1} ^ ${THREEFRY_PARITY}) | 0;`,
    `let ${a} = (${x0} + ${k0}) | 0;`,
    `let ${b} = (${x1} + ${k1}) | 0;`,
  ];
  for (let group = 0; group < 5; group++) {
    for (const r of THREEFRY_ROTATIONS[group % 2]!)
      lines.push(
        `${a} = (${a} + ${b}) | 0; ${b} = ((${b} << ${r}) | (${b} >>> ${32 - r})) ^ ${a};`,
      );
    lines.push(`${a} = (${a} + ${keys[(group + 1) % 3]}) | 0;`);
    lines.push(`${b} = (${b} + ${keys[(group + 2) % 3]} + ${group + 1}) | 0;`);
  }
  return { pre: lines.join(" "), outs: [a, b] };
}

/** Elementwise equations over one shape, emitted as a single loop with local intermediates. */
class FusedGroup {
  readonly eqns: JaxprEqn[] = [];
  readonly members = new Set<Var>();
  readonly size: number;
  constructor(
    private readonly em: JaxprEmitter,
    private readonly prog: Program,
    private readonly code: Code,
    readonly shape: readonly number[],
  ) {
    this.size = prod([...shape]);
  }
  /** Reductions folded into the loop, with their statements. */
  readonly reductions: { input: Var; op: string; reducer: Reducer }[] = [];
  readonly reduced = new Set<Var>();
  add(e: JaxprEqn): void {
    this.eqns.push(e);
    for (const v of e.outBinders) this.members.add(v);
  }
  addReduction(e: JaxprEqn): void {
    const input = e.inputs[0] as Var;
    const out = e.outBinders[0]!;
    const axes = (e.params as { axes: number[] }).axes;
    this.reductions.push({
      input,
      op: e.primitive.name.slice("reduce_".length),
      reducer: this.em.reducer(e.primitive.name, input.aval, axes, out),
    });
    this.reduced.add(out);
  }
  computes(v: Var): boolean {
    return this.members.has(v);
  }
  /** Whether e reads a reduction's result, which exists only after the loop. */
  needsResult(e: JaxprEqn): boolean {
    return e.inputs.some((a) => a instanceof Var && this.reduced.has(a));
  }
  dependsOn(e: JaxprEqn): boolean {
    return e.inputs.some((a) => a instanceof Var && (this.members.has(a) || this.reduced.has(a)));
  }

  /** How the loop reads an outside value at element i (broadcasting through a table). */
  reader(v: Val, through?: { dims: number[] }): string {
    if (isScalar(v)) return v.code;
    const shape = v.aval.shape;
    if (!through && shapesEqual(shape, this.shape)) return `${v.code}[i]`;
    const strides = through
      ? (() => {
          const s = stridesOf(shape as number[]);
          return this.shape.map((_, i) => {
            const k = through.dims.indexOf(i);
            return k < 0 || shape[k] === 1 ? 0 : s[k]!;
          });
        })()
      : broadcastStrides(shape, this.shape);
    return `${v.code}[${this.prog.constant(stridedTable(this.shape, strides))}[i]]`;
  }

  /** How often each member is read inside the loop (by its equations and reductions). */
  usesInside(): Map<Var, number> {
    const uses = new Map<Var, number>();
    const inputs = [...this.eqns.flatMap((e) => e.inputs), ...this.reductions.map((r) => r.input)];
    for (const a of inputs)
      if (a instanceof Var && this.members.has(a)) uses.set(a, (uses.get(a) ?? 0) + 1);
    return uses;
  }

  /** Members read after the loop (by later equations or as outputs), which go to buffers. */
  readAfter(v: Var, usesInside: Map<Var, number>): boolean {
    return (this.em.uses.get(v) ?? 0) > (usesInside.get(v) ?? 0);
  }

  emit(): void {
    if (this.emitSimd()) return;
    const locals = new Map<Var, string>();
    const usesInside = this.usesInside();
    const strides = stridesOf([...this.shape]);
    const body: string[] = [];
    const stores: string[] = [];
    for (const e of this.eqns) {
      const ins = e.inputs.map((a, k) => {
        if (a instanceof Var && locals.has(a)) return locals.get(a)!;
        const v = this.em.read(a);
        const through =
          e.primitive.name === "broadcast_in_dim" && k === 0
            ? { dims: (e.params as { broadcast_dimensions: number[] }).broadcast_dimensions }
            : undefined;
        return this.reader(v, through);
      });
      const exprs = elementwiseExprs(e, ins, (d) => `((i / ${strides[d]}) | 0) % ${this.shape[d]}`);
      if (exprs.pre) body.push(exprs.pre);
      e.outBinders.forEach((v, i) => {
        // A value read once, by the next equations of this loop, is inlined into its reader:
        // a select then evaluates only the case it takes, as a hand-written loop would.
        if (!exprs.pre && this.em.uses.get(v) === 1 && usesInside.get(v) === 1) {
          locals.set(v, `(${exprs.outs[i]})`);
          return;
        }
        const local = this.prog.fresh("t");
        body.push(`const ${local} = ${exprs.outs[i]};`);
        locals.set(v, local);
        if (this.readAfter(v, usesInside)) {
          const o = this.em.output(v);
          stores.push(`${o.code}[i] = ${local};`);
          this.em.bind(v, o);
        }
      });
    }
    for (const r of this.reductions) {
      for (const line of r.reducer.setup) this.code.line(line);
      body.push(r.reducer.step(locals.get(r.input)!, "i"));
    }
    this.code.block(`for (let i = 0; i < ${this.size}; i++)`, () => {
      for (const s of [...body, ...stores]) this.code.line(s);
    });
    for (const r of this.reductions) for (const line of r.reducer.finish) this.code.line(line);
  }

  /**
   * The loop as a WebAssembly SIMD kernel (src/compiler/wasm.ts), when it is long enough to pay
   * for copying its operands, every equation has a SIMD lowering over float32, int32 or uint32
   * arrays and size-1 values, and its folded reductions (if any) reduce float32 values to one
   * number by sum, product, max or min. Operands that broadcast into the loop are first
   * expanded to its shape by a JavaScript loop.
   */
  emitSimd(): boolean {
    if (!simdAvailable || this.size < SIMD_MIN_SIZE) return false;
    const reductions: KernelReduction[] = [];
    for (const { input, op, reducer } of this.reductions) {
      const whole = reducer.accumulator !== undefined && input.aval.dtype === "float32";
      if (!whole || !(op === "sum" || op === "prod" || op === "max" || op === "min")) return false;
      reductions.push({ input, op });
    }
    // broadcast_in_dim of an outside array becomes an expanded operand, not a kernel equation.
    const expansions = new Map<Var, string>();
    const eqns: JaxprEqn[] = [];
    for (const e of this.eqns) {
      const [x] = e.inputs;
      const out = e.outBinders[0]!;
      const outside = x instanceof Var && !this.members.has(x) && !isScalar(x);
      if (e.primitive.name === "broadcast_in_dim" && outside && SIMD_ARRAY.has(out.aval.dtype)) {
        const dims = (e.params as { broadcast_dimensions: number[] }).broadcast_dimensions;
        expansions.set(out, this.reader(this.em.read(x), { dims }));
      } else if (lowerable(e)) eqns.push(e);
      else return false;
    }
    const arrays: Var[] = [];
    const scalars: Var[] = [];
    for (const e of eqns)
      for (const a of e.inputs) {
        const inside = this.members.has(a as Var) && !expansions.has(a as Var);
        if (!(a instanceof Var) || inside || arrays.includes(a) || scalars.includes(a)) continue;
        if (isScalar(a)) scalars.push(a);
        else if (!SIMD_ARRAY.has(a.aval.dtype)) return false;
        else {
          arrays.push(a);
          if (!shapesEqual(a.aval.shape, this.shape) && !expansions.has(a))
            expansions.set(a, this.reader(this.em.read(a)));
        }
      }
    for (const { input } of reductions)
      if (expansions.has(input) && !arrays.includes(input)) arrays.push(input);
    const usesInside = this.usesInside();
    const computed = [...this.members].filter((v) => !expansions.has(v));
    const outputs = computed.filter((v) => this.readAfter(v, usesInside));
    if (!outputs.every((v) => SIMD_ARRAY.has(v.aval.dtype))) return false;
    let compiled: SimdKernel;
    try {
      compiled = compileKernel(eqns, { arrays, scalars, outputs, reductions });
    } catch {
      return false; // e.g. a browser that compiles only small modules synchronously
    }
    const kernel = this.prog.constant(compiled);
    const expanded = new Map<Var, string>();
    for (const [v, element] of expansions) {
      const buffer = this.prog.buffer(new ShapedArray(this.shape, v.aval.dtype));
      this.code.line(`for (let i = 0; i < ${this.size}; i++) ${buffer}[i] = ${element};`);
      expanded.set(v, buffer);
      if (this.members.has(v)) this.em.bind(v, { code: buffer, aval: v.aval });
    }
    const read = (vs: Var[]) => vs.map((v) => expanded.get(v) ?? this.em.read(v).code).join(", ");
    const outs = outputs.map((v) => {
      const o = this.em.output(v);
      this.em.bind(v, o);
      return o.code;
    });
    const call = `rt.simd(${kernel}, ${this.size}, [${read(arrays)}], [${outs.join(", ")}], [${read(scalars)}])`;
    if (!reductions.length) {
      this.code.line(`${call};`);
      return true;
    }
    const results = this.prog.fresh("r");
    for (const { reducer } of this.reductions) for (const l of reducer.setup) this.code.line(l);
    this.code.line(`const ${results} = ${call};`);
    this.reductions.forEach(({ reducer }, j) => {
      this.code.line(`${reducer.accumulator} = ${results}[${j}];`);
      for (const l of reducer.finish) this.code.line(l);
    });
    return true;
  }
}

// --- control flow ------------------------------------------------------------------------------

/** Loop-carried values: `let` locals (size 1) or buffers, updated all at once after each pass. */
class Carries {
  readonly vals: Val[];
  constructor(
    private readonly prog: Program,
    private readonly code: Code,
    inits: Val[],
  ) {
    this.vals = inits.map((init) => {
      if (isScalar(init)) {
        const name = prog.fresh("c");
        code.line(`let ${name} = ${at(init, "0")};`);
        return { code: name, aval: init.aval };
      }
      const buf = prog.buffer(init.aval);
      code.line(`${buf}.set(${init.code});`);
      return { code: buf, aval: init.aval };
    });
  }
  /** Carries take `next` (two phases, so that swapped or aliased carries stay right). */
  update(next: Val[]): void {
    const carried = new Set(this.vals.map((v) => v.code));
    const staged = next.map((v, i) => {
      if (isScalar(v)) {
        const t = this.prog.fresh("n");
        this.code.line(`const ${t} = ${at(v, "0")};`);
        return t;
      }
      if (!carried.has(v.code)) return v.code;
      const tmp = this.prog.buffer(this.vals[i]!.aval);
      this.code.line(`${tmp}.set(${v.code});`);
      return tmp;
    });
    this.vals.forEach((c, i) => {
      this.code.line(isScalar(c) ? `${c.code} = ${staged[i]};` : `${c.code}.set(${staged[i]});`);
    });
  }
}

/** Emits a closed inner Jaxpr inline (its consts become closure constants). */
function emitInner(prog: Program, code: Code, closed: ClosedJaxpr, args: Val[]): Val[] {
  const consts = closed.consts.map((c) => prog.constArray(c));
  return new JaxprEmitter(prog, code, closed.jaxpr).run(consts, args);
}

function emitWhile(em: JaxprEmitter, prog: Program, code: Code, e: JaxprEqn, ins: Val[]): void {
  const p = e.params as {
    cond_jaxpr: ClosedJaxpr;
    body_jaxpr: ClosedJaxpr;
    cond_nconsts: number;
    body_nconsts: number;
  };
  const condConsts = ins.slice(0, p.cond_nconsts);
  const bodyConsts = ins.slice(p.cond_nconsts, p.cond_nconsts + p.body_nconsts);
  const carries = new Carries(prog, code, ins.slice(p.cond_nconsts + p.body_nconsts));
  code.block("while (true)", () => {
    const [pred] = emitInner(prog, code, p.cond_jaxpr, [...condConsts, ...carries.vals]);
    code.line(`if (!${at(pred!, "0")}) break;`);
    carries.update(emitInner(prog, code, p.body_jaxpr, [...bodyConsts, ...carries.vals]));
  });
  e.outBinders.forEach((v, i) => {
    em.bind(v, carries.vals[i]!);
  });
}

function emitScan(em: JaxprEmitter, prog: Program, code: Code, e: JaxprEqn, ins: Val[]): void {
  const p = e.params as {
    jaxpr: ClosedJaxpr;
    length: number;
    reverse: boolean;
    num_consts: number;
    num_carry: number;
  };
  const consts = ins.slice(0, p.num_consts);
  const carries = new Carries(prog, code, ins.slice(p.num_consts, p.num_consts + p.num_carry));
  const xs = ins.slice(p.num_consts + p.num_carry);
  const ysVars = e.outBinders.slice(p.num_carry);
  const ys = ysVars.map((v) => {
    if (!isScalar(v)) return em.output(v);
    const name = prog.fresh("y");
    code.line(`let ${name} = 0;`);
    return { code: name, aval: v.aval };
  });
  const L = p.length;
  code.block(`for (let it = 0; it < ${L}; it++)`, () => {
    code.line(`const ix = ${p.reverse ? `${L - 1} - it` : "it"};`);
    const slices = xs.map((x) => {
      const m = x.aval.size / L;
      const aval = p.jaxpr.jaxpr.invars[p.num_consts + p.num_carry + xs.indexOf(x)]!.aval;
      if (m === 1) return { code: at(x, "ix"), aval };
      const name = prog.fresh("x");
      code.line(`const ${name} = ${x.code}.subarray(ix * ${m}, ix * ${m} + ${m});`);
      return { code: name, aval };
    });
    const outs = emitInner(prog, code, p.jaxpr, [...consts, ...carries.vals, ...slices]);
    outs.slice(p.num_carry).forEach((y, k) => {
      const target = ys[k]!;
      const m = y.aval.size;
      if (isScalar(target)) code.line(`${target.code} = ${at(y, "0")};`);
      else if (m === 1) code.line(`${target.code}[ix] = ${at(y, "0")};`);
      else if (m > 0) code.line(`${target.code}.set(${y.code}, ix * ${m});`);
    });
    carries.update(outs.slice(0, p.num_carry));
  });
  e.outBinders.slice(0, p.num_carry).forEach((v, i) => {
    em.bind(v, carries.vals[i]!);
  });
  ysVars.forEach((v, k) => {
    em.bind(v, ys[k]!);
  });
}

function emitCond(em: JaxprEmitter, prog: Program, code: Code, e: JaxprEqn, ins: Val[]): void {
  const { branches } = e.params as { branches: ClosedJaxpr[] };
  const results = e.outBinders.map((v) => {
    if (!isScalar(v)) return em.output(v);
    const name = prog.fresh("q");
    code.line(`let ${name} = 0;`);
    return { code: name, aval: v.aval };
  });
  const index = `Math.min(Math.max(${at(ins[0]!, "0")}, 0), ${branches.length - 1})`;
  code.block(`switch (${index})`, () => {
    branches.forEach((branch, b) => {
      code.block(`case ${b}:`, () => {
        const outs = emitInner(prog, code, branch, ins.slice(1));
        outs.forEach((o, i) => {
          const r = results[i]!;
          if (isScalar(r)) code.line(`${r.code} = ${at(o, "0")};`);
          else if (r.aval.size > 0) code.line(`${r.code}.set(${o.code});`);
        });
        code.line("break;");
      });
    });
  });
  e.outBinders.forEach((v, i) => {
    em.bind(v, results[i]!);
  });
}

// --- the compiled program ------------------------------------------------------------------------

export interface CpuProgram {
  source: string;
  /** The primitives run through tf.js kernels from inside the program (not generated). */
  fallbacks: string[];
  run(args: EagerArray[]): EagerArray[];
}

/** Compiles a closed Jaxpr whose arguments and consts live on the cpu backend. */
export function compileCpu(
  closed: ClosedJaxpr,
  outAvals: ShapedArray[],
  device: Device,
): CpuProgram {
  const prog = new Program();
  const code = new Code();
  const { jaxpr } = closed;
  const consts = closed.consts.map((c) => prog.constArray(c));
  const args = jaxpr.invars.map((v, i) => {
    const name = `arg${i}`;
    code.line(`const ${name} = A[${i}];`);
    return { code: name, aval: v.aval };
  });
  const outs = new JaxprEmitter(prog, code, jaxpr, true).run(consts, args);
  // Arrays the program keeps (buffers, inputs, constants) leave as copies.
  const returned = new Set<string>();
  const result = outs.map((v) => {
    if (isScalar(v)) return at(v, "0");
    const own = prog.perCall.has(v.code) && !returned.has(v.code);
    returned.add(v.code);
    return own ? v.code : `${v.code}.slice()`;
  });
  code.line(`return [${result.join(", ")}];`);
  const source = `"use strict";\n${prog.decls.join("\n")}\nreturn function run(A) {\n${code.lines.join("\n")}\n};`;
  const runtime = makeRuntime(prog.fallbacks, device);
  const fn = new Function("C", "rt", source)(prog.closure, runtime) as (a: Value[]) => Value[];
  const scalarArg = jaxpr.invars.map(isScalar);
  return {
    source,
    fallbacks: prog.fallbacks.map((f) => f.primitive.name),
    run(arrays) {
      const inputs = new Array<Value>(arrays.length);
      for (let i = 0; i < arrays.length; i++) {
        const data = arrays[i]!.storageValues();
        inputs[i] = scalarArg[i] ? data[0]! : data;
      }
      const values = fn(inputs);
      // Results stay host arrays until a tf.js kernel asks for a tensor (EagerArray.fromHost).
      const result = new Array<EagerArray>(values.length);
      for (let i = 0; i < values.length; i++) {
        const aval = outAvals[i]!;
        const v = values[i]!;
        const data = typeof v === "number" ? typedOf(aval.dtype, v) : v;
        result[i] = EagerArray.fromHost(data, aval, device);
      }
      return result;
    },
  };
}

function typedOf(dtype: DType, v: number): Typed {
  if (dtype === "float32") return Float32Array.of(v);
  if (dtype === "bool") return Uint8Array.of(v);
  return Int32Array.of(v);
}

function makeRuntime(fallbacks: Fallback[], device: Device): Runtime {
  const f32 = new Float32Array(1);
  return {
    call(k, inputs) {
      const f = fallbacks[k]!;
      const arrays = inputs.map((v, i) => {
        const aval = f.inAvals[i]!;
        const data = typeof v === "number" ? typedOf(aval.dtype, v) : v;
        const t = tf.tensor(data, aval.shape as number[], storageDtype(aval.dtype));
        return new EagerArray(t, aval.dtype, aval.weakType, device, aval);
      });
      const outs = bind(f.primitive, arrays, f.params) as EagerArray[];
      const values = outs.map((o) => {
        const data = o.storageValues();
        return o.size === 1 ? data[0]! : data;
      });
      for (const a of [...arrays, ...outs]) a.dispose();
      return values;
    },
    math: scalarMath,
    int: intKernelJs,
    bits: { f32, i32: new Int32Array(f32.buffer) },
    take: takeHostArray,
    simd: runKernel,
  };
}
