/**
 * Staging out: tracing a function into a Jaxpr (jax.make_jaxpr) and jit, which traces once per
 * signature and then runs the cached Jaxpr. (Compiling that Jaxpr into fused kernels is the
 * compiler's job, src/compiler; here it runs through the Jaxpr interpreter.)
 */
import { EagerArray, JaxArray } from "../core/array.js";
import { ShapedArray } from "../core/aval.js";
import { cachedScalar, weakDtypeOfNumber } from "../core/constants.js";
import type { DType } from "../core/dtype.js";
import { ConcretizationTypeError, SyncReadError, TypeError_ } from "../core/errors.js";
import { ClosedJaxpr, Jaxpr, type JaxprEqn, Literal, Var } from "../core/jaxpr.js";
import { abstractEval, type Params, type Primitive } from "../core/primitive.js";
import { type PyTree, type TreeDef, treeFlatten, treeUnflatten } from "../core/pytree.js";
import { type MainTrace, Trace, Tracer, withDynamicMain, withNewMain } from "../core/trace.js";
import { type ArrayLike, asArray } from "../numpy/util.js";

/** jax.ShapeDtypeStruct: an abstract argument for makeJaxpr/evalShape. */
export class ShapeDtypeStruct {
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly weakType = false,
  ) {}
}

class JaxprTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly aval: ShapedArray,
  ) {
    super(trace);
  }
}

/** Records equations while a function is traced. */
class JaxprBuilder {
  readonly eqns: JaxprEqn[] = [];
  readonly vars = new Map<Tracer, Var>();
  readonly consts = new Map<JaxArray, JaxprTracer>();
  readonly constValues = new Map<Tracer, JaxArray>();
  varFor(t: Tracer): Var {
    let v = this.vars.get(t);
    if (!v) {
      v = new Var(t.aval);
      this.vars.set(t, v);
    }
    return v;
  }
}

class JaxprTrace extends Trace {
  get builder(): JaxprBuilder {
    return this.main.globalData as JaxprBuilder;
  }
  /** Concrete arrays (and lower-level tracers) used inside become constants of the Jaxpr. */
  pure(x: JaxArray): Tracer {
    const b = this.builder;
    let t = b.consts.get(x);
    if (!t) {
      t = new JaxprTracer(this, new ShapedArray(x.aval.shape, x.aval.dtype, x.aval.weakType));
      b.consts.set(x, t);
      b.constValues.set(t, x);
    }
    return t;
  }
  lift(x: JaxArray): Tracer {
    return this.pure(x);
  }
  newArg(aval: ShapedArray): JaxprTracer {
    const t = new JaxprTracer(this, aval);
    this.builder.varFor(t);
    return t;
  }
  processPrimitive<P extends Params>(prim: Primitive<P>, tracers: Tracer[], params: P): JaxArray[] {
    const outAvals = abstractEval(
      prim,
      tracers.map((t) => t.aval),
      params,
    );
    const outs = outAvals.map((a) => new JaxprTracer(this, a));
    const b = this.builder;
    b.eqns.push({
      primitive: prim as Primitive,
      inputs: tracers.map((t) => b.varFor(t)),
      params,
      outBinders: outs.map((t) => b.varFor(t)),
    });
    return outs;
  }
}

/**
 * The value of a concrete 0-d array, or null for a tracer, a larger array, or a device that
 * cannot be read synchronously (WebGPU in Node). 0-d constants become literals of a Jaxpr
 * through it, as JAX inlines scalar constants, and eager control flow reads its decisions.
 */
export function concreteScalar(x: JaxArray): number | boolean | null {
  if (!(x instanceof EagerArray) || x.ndim !== 0) return null;
  try {
    return x.item();
  } catch (e) {
    if (e instanceof SyncReadError) return null;
    throw e;
  }
}

