/**
 * Structured control flow: lax.cond / switch, whileLoop / foriLoop, scan / map. Each is a
 * higher-order primitive whose params hold closed Jaxprs (traced once from the user's
 * functions), with rules for every interpretation: eager evaluation, abstract evaluation, jvp,
 * partial evaluation (so reverse mode splits the loop into a forward and a linear part),
 * transpose and vmap.
 */
import { EagerArray, type JaxArray } from "../core/array.js";
import { ShapedArray } from "../core/aval.js";
import { resultType } from "../core/dtype.js";
import { SyncReadError, TypeError_, ValueError } from "../core/errors.js";
import { ClosedJaxpr, Jaxpr, Var } from "../core/jaxpr.js";
import {
  bind,
  defBatch,
  defJvp,
  defTranspose,
  Primitive,
  registerHigherOrder,
  UndefinedPrimal,
} from "../core/primitive.js";
import {
  numLeaves,
  type PyTree,
  type TreeDef,
  treedefEqual,
  treedefToString,
  treeFlatten,
  treeUnflatten,
} from "../core/pytree.js";
import { shapesEqual } from "../core/shape.js";
import { batchedToFront, batchSize, moveToFront } from "../lax/batch_rules.js";
import * as lax from "../lax/index.js";
import { zerosOfAval } from "../lax/jvp_rules.js";
import { type ArrayLike, asArray } from "../numpy/util.js";
import {
  batchedAval,
  batchJaxpr,
  callJaxpr,
  jvpJaxpr,
  knownOutputsOnly,
  merge,
  partialEvalJaxpr,
  partition,
  permuteJaxpr,
  transposeJaxpr,
} from "./jaxpr_transforms.js";
import { defPartialEval, type PETracer } from "./partial_eval.js";
import {
  concreteScalar,
  flattenArrays,
  type TracedClosed,
  traceClosed,
  traceFlat,
} from "./staging.js";
import { backwardPass } from "./vjp.js";

// --- shared pieces --------------------------------------------------------------------------

type Fn = (...args: never[]) => PyTree;

/** Whether two avals agree in shape and dtype (weak types may differ). */
function sameUpToWeakType(a: ShapedArray, b: ShapedArray): boolean {
  return a.dtype === b.dtype && shapesEqual(a.shape, b.shape);
}

/**
 * The common type of values that may differ only by weak typing: a weakly typed value (a JS
 * number) takes the dtype of a strong one, as it would in an expression. null if they do not
 * unify (different shapes, or two strong dtypes).
 */
function joinWeak(avals: readonly ShapedArray[]): ShapedArray | null {
  const first = avals[0]!;
  if (avals.some((a) => !shapesEqual(a.shape, first.shape))) return null;
  const joined = resultType(...avals);
  const ok = avals.every((a) => a.dtype === joined.dtype || a.weakType);
  return ok ? new ShapedArray(first.shape, joined.dtype, joined.weakType) : null;
}

/** Converts x to aval's dtype and weak type (no-op when they already agree). */
function castTo(x: JaxArray, aval: ShapedArray): JaxArray {
  return lax.convertElementType(x, aval.dtype, aval.weakType);
}

function fmtAvals(avals: readonly ShapedArray[]): string {
  return `(${avals.map((a) => `ShapedArray(${a.dtype}[${a.shape.join(",")}]${a.weakType ? ", weak_type=True" : ""})`).join(", ")})`;
}

/** Reads a scalar for an eager control-flow decision; null when it cannot be read synchronously. */
function readScalar(x: JaxArray): number | null {
  const v = concreteScalar(x);
  return v === null ? null : Number(v);
}

/** Batched arguments with their batch dimension moved to 0, and which are batched. */
function toFront(
  args: readonly JaxArray[],
  dims: readonly (number | null)[],
  n: number,
): [JaxArray[], boolean[]] {
  return [batchedToFront(args, dims, n), dims.map((d) => d !== null)];
}

/** Frees an eager loop's stale values unless kept or still live (eager loops only). */
function freeStale(
  old: readonly JaxArray[],
  kept: ReadonlySet<JaxArray>,
  live: readonly JaxArray[] = [],
): void {
  for (const x of old)
    if (
      x instanceof EagerArray &&
      !x.isShared &&
      !kept.has(x) &&
      !live.includes(x) &&
      !x.isDisposed
    )
      x.dispose();
}

// --- cond / switch --------------------------------------------------------------------------

export interface CondParams {
  branches: ClosedJaxpr[];
}
export const condP = new Primitive<CondParams>("cond", true);

registerHigherOrder(condP, {
  abstractEval: ([index, ...ops], { branches }) => {
    if (index!.dtype !== "int32" || index!.ndim !== 0)
      throw new TypeError_(
        `cond: the branch index must be an int32 scalar, got ${index!.strShort()}`,
      );
    const ins = branches[0]!.inAvals;
    if (ops.length !== ins.length || ops.some((a, i) => !sameUpToWeakType(a, ins[i]!)))
      throw new TypeError_(
        `cond: operands ${fmtAvals(ops)} do not match the branches' inputs ${fmtAvals(ins)}`,
      );
    return branches[0]!.outAvals;
  },
  eager: ([index, ...ops], { branches }) => {
    const i = readScalar(index!);
    if (i !== null) {
      const k = Math.min(Math.max(i, 0), branches.length - 1);
      return callJaxpr(branches[k]!, ops, { free: true });
    }
    // No synchronous read here (WebGPU in Node): run every branch and select, as vmap does.
    return selectBranches(
      index!,
      branches.map((b) => callJaxpr(b, ops)),
    );
  },
});

