/**
 * Forward-mode (jvp) rules of the lax primitives. They live in one module, after all families,
 * because a rule is written with the lax functions of other families (a rule for exp uses mul).
 * Each rule starts with the identity it implements.
 */
import type { JaxArray } from "../core/array.js";
import { cachedScalar } from "../core/constants.js";
import { isFloating } from "../core/dtype.js";
import { bind, bind1, defJvp, type Primitive } from "../core/primitive.js";
import * as el from "./elementwise.js";
import * as g from "./gather.js";
import * as ln from "./linalg.js";
import * as red from "./reduction.js";
import * as so from "./sorting.js";
import * as st from "./structural.js";
import { threefry2x32P } from "./threefry.js";

/** Zeros of an abstract value's shape and dtype. */
export function zerosOfAval(aval: {
  shape: readonly number[];
  dtype: JaxArray["dtype"];
}): JaxArray {
  const zero = cachedScalar(aval.dtype === "bool" ? false : 0, aval.dtype, false);
  return st.broadcastInDim(zero, aval.shape, []);
}
/** A zero tangent of x's shape and dtype. */
export function zerosLike(x: JaxArray): JaxArray {
  return zerosOfAval(x.aval);
}
const full = (x: JaxArray, v: number) =>
  st.broadcastInDim(cachedScalar(v, x.dtype, false), x.shape, []);

type Unary = Primitive<object>;
/** d f(x) = f'(x) dx, with f' given in terms of x and y = f(x). */
function unaryJvp(prim: Unary, derivative: (x: JaxArray, y: JaxArray) => JaxArray): void {
  defJvp(prim, ([x], [t]) => {
    const y = bind1(prim, [x!], {});
    return [[y], [el.mul(t!, derivative(x!, y))]];
  });
}
/** Linear primitives: the tangent goes through the same primitive (non-differentiable args stay primal). */
function linearJvp<P extends object>(
  prim: Primitive<P>,
  differentiable: (i: number) => boolean = () => true,
): void {
  defJvp(prim, (primals, tangents, params) => {
    const outs = bind(prim, primals, params);
    const tangentOuts = bind(
      prim,
      primals.map((p, i) => (differentiable(i) ? tangents[i]! : p)),
      params,
    );
    return [outs, tangentOuts];
  });
}
/** Outputs that do not vary (comparisons, integer results, rounding). */
function zeroJvp<P extends object>(prim: Primitive<P>): void {
  defJvp(prim, (primals, _tangents, params) => {
    const outs = bind(prim, primals, params);
    return [outs, outs.map(zerosLike)];
  });
}

// --- elementwise ---------------------------------------------------------------------------
linearJvp(el.negP);
for (const p of [
  el.signP,
  el.floorP,
  el.ceilP,
  el.isFiniteP,
  el.notP,
  el.populationCountP,
  el.nextafterP,
])
  zeroJvp(p);
zeroJvp(el.roundP);
for (const p of [
  el.andP,
  el.orP,
  el.xorP,
  el.shiftLeftP,
  el.shiftRightLogicalP,
  el.shiftRightArithmeticP,
])
  zeroJvp(p);
