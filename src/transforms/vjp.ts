/** Reverse mode: vjp by linearizing (jvp + partial evaluation) and transposing; grad on top. */
import { JaxArray } from "../core/array.js";
import { ShapedArray } from "../core/aval.js";
import { cachedScalar } from "../core/constants.js";
import { NotImplementedError, TypeError_ } from "../core/errors.js";
import { type Atom, ClosedJaxpr, evalJaxpr, Jaxpr, Literal, type Var } from "../core/jaxpr.js";
import {
  bind,
  type Params,
  type TransposeRule,
  transposeRules,
  UndefinedPrimal,
} from "../core/primitive.js";
import {
  type PyTree,
  type TreeDef,
  treedefEqual,
  treedefToString,
  treeFlatten,
  treeUnflatten,
} from "../core/pytree.js";
import * as lax from "../lax/index.js";
import { zerosLike, zerosOfAval } from "../lax/jvp_rules.js";
import { type ArrayLike, asArray } from "../numpy/util.js";
import { diffArray, jacfwd, jvp } from "./jvp.js";
import { partialEval } from "./partial_eval.js";

/**
 * Runs a Jaxpr backwards: from cotangents of its outputs (null = zero) to cotangents of its
 * linear inputs (those given as UndefinedPrimal); the other inputs and the constants are
 * known values (residuals). Works on concrete arrays and under any trace, so control-flow
 * primitives use it to transpose their inner Jaxprs.
 */
export function backwardPass(
  jaxpr: Jaxpr,
  consts: readonly JaxArray[],
  args: readonly (JaxArray | UndefinedPrimal)[],
  cts: readonly (JaxArray | null)[],
): (JaxArray | null)[] {
  const primal = new Map<Var, JaxArray>();
  jaxpr.constvars.forEach((v, i) => {
    primal.set(v, consts[i]!);
  });
  const linear = new Set<Var>();
  jaxpr.invars.forEach((v, i) => {
    const a = args[i]!;
    if (a instanceof UndefinedPrimal) linear.add(v);
    else primal.set(v, a);
  });
  // Non-linear equations (functions of residuals only) are evaluated forwards first.
  for (const eqn of jaxpr.eqns) {
    const depends = eqn.inputs.some((a) => !(a instanceof Literal) && linear.has(a));
    if (depends) for (const v of eqn.outBinders) linear.add(v);
    else {
      const outs = bind(
        eqn.primitive,
        eqn.inputs.map((a) => read(a, primal)),
        eqn.params,
      );
      eqn.outBinders.forEach((v, i) => {
        primal.set(v, outs[i]!);
      });
    }
  }
  const ctEnv = new Map<Var, JaxArray>();
  const addCt = (v: Var, ct: JaxArray | null) => {
    if (ct === null || !linear.has(v)) return;
    const prev = ctEnv.get(v);
    ctEnv.set(v, prev ? lax.add(prev, ct) : ct);
  };
  jaxpr.outs.forEach((o, i) => {
    if (!(o instanceof Literal)) addCt(o, cts[i] ?? null);
  });
  for (let k = jaxpr.eqns.length - 1; k >= 0; k--) {
    const eqn = jaxpr.eqns[k]!;
    if (!eqn.outBinders.some((v) => linear.has(v))) continue;
    const outCts = eqn.outBinders.map((v) => ctEnv.get(v) ?? null);
    if (outCts.every((c) => c === null)) continue;
    const rule = transposeRules.get(eqn.primitive) as TransposeRule<Params> | undefined;
    // Only linear primitives have transpose rules; a missing one is named, as JAX names it.
    if (!rule)
      throw new NotImplementedError(
        `Transpose rule (for reverse-mode differentiation) for '${eqn.primitive.name}' not implemented`,
      );
    const inputs = eqn.inputs.map((a) =>
      a instanceof Literal || !linear.has(a) ? read(a, primal) : new UndefinedPrimal(a.aval),
    );
    const filled = outCts.map((c, i) => c ?? zerosOfAval(eqn.outBinders[i]!.aval));
    const inCts = rule(filled, inputs, eqn.params);
    eqn.inputs.forEach((a, i) => {
      if (!(a instanceof Literal)) addCt(a, inCts[i] ?? null);
    });
  }
  return jaxpr.invars.map((v) => ctEnv.get(v) ?? null);
}

function read(a: Atom, env: Map<Var, JaxArray>): JaxArray {
  return a instanceof Literal ? cachedScalar(a.value, a.aval.dtype, a.aval.weakType) : env.get(a)!;
}

