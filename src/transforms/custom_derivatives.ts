/**
 * jax.custom_jvp and jax.custom_vjp: functions whose derivative is given by the user instead
 * of derived from their body (for numerical stability, or to cut through an iterative
 * solver). Both stage the function once into a Jaxpr and bind a primitive that carries the
 * rule; every transformation other than differentiation sees the ordinary body.
 */
import type { JaxArray } from "../core/array.js";
import type { ShapedArray } from "../core/aval.js";
import { TypeError_ } from "../core/errors.js";
import type { ClosedJaxpr } from "../core/jaxpr.js";
import {
  bind,
  defBatch,
  defJvp,
  defTranspose,
  Primitive,
  registerHigherOrder,
} from "../core/primitive.js";
import {
  type PyTree,
  type TreeDef,
  treedefEqual,
  treedefToString,
  treeFlatten,
  treeMap,
  treeUnflatten,
} from "../core/pytree.js";
import { batchedToFront, batchSize, moveToFront } from "../lax/batch_rules.js";
import * as lax from "../lax/index.js";
import { zerosLike } from "../lax/jvp_rules.js";
import { type ArrayLike, asArray } from "../numpy/util.js";
import { batchJaxpr, callJaxpr } from "./jaxpr_transforms.js";
import { flattenArrays, lambdaName, splitStatic, traceClosed } from "./staging.js";
import { batchFlat } from "./vmap.js";

type Fn = (...args: never[]) => PyTree;
/** A rule on flat lists of arrays (the user's pytree rule, flattened). */
type FlatJvp = (primals: JaxArray[], tangents: JaxArray[]) => [JaxArray[], JaxArray[]];

/** Flattens the arguments and traces f on their avals, closure-converted. */
function traceBody(name: string, f: Fn, args: readonly unknown[]) {
  const [leaves, inTree] = flattenArrays(name, args as PyTree);
  return {
    leaves,
    inTree,
    ...traceClosed(
      name,
      f,
      leaves.map((x) => x.aval),
      inTree,
    ),
  };
}

/** An argument's tree with its leaves as arrays (for zero cotangents). */
function asArrayTree(arg: unknown): PyTree<JaxArray> {
  const [leaves, tree] = flattenArrays("custom_vjp", arg as PyTree);
  return treeUnflatten(tree, leaves) as PyTree<JaxArray>;
}

// --- custom_jvp -------------------------------------------------------------------------------

export interface CustomJvpParams {
  call_jaxpr: ClosedJaxpr;
  jvp_jaxpr_fun: FlatJvp;
  num_consts: number;
  symbolic_zeros: boolean;
}
export const customJvpCallP = new Primitive<CustomJvpParams>("custom_jvp_call", true);

registerHigherOrder(customJvpCallP, {
  abstractEval: (_avals, { call_jaxpr }) => call_jaxpr.outAvals,
  eager: (args, { call_jaxpr }) => callJaxpr(call_jaxpr, args, { free: true }),
});

// The user's rule, on the arguments (constants closed over by the body have no tangent).
defJvp(customJvpCallP, (primals, tangents, p) =>
  p.jvp_jaxpr_fun(primals.slice(p.num_consts), tangents.slice(p.num_consts)),
);

defBatch(customJvpCallP, (args, dims, p) => {
  const n = batchSize(args, dims);
  const front = batchedToFront(args, dims, n);
  const batched = dims.map((d) => d !== null);
  const [callJaxprB] = batchJaxpr(p.call_jaxpr, n, batched, true);
  const argDims = dims.slice(p.num_consts).map((d) => (d === null ? null : 0));
  // The rule runs under vmap on the batched values; its outputs are all batched at 0.
  const jvpB: FlatJvp = (primals, tangents) => {
    const k = primals.length;
    const [outs, outDims] = batchFlat(
      (...xs) => {
        const [po, to] = p.jvp_jaxpr_fun(xs.slice(0, k), xs.slice(k));
        return [...po, ...to];
      },
      [...primals, ...tangents],
      [...argDims, ...argDims],
      n,
    );
    const all = outs.map((o, i) => moveToFront(o, outDims[i]!, n));
    return [all.slice(0, all.length / 2), all.slice(all.length / 2)];
  };
  const outs = bind(customJvpCallP, front, { ...p, call_jaxpr: callJaxprB, jvp_jaxpr_fun: jvpB });
  return [outs, outs.map(() => 0)];
});