for (const p of [el.eqP, el.neP, el.ltP, el.leP, el.gtP, el.geP]) zeroJvp(p);
zeroJvp(st.bitcastConvertTypeP);
zeroJvp(threefry2x32P);
// d exp(x) = exp(x) dx
unaryJvp(el.expP, (_x, y) => y);
// d 2^x = 2^x ln2 dx
unaryJvp(el.exp2P, (_x, y) => el.mul(y, Math.LN2));
// d log(x) = dx / x
unaryJvp(el.logP, (x) => el.div(full(x, 1), x));
// d expm1(x) = (expm1(x) + 1) dx
unaryJvp(el.expm1P, (_x, y) => el.add(y, 1));
// d log1p(x) = dx / (1 + x)
unaryJvp(el.log1pP, (x) => el.div(full(x, 1), el.add(x, 1)));
// d tanh(x) = (1 - tanh(x)^2) dx
unaryJvp(el.tanhP, (_x, y) => el.sub(full(y, 1), el.mul(y, y)));
// d logistic(x) = logistic(x) (1 - logistic(x)) dx
unaryJvp(el.logisticP, (_x, y) => el.mul(y, el.sub(full(y, 1), y)));
// d sin(x) = cos(x) dx ; d cos(x) = -sin(x) dx ; d tan(x) = (1 + tan(x)^2) dx
unaryJvp(el.sinP, (x) => el.cos(x));
unaryJvp(el.cosP, (x) => el.neg(el.sin(x)));
unaryJvp(el.tanP, (_x, y) => el.add(el.mul(y, y), 1));
// d asin(x) = dx / sqrt(1 - x^2) ; d acos(x) = -dx / sqrt(1 - x^2) ; d atan(x) = dx / (1 + x^2)
unaryJvp(el.asinP, (x) => el.rsqrt(el.sub(full(x, 1), el.mul(x, x))));
unaryJvp(el.acosP, (x) => el.neg(el.rsqrt(el.sub(full(x, 1), el.mul(x, x)))));
unaryJvp(el.atanP, (x) => el.div(full(x, 1), el.add(el.mul(x, x), 1)));
// d sinh(x) = cosh(x) dx ; d cosh(x) = sinh(x) dx
unaryJvp(el.sinhP, (x) => el.cosh(x));
unaryJvp(el.coshP, (x) => el.sinh(x));
// d asinh(x) = dx / sqrt(x^2 + 1) ; d acosh(x) = dx / sqrt(x^2 - 1) ; d atanh(x) = dx / (1 - x^2)
unaryJvp(el.asinhP, (x) => el.rsqrt(el.add(el.mul(x, x), 1)));
unaryJvp(el.acoshP, (x) => el.rsqrt(el.sub(el.mul(x, x), 1)));
unaryJvp(el.atanhP, (x) => el.div(full(x, 1), el.sub(full(x, 1), el.mul(x, x))));
// d sqrt(x) = dx / (2 sqrt(x)) ; d rsqrt(x) = -rsqrt(x) / (2x) dx ; d cbrt(x) = cbrt(x) / (3x) dx
unaryJvp(el.sqrtP, (_x, y) => el.div(full(y, 0.5), y));
unaryJvp(el.rsqrtP, (x, y) => el.div(el.mul(y, -0.5), x));
unaryJvp(el.cbrtP, (x, y) => el.div(y, el.mul(x, 3)));
// d |x| = sign(x) dx
unaryJvp(el.absP, (x) => el.sign(x));
// d erf(x) = 2/sqrt(pi) exp(-x^2) dx ; d erfc(x) = -2/sqrt(pi) exp(-x^2) dx
unaryJvp(el.erfP, (x) => el.mul(el.exp(el.neg(el.mul(x, x))), 2 / Math.sqrt(Math.PI)));
unaryJvp(el.erfcP, (x) => el.mul(el.exp(el.neg(el.mul(x, x))), -2 / Math.sqrt(Math.PI)));
// d erf_inv(x) = sqrt(pi)/2 exp(erf_inv(x)^2) dx
unaryJvp(el.erfInvP, (_x, y) => el.mul(el.exp(el.mul(y, y)), Math.sqrt(Math.PI) / 2));
// d lgamma(x) = digamma(x) dx
unaryJvp(el.lgammaP, (x) => el.digamma(x));
// d x^2 = 2x dx
unaryJvp(el.squareP, (x) => el.mul(x, 2));
// d x^n = n x^(n-1) dx
defJvp(el.integerPowP, ([x], [t], { y }) => {
  const out = el.integerPow(x!, y);
  const slope =
    y === 0 ? zerosLike(x!) : el.mul(y === 1 ? full(x!, 1) : el.integerPow(x!, y - 1), y);
  return [[out], [el.mul(t!, slope)]];
});