type Fn = (...args: never[]) => PyTree;

/** jax.vjp(f, ...primals): f's output and a function from output cotangents to input cotangents. */
/**
 * Linearizes f at the primals: its outputs, computed now, and a linear Jaxpr from the input
 * tangents to the output tangents (jvp under partial evaluation, autodidax's linearize).
 */
function linearizeFlat(name: string, f: Fn, primals: PyTree[]) {
  const [leaves, inTree] = treeFlatten(primals as PyTree);
  const xs = leaves.map((l) => diffArray(name, l));
  let outTree: TreeDef | undefined;
  const jvpFlat = (known: JaxArray[], unknown: JaxArray[]): JaxArray[] => {
    const [out, tangent] = jvp(
      (...ins: never[]) => f(...(treeUnflatten(inTree, ins as unknown as JaxArray[]) as never[])),
      known,
      unknown,
    ) as [PyTree, PyTree];
    const [outs, tree] = treeFlatten(out);
    outTree = tree;
    const [tangents] = treeFlatten(tangent);
    return [...(outs as JaxArray[]), ...(tangents as JaxArray[])];
  };
  const tangentAvals = xs.map((x) => new ShapedArray(x.shape, x.dtype, x.weakType));
  const { knownOuts, jaxpr } = partialEval(jvpFlat, xs, tangentAvals);
  const nOut = knownOuts.length / 2;
  const primalOuts = knownOuts.slice(0, nOut);
  if (primalOuts.some((p) => p === null))
    throw new NotImplementedError(
      `${name}: a primal output depended on the tangents (a jvp rule that is not linear)`,
    );
  // The Jaxpr's outputs are the tangent outputs (the second half).
  const tangentJaxpr = new ClosedJaxpr(
    new Jaxpr(
      jaxpr.jaxpr.constvars,
      jaxpr.jaxpr.invars,
      jaxpr.jaxpr.eqns,
      jaxpr.jaxpr.outs.slice(nOut),
    ),
    jaxpr.consts,
  );
  return {
    xs,
    inTree,
    outTree: outTree!,
    primalOuts: primalOuts as JaxArray[],
    tangentJaxpr,
    tangentAvals,
  };
}

/**
 * jax.linearize(f, ...primals): f's output and its linear tangent map, evaluated from a
 * Jaxpr staged once (so repeated jvps at the same point do not re-run f).
 */
export function linearize<F extends Fn>(
  f: F,
  ...primals: PyTree[]
): [PyTree, (...tangents: PyTree[]) => PyTree] {
  const lin = linearizeFlat("linearize", f, primals);
  const out = treeUnflatten(lin.outTree, lin.primalOuts);
  const fJvp = (...tangents: PyTree[]): PyTree => {
    const [ts, tTree] = treeFlatten(tangents as PyTree);
    if (!treedefEqual(tTree, lin.inTree))
      throw new TypeError_(
        `linearize: tangents must have the structure of the primals, ${treedefToString(lin.inTree)}, got ${treedefToString(tTree)}`,
      );
    const arrays = ts.map((t, i) => {
      const a = diffArray("linearize", t);
      const want = lin.tangentAvals[i]!;
      if (a.shape.join(",") !== want.shape.join(","))
        throw new TypeError_(
          `linearize: tangent ${i} has shape (${a.shape}), expected (${want.shape}) as its primal`,
        );
      return a.dtype === want.dtype ? a : lax.convertElementType(a, want.dtype);
    });
    return treeUnflatten(
      lin.outTree,
      evalJaxpr(lin.tangentJaxpr.jaxpr, lin.tangentJaxpr.consts, arrays),
    );
  };
  return [out, fJvp];
}

/** jax.vjp(f, ...primals): f's output and a function from output cotangents to input cotangents. */
export function vjp<F extends Fn>(f: F, ...primals: PyTree[]): [PyTree, (ct: PyTree) => PyTree[]] {
  const { xs, inTree, outTree, primalOuts, tangentJaxpr, tangentAvals } = linearizeFlat(
    "vjp",
    f,
    primals,
  );
  const nOut = primalOuts.length;
  const out = treeUnflatten(outTree, primalOuts);
  const vjpFn = (ct: PyTree): PyTree[] => {
    const [ctLeaves] = treeFlatten(ct);
    if (ctLeaves.length !== nOut)
      throw new TypeError_(
        `vjp: expected ${nOut} cotangent leaves matching the output structure, got ${ctLeaves.length}`,
      );
    const cts = ctLeaves.map((c, i) => {
      const arr = asArray("vjp", c as ArrayLike);
      const p = primalOuts[i]!;
      return arr.dtype === p.dtype ? arr : lax.convertElementType(arr, p.dtype);
    });
    const inCts = backwardPass(
      tangentJaxpr.jaxpr,
      tangentJaxpr.consts,
      tangentAvals.map((a) => new UndefinedPrimal(a)),
      cts,
    ).map((c, i) => c ?? zerosLike(xs[i]!));
    return treeUnflatten(inTree, inCts) as PyTree[];
  };
  return [out, vjpFn];
}