function buildJaxpr(builder: JaxprBuilder, inTracers: Tracer[], outTracers: Tracer[]): ClosedJaxpr {
  const literals = new Map<Var, Literal>();
  const constvars: Var[] = [];
  const constVals: JaxArray[] = [];
  for (const [t, value] of builder.constValues) {
    const v = builder.varFor(t);
    const literal = concreteScalar(value);
    if (literal !== null) literals.set(v, new Literal(literal, v.aval));
    else {
      constvars.push(v);
      constVals.push(value);
    }
  }
  const atom = (v: Var) => literals.get(v) ?? v;
  const eqns = builder.eqns.map((e) => ({
    ...e,
    inputs: e.inputs.map((a) => (a instanceof Var ? atom(a) : a)),
  }));
  const jaxpr = new Jaxpr(
    constvars,
    inTracers.map((t) => builder.varFor(t)),
    eqns,
    outTracers.map((t) => atom(builder.varFor(t))),
  );
  return new ClosedJaxpr(jaxpr, constVals);
}

function abstractLeaf(name: string, leaf: unknown): ShapedArray {
  if (leaf instanceof ShapeDtypeStruct)
    return new ShapedArray(leaf.shape, leaf.dtype, leaf.weakType);
  const x = asArray(name, leaf as ArrayLike);
  return new ShapedArray(x.shape, x.dtype, x.weakType);
}

export interface Staged {
  closed: ClosedJaxpr;
  outTree: TreeDef;
}

/** Traces f on abstract arguments into a ClosedJaxpr (every operation is staged: omnistaging). */
export function stage(
  name: string,
  f: (...args: never[]) => PyTree,
  avals: ShapedArray[],
  inTree: TreeDef,
  traced: (...args: never[]) => unknown = f,
): Staged {
  const builder = new JaxprBuilder();
  return withNewMain(
    (main: MainTrace) => new JaxprTrace(main),
    builder,
    (main) =>
      withDynamicMain(main, () => {
        const trace = main.makeTrace(main) as JaxprTrace;
        const inTracers = avals.map((a) => trace.newArg(a));
        let out: PyTree;
        try {
          out = f(...(treeUnflatten(inTree, inTracers) as unknown as never[]));
        } catch (e) {
          // As JAX does, say which function was being traced when a concrete value was needed.
          if (e instanceof ConcretizationTypeError && !e.message.includes("while tracing"))
            e.message += `\nThe error occurred while tracing the function ${fnName(traced)} for ${name}.`;
          throw e;
        }
        const [outLeaves, outTree] = treeFlatten(out);
        const outTracers = outLeaves.map((leaf) => {
          if (leaf instanceof JaxArray) return trace.fullRaise(leaf);
          // A JS scalar output is a literal of the Jaxpr, as a Python scalar is in JAX.
          if (typeof leaf === "number")
            return trace.fullRaise(cachedScalar(leaf, weakDtypeOfNumber(leaf), true));
          if (typeof leaf === "boolean") return trace.fullRaise(cachedScalar(leaf, "bool", false));
          throw new TypeError_(
            `${name}: the function returned a ${typeof leaf} in its output; outputs must be arrays, numbers or pytrees of them`,
          );
        });
        return { closed: buildJaxpr(builder, inTracers, outTracers), outTree };
      }),
  );
}

/**
 * Traces a function of a flat list of arrays into a ClosedJaxpr, as the higher-order
 * primitives (jit, cond, while, scan, custom derivatives) stage their inner functions.
 */
export function traceFlat(
  name: string,
  f: (...xs: JaxArray[]) => readonly (JaxArray | number | boolean)[],
  avals: readonly ShapedArray[],
): ClosedJaxpr {
  const [, inTree] = treeFlatten(avals.map(() => 0) as PyTree);
  return stage(name, f as (...args: never[]) => PyTree, [...avals], inTree).closed;
}

/** Flattens a pytree of operands into arrays (JS numbers become weakly typed scalars). */
export function flattenArrays(name: string, tree: PyTree): [JaxArray[], TreeDef] {
  const [leaves, def] = treeFlatten(tree);
  return [leaves.map((l) => asArray(name, l as ArrayLike)), def];
}