/** Elementwise choice among branch outputs by an index array (the batched form of cond). */
function selectBranches(index: JaxArray, outs: JaxArray[][]): JaxArray[] {
  const which = outs.length === 2 ? lax.convertElementType(index, "bool") : index;
  return outs[0]!.map((o, j) =>
    lax.selectN(
      lax.broadcastInDim(
        which,
        o.shape,
        index.shape.map((_, d) => d),
      ),
      ...outs.map((b) => b[j]!),
    ),
  );
}

// d cond(i, ops) = cond(i, jvp(branch_i)(ops, dops))
defJvp(condP, ([index, ...ops], [, ...dops], { branches }) => {
  const n = branches[0]!.outAvals.length;
  const outs = bind(condP, [index!, ...ops, ...dops], { branches: branches.map(jvpJaxpr) });
  return [outs.slice(0, n), outs.slice(n)];
});

defBatch(condP, (args, dims, { branches }) => {
  const n = batchSize(args, dims);
  const [index, ...ops] = args;
  const [front, opBatched] = toFront(ops, dims.slice(1), n);
  if (dims[0] !== null) {
    // A batched predicate runs every branch and selects per member, as JAX does.
    const outs = branches.map((b) => callJaxpr(batchJaxpr(b, n, opBatched, true)[0], front));
    const outsFront = selectBranches(moveToFront(index!, dims[0]!, n), outs);
    return [outsFront, outsFront.map(() => 0)];
  }
  const outBatched = branches
    .map((b) => batchJaxpr(b, n, opBatched)[1])
    .reduce((acc, bs) => acc.map((x, j) => x || bs[j]!));
  const batched = branches.map((b) => batchJaxpr(b, n, opBatched, outBatched)[0]);
  const outs = bind(condP, [index!, ...front], { branches: batched });
  return [outs, outBatched.map((b) => (b ? 0 : null))];
});

defPartialEval(condP, (trace, tracers, params) => {
  const [index, ...ops] = tracers;
  if (index!.known === null) return trace.stage(condP, tracers, params);
  const opUnknown = ops.map((t) => t.known === null);
  let outUnknown = params.branches[0]!.outAvals.map(() => false);
  for (const b of params.branches) {
    const u = partialEvalJaxpr(b, opUnknown).outUnknown;
    outUnknown = outUnknown.map((x, j) => x || u[j]!);
  }
  const splits = params.branches.map((b) => partialEvalJaxpr(b, opUnknown, outUnknown));
  // Every branch returns every branch's residuals (zeros for the others'), so they agree.
  const resAvals = splits.flatMap((s) => s.unknown.inAvals.slice(0, s.numRes));
  const offsets = splits.map((_, i) => splits.slice(0, i).reduce((acc, s) => acc + s.numRes, 0));
  const [knownOps, unknownOps] = partition(opUnknown, ops);
  const nKnownOut = outUnknown.filter((u) => !u).length;
  const knownBranches = splits.map((s, i) =>
    traceFlat(
      "cond",
      (...xs) => {
        const outs = callJaxpr(s.known, xs);
        const own = outs.slice(nKnownOut);
        const res = resAvals.map((a, r) =>
          r >= offsets[i]! && r < offsets[i]! + s.numRes ? own[r - offsets[i]!]! : zerosOfAval(a),
        );
        return [...outs.slice(0, nKnownOut), ...res];
      },
      knownOps.map((t) => t.aval),
    ),
  );
  const unknownBranches = splits.map((s, i) =>
    traceFlat(
      "cond",
      (...xs) => {
        const res = xs.slice(offsets[i]!, offsets[i]! + s.numRes);
        return callJaxpr(s.unknown, [...res, ...xs.slice(resAvals.length)]);
      },
      [...resAvals, ...unknownOps.map((t) => t.aval)],
    ),
  );
  const knownOuts = bind(condP, [index!.known, ...knownOps.map((t) => t.known!)], {
    branches: knownBranches,
  });
  const residuals = knownOuts.slice(nKnownOut).map((r) => trace.pure(r) as PETracer);
  const unknownOuts = trace.stage(condP, [index!, ...residuals, ...unknownOps], {
    branches: unknownBranches,
  });
  return merge(outUnknown, knownOuts.slice(0, nKnownOut), unknownOuts);
});

// The transpose of a branch chosen by a known index is that branch's transpose.
defTranspose(condP, (cts, [index, ...ops], { branches }) => {
  const linear = ops.map((o) => o instanceof UndefinedPrimal);
  const [nonlinear] = partition(linear, ops) as [JaxArray[], UndefinedPrimal[]];
  const transposed = branches.map((b) => transposeJaxpr(b, linear));
  const linearCts = bind(condP, [index as JaxArray, ...nonlinear, ...(cts as JaxArray[])], {
    branches: transposed,
  });
  return [
    null,
    ...merge(
      linear,
      nonlinear.map(() => null),
      linearCts,
    ),
  ];
});