// d (x + y) = dx + dy ; d (x - y) = dx - dy
defJvp(el.addP, ([x, y], [a, b]) => [[el.add(x!, y!)], [el.add(a!, b!)]]);
defJvp(el.subP, ([x, y], [a, b]) => [[el.sub(x!, y!)], [el.sub(a!, b!)]]);
// d (x y) = dx y + x dy
defJvp(el.mulP, ([x, y], [a, b]) => [[el.mul(x!, y!)], [el.add(el.mul(a!, y!), el.mul(x!, b!))]]);
// d (x / y) = dx / y - x dy / y^2
defJvp(el.divP, ([x, y], [a, b]) => {
  const out = el.div(x!, y!);
  return [[out], [el.sub(el.div(a!, y!), el.mul(b!, el.div(out, y!)))]];
});
// d rem(x, y) = dx - trunc(x / y) dy
defJvp(el.remP, ([x, y], [a, b]) => {
  const q = el.div(x!, y!);
  const trunc = st.select(el.lt(q, 0), el.ceil(q), el.floor(q));
  return [[el.rem(x!, y!)], [el.sub(a!, el.mul(b!, trunc))]];
});
// d x^y = y x^(y-1) dx + log(x) x^y dy  (the dy term is 0 where x = 0, as JAX)
defJvp(el.powP, ([x, y], [a, b]) => {
  const out = el.pow(x!, y!);
  const dx = el.mul(y!, el.pow(x!, el.sub(y!, 1)));
  const safeLog = el.log(st.select(el.eq(x!, 0), full(x!, 1), x!));
  return [[out], [el.add(el.mul(a!, dx), el.mul(b!, el.mul(safeLog, out)))]];
});
// d max(x, y) takes the tangent of the larger input, half of each at ties (as JAX)
function minMaxJvp(prim: Primitive<object>, pick: (x: JaxArray, y: JaxArray) => JaxArray): void {
  defJvp(prim, ([x, y], [a, b]) => {
    const out = bind1(prim, [x!, y!], {});
    // lax broadcasts rank-0 operands; select needs full shapes.
    const full = (v: JaxArray) => (v.ndim === out.ndim ? v : st.broadcastInDim(v, out.shape, []));
    const tie = el.eq(x!, y!);
    const half = el.mul(el.add(a!, b!), 0.5);
    return [
      [out],
      [st.select(full(tie), full(half), st.select(full(pick(x!, y!)), full(a!), full(b!)))],
    ];
  });
}
minMaxJvp(el.maxP, el.gt);
minMaxJvp(el.minP, el.lt);
// d atan2(x, y) = (y dx - x dy) / (x^2 + y^2)
defJvp(el.atan2P, ([x, y], [a, b]) => {
  const denom = el.add(el.mul(x!, x!), el.mul(y!, y!));
  return [[el.atan2(x!, y!)], [el.div(el.sub(el.mul(a!, y!), el.mul(b!, x!)), denom)]];
});

// --- structural ----------------------------------------------------------------------------
// Converting between float dtypes is linear; to integers or bool the output does not vary.
defJvp(st.convertElementTypeP, ([x], [t], params) => {
  const out = bind1(st.convertElementTypeP, [x!], params);
  const linear = isFloating(x!.dtype) && isFloating(params.new_dtype);
  return [[out], [linear ? bind1(st.convertElementTypeP, [t!], params) : zerosLike(out)]];
});
for (const p of [
  st.broadcastInDimP,
  st.reshapeP,
  st.transposeP,
  st.squeezeP,
  st.revP,
  st.sliceP,
  st.concatenateP,
  st.padP,
  st.copyP,
])
  linearJvp(p as Primitive<object>);
// Index operands of dynamic slicing are not differentiated.
linearJvp(st.dynamicSliceP as Primitive<object>, (i) => i === 0);
linearJvp(st.dynamicUpdateSliceP, (i) => i < 2);
// d select_n(p, *cases) = select_n(p, *dcases)
defJvp(st.selectNP, ([which, ...cases], [, ...tangents]) => [
  [bind1(st.selectNP, [which!, ...cases], {})],
  [bind1(st.selectNP, [which!, ...tangents], {})],
]);
// d clamp(lo, x, hi) = dlo below lo, dhi above hi, dx between
defJvp(st.clampP, ([lo, x, hi], [tlo, tx, thi]) => {
  const out = bind1(st.clampP, [lo!, x!, hi!], {});
  const bx = (v: JaxArray) => (v.ndim === x!.ndim ? v : st.broadcastInDim(v, x!.shape, []));
  const below = el.lt(x!, bx(lo!));
  const above = el.gt(x!, bx(hi!));
  return [[out], [st.select(below, bx(tlo!), st.select(above, bx(thi!), tx!))]];
});
// d stop_gradient(x) = 0
defJvp(st.stopGradientP, ([x], [t]) => [[st.stopGradient(x!)], [zerosLike(t!)]]);
defJvp(st.iotaP, (_p, _t, params) => {
  const out = bind1(st.iotaP, [], params);
  return [[out], [zerosLike(out)]];
});

