/**
 * Transformations of whole Jaxprs, for the higher-order primitives (jit, cond, while, scan):
 * each one stages "this transformation applied to the inner Jaxpr" into a new Jaxpr, so the
 * primitive can be bound again with it (autodidax's jvp_jaxpr, vmap_jaxpr,
 * partial_eval_jaxpr and transpose of a linear Jaxpr).
 */
import type { JaxArray } from "../core/array.js";
import { ShapedArray } from "../core/aval.js";
import { ClosedJaxpr, evalJaxpr, Jaxpr } from "../core/jaxpr.js";
import { UndefinedPrimal } from "../core/primitive.js";
import { moveToFront } from "../lax/batch_rules.js";
import { zerosOfAval } from "../lax/jvp_rules.js";
import { jvp } from "./jvp.js";
import { partialEval } from "./partial_eval.js";
import { traceFlat } from "./staging.js";
import { backwardPass } from "./vjp.js";
import { batchFlat } from "./vmap.js";

/** Calls a closed Jaxpr on arguments (concrete or traced). */
export function callJaxpr(
  closed: ClosedJaxpr,
  args: readonly JaxArray[],
  opts: { free?: boolean } = {},
): JaxArray[] {
  return evalJaxpr(closed.jaxpr, closed.consts, args, opts);
}

/** The same Jaxpr with its inputs and outputs reordered: new input k is old input inOrder[k]. */
export function permuteJaxpr(
  closed: ClosedJaxpr,
  inOrder: readonly number[],
  outOrder: readonly number[] = closed.jaxpr.outs.map((_, i) => i),
): ClosedJaxpr {
  const { jaxpr } = closed;
  return new ClosedJaxpr(
    new Jaxpr(
      jaxpr.constvars,
      inOrder.map((i) => jaxpr.invars[i]!),
      jaxpr.eqns,
      outOrder.map((i) => jaxpr.outs[i]!),
    ),
    closed.consts,
  );
}

/** Splits xs by a mask: [where mask is false, where it is true]. */
export function partition<T>(mask: readonly boolean[], xs: readonly T[]): [T[], T[]] {
  const no: T[] = [];
  const yes: T[] = [];
  xs.forEach((x, i) => {
    (mask[i] ? yes : no).push(x);
  });
  return [no, yes];
}

/** The inverse of partition: interleaves two lists back by the mask. */
export function merge<T>(mask: readonly boolean[], no: readonly T[], yes: readonly T[]): T[] {
  let i = 0;
  let j = 0;
  return mask.map((m) => (m ? yes[j++]! : no[i++]!));
}

/** Indices where the mask is false, then where it is true. */
function partitionOrder(mask: readonly boolean[]): number[] {
  const [no, yes] = partition(
    mask,
    mask.map((_, i) => i),
  );
  return [...no, ...yes];
}

/** jvp of a Jaxpr: inputs [...primals, ...tangents], outputs [...primal outs, ...tangent outs]. */
export function jvpJaxpr(closed: ClosedJaxpr): ClosedJaxpr {
  const n = closed.inAvals.length;
  return traceFlat(
    "jvp",
    (...xs) => {
      const [outs, tangents] = jvp(
        (...ps: JaxArray[]) => callJaxpr(closed, ps),
        xs.slice(0, n),
        xs.slice(n),
      ) as [JaxArray[], JaxArray[]];
      return [...outs, ...tangents];
    },
    [...closed.inAvals, ...closed.inAvals],
  );
}

/** The aval of a value batched at axis 0. */
export function batchedAval(a: ShapedArray, n: number): ShapedArray {
  return new ShapedArray([n, ...a.shape], a.dtype, a.weakType);
}

/**
 * vmap of a Jaxpr with batched inputs at axis 0: returns the batched Jaxpr and which outputs
 * are batched (at axis 0). Outputs in `forceOut` are batched even where they do not vary.
 */
