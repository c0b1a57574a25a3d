/** jax.vmap: the batching interpreter. */
import type { JaxArray } from "../core/array.js";
import { ShapedArray } from "../core/aval.js";
import { ValueError } from "../core/errors.js";
import {
  type BatchRule,
  batchRules,
  bind,
  type Params,
  type Primitive,
} from "../core/primitive.js";
import { type PyTree, treedefToString, treeFlatten, treeUnflatten } from "../core/pytree.js";
import { fmtShape } from "../core/shape.js";
import { Trace, Tracer, withNewMain } from "../core/trace.js";
import { moveToFront } from "../lax/batch_rules.js";
import * as lax from "../lax/index.js";
import { type ArrayLike, asArray } from "../numpy/util.js";

class BatchTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly val: JaxArray,
    readonly batchDim: number | null,
  ) {
    super(trace);
  }
  get aval(): ShapedArray {
    const a = this.val.aval;
    if (this.batchDim === null) return a;
    return new ShapedArray(
      a.shape.filter((_, i) => i !== this.batchDim),
      a.dtype,
      a.weakType,
    );
  }
  override fullLower(): JaxArray {
    return this.batchDim === null ? this.val : this;
  }
}

class BatchTrace extends Trace {
  get axisSize(): number {
    return this.main.globalData as number;
  }
  pure(x: JaxArray): Tracer {
    return new BatchTracer(this, x, null);
  }
  lift(x: JaxArray): Tracer {
    return this.pure(x);
  }
  processPrimitive<P extends Params>(prim: Primitive<P>, tracers: Tracer[], params: P): JaxArray[] {
    const ts = tracers as BatchTracer[];
    const vals = ts.map((t) => t.val);
    const dims = ts.map((t) => t.batchDim);
    if (dims.every((d) => d === null)) return bind(prim, vals, params);
    const rule = batchRules.get(prim) as BatchRule<P> | undefined;
    const [outs, outDims] =
      rule?.(vals, dims, params) ?? loopBatch(prim, vals, dims, params, this.axisSize);
    return outs.map((o, i) => new BatchTracer(this, o, outDims[i]!));
  }
}

/** The fallback for primitives without a batch rule: apply per batch element, then stack. */
function loopBatch<P extends Params>(
  prim: Primitive<P>,
  vals: JaxArray[],
  dims: (number | null)[],
  params: P,
  n: number,
): [JaxArray[], number[]] {
  const fronts = vals.map((v, i) => (dims[i] === null ? v : moveToFront(v, dims[i]!, n)));
  const perElement: JaxArray[][] = [];
  for (let k = 0; k < n; k++) {
    const args = fronts.map((v, i) =>
      dims[i] === null ? v : lax.squeeze(lax.sliceInDim(v, k, k + 1, 1, 0), [0]),
    );
    perElement.push(bind(prim, args, params));
  }
  const nOut = perElement[0]?.length ?? 0;
  const outs = Array.from({ length: nOut }, (_, j) =>
    lax.concatenate(
      perElement.map((o) => lax.expandDims(o[j]!, [0])),
      0,
    ),
  );
  return [outs, outs.map(() => 0)];
}

/**
 * Runs f under a new batching level on arguments batched along `dims` (null = unbatched):
 * returns f's outputs and the axis each is batched along. The control-flow primitives batch
 * their inner Jaxprs with it.
 */
export function batchFlat(
  f: (...xs: JaxArray[]) => JaxArray[],
  args: readonly JaxArray[],
  dims: readonly (number | null)[],
  axisSize: number,
): [JaxArray[], (number | null)[]] {
  return withNewMain(
    (main) => new BatchTrace(main),
    axisSize,
    (main) => {
      const trace = main.makeTrace(main);
      const ins = args.map((x, i) => (dims[i] === null ? x : new BatchTracer(trace, x, dims[i]!)));
      const outs = f(...ins).map((o) => trace.fullRaise(o) as BatchTracer);
      return [outs.map((o) => o.val), outs.map((o) => o.batchDim)];
    },
  );
}

type Axis = number | null;
export interface VmapOptions {
  /** One entry per positional argument (a number, null, or a pytree of them matching the argument), or one for all. */
  inAxes?: Axis | PyTree<Axis>[];
  outAxes?: Axis | PyTree<Axis>;
  axisSize?: number;
}

