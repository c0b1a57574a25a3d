/** Forward-mode differentiation: jax.jvp and jax.jacfwd on top of the JVP interpreter. */
import { JaxArray } from "../core/array.js";
import type { ShapedArray } from "../core/aval.js";
import { scalarArray } from "../core/constants.js";
import { NotImplementedError, TypeError_ } from "../core/errors.js";
import { type JvpRule, jvpRules, type Params, type Primitive } from "../core/primitive.js";
import {
  type PyTree,
  treedefEqual,
  treedefToString,
  treeFlatten,
  treeUnflatten,
} from "../core/pytree.js";
import { fmtShape } from "../core/shape.js";
import { Trace, Tracer, withNewMain } from "../core/trace.js";
import * as lax from "../lax/index.js";
import { zerosLike } from "../lax/jvp_rules.js";
import { type ArrayLike, asArray } from "../numpy/util.js";

class JVPTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly primal: JaxArray,
    readonly tangent: JaxArray,
  ) {
    super(trace);
  }
  get aval(): ShapedArray {
    return this.primal.aval;
  }
}

class JVPTrace extends Trace {
  pure(x: JaxArray): Tracer {
    return new JVPTracer(this, x, zerosLike(x));
  }
  lift(x: JaxArray): Tracer {
    return this.pure(x);
  }
  processPrimitive<P extends Params>(prim: Primitive<P>, tracers: Tracer[], params: P): JaxArray[] {
    const rule = jvpRules.get(prim) as JvpRule<P> | undefined;
    // Optional rule tables raise a named error for a primitive without a rule (DESIGN.md).
    if (!rule)
      throw new NotImplementedError(`Differentiation rule for '${prim.name}' not implemented`);
    const ts = tracers as JVPTracer[];
    const [primals, tangents] = rule(
      ts.map((t) => t.primal),
      ts.map((t) => t.tangent),
      params,
    );
    return primals.map((p, i) => new JVPTracer(this, p, tangents[i]!));
  }
}

type Fn = (...args: never[]) => PyTree;

/**
 * A value to differentiate with respect to. A JS number is a weakly typed float32 here, as a
 * Python float literal is in JAX (JS cannot tell 3.0 from 3, and nobody differentiates ints).
 */
export function diffArray(name: string, leaf: unknown): JaxArray {
  if (typeof leaf === "number") return scalarArray(leaf, "float32", true);
  return asArray(name, leaf as ArrayLike);
}

function leavesOf(name: string, tree: PyTree): JaxArray[] {
  const [leaves] = treeFlatten(tree);
  return leaves.map((l) => diffArray(name, l));
}

/**
 * jax.jvp(f, primals, tangents): f's outputs and their directional derivatives along
 * `tangents`. primals and tangents are lists of pytrees with matching structures.
 */
export function jvp<F extends Fn>(
  f: F,
  primals: readonly PyTree[],
  tangents: readonly PyTree[],
): [PyTree, PyTree] {
  if (!Array.isArray(primals) || !Array.isArray(tangents) || primals.length !== tangents.length)
    throw new TypeError_(
      `jvp: primals and tangents must be lists of the same length, got ${primals?.length} and ${tangents?.length}`,
    );
  const [, primalDef] = treeFlatten(primals as PyTree);
  const [, tangentDef] = treeFlatten(tangents as PyTree);
  if (!treedefEqual(primalDef, tangentDef))
    throw new TypeError_(
      `jvp: primal and tangent arguments must have the same tree structure, got ${treedefToString(primalDef)} and ${treedefToString(tangentDef)}`,
    );
  const p = leavesOf("jvp", primals as PyTree);
  const t = leavesOf("jvp", tangents as PyTree);
  p.forEach((x, i) => {
    const dt = t[i]!;
    if (x.dtype !== dt.dtype || fmtShape(x.shape) !== fmtShape(dt.shape))
      throw new TypeError_(
        `jvp: primal and tangent arguments must have equal shapes and dtypes, got ${x.aval.strShort()} and ${dt.aval.strShort()} at position ${i}`,
      );
  });
  return withNewMain(
    (main) => new JVPTrace(main),
    null,
    (main) => {
      const trace = main.makeTrace(main);
      const inputs = p.map((x, i) => new JVPTracer(trace, x, t[i]!));
      const args = treeUnflatten(primalDef, inputs) as unknown as never[];
      const out = f(...args);
      const [outLeaves, outDef] = treeFlatten(out);
      const primalsOut: JaxArray[] = [];
      const tangentsOut: JaxArray[] = [];
      for (const leaf of outLeaves) {
        const x =
          leaf instanceof JaxArray
            ? (trace.fullRaise(leaf) as JVPTracer)
            : (trace.pure(asArray("jvp", leaf as ArrayLike)) as JVPTracer);
        primalsOut.push(x.primal);
        tangentsOut.push(x.tangent);
      }
      return [treeUnflatten(outDef, primalsOut), treeUnflatten(outDef, tangentsOut)];
    },
  );
}

/** jax.jacfwd for a function of one array argument: d out[i...] / d x[j...], shape out.shape + x.shape. */
export function jacfwd(f: (x: JaxArray) => JaxArray): (x: ArrayLike) => JaxArray {
  return (x0) => {
    const x = diffArray("jacfwd", x0);
    const n = x.size;
    const columns: JaxArray[] = [];
    let outShape: number[] = [];
    for (let j = 0; j < n; j++) {
      const basis = lax.reshape(
        lax.convertElementType(lax.eq(lax.iota("int32", n), j), x.dtype),
        x.shape,
      );
      const [out, tangent] = jvp(f as Fn, [x], [basis]) as [JaxArray, JaxArray];
      outShape = out.shape;
      columns.push(lax.reshape(tangent, [tangent.size, 1]));
    }
    const stacked =
      n === 0
        ? lax.reshape(lax.convertElementType(lax.iota("int32", 0), x.dtype), [0])
        : lax.concatenate(columns, 1);
    return lax.reshape(stacked, [...outShape, ...x.shape]);
  };
}