export type CustomJvpFunction<F extends Fn> = F & {
  /** Sets the rule: (primals, tangents) -> [primalOut, tangentOut], both lists as f's arguments. */
  defjvp(rule: (primals: never[], tangents: never[]) => [PyTree, PyTree]): CustomJvpFunction<F>;
};

/**
 * jax.custom_jvp(f, {nondiffArgnums}): f with a user-given forward-mode rule set by
 * `f.defjvp((primals, tangents) => [out, tangentOut])`. Reverse mode follows from it (the
 * rule must be linear in the tangents). Arguments in nondiffArgnums are static JS values,
 * passed to the rule first as in JAX: rule(...nondiff, primals, tangents).
 */
export function customJvp<F extends Fn>(
  f: F,
  opts: { nondiffArgnums?: readonly number[] } = {},
): CustomJvpFunction<F> {
  let rule: ((primals: never[], tangents: never[]) => [PyTree, PyTree]) | undefined;
  const nondiff = opts.nondiffArgnums ?? [];
  const name = lambdaName(f);
  const wrapped = ((...allArgs: unknown[]) => {
    if (!rule) throw new TypeError_(`No JVP defined for custom_jvp function ${name} using defjvp.`);
    const statics = nondiff.map((i) => allArgs[i]);
    const { dynamic, bake } = splitStatic(allArgs, nondiff);
    const body = traceBody(
      "custom_jvp",
      ((...xs: unknown[]) => f(...(bake(xs) as never[]))) as Fn,
      dynamic,
    );
    const { leaves, inTree } = body;
    const userRule = rule;
    const jvpFlat: FlatJvp = (primals, tangents) => {
      const ps = treeUnflatten(inTree, primals) as never[];
      const ts = treeUnflatten(inTree, tangents) as never[];
      const out = nondiff.length
        ? (userRule as unknown as (...a: unknown[]) => [PyTree, PyTree])(...statics, ps, ts)
        : userRule(ps, ts);
      if (!Array.isArray(out) || out.length !== 2)
        throw new TypeError_(
          `custom_jvp rule of ${name} must return a pair [primalOut, tangentOut]`,
        );
      const [po, poTree] = treeFlatten(out[0]);
      const [to, toTree] = treeFlatten(out[1]);
      if (!treedefEqual(poTree, body.outTree) || !treedefEqual(toTree, body.outTree))
        throw new TypeError_(
          `Custom JVP rule of ${name} must produce primal and tangent outputs with equal container (pytree) structures matching the function's output ${treedefToString(body.outTree)}, but got ${treedefToString(poTree)} and ${treedefToString(toTree)}.`,
        );
      const pa = po.map((x) => asArray("custom_jvp", x as ArrayLike));
      const ta = to.map((x, i) => {
        const t = asArray("custom_jvp", x as ArrayLike);
        const want = body.jaxpr.outAvals[i]!;
        if (t.shape.join(",") !== want.shape.join(","))
          throw new TypeError_(
            `Custom JVP rule of ${name} must produce primal and tangent outputs with equal shapes, but output ${i} has primal ${want.strShort()} and tangent ${t.aval.strShort()}.`,
          );
        return t.dtype === want.dtype ? t : lax.convertElementType(t, want.dtype);
      });
      return [pa, ta];
    };
    const outs = bind(customJvpCallP, [...body.consts, ...leaves], {
      call_jaxpr: body.jaxpr,
      jvp_jaxpr_fun: jvpFlat,
      num_consts: body.consts.length,
      symbolic_zeros: false,
    });
    return treeUnflatten(body.outTree, outs);
  }) as unknown as CustomJvpFunction<F>;
  Object.defineProperty(wrapped, "name", { value: name });
  wrapped.defjvp = (r) => {
    rule = r;
    return wrapped;
  };
  return wrapped;
}