// --- reductions ------------------------------------------------------------------------------
linearJvp(red.reduceSumP as Primitive<object>);
linearJvp(red.cumsumP as Primitive<object>);
for (const p of [red.reduceAndP, red.reduceOrP, red.argmaxP, red.argminP])
  zeroJvp(p as Primitive<object>);
// d max(x) = mean of dx over the positions attaining the max (as JAX's location-based rule)
function extremumJvp(prim: Primitive<red.ReduceParams>): void {
  defJvp(prim, ([x], [t], params) => {
    const out = bind1(prim, [x!], params);
    const kept = x!.shape.map((_, i) => i).filter((i) => !params.axes.includes(i));
    const back = st.broadcastInDim(out, x!.shape, kept);
    const hit = st.convertElementType(el.eq(x!, back), x!.dtype);
    const count = bind1(red.reduceSumP, [hit], params);
    return [[out], [el.div(bind1(red.reduceSumP, [el.mul(t!, hit)], params), count)]];
  });
}
extremumJvp(red.reduceMaxP);
extremumJvp(red.reduceMinP);

// --- contractions, gathers, sorting ------------------------------------------------------------
// d (A . B) = dA . B + A . dB
defJvp(ln.dotGeneralP, ([a, b], [ta, tb], params) => [
  [bind1(ln.dotGeneralP, [a!, b!], params)],
  [el.add(bind1(ln.dotGeneralP, [ta!, b!], params), bind1(ln.dotGeneralP, [a!, tb!], params))],
]);
linearJvp(g.gatherP as Primitive<object>, (i) => i === 0);
linearJvp(g.scatterAddP as Primitive<object>, (i) => i !== 1);
// d scatter(x, i, u) = scatter(dx, i, du): the updated positions take the update's tangent.
linearJvp(g.scatterP as Primitive<object>, (i) => i !== 1);
// Sorting permutes the tangents like the primals: sort an iota along to get the permutation,
// then gather (linear in the tangents, which keeps reverse mode possible).
defJvp(so.sortP, (primals, tangents, params) => {
  const d = params.dimension;
  const shape = primals[0]!.shape;
  const iota = st.broadcastedIota("int32", shape, d);
  const outs = bind(so.sortP, [...primals, iota], params);
  const perm = outs[outs.length - 1]!;
  return [outs.slice(0, -1), tangents.map((t) => takeAlong(t, perm, d))];
});

/** t[..., perm[...], ...] along dimension d, as one flat gather. */
function takeAlong(t: JaxArray, perm: JaxArray, d: number): JaxArray {
  const order = [...t.shape.map((_, i) => i).filter((i) => i !== d), d];
  const moved = st.transpose(t, order);
  const n = t.shape[d]!;
  const rows = t.size / Math.max(n, 1);
  const rowStart = el.mul(st.broadcastedIota("int32", [rows, n], 0), n);
  const flatIdx = el.add(st.reshape(st.transpose(perm, order), [rows, n]), rowStart);
  const picked = g.gather(
    st.reshape(moved, [t.size]),
    st.reshape(flatIdx, [t.size, 1]),
    { offset_dims: [], collapsed_slice_dims: [0], start_index_map: [0] },
    [1],
    { mode: "clip" },
  );
  const back = order.map((_, i) => order.indexOf(i));
  return st.transpose(st.reshape(picked, moved.shape), back);
}

// --- products and cumulative reductions ----------------------------------------------------------
/** y shifted by s along axis (towards the end, or the start when reverse), filled with fill. */
function shifted(y: JaxArray, s: number, axis: number, fill: number, reverse: boolean): JaxArray {
  const n = y.shape[axis]!;
  const config = y.shape.map((_, i) =>
    i === axis
      ? ((reverse ? [0, s, 0] : [s, 0, 0]) as [number, number, number])
      : ([0, 0, 0] as [number, number, number]),
  );
  const padded = st.pad(y, cachedScalar(fill, y.dtype, false), config);
  const start = y.shape.map((_, i) => (i === axis && reverse ? s : 0));
  const limit = y.shape.map((d, i) => (i === axis ? (reverse ? n + s : n) : d));
  return st.slice(padded, start, limit);
}

