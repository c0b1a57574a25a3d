import * as tf from "@tensorflow/tfjs-core";
import { EagerArray, type JaxArray } from "./array.js";
import type { ShapedArray } from "./aval.js";
import { activate, type Device, getDefaultDevice } from "./backend.js";
import { cachedScalar, constantValue } from "./constants.js";
import { storageDtype } from "./dtype.js";
import { NotImplementedError, ValueError } from "./errors.js";
import { shapesEqual } from "./shape.js";
import { findTopTrace, Tracer } from "./trace.js";

/** Static metadata of a primitive application (axes, shapes, dimension numbers, dtypes). */
export type Params = object;

/** A primitive: a name and its params type. Its rules live in the tables below. */
export class Primitive<P extends Params = Params> {
  declare readonly _params?: P;
  constructor(
    readonly name: string,
    readonly multipleResults = false,
  ) {}
  toString(): string {
    return this.name;
  }
}

/** Computes the primitive on concrete arrays with tf.js kernels (temporaries are freed by the caller). */
export type ImplRule<P> = (args: EagerArray[], params: P, outAvals: ShapedArray[]) => tf.Tensor[];
/** Output shapes/dtypes from input ones; also where argument checking happens. */
export type AbstractEvalRule<P> = (avals: ShapedArray[], params: P) => ShapedArray[];

export const implRules = new Map<Primitive, ImplRule<never>>();
/** Impls that run exactly one tf.js kernel for these inputs need no tidy scope for temporaries. */
const singleKernelRules = new Map<Primitive, (args: EagerArray[]) => boolean>();
export const abstractEvalRules = new Map<Primitive, AbstractEvalRule<never>>();

export function registerRules<P extends Params>(
  prim: Primitive<P>,
  rules: {
    impl: ImplRule<P>;
    abstractEval: AbstractEvalRule<P>;
    singleKernel?: (args: EagerArray[]) => boolean;
  },
): void {
  implRules.set(prim, rules.impl as ImplRule<never>);
  if (rules.singleKernel) singleKernelRules.set(prim, rules.singleKernel);
  abstractEvalRules.set(prim, rules.abstractEval as AbstractEvalRule<never>);
}

/**
 * Forward-mode rule: from primal inputs and their tangents, the primal outputs and their
 * tangents. Tangents are arrays (zeros where an input does not vary).
 */
export type JvpRule<P> = (
  primals: JaxArray[],
  tangents: JaxArray[],
  params: P,
) => [JaxArray[], JaxArray[]];
export const jvpRules = new Map<Primitive, JvpRule<never>>();
export function defJvp<P extends Params>(prim: Primitive<P>, rule: JvpRule<P>): void {
  jvpRules.set(prim, rule as JvpRule<never>);
}

/**
 * vmap rule: from arguments and their batch dimensions (null = not batched), the outputs and
 * theirs. Primitives without a rule are batched by a loop over the batch (correct, slower).
 */
export type BatchRule<P> = (
  args: JaxArray[],
  dims: (number | null)[],
  params: P,
) => [JaxArray[], (number | null)[]] | null; // null: use the loop
export const batchRules = new Map<Primitive, BatchRule<never>>();
export function defBatch<P extends Params>(prim: Primitive<P>, rule: BatchRule<P>): void {
  batchRules.set(prim, rule as BatchRule<never>);
}

/** A linear input of a transposed equation: only its abstract value is known. */
export class UndefinedPrimal {
  constructor(readonly aval: ShapedArray) {}
}
/**
 * Transpose rule of a linear primitive: from the output cotangents (null = zero) and the inputs
 * (UndefinedPrimal for the linear ones), the cotangents of the linear inputs (null elsewhere).
 */
export type TransposeRule<P> = (
  cts: (JaxArray | null)[],
  inputs: (JaxArray | UndefinedPrimal)[],
  params: P,
) => (JaxArray | null)[];
export const transposeRules = new Map<Primitive, TransposeRule<never>>();
export function defTranspose<P extends Params>(prim: Primitive<P>, rule: TransposeRule<P>): void {
  transposeRules.set(prim, rule as TransposeRule<never>);
}

/**
 * Eager evaluation of a higher-order primitive (jit, cond, while, scan, custom derivatives):
 * it runs its inner Jaxprs with the Jaxpr interpreter instead of one tf.js kernel.
 */