export function batchJaxpr(
  closed: ClosedJaxpr,
  axisSize: number,
  inBatched: readonly boolean[],
  forceOut: readonly boolean[] | boolean = false,
): [ClosedJaxpr, boolean[]] {
  let outBatched: boolean[] = [];
  const avals = closed.inAvals.map((a, i) => (inBatched[i] ? batchedAval(a, axisSize) : a));
  const batched = traceFlat(
    "vmap",
    (...xs) => {
      const [outs, dims] = batchFlat(
        (...ys) => callJaxpr(closed, ys),
        xs,
        inBatched.map((b) => (b ? 0 : null)),
        axisSize,
      );
      outBatched = dims.map(
        (d, i) => d !== null || (typeof forceOut === "boolean" ? forceOut : forceOut[i]!),
      );
      return outs.map((o, i) => (outBatched[i] ? moveToFront(o, dims[i]!, axisSize) : o));
    },
    avals,
  );
  return [batched, outBatched];
}

export interface SplitJaxpr {
  /** Known inputs -> [...known outputs, ...residuals]. */
  known: ClosedJaxpr;
  /** [...residuals, ...unknown inputs] -> unknown outputs. */
  unknown: ClosedJaxpr;
  outUnknown: boolean[];
  numRes: number;
}

/**
 * Partial evaluation of a Jaxpr: with some inputs unknown, splits it into the part computable
 * from the known inputs (which also returns the residuals the rest needs) and the part that
 * must wait for the unknown ones. Outputs in `instantiate` are made unknown even if known.
 */
export function partialEvalJaxpr(
  closed: ClosedJaxpr,
  inUnknown: readonly boolean[],
  instantiate: readonly boolean[] | boolean = false,
): SplitJaxpr {
  const [knownAvals, unknownAvals] = partition(inUnknown, closed.inAvals);
  let unknown: ClosedJaxpr | undefined;
  let outUnknown: boolean[] = [];
  let numRes = 0;
  const known = traceFlat(
    "partial_eval",
    (...knownIns) => {
      const pe = partialEval(
        (k, u) => callJaxpr(closed, merge(inUnknown, k, u)),
        knownIns,
        unknownAvals,
      );
      outUnknown = pe.knownOuts.map(
        (o, i) => o === null || (typeof instantiate === "boolean" ? instantiate : instantiate[i]!),
      );
      const { jaxpr, consts } = pe.jaxpr;
      const outs = jaxpr.outs.filter((_, i) => outUnknown[i]);
      unknown = new ClosedJaxpr(
        new Jaxpr([], [...jaxpr.constvars, ...jaxpr.invars], jaxpr.eqns, outs),
        [],
      );
      numRes = consts.length;
      const knownOuts = pe.knownOuts.filter((_, i) => !outUnknown[i]) as JaxArray[];
      return [...knownOuts, ...consts];
    },
    knownAvals,
  );
  return { known, unknown: unknown!, outUnknown, numRes };
}

/** Known outputs only: the known half of a split with its residual outputs dropped. */
export function knownOutputsOnly(split: SplitJaxpr): ClosedJaxpr {
  const { jaxpr, consts } = split.known;
  const n = jaxpr.outs.length - split.numRes;
  return new ClosedJaxpr(
    new Jaxpr(jaxpr.constvars, jaxpr.invars, jaxpr.eqns, jaxpr.outs.slice(0, n)),
    consts,
  );
}

/**
 * Transpose of a Jaxpr that is linear in the inputs marked `linear`: inputs
 * [...non-linear inputs, ...output cotangents], outputs the cotangents of the linear inputs.
 */
export function transposeJaxpr(closed: ClosedJaxpr, linear: readonly boolean[]): ClosedJaxpr {
  const [nonlinearAvals, linearAvals] = partition(linear, closed.inAvals);
  const nNonlinear = nonlinearAvals.length;
  return traceFlat(
    "transpose",
    (...xs) => {
      const undefinedIns = linearAvals.map((a) => new UndefinedPrimal(a));
      const args = merge<JaxArray | UndefinedPrimal>(linear, xs.slice(0, nNonlinear), undefinedIns);
      const cts = backwardPass(closed.jaxpr, closed.consts, args, xs.slice(nNonlinear));
      const [, linearCts] = partition(linear, cts);
      return linearCts.map((c, i) => c ?? zerosOfAval(linearAvals[i]!));
    },
    [...nonlinearAvals, ...closed.outAvals],
  );
}

export { partitionOrder };