type Combine = (y: JaxArray, ys: JaxArray, dy: JaxArray, dys: JaxArray) => [JaxArray, JaxArray];
/**
 * A cumulative reduction with its tangent as a Hillis-Steele prefix scan (log2 n doubling
 * steps), each step differentiated by the chain rule: exact even where the running value is
 * zero (products) or tied (max/min), where dividing out or masking would fail.
 */
function prefixScanJvp(
  prim: Primitive<red.CumulativeParams>,
  fill: number,
  combine: Combine,
): void {
  defJvp(prim, ([x], [t], params) => {
    const out = bind1(prim, [x!], params);
    const n = x!.shape[params.axis]!;
    let y = x!;
    let dy = t!;
    for (let s = 1; s < n; s *= 2) {
      const ys = shifted(y, s, params.axis, fill, params.reverse);
      const dys = shifted(dy, s, params.axis, 0, params.reverse);
      [y, dy] = combine(y, ys, dy, dys);
    }
    return [[out], [dy]];
  });
}
// d (y * ys) = dy * ys + y * dys
prefixScanJvp(red.cumprodP, 1, (y, ys, dy, dys) => [
  el.mul(y, ys),
  el.add(el.mul(dy, ys), el.mul(y, dys)),
]);
// d max(y, ys) = dy where y wins (ties keep the later element, as the forward scan does), else dys
prefixScanJvp(red.cummaxP, -Infinity, (y, ys, dy, dys) => {
  const keep = el.ge(y, ys);
  return [st.select(keep, y, ys), st.select(keep, dy, dys)];
});
prefixScanJvp(red.cumminP, Infinity, (y, ys, dy, dys) => {
  const keep = el.le(y, ys);
  return [st.select(keep, y, ys), st.select(keep, dy, dys)];
});
// d logaddexp(y, ys) = dy e^(y - z) + dys e^(ys - z), z = logaddexp(y, ys); -inf terms weigh 0
prefixScanJvp(red.cumlogsumexpP, -Infinity, (y, ys, dy, dys) => {
  const z = el.max(y, ys);
  const finite = el.isFinite(z);
  const safeZ = st.select(finite, z, zerosLike(z));
  const ey = el.exp(el.sub(y, safeZ));
  const eys = el.exp(el.sub(ys, safeZ));
  const sum = el.add(ey, eys);
  const out = st.select(finite, el.add(safeZ, el.log(sum)), z);
  const tangent = el.div(el.add(el.mul(dy, ey), el.mul(dys, eys)), sum);
  return [out, st.select(finite, tangent, zerosLike(tangent))];
});

// d prod(x) = sum_j dx_j prod_{k != j} x_k, with the products of the others taken as
// exclusive prefix times exclusive suffix products (no division, so zeros are fine).
defJvp(red.reduceProdP, ([x], [t], params) => {
  const out = bind1(red.reduceProdP, [x!], params);
  const kept = x!.shape.map((_, i) => i).filter((i) => !params.axes.includes(i));
  const order = [...kept, ...params.axes];
  const n = params.axes.reduce((acc, a) => acc * x!.shape[a]!, 1);
  const rows = kept.map((i) => x!.shape[i]!);
  const flat = (v: JaxArray) => st.reshape(st.transpose(v, order), [...rows, n]);
  const xf = flat(x!);
  const axis = rows.length;
  const before = shifted(bind1(red.cumprodP, [xf], { axis, reverse: false }), 1, axis, 1, false);
  const after = shifted(bind1(red.cumprodP, [xf], { axis, reverse: true }), 1, axis, 1, true);
  const others = el.mul(before, after);
  const tangent = bind1(red.reduceSumP, [el.mul(flat(t!), others)], { ...params, axes: [axis] });
  return [[out], [st.reshape(tangent, out.shape)]];
});