/** Traces each branch on the operands; unifies outputs that differ only in weak type. */
function traceBranches(name: string, fns: readonly Fn[], operands: PyTree[]) {
  const [leaves, inTree] = flattenArrays(name, operands as PyTree);
  const avals = leaves.map((x) => x.aval);
  const traced = fns.map((f, i) => {
    if (typeof f !== "function")
      throw new TypeError_(`${name}: branch ${i} must be a function, got ${typeof f}`);
    return traceClosed(name, f, avals, inTree);
  });
  const first = traced[0]!;
  const mismatch = (i: number) =>
    new TypeError_(
      `${name}: branch outputs must have identical types, got ${treedefToString(first.outTree)} ${fmtAvals(first.jaxpr.outAvals)} and ${treedefToString(traced[i]!.outTree)} ${fmtAvals(traced[i]!.jaxpr.outAvals)} (branch ${i})`,
    );
  traced.forEach((t, i) => {
    if (
      !treedefEqual(t.outTree, first.outTree) ||
      t.jaxpr.outAvals.length !== first.jaxpr.outAvals.length
    )
      throw mismatch(i);
  });
  const outAvals = first.jaxpr.outAvals.map((_, j) => {
    const joined = joinWeak(traced.map((t) => t.jaxpr.outAvals[j]!));
    if (!joined)
      throw mismatch(
        traced.findIndex((t) => !t.jaxpr.outAvals[j]!.equals(first.jaxpr.outAvals[j]!)),
      );
    return joined;
  });
  const unified = traced.map((t) =>
    t.jaxpr.outAvals.every((a, j) => a.equals(outAvals[j]!))
      ? t
      : {
          ...t,
          jaxpr: traceFlat(
            name,
            (...xs) => callJaxpr(t.jaxpr, xs).map((o, j) => castTo(o, outAvals[j]!)),
            t.jaxpr.inAvals,
          ),
        },
  );
  return { traced: unified, leaves, outTree: first.outTree };
}

/** Every branch takes every branch's constants (unused ones are ignored), then the operands. */
function withAllConsts(traced: TracedClosed[]): [ClosedJaxpr[], JaxArray[]] {
  const allConsts = traced.flatMap((t) => t.consts);
  const branches = traced.map((t, i) => {
    const before = traced.slice(0, i).flatMap((u) => u.consts.map((c) => new Var(c.aval)));
    const after = traced.slice(i + 1).flatMap((u) => u.consts.map((c) => new Var(c.aval)));
    const { jaxpr } = t.jaxpr;
    const n = t.consts.length;
    const invars = [...before, ...jaxpr.invars.slice(0, n), ...after, ...jaxpr.invars.slice(n)];
    return new ClosedJaxpr(new Jaxpr([], invars, jaxpr.eqns, jaxpr.outs), []);
  });
  return [branches, allConsts];
}

function bindCond(name: string, index: JaxArray, fns: readonly Fn[], operands: PyTree[]): PyTree {
  const { traced, leaves, outTree } = traceBranches(name, fns, operands);
  const [branches, consts] = withAllConsts(traced);
  const outs = bind(condP, [index, ...consts, ...leaves], { branches });
  return treeUnflatten(outTree, outs);
}

/**
 * lax.cond(pred, trueFun, falseFun, ...operands): trueFun(...operands) if pred else
 * falseFun(...operands). Both branches are traced; only one runs (under vmap with a batched
 * predicate both run and the results are selected).
 */
export function cond(pred: ArrayLike, trueFun: Fn, falseFun: Fn, ...operands: PyTree[]): PyTree {
  let p = asArray("cond", pred);
  if (p.ndim !== 0)
    throw new TypeError_(`Pred must be a scalar, got ${p.aval.strShort()} of shape (${p.shape})`);
  if (p.dtype !== "bool") {
    if (p.dtype === "float32")
      throw new TypeError_(`Pred type must be either boolean or number, got ${p.dtype}`);
    p = lax.ne(p, 0);
  }
  const index = lax.convertElementType(p, "int32");
  return bindCond("cond", index, [falseFun, trueFun], operands);
}

/** lax.switch(index, branches, ...operands): branches[clamp(index, 0, n-1)](...operands). */
export function switch_(index: ArrayLike, branches: readonly Fn[], ...operands: PyTree[]): PyTree {
  if (!Array.isArray(branches) || branches.length === 0)
    throw new ValueError("switch: branches must be a non-empty list of functions");
  const i = asArray("switch", index);
  if (i.ndim !== 0 || !(i.dtype === "int32" || i.dtype === "uint32" || i.dtype === "bool"))
    throw new TypeError_(`switch: the index must be an integer scalar, got ${i.aval.strShort()}`);
  if (branches.length === 1) return branches[0]!(...(operands as never[]));
  const clamped = lax.clamp(0, lax.convertElementType(i, "int32"), branches.length - 1);
  return bindCond("switch", clamped, branches, operands);
}

// --- while ----------------------------------------------------------------------------------

export interface WhileParams {
  body_jaxpr: ClosedJaxpr;
  body_nconsts: number;
  cond_jaxpr: ClosedJaxpr;
  cond_nconsts: number;
}
export const whileP = new Primitive<WhileParams>("while", true);

function splitWhileArgs<T>(args: readonly T[], p: WhileParams): [T[], T[], T[]] {
  const c = p.cond_nconsts;
  const b = p.body_nconsts;
  return [args.slice(0, c), args.slice(c, c + b), args.slice(c + b)];
}

registerHigherOrder(whileP, {
  abstractEval: (avals, p) => {
    const [, , init] = splitWhileArgs(avals, p);
    const outs = p.body_jaxpr.outAvals;
    if (init.length !== outs.length || init.some((a, i) => !sameUpToWeakType(a, outs[i]!)))
      throw new TypeError_(
        `while_loop: the carry ${fmtAvals(init)} does not match the body's output ${fmtAvals(outs)}`,
      );
    return outs;
  },
  eager: (args, p) => {
    const [condConsts, bodyConsts, init] = splitWhileArgs(args, p);
    const argSet = new Set<JaxArray>(args);
    let carry: JaxArray[] = init;
    for (;;) {
      const [pred] = callJaxpr(p.cond_jaxpr, [...condConsts, ...carry], { free: true });
      const go = readScalar(pred!);
      freeStale([pred!], argSet, carry);
      if (go === null)
        throw new SyncReadError(
          "while_loop: the loop predicate must be read on the host after every iteration, and this backend (WebGPU in Node) cannot read synchronously. Run the loop on the cpu or wasm backend (jax.devicePut), or use lax.scan / lax.foriLoop with a static trip count.",
        );
      if (!go) return carry;
      const next = callJaxpr(p.body_jaxpr, [...bodyConsts, ...carry], { free: true });
      freeStale(carry, argSet, next);
      carry = next;
    }
  },
});