export type EagerRule<P> = (args: EagerArray[], params: P) => JaxArray[];
const eagerRules = new Map<Primitive, EagerRule<never>>();
export function registerHigherOrder<P extends Params>(
  prim: Primitive<P>,
  rules: { eager: EagerRule<P>; abstractEval: AbstractEvalRule<P> },
): void {
  eagerRules.set(prim, rules.eager as EagerRule<never>);
  abstractEvalRules.set(prim, rules.abstractEval as AbstractEvalRule<never>);
}

export function abstractEval<P extends Params>(
  prim: Primitive<P>,
  avals: ShapedArray[],
  params: P,
): ShapedArray[] {
  const rule = abstractEvalRules.get(prim) as AbstractEvalRule<P> | undefined;
  if (!rule) throw new NotImplementedError(`no abstract evaluation rule for ${prim.name}`);
  return rule(avals, params);
}

/** Applies a primitive: eagerly on concrete arrays, or through the innermost trace among them. */
export function bind<P extends Params>(
  prim: Primitive<P>,
  args: JaxArray[],
  params: P,
): JaxArray[] {
  const trace = findTopTrace(args);
  if (!trace) {
    const eager = eagerRules.get(prim) as EagerRule<P> | undefined;
    return eager
      ? eager(args as EagerArray[], params)
      : evalPrimitive(prim, args as EagerArray[], params);
  }
  const tracers = args.map((a) => trace.fullRaise(a));
  return trace
    .processPrimitive(prim, tracers, params)
    .map((out) => (out instanceof Tracer ? out.fullLower() : out));
}

export function bind1<P extends Params>(prim: Primitive<P>, args: JaxArray[], params: P): JaxArray {
  return bind(prim, args, params)[0]!;
}

/** The eager interpreter: checks shapes and dtypes, then runs the impl on the arguments' backend. */
export function evalPrimitive<P extends Params>(
  prim: Primitive<P>,
  inputs: EagerArray[],
  params: P,
): EagerArray[] {
  const [device, args] = placeArgs(prim.name, inputs);
  const outAvals = abstractEval(
    prim,
    args.map((a) => a.aval),
    params,
  );
  const impl = implRules.get(prim) as ImplRule<P> | undefined;
  if (!impl) throw new NotImplementedError(`no eager implementation for ${prim.name}`);
  activate(device);
  // tf.js kernels disagree about empty shapes; an empty result needs no kernel at all.
  const tensors = outAvals.every((a) => a.size === 0)
    ? outAvals.map((a) => tf.zeros(a.shape as number[], storageDtype(a.dtype)))
    : singleKernelRules.get(prim)?.(args)
      ? impl(args, params, outAvals)
      : tf.tidy(() => impl(args, params, outAvals));
  const out = new Array<EagerArray>(tensors.length);
  for (let i = 0; i < tensors.length; i++) {
    const aval = outAvals[i]!;
    let t = tensors[i]!;
    // An impl may hand back an input unchanged; each Array must own its own tensor.
    for (const a of args) if (a.tensor === t) t = t.clone();
    if (t.dtype !== storageDtype(aval.dtype) || !shapesEqual(t.shape, aval.shape))
      throw new Error(
        `internal: ${prim.name} impl returned ${t.dtype}[${t.shape}] for ${aval.strShort()}`,
      );
    out[i] = new EagerArray(t, aval.dtype, aval.weakType, device, aval);
  }
  return out;
}

/** The device the arguments share, and the arguments with any stray cached JS scalar moved there. */
function placeArgs(name: string, inputs: EagerArray[]): [Device, EagerArray[]] {
  if (inputs.length === 0) return [getDefaultDevice(), inputs];
  const first = inputs[0]!.device;
  if (inputs.every((a) => a.device.platform === first.platform)) return [first, inputs];
  // JS scalars are cached per device: one made on another device (a literal of a Jaxpr run on
  // non-default-device arrays) is swapped for its twin on the arrays' device.
  const placed = inputs.filter((a) => constantValue(a) === undefined);
  const device = placed[0]?.device ?? first;
  for (const a of placed)
    if (a.device.platform !== device.platform)
      throw new ValueError(
        `${name}: arguments are on different devices: ${device} and ${a.device}; move one with jax.devicePut(x, device)`,
      );
  const args = inputs.map((a) => {
    const v = a.device.platform === device.platform ? undefined : constantValue(a);
    return v === undefined ? a : cachedScalar(v, a.dtype, a.weakType, device);
  });
  return [device, args];
}
