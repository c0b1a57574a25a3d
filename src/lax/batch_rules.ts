/**
 * vmap (batching) rules of the lax primitives. Batched operands are first moved so their batch
 * dimension is 0; each rule then says where the batch dimension of the result is.
 */
import type { JaxArray } from "../core/array.js";
import { cachedScalar } from "../core/constants.js";
import { bind, defBatch, type Primitive } from "../core/primitive.js";
import * as el from "./elementwise.js";
import * as ln from "./linalg.js";
import * as red from "./reduction.js";
import * as so from "./sorting.js";
import * as st from "./structural.js";
import { threefry2x32P } from "./threefry.js";

/** Moves the batch dimension to 0 (or broadcasts an unbatched value to batch size n). */
export function moveToFront(x: JaxArray, bdim: number | null, n: number): JaxArray {
  if (bdim === null)
    return st.broadcastInDim(
      x,
      [n, ...x.shape],
      x.shape.map((_, i) => i + 1),
    );
  if (bdim === 0) return x;
  const perm = [bdim, ...x.shape.map((_, i) => i).filter((i) => i !== bdim)];
  return st.transpose(x, perm);
}
/** The batch size: the size of the first batched argument's batch dimension. */
export function batchSize(args: readonly JaxArray[], dims: readonly (number | null)[]): number {
  const i = dims.findIndex((d) => d !== null);
  return args[i]!.shape[dims[i]!]!;
}
/** Moves every batched argument's batch dimension to 0; unbatched ones stay as they are. */
export function batchedToFront(
  args: readonly JaxArray[],
  dims: readonly (number | null)[],
  n: number,
): JaxArray[] {
  return args.map((x, i) => (dims[i] === null ? x : moveToFront(x, dims[i]!, n)));
}

/**
 * Elementwise primitives: every operand is brought to the full batched shape (lax broadcasts
 * only rank-0 operands, so unbatched arrays are broadcast explicitly).
 */
export function elementwise(
  prim: Primitive<object>,
  scalarOk: (i: number) => boolean = () => true,
): void {
  defBatch(prim, (args, dims, params) => {
    const n = batchSize(args, dims);
    const shapes = args.map((a, i) =>
      dims[i] === null ? a.shape : a.shape.filter((_, k) => k !== dims[i]),
    );
    const outShape = shapes.reduce((s, sh) => (sh.length > s.length ? sh : s), [] as number[]);
    const full = [n, ...outShape];
    const operands = args.map((a, i) => {
      if (dims[i] === null)
        return a.ndim === 0 && scalarOk(i)
          ? a
          : st.broadcastInDim(
              a,
              full,
              a.shape.map((_, k) => k + full.length - a.ndim),
            );
      const front = moveToFront(a, dims[i]!, n);
      return front.ndim === full.length ? front : st.broadcastInDim(front, full, [0]);
    });
    const outs = bind(prim, operands, params);
    return [outs, outs.map(() => 0)];
  });
}
const ELEMENTWISE = [
  el.negP,
  el.signP,
  el.floorP,
  el.ceilP,
  el.isFiniteP,
  el.expP,
  el.exp2P,
  el.logP,
  el.expm1P,
  el.log1pP,
  el.tanhP,
  el.logisticP,
  el.sinP,
  el.cosP,
  el.tanP,
  el.asinP,
  el.acosP,
  el.atanP,
  el.sinhP,
  el.coshP,
  el.asinhP,
  el.acoshP,
  el.atanhP,
  el.sqrtP,
  el.rsqrtP,
  el.cbrtP,
  el.absP,
  el.erfP,
  el.erfcP,
  el.erfInvP,
  el.lgammaP,
  el.digammaP,
  el.squareP,
  el.notP,
  el.populationCountP,
  el.addP,
  el.subP,
  el.mulP,
  el.divP,
  el.remP,
  el.powP,
  el.maxP,
  el.minP,
  el.atan2P,
  el.nextafterP,
  el.andP,
  el.orP,
  el.xorP,
  el.shiftLeftP,
  el.shiftRightLogicalP,
  el.shiftRightArithmeticP,
  el.eqP,
  el.neP,
  el.ltP,
  el.leP,
  el.gtP,
  el.geP,
] as Primitive<object>[];
for (const p of ELEMENTWISE) elementwise(p);
// select_n's cases (and clamp's operand) must all have the full shape; only the predicate
// (and clamp's bounds) may stay scalars.
elementwise(st.selectNP, (i) => i === 0);
elementwise(st.clampP, (i) => i !== 1);
for (const p of [
  el.roundP,
  el.integerPowP,
  st.convertElementTypeP,
  st.bitcastConvertTypeP,
  threefry2x32P,
  st.copyP,
  st.stopGradientP,
] as Primitive<object>[])
  elementwise(p);