// d while(c, b, x) = while over (x, dx) with the jvp of the body; the predicate sees x only.
defJvp(whileP, (primals, tangents, p) => {
  const [condConsts, bodyConsts, init] = splitWhileArgs(primals, p);
  const [, dBodyConsts, dInit] = splitWhileArgs(tangents, p);
  const nb = bodyConsts.length;
  const nc = init.length;
  const order = [
    ...range(0, nb),
    ...range(nb + nc, 2 * nb + nc),
    ...range(nb, nb + nc),
    ...range(2 * nb + nc, 2 * nb + 2 * nc),
  ];
  const body = permuteJaxpr(jvpJaxpr(p.body_jaxpr), order);
  const condJaxpr = traceFlat(
    "while_loop",
    (...xs) => callJaxpr(p.cond_jaxpr, xs.slice(0, condConsts.length + nc)),
    [...p.cond_jaxpr.inAvals, ...init.map((x) => x.aval)],
  );
  const outs = bind(whileP, [...condConsts, ...bodyConsts, ...dBodyConsts, ...init, ...dInit], {
    body_jaxpr: body,
    body_nconsts: 2 * nb,
    cond_jaxpr: condJaxpr,
    cond_nconsts: condConsts.length,
  });
  return [outs.slice(0, nc), outs.slice(nc)];
});

/** Consecutive pieces of xs with the given sizes. */
function splitSizes<T>(xs: readonly T[], sizes: readonly number[]): T[][] {
  let start = 0;
  return sizes.map((n) => {
    start += n;
    return xs.slice(start - n, start);
  });
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: Math.max(hi - lo, 0) }, (_, i) => lo + i);
}

defBatch(whileP, (args, dims, p) => {
  const n = batchSize(args, dims);
  const [front, batched] = toFront(args, dims, n);
  const [condConsts, bodyConsts, init] = splitWhileArgs(front, p);
  const [condB, bodyB, initB] = splitWhileArgs(batched, p);
  // Carries become batched where the body makes them vary, until nothing changes.
  let carryB = initB;
  for (;;) {
    const outB = batchJaxpr(p.body_jaxpr, n, [...bodyB, ...carryB])[1];
    const next = carryB.map((b, i) => b || outB[i]!);
    if (next.every((b, i) => b === carryB[i])) break;
    carryB = next;
  }
  const predBatched = batchJaxpr(p.cond_jaxpr, n, [...condB, ...carryB])[1][0]!;
  // With a batched predicate every member runs until all are done; finished ones stop changing.
  if (predBatched) carryB = carryB.map(() => true);
  const carry = init.map((x, i) => (carryB[i] && !initB[i] ? moveToFront(x, null, n) : x));
  const [condBatched] = batchJaxpr(p.cond_jaxpr, n, [...condB, ...carryB]);
  const [bodyBatched] = batchJaxpr(p.body_jaxpr, n, [...bodyB, ...carryB], carryB);
  if (!predBatched) {
    const outs = bind(whileP, [...condConsts, ...bodyConsts, ...carry], {
      ...p,
      body_jaxpr: bodyBatched,
      cond_jaxpr: condBatched,
    });
    return [outs, carryB.map((b) => (b ? 0 : null))];
  }
  const nc = condConsts.length;
  const nb = bodyConsts.length;
  const carryAvals = carry.map((x) => x.aval);
  const anyCond = traceFlat(
    "while_loop",
    (...xs) => [lax.reduceOr(callJaxpr(condBatched, xs)[0]!, [0])],
    [...condBatched.inAvals],
  );
  const maskedBody = traceFlat(
    "while_loop",
    (...xs) => {
      const [cc, bc, c] = [xs.slice(0, nc), xs.slice(nc, nc + nb), xs.slice(nc + nb)];
      const [pred] = callJaxpr(condBatched, [...cc, ...c]);
      const next = callJaxpr(bodyBatched, [...bc, ...c]);
      return next.map((x, i) => lax.select(lax.broadcastInDim(pred!, x.shape, [0]), x, c[i]!));
    },
    [...condBatched.inAvals.slice(0, nc), ...bodyBatched.inAvals.slice(0, nb), ...carryAvals],
  );
  const outs = bind(whileP, [...condConsts, ...condConsts, ...bodyConsts, ...carry], {
    body_jaxpr: maskedBody,
    body_nconsts: nc + nb,
    cond_jaxpr: anyCond,
    cond_nconsts: nc,
  });
  return [outs, outs.map(() => 0)];
});