// --- custom_vjp -------------------------------------------------------------------------------

interface FlatVjp {
  /** Primal arguments -> [outputs, residuals]. */
  fwd: (args: JaxArray[]) => [JaxArray[], JaxArray[]];
  /** [residuals, output cotangents] -> argument cotangents. */
  bwd: (res: JaxArray[], cts: JaxArray[]) => JaxArray[];
}

export interface CustomVjpParams {
  call_jaxpr: ClosedJaxpr;
  rules: FlatVjp;
  num_consts: number;
  symbolic_zeros: boolean;
}
export const customVjpCallP = new Primitive<CustomVjpParams>("custom_vjp_call", true);

interface CustomLinParams {
  bwd: FlatVjp["bwd"];
  num_res: number;
  out_avals: ShapedArray[];
}
/** The tangent map of a custom_vjp function: linear, transposed by the user's bwd. */
export const customLinP = new Primitive<CustomLinParams>("custom_lin", true);

registerHigherOrder(customVjpCallP, {
  abstractEval: (_avals, { call_jaxpr }) => call_jaxpr.outAvals,
  eager: (args, { call_jaxpr }) => callJaxpr(call_jaxpr, args, { free: true }),
});

const noForwardMode = () =>
  new TypeError_(
    "can't apply forward-mode autodiff (jvp) to a custom_vjp function; use reverse mode (grad, vjp, jacrev) or define the function with customJvp.",
  );
registerHigherOrder(customLinP, {
  abstractEval: (_avals, { out_avals }) => out_avals,
  eager: () => {
    throw noForwardMode();
  },
});
defJvp(customLinP, () => {
  throw noForwardMode();
});

// Forward: the user's fwd computes the outputs and residuals; the tangent map is custom_lin.
defJvp(customVjpCallP, (primals, tangents, p) => {
  const [outs, res] = p.rules.fwd(primals.slice(p.num_consts));
  const tangentOuts = bind(customLinP, [...res, ...tangents.slice(p.num_consts)], {
    bwd: p.rules.bwd,
    num_res: res.length,
    out_avals: outs.map((x) => x.aval),
  });
  return [outs, tangentOuts];
});

// The transpose of custom_lin is the user's bwd.
defTranspose(customLinP, (cts, inputs, { bwd, num_res }) => {
  const res = inputs.slice(0, num_res) as JaxArray[];
  const argCts = bwd(res, cts as JaxArray[]);
  return [...res.map(() => null), ...argCts];
});

defBatch(customVjpCallP, (args, dims, p) => {
  const n = batchSize(args, dims);
  const front = batchedToFront(args, dims, n);
  const [callJaxprB] = batchJaxpr(
    p.call_jaxpr,
    n,
    dims.map((d) => d !== null),
    true,
  );
  const argDims = dims.slice(p.num_consts).map((d) => (d === null ? null : 0));
  let nOut = 0;
  const fwd: FlatVjp["fwd"] = (xs) => {
    const [outs, outDims] = batchFlat(
      (...ys) => {
        const [o, r] = p.rules.fwd(ys);
        nOut = o.length;
        return [...o, ...r];
      },
      xs,
      argDims,
      n,
    );
    const all = outs.map((o, i) => moveToFront(o, outDims[i]!, n));
    return [all.slice(0, nOut), all.slice(nOut)];
  };
  // Cotangents of unbatched arguments are summed over the batch.
  const bwd: FlatVjp["bwd"] = (res, cts) => {
    const [outs, outDims] = batchFlat(
      (...ys) => p.rules.bwd(ys.slice(0, res.length), ys.slice(res.length)),
      [...res, ...cts],
      [...res, ...cts].map(() => 0),
      n,
    );
    return outs.map((o, i) => {
      const b = moveToFront(o, outDims[i]!, n);
      return argDims[i] === null ? lax.reduceSum(b, [0]) : b;
    });
  };
  const outs = bind(customVjpCallP, front, { ...p, call_jaxpr: callJaxprB, rules: { fwd, bwd } });
  return [outs, outs.map(() => 0)];
});