export interface GradOptions {
  argnums?: number | readonly number[];
  hasAux?: boolean;
}

/** jax.value_and_grad: f must return a scalar (or [scalar, aux] with hasAux). */
export function valueAndGrad<F extends Fn>(f: F, opts: GradOptions = {}) {
  const argnums = opts.argnums ?? 0;
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  return (...args: PyTree[]): [PyTree, PyTree] | [[PyTree, PyTree], PyTree] => {
    for (const i of list)
      if (i < 0 || i >= args.length)
        throw new TypeError_(
          `grad: argnums ${i} is out of range for ${args.length} positional arguments`,
        );
    for (const i of list)
      for (const leaf of treeFlatten(args[i]!)[0]) {
        const dtype =
          leaf instanceof JaxArray ? leaf.dtype : typeof leaf === "boolean" ? "bool" : "float32";
        if (dtype !== "float32")
          throw new TypeError_(
            `grad requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got ${dtype}. If you want to use Boolean- or integer-valued inputs, use vjp.`,
          );
      }
    let aux: PyTree = null;
    const g = (...diffArgs: never[]) => {
      const full = [...args];
      list.forEach((i, k) => {
        full[i] = diffArgs[k] as unknown as PyTree;
      });
      const out = f(...(full as never[]));
      if (!opts.hasAux) return out;
      const [value, a] = out as [PyTree, PyTree];
      aux = a;
      return value;
    };
    const [value, pullback] = vjp(g as Fn, ...list.map((i) => args[i]!));
    if (!(value instanceof JaxArray) || value.ndim !== 0)
      throw new TypeError_(
        `Gradient only defined for scalar-output functions. Output had shape: ${value instanceof JaxArray ? `(${value.shape})` : typeof value}`,
      );
    if (value.dtype !== "float32")
      throw new TypeError_(
        `grad requires real-valued outputs (input dtype that is a sub-dtype of np.floating), but got ${value.dtype}`,
      );
    const grads = pullback(cachedScalar(1, "float32", false));
    const result = typeof argnums === "number" ? grads[0]! : (grads as PyTree);
    return opts.hasAux ? [[value, aux], result] : [value, result];
  };
}

/** jax.grad */
export function grad<F extends Fn>(f: F, opts: GradOptions = {}) {
  const vg = valueAndGrad(f, opts);
  return (...args: PyTree[]): PyTree => {
    const [valueAux, g] = vg(...args);
    return opts.hasAux ? [g, (valueAux as [PyTree, PyTree])[1]] : g;
  };
}

/** jax.jacrev for a function of one array argument: d out[i...] / d x[j...], shape out.shape + x.shape. */
export function jacrev(f: (x: JaxArray) => JaxArray): (x: ArrayLike) => JaxArray {
  return (x0) => {
    const x = diffArray("jacrev", x0);
    const [out, pullback] = vjp(f as Fn, x) as [JaxArray, (ct: PyTree) => PyTree[]];
    const rows: JaxArray[] = [];
    for (let i = 0; i < out.size; i++) {
      const basis = lax.reshape(
        lax.convertElementType(lax.eq(lax.iota("int32", out.size), i), out.dtype),
        out.shape,
      );
      rows.push(lax.reshape(pullback(basis)[0] as JaxArray, [1, x.size]));
    }
    const stacked = rows.length ? lax.concatenate(rows, 0) : lax.reshape(zerosLike(x), [0, x.size]);
    return lax.reshape(stacked, [...out.shape, ...x.shape]);
  };
}

/** jax.jacobian: jacrev. */
export const jacobian = jacrev;

/** jax.hessian for a function of one array argument (forward over reverse, as JAX). */
export function hessian(f: (x: JaxArray) => JaxArray): (x: ArrayLike) => JaxArray {
  return (x) => jacfwd((y) => jacrev(f)(y))(x);
}