// Known carries are computed by a loop over the known part; the rest is staged whole (so its
// transpose raises JAX's error for reverse mode through while_loop).
defPartialEval(whileP, (trace, tracers, p) => {
  const [condT, bodyT, initT] = splitWhileArgs(tracers, p);
  const bodyConstUnknown = bodyT.map((t) => t.known === null);
  let carryUnknown = initT.map((t) => t.known === null);
  for (;;) {
    const out = partialEvalJaxpr(
      p.body_jaxpr,
      [...bodyConstUnknown, ...carryUnknown],
      carryUnknown,
    ).outUnknown;
    const next = carryUnknown.map((u, i) => u || out[i]!);
    if (next.every((u, i) => u === carryUnknown[i])) break;
    carryUnknown = next;
  }
  const condUnknown = condT.map((t) => t.known === null);
  const condSplit = partialEvalJaxpr(p.cond_jaxpr, [...condUnknown, ...carryUnknown]);
  if (condSplit.outUnknown[0] || carryUnknown.every((u) => u))
    return trace.stage(whileP, tracers, p);
  const bodySplit = partialEvalJaxpr(
    p.body_jaxpr,
    [...bodyConstUnknown, ...carryUnknown],
    carryUnknown,
  );
  const known = (ts: PETracer[]) => ts.filter((t) => t.known !== null).map((t) => t.known!);
  const knownCarry = bind(whileP, [...known(condT), ...known(bodyT), ...known(initT)], {
    body_jaxpr: knownOutputsOnly(bodySplit),
    body_nconsts: known(bodyT).length,
    cond_jaxpr: knownOutputsOnly(condSplit),
    cond_nconsts: known(condT).length,
  });
  const all = trace.stage(whileP, tracers, p);
  const [, unknownCarry] = partition(carryUnknown, all);
  return merge(carryUnknown, knownCarry, unknownCarry);
});

defTranspose(whileP, () => {
  throw new ValueError(
    "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic start/stop values. Try using lax.scan, or using fori_loop with static start/stop.",
  );
});

/** Traces a loop body whose output must match its carry; promotes weakly typed carries as JAX does. */
function traceCarryFunction(
  name: string,
  f: (carryAvals: ShapedArray[]) => TracedClosed,
  init: JaxArray[],
  carryOut: (t: TracedClosed) => [ShapedArray[], TreeDef],
  carryTree: TreeDef,
  what: string,
): [TracedClosed, JaxArray[]] {
  let carry = init;
  for (let attempt = 0; ; attempt++) {
    const traced = f(carry.map((x) => x.aval));
    const [outAvals, outTree] = carryOut(traced);
    const inAvals = carry.map((x) => x.aval);
    const structureOk = treedefEqual(outTree, carryTree) && outAvals.length === inAvals.length;
    const joined = structureOk ? inAvals.map((a, i) => joinWeak([a, outAvals[i]!])) : [];
    if (!structureOk || joined.some((j) => j === null))
      throw new TypeError_(
        `${name}: ${what} must have identical types to the input carry, got ${structureOk ? fmtAvals(outAvals) : treedefToString(outTree)} and ${structureOk ? fmtAvals(inAvals) : treedefToString(carryTree)}`,
      );
    // A weakly typed carry (a JS number) takes the type the body gives it; then trace again.
    const settled = joined.every((j, i) => j!.equals(inAvals[i]!) && j!.equals(outAvals[i]!));
    if (settled) return [traced, carry];
    if (attempt >= 2)
      throw new TypeError_(
        `${name}: ${what} must have identical types to the input carry, got ${fmtAvals(outAvals)} and ${fmtAvals(inAvals)}`,
      );
    carry = carry.map((x, i) => castTo(x, joined[i]!));
  }
}

/** lax.whileLoop(condFun, bodyFun, initVal): while condFun(val): val = bodyFun(val). */
export function whileLoop<C>(
  condFun: (val: C) => unknown,
  bodyFun: (val: C) => unknown,
  initVal: unknown,
): C {
  const [init, carryTree] = flattenArrays("while_loop", initVal as PyTree);
  const argsTree: TreeDef = { kind: "array", children: [carryTree] };
  const [body, carry] = traceCarryFunction(
    "while_loop",
    (avals) => traceClosed("while_loop", bodyFun as Fn, avals, argsTree),
    init,
    (t) => [t.jaxpr.outAvals, t.outTree],
    carryTree,
    "body_fun output",
  );
  const condTraced = traceClosed(
    "while_loop",
    condFun as Fn,
    carry.map((x) => x.aval),
    argsTree,
  );
  const predAvals = condTraced.jaxpr.outAvals;
  if (predAvals.length !== 1 || predAvals[0]!.dtype !== "bool" || predAvals[0]!.ndim !== 0)
    throw new TypeError_(
      `cond_fun must return a boolean scalar, but got output type(s) [${predAvals.map(String).join(", ")}]`,
    );
  const outs = bind(whileP, [...condTraced.consts, ...body.consts, ...carry], {
    body_jaxpr: body.jaxpr,
    body_nconsts: body.consts.length,
    cond_jaxpr: condTraced.jaxpr,
    cond_nconsts: condTraced.consts.length,
  });
  return treeUnflatten(carryTree, outs) as C;
}

// --- scan -----------------------------------------------------------------------------------

export interface ScanParams {
  jaxpr: ClosedJaxpr;
  length: number;
  linear: boolean[];
  num_carry: number;
  num_consts: number;
  reverse: boolean;
  unroll: number;
}
export const scanP = new Primitive<ScanParams>("scan", true);

function splitScanArgs<T>(args: readonly T[], p: ScanParams): [T[], T[], T[]] {
  const c = p.num_consts;
  const k = p.num_carry;
  return [args.slice(0, c), args.slice(c, c + k), args.slice(c + k)];
}