export type CustomVjpFunction<F extends Fn> = F & {
  /**
   * Sets the rules: fwd(...args) -> [out, residuals]; bwd(residuals, outCotangent) -> a list
   * with one cotangent per argument (null for a zero cotangent).
   */
  defvjp(
    fwd: (...args: never[]) => [PyTree, PyTree],
    bwd: (res: never, ct: never) => readonly PyTree[],
  ): CustomVjpFunction<F>;
};

/**
 * jax.custom_vjp(f): f with a user-given reverse-mode rule set by `f.defvjp(fwd, bwd)`.
 * Forward mode (jvp) through it raises, as in JAX.
 */
export function customVjp<F extends Fn>(f: F): CustomVjpFunction<F> {
  let fwdUser: ((...args: never[]) => [PyTree, PyTree]) | undefined;
  let bwdUser: ((res: never, ct: never) => readonly PyTree[]) | undefined;
  const name = lambdaName(f);
  const wrapped = ((...args: unknown[]) => {
    if (!fwdUser || !bwdUser)
      throw new TypeError_(`No VJP defined for custom_vjp function ${name} using defvjp.`);
    const body = traceBody("custom_vjp", f, args);
    const { leaves, inTree } = body;
    const fwd = fwdUser;
    const bwd = bwdUser;
    let resTree: TreeDef | undefined;
    const rules: FlatVjp = {
      fwd: (xs) => {
        const out = fwd(...(treeUnflatten(inTree, xs) as never[]));
        if (!Array.isArray(out) || out.length !== 2)
          throw new TypeError_(`custom_vjp fwd of ${name} must return a pair [output, residuals]`);
        const [o, oTree] = treeFlatten(out[0]);
        if (!treedefEqual(oTree, body.outTree))
          throw new TypeError_(
            `Custom VJP fwd rule of ${name} must produce an output with the same container (pytree) structure as the primal function ${treedefToString(body.outTree)}, got ${treedefToString(oTree)}.`,
          );
        const [r, rTree] = treeFlatten(out[1]);
        resTree = rTree;
        return [
          o.map((x) => asArray("custom_vjp", x as ArrayLike)),
          r.map((x) => asArray("custom_vjp", x as ArrayLike)),
        ];
      },
      bwd: (res, cts) => {
        const out = bwd(
          treeUnflatten(resTree!, res) as never,
          treeUnflatten(body.outTree, cts) as never,
        );
        if (!Array.isArray(out) || out.length !== args.length)
          throw new TypeError_(
            `Custom VJP bwd rule of ${name} must produce a list with one cotangent per argument of the primal function (${args.length}), got ${Array.isArray(out) ? out.length : typeof out}.`,
          );
        // null is a zero cotangent for the whole argument.
        const filled = out.map((c, i) =>
          c === null ? treeMap(zerosLike, asArrayTree(args[i])) : (c as PyTree),
        );
        const [ctLeaves, ctTree] = treeFlatten(filled as PyTree);
        if (!treedefEqual(ctTree, inTree))
          throw new TypeError_(
            `Custom VJP bwd rule of ${name} must produce an output with the same container (pytree) structure as the args tuple of the primal function, ${treedefToString(inTree)}, got ${treedefToString(ctTree)}.`,
          );
        return ctLeaves.map((c, i) => {
          const ct = asArray("custom_vjp", c as ArrayLike);
          const want = leaves[i]!;
          return ct.dtype === want.dtype ? ct : lax.convertElementType(ct, want.dtype);
        });
      },
    };
    const outs = bind(customVjpCallP, [...body.consts, ...leaves], {
      call_jaxpr: body.jaxpr,
      rules,
      num_consts: body.consts.length,
      symbolic_zeros: false,
    });
    return treeUnflatten(body.outTree, outs);
  }) as unknown as CustomVjpFunction<F>;
  Object.defineProperty(wrapped, "name", { value: name });
  wrapped.defvjp = (fwd, bwd) => {
    fwdUser = fwd;
    bwdUser = bwd;
    return wrapped;
  };
  return wrapped;
}