/** A primitive of one batched operand whose axis-like params shift by one with the batch in front. */
function oneOperand<P extends object>(
  prim: Primitive<P>,
  shift: (params: P, x: JaxArray) => P,
): void {
  defBatch(prim, ([x], [d], params) => {
    const front = moveToFront(x!, d!, x!.shape[d!]!);
    return [bind(prim, [front], shift(params, front)), [0]];
  });
}
const plus1 = (xs: number[]) => xs.map((a) => a + 1);
oneOperand(st.broadcastInDimP, (p, x) => ({
  ...p,
  shape: [x.shape[0]!, ...p.shape],
  broadcast_dimensions: [0, ...plus1(p.broadcast_dimensions)],
}));
oneOperand(st.reshapeP, (p, x) => ({ ...p, new_sizes: [x.shape[0]!, ...p.new_sizes] }));
oneOperand(st.transposeP, (p) => ({ ...p, permutation: [0, ...plus1(p.permutation)] }));
oneOperand(st.squeezeP, (p) => ({ ...p, dimensions: plus1(p.dimensions) }));
oneOperand(st.revP, (p) => ({ ...p, dimensions: plus1(p.dimensions) }));
oneOperand(st.sliceP, (p, x) => ({
  start_indices: [0, ...p.start_indices],
  limit_indices: [x.shape[0]!, ...p.limit_indices],
  strides: p.strides ? [1, ...p.strides] : null,
}));
for (const p of [
  red.reduceSumP,
  red.reduceProdP,
  red.reduceMaxP,
  red.reduceMinP,
  red.reduceAndP,
  red.reduceOrP,
])
  oneOperand(p, (params) => ({ ...params, axes: plus1(params.axes) }));
for (const p of [red.argmaxP, red.argminP])
  oneOperand(p, (params) => ({ ...params, axes: [params.axes[0] + 1] as [number] }));
for (const p of [red.cumsumP, red.cumprodP, red.cummaxP, red.cumminP, red.cumlogsumexpP])
  oneOperand(p, (params) => ({ ...params, axis: params.axis + 1 }));

// pad(x, v): v must stay a scalar; a batched padding value goes through the fallback loop.
defBatch(st.padP, ([x, v], [dx, dv], params) => {
  if (dv !== null) return null;
  const front = moveToFront(x!, dx!, x!.shape[dx!]!);
  return [
    bind(st.padP, [front, v!], { padding_config: [[0, 0, 0], ...params.padding_config] }),
    [0],
  ];
});
defBatch(st.concatenateP, (args, dims, { dimension }) => {
  const n = batchSize(args, dims);
  return [
    [
      st.concatenate(
        args.map((a, i) => moveToFront(a, dims[i]!, n)),
        dimension + 1,
      ),
    ],
    [0],
  ];
});
defBatch(so.sortP, (args, dims, params) => {
  const n = batchSize(args, dims);
  return [
    bind(
      so.sortP,
      args.map((a, i) => moveToFront(a, dims[i]!, n)),
      { ...params, dimension: params.dimension + 1 },
    ),
    args.map(() => 0),
  ];
});
// dot_general: a batch on both sides becomes a new leading batch dimension; on one side, a free one.
defBatch(ln.dotGeneralP, ([a, b], [da, db], params) => {
  const [[lc, rc], [lb, rb]] = params.dimension_numbers;
  const n = batchSize([a!, b!], [da!, db!]);
  const shift = (xs: number[]) => plus1(xs);
  if (da !== null && db !== null) {
    const dn: ln.DotDimensionNumbers = [
      [shift(lc), shift(rc)],
      [
        [0, ...shift(lb)],
        [0, ...shift(rb)],
      ],
    ];
    return [
      [
        bind(ln.dotGeneralP, [moveToFront(a!, da, n), moveToFront(b!, db, n)], {
          ...params,
          dimension_numbers: dn,
        })[0]!,
      ],
      [0],
    ];
  }
  if (da !== null) {
    const dn: ln.DotDimensionNumbers = [
      [shift(lc), rc],
      [shift(lb), rb],
    ];
    // The new lhs free dimension (0) comes first among lhs free dims, right after the batch dims.
    return [
      [
        bind(ln.dotGeneralP, [moveToFront(a!, da, n), b!], {
          ...params,
          dimension_numbers: dn,
        })[0]!,
      ],
      [lb.length],
    ];
  }
  const dn: ln.DotDimensionNumbers = [
    [lc, shift(rc)],
    [lb, shift(rb)],
  ];
  const lhsFree = a!.ndim - lc.length - lb.length;
  return [
    [bind(ln.dotGeneralP, [a!, moveToFront(b!, db!, n)], { ...params, dimension_numbers: dn })[0]!],
    [lb.length + lhsFree],
  ];
});

const batchOrigin = () => cachedScalar(0, "int32", false);
// With unbatched start indices, the batch axis is sliced whole (start 0, full size); batched
// starts fall back to the per-member loop.
defBatch(st.dynamicSliceP, ([x, ...starts], [dx, ...dstarts], { slice_sizes }) => {
  if (dstarts.some((d) => d !== null)) return null;
  const n = x!.shape[dx!]!;
  const out = bind(st.dynamicSliceP, [moveToFront(x!, dx!, n), batchOrigin(), ...starts], {
    slice_sizes: [n, ...slice_sizes],
  });
  return [out, [0]];
});
defBatch(st.dynamicUpdateSliceP, ([x, update, ...starts], [dx, du, ...dstarts]) => {
  if (dstarts.some((d) => d !== null)) return null;
  const n = batchSize([x!, update!], [dx!, du!]);
  const out = bind(
    st.dynamicUpdateSliceP,
    [moveToFront(x!, dx!, n), moveToFront(update!, du!, n), batchOrigin(), ...starts],
    {},
  );
  return [out, [0]];
});