/** A user function traced on abstract arguments and closure-converted (constants lead the inputs). */
export interface TracedClosed {
  jaxpr: ClosedJaxpr;
  consts: JaxArray[];
  outTree: TreeDef;
}
export function traceClosed(
  name: string,
  f: (...args: never[]) => PyTree,
  avals: ShapedArray[],
  inTree: TreeDef,
  traced: (...args: never[]) => unknown = f,
): TracedClosed {
  const { closed, outTree } = stage(name, f, avals, inTree, traced);
  const [jaxpr, consts] = closureConvert(closed);
  return { jaxpr, consts, outTree };
}

/**
 * Closure conversion: the Jaxpr's constants become its leading inputs, so the values it closed
 * over (possibly tracers of enclosing transformations) are passed as ordinary operands.
 */
export function closureConvert(closed: ClosedJaxpr): [ClosedJaxpr, JaxArray[]] {
  const { jaxpr, consts } = closed;
  if (jaxpr.constvars.length === 0) return [closed, []];
  const open = new Jaxpr([], [...jaxpr.constvars, ...jaxpr.invars], jaxpr.eqns, jaxpr.outs);
  return [new ClosedJaxpr(open, []), [...consts]];
}

export interface MakeJaxprOptions {
  staticArgnums?: readonly number[];
  returnShape?: boolean;
}

/** jax.make_jaxpr(f)(...args): the Jaxpr of f at these argument shapes and dtypes. */
export function makeJaxpr<F extends (...args: never[]) => PyTree>(
  f: F,
  opts: MakeJaxprOptions = {},
) {
  return (...args: unknown[]): ClosedJaxpr => {
    const { dynamic, bake } = splitStatic(args, opts.staticArgnums ?? []);
    const [leaves, inTree] = treeFlatten(dynamic as PyTree, (x) => x instanceof ShapeDtypeStruct);
    const avals = leaves.map((l) => abstractLeaf("make_jaxpr", l));
    return stage("make_jaxpr", (...xs: never[]) => f(...(bake(xs) as never[])), avals, inTree, f)
      .closed;
  };
}

/** jax.eval_shape: output shapes and dtypes without computing anything. */
export function evalShape<F extends (...args: never[]) => PyTree>(
  f: F,
  ...args: unknown[]
): PyTree {
  const [leaves, inTree] = treeFlatten(args as PyTree, (x) => x instanceof ShapeDtypeStruct);
  const { closed, outTree } = stage(
    "eval_shape",
    f,
    leaves.map((l) => abstractLeaf("eval_shape", l)),
    inTree,
  );
  return treeUnflatten(
    outTree,
    closed.outAvals.map((a) => new ShapeDtypeStruct(a.shape, a.dtype, a.weakType)),
  );
}

export function splitStatic(args: unknown[], staticArgnums: readonly number[]) {
  const statics = new Map<number, unknown>();
  const norm = staticArgnums.map((i) => (i < 0 ? i + args.length : i));
  const dynamic = args.filter((a, i) => {
    if (!norm.includes(i)) return true;
    statics.set(i, a);
    return false;
  });
  const bake = (xs: unknown[]): unknown[] => {
    const out: unknown[] = [];
    let k = 0;
    for (let i = 0; i < args.length; i++) out.push(statics.has(i) ? statics.get(i) : xs[k++]);
    return out;
  };
  return { dynamic, statics, bake };
}

function fnName(f: (...args: never[]) => unknown, anonymous = "<anonymous>"): string {
  return f.name && f.name !== "anonymous" ? f.name : anonymous;
}

/** The name a staged function carries in a printed Jaxpr (JAX writes <lambda> for lambdas). */
export function lambdaName(f: (...args: never[]) => unknown): string {
  return fnName(f, "<lambda>");
}