registerHigherOrder(scanP, {
  abstractEval: (avals, p) => {
    const [, carry, xs] = splitScanArgs(avals, p);
    const bodyIns = p.jaxpr.inAvals;
    const outs = p.jaxpr.outAvals;
    const carryOut = outs.slice(0, p.num_carry);
    if (carry.some((a, i) => !sameUpToWeakType(a, carryOut[i]!)))
      throw new TypeError_(
        `scan: the carry ${fmtAvals(carry)} does not match the body's carry output ${fmtAvals(carryOut)}`,
      );
    xs.forEach((a, i) => {
      const slot = bodyIns[p.num_consts + p.num_carry + i]!;
      if (
        a.shape[0] !== p.length ||
        !sameUpToWeakType(new ShapedArray(a.shape.slice(1), a.dtype), slot)
      )
        throw new TypeError_(
          `scan: scanned input ${i} has type ${a.strShort()}, expected leading axis ${p.length} over ${slot.strShort()}`,
        );
    });
    return [...carryOut, ...outs.slice(p.num_carry).map((a) => batchedAval(a, p.length))];
  },
  eager: (args, p) => {
    const [consts, init, xs] = splitScanArgs(args, p);
    let carry: JaxArray[] = init;
    const ys: JaxArray[][] = [];
    // Arrays the loop must not free: its arguments and every output kept for stacking.
    const kept = new Set<JaxArray>(args);
    for (let k = 0; k < p.length; k++) {
      const i = p.reverse ? p.length - 1 - k : k;
      const x = xs.map((a) => lax.squeeze(lax.sliceInDim(a, i, i + 1, 1, 0), [0]));
      const outs = callJaxpr(p.jaxpr, [...consts, ...carry, ...x], { free: true });
      const next = outs.slice(0, p.num_carry);
      const y = outs.slice(p.num_carry);
      for (const v of y) kept.add(v);
      freeStale(x, kept, outs);
      freeStale(carry, kept, next);
      carry = next;
      ys.push(y);
    }
    if (p.reverse) ys.reverse();
    const stacked = p.jaxpr.outAvals.slice(p.num_carry).map((a, j) => {
      if (p.length === 0) return zerosOfAval(batchedAval(a, 0));
      const rows = ys.map((y) => lax.expandDims(y[j]!, [0]));
      const out = lax.concatenate(rows, 0);
      freeStale(rows, new Set(args), carry);
      return out;
    });
    freeStale(ys.flat(), new Set(args), carry);
    return [...carry, ...stacked];
  },
});

// d scan = scan of the body's jvp, with tangents beside each group (consts, carry, xs).
defJvp(scanP, (primals, tangents, p) => {
  const [consts, carry, xs] = splitScanArgs(primals, p);
  const [dConsts, dCarry, dXs] = splitScanArgs(tangents, p);
  const [nc, nk, nx] = [consts.length, carry.length, xs.length];
  const n = nc + nk + nx;
  const nOut = p.jaxpr.outAvals.length;
  const ny = nOut - nk;
  const inOrder = [
    ...range(0, nc),
    ...range(n, n + nc),
    ...range(nc, nc + nk),
    ...range(n + nc, n + nc + nk),
    ...range(nc + nk, n),
    ...range(n + nc + nk, 2 * n),
  ];
  const outOrder = [
    ...range(0, nk),
    ...range(nOut, nOut + nk),
    ...range(nk, nOut),
    ...range(nOut + nk, 2 * nOut),
  ];
  const body = permuteJaxpr(jvpJaxpr(p.jaxpr), inOrder, outOrder);
  const [lc, lk, lx] = splitScanArgs(p.linear, p);
  const outs = bind(scanP, [...consts, ...dConsts, ...carry, ...dCarry, ...xs, ...dXs], {
    ...p,
    jaxpr: body,
    num_consts: 2 * nc,
    num_carry: 2 * nk,
    linear: [
      ...lc,
      ...lc.map(() => true),
      ...lk,
      ...lk.map(() => true),
      ...lx,
      ...lx.map(() => true),
    ],
  });
  return [
    [...outs.slice(0, nk), ...outs.slice(2 * nk, 2 * nk + ny)],
    [...outs.slice(nk, 2 * nk), ...outs.slice(2 * nk + ny)],
  ];
});

defBatch(scanP, (args, dims, p) => {
  const n = batchSize(args, dims);
  const [consts, carry, xs] = splitScanArgs(args, p);
  const [constDims, carryDims, xsDims] = splitScanArgs(dims, p);
  const [constsF, constB] = toFront(consts, constDims, n);
  // Scanned inputs keep the scan axis first: their batch axis goes to 1.
  const xsB = xsDims.map((d) => d !== null);
  const xsF = xs.map((x, i) => {
    if (xsDims[i] === null) return x;
    const front = moveToFront(x, xsDims[i]!, n);
    const perm = [1, 0, ...range(2, front.ndim)];
    return lax.transpose(front, perm);
  });
  let carryB = carryDims.map((d) => d !== null);
  for (;;) {
    const outB = batchJaxpr(p.jaxpr, n, [...constB, ...carryB, ...xsB])[1];
    const next = carryB.map((b, i) => b || outB[i]!);
    if (next.every((b, i) => b === carryB[i])) break;
    carryB = next;
  }
  const force = [...carryB, ...p.jaxpr.outAvals.slice(p.num_carry).map(() => false)];
  const [body, outB] = batchJaxpr(p.jaxpr, n, [...constB, ...carryB, ...xsB], force);
  const carryF = carry.map((x, i) => (carryB[i] ? moveToFront(x, carryDims[i] ?? null, n) : x));
  const outs = bind(scanP, [...constsF, ...carryF, ...xsF], { ...p, jaxpr: body });
  const outDims = outB.map((b, j) => (!b ? null : j < p.num_carry ? 0 : 1));
  return [outs, outDims];
});