/** Expands an in_axes entry (a prefix of the argument's tree) to one axis per leaf. */
function leafAxes(spec: PyTree<Axis> | undefined, arg: PyTree): Axis[] {
  const [leaves] = treeFlatten(arg);
  if (spec === undefined || spec === null || typeof spec === "number")
    return leaves.map(() => (spec === undefined ? 0 : (spec as Axis)));
  // null is a leaf of an axis specification (JAX's None), not an empty subtree.
  const [specLeaves, specDef] = treeFlatten(
    spec as PyTree,
    (x) => x === null || typeof x === "number",
  );
  const [, argDef] = treeFlatten(arg);
  if (treedefToString(specDef) !== treedefToString(argDef))
    throw new ValueError(
      "vmap: in_axes specification must be a tree prefix of the corresponding value",
    );
  return specLeaves as Axis[];
}

/** jax.vmap(f, {inAxes, outAxes, axisSize}) */
export function vmap<F extends (...args: never[]) => PyTree>(f: F, opts: VmapOptions = {}) {
  // The batched function returns the same structure as f, with a batch axis on each array.
  return (...args: PyTree[]): ReturnType<F> => {
    const inAxes = opts.inAxes;
    const perArg = Array.isArray(inAxes)
      ? (() => {
          if (inAxes.length !== args.length)
            throw new ValueError(
              `vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)=${inAxes.length}, len(args)=${args.length}`,
            );
          return inAxes as PyTree<Axis>[];
        })()
      : args.map(() => (inAxes === undefined ? 0 : inAxes) as PyTree<Axis>);
    const leafSpecs = args.map((a, i) => leafAxes(perArg[i], a));
    const [leaves, inTree] = treeFlatten(args as PyTree);
    const axes = leafSpecs.flat();
    const arrays = leaves.map((l, i) => (axes[i] === null ? l : asArray("vmap", l as ArrayLike)));
    const sizes = new Map<number, string>();
    arrays.forEach((x, i) => {
      const ax = axes[i]!;
      if (ax === null) return;
      const arr = x as JaxArray;
      const d = ax < 0 ? ax + arr.ndim : ax;
      if (d < 0 || d >= arr.ndim)
        throw new ValueError(
          `vmap was requested to map its argument along axis ${ax}, which implies that its rank should be at least ${ax + 1}, but is only ${arr.ndim} (its shape is ${fmtShape(arr.shape)})`,
        );
      sizes.set(
        arr.shape[d]!,
        `argument leaf ${i} of shape ${fmtShape(arr.shape)} has size ${arr.shape[d]} along axis ${ax}`,
      );
    });
    if (sizes.size > 1)
      throw new ValueError(
        `vmap got inconsistent sizes for the array axes to be mapped:\n  ${[...sizes.values()].join("\n  ")}`,
      );
    const n = opts.axisSize ?? [...sizes.keys()][0];
    if (n === undefined)
      throw new ValueError(
        "vmap must have at least one non-None value in in_axes (or an axisSize)",
      );
    let outTree: ReturnType<typeof treeFlatten>[1] | undefined;
    const dims = arrays.map((x, i) => {
      const ax = axes[i]!;
      return ax === null ? null : ax < 0 ? ax + (x as JaxArray).ndim : ax;
    });
    const [outVals, outDims] = batchFlat(
      (...inputs) => {
        const out = f(...(treeUnflatten(inTree, inputs) as unknown as never[]));
        const [outLeaves, tree] = treeFlatten(out);
        outTree = tree;
        return outLeaves.map((leaf) => asArray("vmap", leaf as ArrayLike));
      },
      arrays as JaxArray[],
      dims,
      n,
    );
    const outSpecs =
      opts.outAxes === undefined || opts.outAxes === null || typeof opts.outAxes === "number"
        ? outVals.map(() => (opts.outAxes === undefined ? 0 : (opts.outAxes as Axis)))
        : (treeFlatten(opts.outAxes as PyTree)[0] as Axis[]);
    const results = outVals.map((val, i) => {
      const outAxis = outSpecs[i];
      if (outAxis === null) {
        if (outDims[i] !== null)
          throw new ValueError("vmap has mapped output but out_axes is None");
        return val;
      }
      const front = moveToFront(val, outDims[i]!, n);
      const rank = front.ndim;
      const dest = outAxis! < 0 ? outAxis! + rank : outAxis!;
      if (dest === 0) return front;
      const perm = Array.from({ length: rank }, (_, k) => k).filter((k) => k !== 0);
      perm.splice(dest, 0, 0);
      return lax.transpose(front, perm);
    });
    return treeUnflatten(outTree!, results) as ReturnType<F>;
  };
}