// Reverse mode: the known part runs forwards and saves per-iteration residuals as extra
// outputs; the unknown part scans over them (and transposes to a reverse scan).
defPartialEval(scanP, (trace, tracers, p) => {
  const [constT, carryT, xsT] = splitScanArgs(tracers, p);
  const constU = constT.map((t) => t.known === null);
  const xsU = xsT.map((t) => t.known === null);
  let carryU = carryT.map((t) => t.known === null);
  const ny = p.jaxpr.outAvals.length - p.num_carry;
  const split = () =>
    partialEvalJaxpr(
      p.jaxpr,
      [...constU, ...carryU, ...xsU],
      [...carryU, ...Array(ny).fill(false)],
    );
  let s = split();
  for (;;) {
    const next = carryU.map((u, i) => u || s.outUnknown[i]!);
    if (next.every((u, i) => u === carryU[i])) break;
    carryU = next;
    s = split();
  }
  if (s.outUnknown.every((u) => !u) && tracers.every((t) => t.known !== null))
    return bind(
      scanP,
      tracers.map((t) => t.known!),
      p,
    );
  const known = (ts: PETracer[], u: boolean[]) => ts.filter((_, i) => !u[i]).map((t) => t.known!);
  const [kc, kk, kx] = [known(constT, constU), known(carryT, carryU), known(xsT, xsU)];
  const knownOuts = bind(scanP, [...kc, ...kk, ...kx], {
    ...p,
    jaxpr: s.known,
    num_consts: kc.length,
    num_carry: kk.length,
    linear: [...kc, ...kk, ...kx].map(() => false),
  });
  const nKnownOut = s.outUnknown.filter((u) => !u).length;
  const residuals = knownOuts.slice(nKnownOut).map((r) => trace.pure(r) as PETracer);
  // Unknown body: [residuals, consts, carry, xs] -> reorder to [consts, carry, residuals, xs].
  const unknownOf = (ts: PETracer[], u: boolean[]) => ts.filter((_, i) => u[i]);
  const [uc, uk, ux] = [unknownOf(constT, constU), unknownOf(carryT, carryU), unknownOf(xsT, xsU)];
  const r = s.numRes;
  const order = [
    ...range(r, r + uc.length + uk.length),
    ...range(0, r),
    ...range(r + uc.length + uk.length, r + uc.length + uk.length + ux.length),
  ];
  const unknownOuts = trace.stage(scanP, [...uc, ...uk, ...residuals, ...ux], {
    ...p,
    jaxpr: permuteJaxpr(s.unknown, order),
    num_consts: uc.length,
    num_carry: uk.length,
    linear: [...uc, ...uk, ...residuals, ...ux].map(() => false),
  });
  return merge(s.outUnknown, knownOuts.slice(0, nKnownOut), unknownOuts);
});

// The transpose of a scan linear in (some consts, the carry, some xs) is a scan in the other
// direction carrying the cotangents of the consts (accumulated) and of the carry.
defTranspose(scanP, (cts, inputs, p) => {
  const [consts, carry, xs] = splitScanArgs(inputs, p);
  const constLin = consts.map((c) => c instanceof UndefinedPrimal);
  const xsLin = xs.map((x) => x instanceof UndefinedPrimal);
  const [nlConsts, linConsts] = partition(constLin, consts) as [JaxArray[], UndefinedPrimal[]];
  const [nlXs] = partition(xsLin, xs) as [JaxArray[], UndefinedPrimal[]];
  const carryAvals = carry.map((c) => c.aval);
  const bodyIns = p.jaxpr.inAvals;
  const sliceAval = (a: ShapedArray) => new ShapedArray(a.shape.slice(1), a.dtype, a.weakType);
  const ctCarry = cts.slice(0, p.num_carry) as JaxArray[];
  const ctYs = cts.slice(p.num_carry) as JaxArray[];
  const linear = [...constLin, ...carry.map(() => true), ...xsLin];
  const linConstAvals = linConsts.map((c) => c.aval);
  const body = traceFlat(
    "scan",
    (...args) => {
      const [nlc, acc, ctc, nlx, cty] = splitSizes(args, [
        nlConsts.length,
        linConsts.length,
        carry.length,
        nlXs.length,
        ctYs.length,
      ]);
      const ins = merge<JaxArray | UndefinedPrimal>(
        linear,
        [...nlc, ...nlx],
        bodyIns.filter((_, i) => linear[i]).map((a) => new UndefinedPrimal(a)),
      );
      const inCts = backwardPass(p.jaxpr.jaxpr, p.jaxpr.consts, ins, [...ctc, ...cty]);
      const [, linCts] = partition(linear, inCts);
      const filled = linCts.map(
        (c, i) => c ?? zerosOfAval(bodyIns.filter((_, j) => linear[j])[i]!),
      );
      const ctConsts = filled.slice(0, linConsts.length);
      const ctCarryIn = filled.slice(linConsts.length, linConsts.length + carry.length);
      const ctXs = filled.slice(linConsts.length + carry.length);
      return [...acc.map((a, i) => lax.add(a, ctConsts[i]!)), ...ctCarryIn, ...ctXs];
    },
    [
      ...nlConsts.map((x) => x.aval),
      ...linConstAvals,
      ...carryAvals,
      ...nlXs.map((x) => sliceAval(x.aval)),
      ...ctYs.map((c) => sliceAval(c.aval)),
    ],
  );
  const outs = bind(
    scanP,
    [...nlConsts, ...linConstAvals.map(zerosOfAval), ...ctCarry, ...nlXs, ...ctYs],
    {
      ...p,
      jaxpr: body,
      reverse: !p.reverse,
      num_consts: nlConsts.length,
      num_carry: linConsts.length + carry.length,
      linear: body.inAvals.map(() => false),
    },
  );
  const ctLinConsts = outs.slice(0, linConsts.length);
  const ctInit = outs.slice(linConsts.length, linConsts.length + carry.length);
  const ctLinXs = outs.slice(linConsts.length + carry.length);
  return [
    ...merge(
      constLin,
      nlConsts.map(() => null),
      ctLinConsts,
    ),
    ...ctInit,
    ...merge(
      xsLin,
      nlXs.map(() => null),
      ctLinXs,
    ),
  ];
});

/**
 * lax.scan(f, init, xs, {length, reverse, unroll}): f(carry, x) -> [carry, y] over the leading
 * axis of xs (a pytree, or null with `length`); returns [final carry, stacked ys].
 */
export function scan<C = PyTree, X = PyTree, Y = PyTree>(
  f: (carry: C, x: X) => readonly [unknown, unknown],
  init: unknown,
  xs?: unknown,
  opts: { length?: number; reverse?: boolean; unroll?: number | boolean } = {},
): [C, Y] {
  const [initLeaves, carryTree] = flattenArrays("scan", init as PyTree);
  const [xsLeaves] = flattenArrays("scan", (xs ?? null) as PyTree);
  const lengths = new Set(
    xsLeaves.map((x) => {
      if (x.ndim === 0)
        throw new ValueError(
          `scan got value with no leading axis to scan over: ${x.aval.strShort()}`,
        );
      return x.shape[0]!;
    }),
  );
  if (opts.length !== undefined) lengths.add(opts.length);
  if (lengths.size > 1)
    throw new ValueError(
      `scan got values with different leading axis sizes: ${[...lengths].join(", ")}.`,
    );
  if (lengths.size === 0)
    throw new ValueError("scan got no values to scan over and `length` not provided.");
  const length = [...lengths][0]!;
  const xAvals = xsLeaves.map((x) => new ShapedArray(x.shape.slice(1), x.dtype, x.weakType));
  let outTree: TreeDef | undefined;
  const nCarry = initLeaves.length;
  const [body, carry] = traceCarryFunction(
    "scan",
    (carryAvals) => {
      const [, inTree] = treeFlatten([init, xs ?? null] as PyTree);
      const traced = traceClosed(
        "scan",
        ((c: C, x: X) => {
          const out = f(c, x);
          if (!Array.isArray(out) || out.length !== 2)
            throw new TypeError_("scan body output must be a pair [carry, y]");
          return out as PyTree;
        }) as Fn,
        [...carryAvals, ...xAvals],
        inTree,
      );
      outTree = traced.outTree;
      return traced;
    },
    initLeaves,
    (t) => {
      const [carryOut] = splitPair(t.outTree);
      return [t.jaxpr.outAvals.slice(0, numLeaves(carryOut)), carryOut];
    },
    carryTree,
    "the carry output of the scan body",
  );
  const [, yTree] = splitPair(outTree!);
  const outs = bind(scanP, [...body.consts, ...carry, ...xsLeaves], {
    jaxpr: body.jaxpr,
    length,
    linear: [...body.consts, ...carry, ...xsLeaves].map(() => false),
    num_carry: nCarry,
    num_consts: body.consts.length,
    reverse: opts.reverse ?? false,
    unroll: typeof opts.unroll === "number" ? opts.unroll : opts.unroll ? length : 1,
  });
  return [
    treeUnflatten(carryTree, outs.slice(0, nCarry)) as C,
    treeUnflatten(yTree, outs.slice(nCarry)) as Y,
  ];
}

/** The two subtrees of a pair's treedef. */
function splitPair(def: TreeDef): [TreeDef, TreeDef] {
  if (def.kind !== "array" || def.children.length !== 2)
    throw new TypeError_(`scan body output must be a pair [carry, y], got ${treedefToString(def)}`);
  return [def.children[0]!, def.children[1]!];
}

/** lax.map(f, xs): f applied to each slice along the leading axis (a scan without a carry). */
export function map<X = JaxArray, Y = JaxArray>(f: (x: X) => unknown, xs: unknown): Y {
  return scan<null, X, Y>((c: null, x: X) => [c, f(x)], null, xs)[1];
}

/**
 * lax.foriLoop(lower, upper, bodyFun, initVal): for i in [lower, upper): val = bodyFun(i, val).
 * With concrete bounds it is a scan of static length (reverse-mode differentiable, as in
 * JAX); with traced bounds a whileLoop.
 */
export function foriLoop<C = JaxArray>(
  lower: ArrayLike,
  upper: ArrayLike,
  bodyFun: (i: JaxArray, val: C) => unknown,
  initVal: unknown,
  opts: { unroll?: number | boolean } = {},
): C {
  const lo = asArray("fori_loop", lower, "int32");
  const hi = asArray("fori_loop", upper, "int32");
  if (lo.ndim !== 0 || hi.ndim !== 0)
    throw new TypeError_(
      `fori_loop: lower and upper must be integer scalars, got ${lo.aval.strShort()} and ${hi.aval.strShort()}`,
    );
  const i0 = lax.convertElementType(lo, "int32");
  if (lo instanceof EagerArray && hi instanceof EagerArray) {
    const lv = readScalar(lo);
    const hv = readScalar(hi);
    if (lv !== null && hv !== null) {
      const [[, out]] = scan(
        ([i, x]: [JaxArray, C]) => [[lax.add(i, 1), bodyFun(i, x)], null],
        [i0, initVal] as [JaxArray, C],
        null,
        { length: Math.max(hv - lv, 0), unroll: opts.unroll },
      ) as [[JaxArray, C], null];
      return out;
    }
  }
  const [, , out] = whileLoop(
    ([i, u]: [JaxArray, JaxArray, C]) => lax.lt(i, u),
    ([i, u, x]: [JaxArray, JaxArray, C]) => [lax.add(i, 1), u, bodyFun(i, x)],
    [i0, lax.convertElementType(hi, "int32"), initVal] as [JaxArray, JaxArray, C],
  ) as [JaxArray, JaxArray, C];
  return out;
}
