/** Shape-changing and data-movement lax primitives. */
import * as tf from "@tensorflow/tfjs-core";
import type { EagerArray, JaxArray } from "../core/array.js";
import type { ShapedArray } from "../core/aval.js";
import { cachedScalar, constantValue } from "../core/constants.js";
import { type DType, isFloating, storageDtype } from "../core/dtype.js";
import { TypeError_, ValueError } from "../core/errors.js";
import { bind1, Primitive, registerRules } from "../core/primitive.js";
import { fmtShape, prod, stridesOf } from "../core/shape.js";
import { aval, boolSafe, checkSameDtypes, liftScalars, type Operand, T, where } from "./common.js";
import { dynamicWindow } from "./gather.js";
import {
  bitcastFloatToInt,
  broadcastExact,
  concatExact,
  gatherFlat,
  needsExactWords,
  runIntKernel,
  selectWords,
  stridedWords,
  transposeExact,
} from "./kernels.js";

const fail = (msg: string): never => {
  throw new TypeError_(msg);
};

// --- convert_element_type -------------------------------------------------------------------
export interface ConvertParams {
  new_dtype: DType;
  weak_type: boolean;
  sharding: null;
}
export const convertElementTypeP = new Primitive<ConvertParams>("convert_element_type");
registerRules(convertElementTypeP, {
  abstractEval: ([x], p) => [aval(x!.shape, p.new_dtype, p.weak_type)],
  impl: ([x], p) => [convertTensor(T(x!), x!.dtype, p.new_dtype)],
});

const TWO_32 = 4294967296;
const trunc = (x: tf.Tensor) => tf.mul(tf.sign(x), tf.floor(tf.abs(x)));
export function convertTensor(x: tf.Tensor, from: DType, to: DType): tf.Tensor {
  if (from === to || (storageDtype(from) === storageDtype(to) && from !== "bool")) return x;
  if (to === "bool") return tf.notEqual(x, tf.scalar(0, x.dtype));
  if (from === "uint32") {
    const f = tf.cast(x, "float32");
    return convertTensor(tf.where(tf.less(x, 0), tf.add(f, TWO_32), f), "float32", to);
  }
  if (to === "uint32" && isFloating(from)) {
    const t = trunc(x);
    return tf.cast(tf.where(tf.greaterEqual(t, 2147483648), tf.sub(t, TWO_32), t), "int32");
  }
  if (storageDtype(to) === "int32" && isFloating(from)) return tf.cast(trunc(x), "int32");
  return tf.cast(x, storageDtype(to));
}

function hostConvert(v: number | boolean, dtype: DType): number | boolean {
  if (dtype === "bool") return Boolean(v);
  const n = Number(v);
  return dtype === "float32" ? Math.fround(n) : Math.trunc(n) | 0;
}

// --- bitcast_convert_type ------------------------------------------------------------------
export interface BitcastParams {
  new_dtype: DType;
}
export const bitcastConvertTypeP = new Primitive<BitcastParams>("bitcast_convert_type");
registerRules(bitcastConvertTypeP, {
  abstractEval: ([x], p) => {
    if (x!.dtype === "bool" || p.new_dtype === "bool")
      throw new TypeError_(
        `bitcast_convert_type: bool has no 32-bit representation (from ${x!.dtype} to ${p.new_dtype}); use convert_element_type`,
      );
    return [aval(x!.shape, p.new_dtype)];
  },
  impl: ([x], p) => {
    const from = storageDtype(x!.dtype);
    const to = storageDtype(p.new_dtype);
    if (from === to) return [T(x!)];
    return [
      to === "float32" ? runIntKernel("TfjaxBitcastToFloat", T(x!)) : bitcastFloatToInt(T(x!)),
    ];
  },
});
/** lax.bitcast_convert_type between the 32-bit dtypes: the same bits read as `newDtype`. */
export function bitcastConvertType(x: JaxArray, newDtype: DType): JaxArray {
  return bind1(bitcastConvertTypeP, [x], { new_dtype: newDtype });
}

// --- broadcast_in_dim ---------------------------------------------------------------------
export interface BroadcastInDimParams {
  shape: number[];
  broadcast_dimensions: number[];
  sharding: null;
}
export const broadcastInDimP = new Primitive<BroadcastInDimParams>("broadcast_in_dim");
registerRules(broadcastInDimP, {
  abstractEval: ([x], { shape, broadcast_dimensions: dims }) => {
    if (dims.length !== x!.ndim)
      fail(
        `broadcast_in_dim: broadcast_dimensions ${fmtShape(dims)} must have one entry per operand dimension ${fmtShape(x!.shape)}`,
      );
    dims.forEach((d, i) => {
      const n = x!.shape[i]!;
      if (
        !(d >= 0 && d < shape.length) ||
        (n !== 1 && n !== shape[d]) ||
        (i > 0 && d <= dims[i - 1]!)
      )
        fail(
          `broadcast_in_dim: operand shape ${fmtShape(x!.shape)} cannot be broadcast to ${fmtShape(shape)} with broadcast_dimensions ${fmtShape(dims)}`,
        );
    });
    return [aval(shape, x!.dtype, x!.weakType)];
  },
  impl: ([x], { shape, broadcast_dimensions: dims }) => {
    const expanded = shape.map((_, i) => (dims.includes(i) ? x!.shape[dims.indexOf(i)]! : 1));
    return [broadcastExact(tf.reshape(T(x!), expanded), shape)];
  },
});

// --- reshape, transpose, squeeze, rev -------------------------------------------------------
export const reshapeP = new Primitive<{ new_sizes: number[]; dimensions: null; sharding: null }>(
  "reshape",
);
registerRules(reshapeP, {
  abstractEval: ([x], { new_sizes }) => {
    if (prod(new_sizes) !== x!.size)
      throw new TypeError_(
        `reshape: cannot reshape array of shape ${fmtShape(x!.shape)} (size ${x!.size}) into shape ${fmtShape(new_sizes)} (size ${prod(new_sizes)})`,
      );
    return [aval(new_sizes, x!.dtype, x!.weakType)];
  },
  impl: ([x], { new_sizes }) => [tf.reshape(T(x!), new_sizes)],
});

export const transposeP = new Primitive<{ permutation: number[] }>("transpose");
registerRules(transposeP, {
  abstractEval: ([x], { permutation }) => {
    const sorted = [...permutation].sort((a, b) => a - b);
    if (permutation.length !== x!.ndim || sorted.some((p, i) => p !== i))
      fail(
        `transpose: permutation ${fmtShape(permutation)} is not a permutation of the axes of an array of shape ${fmtShape(x!.shape)}`,
      );
    return [
      aval(
        permutation.map((p) => x!.shape[p]!),
        x!.dtype,
        x!.weakType,
      ),
    ];
  },
  impl: ([x], { permutation }) => [transposeExact(T(x!), permutation)],
});

export const squeezeP = new Primitive<{ dimensions: number[] }>("squeeze");
registerRules(squeezeP, {
  abstractEval: ([x], { dimensions }) => {
    for (const d of dimensions)
      if (x!.shape[d] !== 1)
        fail(
          `squeeze: cannot select an axis to squeeze out which has size not equal to one, got shape=${fmtShape(x!.shape)} and dimensions=${fmtShape(dimensions)}`,
        );
    return [
      aval(
        x!.shape.filter((_, i) => !dimensions.includes(i)),
        x!.dtype,
        x!.weakType,
      ),
    ];
  },
  impl: ([x], { dimensions }) => [
    tf.reshape(
      T(x!),
      x!.shape.filter((_, i) => !dimensions.includes(i)),
    ),
  ],
});

export const revP = new Primitive<{ dimensions: number[] }>("rev");
registerRules(revP, {
  abstractEval: ([x]) => [aval(x!.shape, x!.dtype, x!.weakType)],
  impl: ([x], { dimensions }) => [dimensions.length ? reverseExact(T(x!), dimensions) : T(x!)],
});

// --- slicing --------------------------------------------------------------------------------
export interface SliceParams {
  start_indices: number[];
  limit_indices: number[];
  strides: number[] | null;
}
export const sliceP = new Primitive<SliceParams>("slice");
registerRules(sliceP, {
  abstractEval: ([x], { start_indices: start, limit_indices: limit, strides }) => {
    const shape = x!.shape.map((n, i) => {
      const s = start[i]!;
      const l = limit[i]!;
      const st = strides?.[i] ?? 1;
      if (!(s >= 0 && s <= l && l <= n && st >= 1))
        fail(
          `slice: start_indices ${fmtShape(start)}, limit_indices ${fmtShape(limit)} and strides do not fit operand shape ${fmtShape(x!.shape)}`,
        );
      return Math.ceil((l - s) / st);
    });
    return [aval(shape, x!.dtype, x!.weakType)];
  },
  impl: ([x], { start_indices: start, limit_indices: limit, strides }) => {
    if (x!.size === 0 || limit.some((l, i) => l === start[i]))
      return [
        tf.zeros(
          x!.shape.map((_, i) => Math.ceil((limit[i]! - start[i]!) / (strides?.[i] ?? 1))),
          T(x!).dtype,
        ),
      ];
    if (needsExactWords(T(x!))) return [sliceWords(T(x!), start, limit, strides)];
    const window = tf.slice(
      T(x!),
      start,
      limit.map((l, i) => l - start[i]!),
    );
    return [strides ? takeEvery(window, strides) : window];
  },
});

function checkStartIndices(name: string, operand: ShapedArray, starts: ShapedArray[]): void {
  if (starts.length !== operand.ndim)
    fail(
      `${name}: expected ${operand.ndim} start indices for operand of shape ${fmtShape(operand.shape)}, got ${starts.length}`,
    );
  for (const s of starts)
    if (s.ndim !== 0 || s.dtype === "float32" || s.dtype === "bool")
      fail(`${name}: start indices must be integer scalars, got ${s.strShort()}`);
}

export const dynamicSliceP = new Primitive<{ slice_sizes: number[] }>("dynamic_slice");
registerRules(dynamicSliceP, {
  abstractEval: ([x, ...starts], { slice_sizes }) => {
    checkStartIndices("dynamic_slice", x!, starts);
    slice_sizes.forEach((s, i) => {
      if (s < 0 || s > x!.shape[i]!)
        fail(
          `dynamic_slice: slice_sizes ${fmtShape(slice_sizes)} must fit operand shape ${fmtShape(x!.shape)}`,
        );
    });
    return [aval(slice_sizes, x!.dtype, x!.weakType)];
  },
  // Window positions are computed on the device, so no backend reads the start indices back.
  impl: ([x, ...starts], { slice_sizes }) => {
    const positions = dynamicWindow(x!.shape, starts.map(T), slice_sizes);
    return [tf.reshape(gatherFlat(tf.reshape(T(x!), [-1]), positions), slice_sizes)];
  },
});

export const dynamicUpdateSliceP = new Primitive<object>("dynamic_update_slice");
registerRules(dynamicUpdateSliceP, {
  abstractEval: ([x, update, ...starts]) => {
    checkSameDtypes("dynamic_update_slice", [x!, update!]);
    checkStartIndices("dynamic_update_slice", x!, starts);
    if (update!.ndim !== x!.ndim || update!.shape.some((d, i) => d > x!.shape[i]!))
      fail(
        `dynamic_update_slice: update shape ${fmtShape(update!.shape)} must fit operand shape ${fmtShape(x!.shape)}`,
      );
    return [aval(x!.shape, x!.dtype, x!.weakType)];
  },
  impl: ([x, update, ...starts]) => {
    const window = dynamicWindow(x!.shape, starts.map(T), update!.shape);
    if (needsExactWords(T(x!))) return [updateWords(T(x!), T(update!), window)];
    const positions = tf.reshape(window, [-1, 1]);
    // tf.js's cpu tensorScatterUpdate writes into its input's buffer, which a reshape shares
    // with x: scatter into a fresh copy (a concat) so the operand is never modified.
    const flat = boolSafe(T(x!), (t) =>
      tf.tensorScatterUpdate(
        tf.concat([tf.reshape(t, [-1]), tf.zeros([1], t.dtype)]),
        positions,
        tf.reshape(t.dtype === T(update!).dtype ? T(update!) : tf.cast(T(update!), t.dtype), [-1]),
      ),
    );
    return [tf.reshape(tf.slice(flat, [0], [x!.size]), x!.shape)];
  },
});

export const concatenateP = new Primitive<{ dimension: number }>("concatenate");
registerRules(concatenateP, {
  abstractEval: (avals, { dimension }) => {
    if (avals.length === 0) fail("concatenate: need at least one array to concatenate");
    checkSameDtypes("concatenate", avals);
    const first = avals[0]!;
    for (const a of avals)
      if (a.ndim !== first.ndim || a.shape.some((d, i) => i !== dimension && d !== first.shape[i]))
        throw new TypeError_(
          `concatenate: all input array dimensions except the concatenation axis must match exactly, got shapes ${avals.map((b) => fmtShape(b.shape)).join(", ")} along dimension ${dimension}`,
        );
    const shape = first.shape.map((d, i) =>
      i === dimension ? avals.reduce((s, a) => s + a.shape[i]!, 0) : d,
    );
    return [
      aval(
        shape,
        first.dtype,
        avals.every((a) => a.weakType),
      ),
    ];
  },
  impl: (args, { dimension }) => [
    concatExact(
      args.filter((a) => a.size > 0 || args.every((b) => b.size === 0)).map(T),
      dimension,
    ),
  ],
});

// --- pad ------------------------------------------------------------------------------------
export const padP = new Primitive<{ padding_config: [number, number, number][] }>("pad");
registerRules(padP, {
  abstractEval: ([x, value], { padding_config }) => {
    checkSameDtypes("pad", [x!, value!]);
    if (value!.ndim !== 0)
      fail(`pad: padding_value must be a scalar, got shape ${fmtShape(value!.shape)}`);
    if (padding_config.length !== x!.ndim)
      fail(
        `pad: padding_config has ${padding_config.length} entries for an operand of rank ${x!.ndim}`,
      );
    const shape = x!.shape.map((n, i) => {
      const [lo, hi, interior] = padding_config[i]!;
      const size = lo + hi + n + Math.max(0, n - 1) * interior;
      if (interior < 0 || size < 0)
        fail(
          `pad: invalid padding_config ${JSON.stringify(padding_config)} for shape ${fmtShape(x!.shape)}`,
        );
      return size;
    });
    return [aval(shape, x!.dtype, x!.weakType)];
  },
  // Pads with zeros, then puts the padding value wherever no operand element landed, so the
  // value never has to be read back from the device.
  impl: ([x, value], { padding_config }, [out]) => {
    if (needsExactWords(T(x!))) return [padWords(T(x!), T(value!), padding_config, out!.shape)];
    const place = (t: tf.Tensor): tf.Tensor => {
      padding_config.forEach(([, , interior], axis) => {
        if (interior > 0 && t.shape[axis]! > 1) t = interiorPad(t, axis, interior, 0);
      });
      // Negative low/high padding crops.
      const begin = padding_config.map(([lo]) => Math.max(0, -lo));
      const size = t.shape.map((n, i) =>
        Math.max(0, n - begin[i]! - Math.max(0, -padding_config[i]![1])),
      );
      if (begin.some((b) => b > 0) || size.some((s, i) => s !== t.shape[i]))
        t = tf.slice(t, begin, size);
      return tf.pad(
        t,
        padding_config.map(([lo, hi]) => [Math.max(0, lo), Math.max(0, hi)] as [number, number]),
        0,
      );
    };
    const data = boolSafe(T(x!), place);
    const isData = tf.cast(place(tf.ones(x!.shape, "int32")), "bool");
    return [where(isData, data, tf.broadcastTo(T(value!), out!.shape as number[]))];
  },
});

/** tf.reverse for any dtype, moving int32/bool words exactly on webgpu. */
function reverseExact(t: tf.Tensor, dimensions: number[]): tf.Tensor {
  if (!needsExactWords(t)) return boolSafe(t, (u) => tf.reverse(u, dimensions));
  const strides = stridesOf(t.shape);
  const offset = dimensions.reduce((o, d) => o + (t.shape[d]! - 1) * strides[d]!, 0);
  return stridedWords(
    t,
    t.shape,
    strides.map((s, d) => (dimensions.includes(d) ? -s : s)),
    offset,
  );
}

/** A strided slice of int32/bool words, exact on webgpu. */
function sliceWords(
  t: tf.Tensor,
  start: number[],
  limit: number[],
  steps: number[] | null,
): tf.Tensor {
  const strides = stridesOf(t.shape);
  const step = (d: number) => steps?.[d] ?? 1;
  return stridedWords(
    t,
    start.map((s, d) => Math.ceil((limit[d]! - s) / step(d))),
    strides.map((s, d) => s * step(d)),
    start.reduce((o, s, d) => o + s * strides[d]!, 0),
  );
}

/**
 * x with the words at flat `positions` replaced by update's, exact on webgpu: an int32 map
 * (small values, exact through f32) tells each output element which update word it takes.
 */
function updateWords(x: tf.Tensor, update: tf.Tensor, positions: tf.Tensor): tf.Tensor {
  const m = positions.size;
  if (m === 0) return x;
  const source = tf.tensorScatterUpdate(
    tf.fill([x.size], m, "int32"),
    tf.reshape(positions, [-1, 1]),
    tf.range(0, m, 1, "int32"),
  );
  const fromUpdate = gatherFlat(
    tf.reshape(update, [-1]),
    tf.minimum(source, tf.scalar(m - 1, "int32")),
  );
  return tf.reshape(selectWords(tf.less(source, m), fromUpdate, tf.reshape(x, [-1])), x.shape);
}

/** lax.pad of int32/bool words, exact on webgpu: a gather from [x..., value] at host-built positions. */
function padWords(
  x: tf.Tensor,
  value: tf.Tensor,
  config: [number, number, number][],
  outShape: readonly number[],
): tf.Tensor {
  const outStrides = stridesOf([...outShape]);
  const positions = new Int32Array(prod([...outShape])).fill(x.size);
  const coords = x.shape.map(() => 0);
  for (let k = 0; k < x.size; k++) {
    let at = 0;
    const inside = coords.every((c, d) => {
      const [lo, , interior] = config[d]!;
      const o = lo + c * (1 + interior);
      at += o * outStrides[d]!;
      return o >= 0 && o < outShape[d]!;
    });
    if (inside) positions[at] = k;
    for (let d = coords.length - 1; d >= 0; d--) {
      if (++coords[d]! < x.shape[d]!) break;
      coords[d] = 0;
    }
  }
  const words = concatExact([tf.reshape(x, [-1]), tf.reshape(value, [1])], 0);
  return tf.reshape(gatherFlat(words, tf.tensor1d(positions, "int32")), [...outShape]);
}

/** Every stride-th element along each axis (tf.js's wasm stridedSlice mishandles int32 and bool). */
function takeEvery(t: tf.Tensor, strides: number[]): tf.Tensor {
  return strides.reduce((acc, s, axis) => {
    if (s === 1) return acc;
    const picks = Array.from({ length: Math.ceil(acc.shape[axis]! / s) }, (_, i) => i * s);
    return tf.gather(acc, tf.tensor1d(picks, "int32"), axis);
  }, t);
}

function interiorPad(t: tf.Tensor, axis: number, interior: number, fill: number): tf.Tensor {
  const n = t.shape[axis]!;
  const expanded = tf.expandDims(t, axis + 1);
  const paddings = expanded.shape.map(
    (_, i) => (i === axis + 1 ? [0, interior] : [0, 0]) as [number, number],
  );
  const spread = tf.reshape(
    tf.pad(expanded, paddings, fill),
    t.shape.map((d, i) => (i === axis ? d * (1 + interior) : d)),
  );
  return tf.slice(
    spread,
    t.shape.map(() => 0),
    t.shape.map((d, i) => (i === axis ? n + (n - 1) * interior : d)),
  );
}

// --- iota, select_n, clamp, copy -------------------------------------------------------------
export interface IotaParams {
  dtype: DType;
  shape: number[];
  dimension: number;
  sharding: null;
}
export const iotaP = new Primitive<IotaParams>("iota");
registerRules(iotaP, {
  abstractEval: (_, { dtype, shape }) => [aval(shape, dtype)],
  impl: (_, { dtype, shape, dimension }) => {
    const n = shape[dimension]!;
    const line = tf.range(
      0,
      n,
      1,
      storageDtype(dtype) === "bool" ? "int32" : (storageDtype(dtype) as "float32" | "int32"),
    );
    const dims = shape.map((_, i) => (i === dimension ? n : 1));
    return [tf.broadcastTo(tf.reshape(line, dims), shape)];
  },
});

export const selectNP = new Primitive<object>("select_n");
registerRules(selectNP, {
  abstractEval: ([which, ...cases]) => {
    if (cases.length === 0) fail("select_n: at least one case is required");
    checkSameDtypes("select_n", cases);
    if (which!.dtype !== "bool" && which!.dtype !== "int32")
      fail(`select_n: the predicate must be bool or int32, got ${which!.dtype}`);
    if (which!.dtype === "bool" && cases.length > 2)
      fail("select_n: a bool predicate selects between at most two cases");
    const shape = cases[0]!.shape;
    for (const c of cases)
      if (fmtShape(c.shape) !== fmtShape(shape))
        fail(
          `select_n: cases must have the same shapes, got ${cases.map((a) => fmtShape(a.shape)).join(", ")}`,
        );
    if (which!.ndim !== 0 && fmtShape(which!.shape) !== fmtShape(shape))
      fail(
        `select_n: the predicate shape ${fmtShape(which!.shape)} must be scalar or equal to the case shape ${fmtShape(shape)}`,
      );
    return [
      aval(
        shape,
        cases[0]!.dtype,
        cases.every((c) => c.weakType),
      ),
    ];
  },
  impl: ([which, ...cases]) => {
    const pred = T(which!);
    const shape = cases[0]!.shape;
    const full = (t: tf.Tensor) => (t.shape.length === shape.length ? t : tf.broadcastTo(t, shape));
    if (which!.dtype === "bool")
      return [cases.length === 1 ? T(cases[0]!) : where(full(pred), T(cases[1]!), T(cases[0]!))];
    let out = T(cases[cases.length - 1]!);
    for (let i = cases.length - 2; i >= 0; i--)
      out = where(full(tf.equal(pred, i)), T(cases[i]!), out);
    return [out];
  },
});

export const clampP = new Primitive<object>("clamp");
registerRules(clampP, {
  abstractEval: ([lo, x, hi]) => {
    checkSameDtypes("clamp", [lo!, x!, hi!]);
    for (const b of [lo!, hi!])
      if (b.ndim !== 0 && fmtShape(b.shape) !== fmtShape(x!.shape))
        fail(
          `clamp: bounds must be scalars or have the operand's shape ${fmtShape(x!.shape)}, got ${fmtShape(b.shape)}`,
        );
    return [aval(x!.shape, x!.dtype, x!.weakType)];
  },
  impl: ([lo, x, hi]) => {
    if (!needsExactWords(T(x!))) return [tf.minimum(tf.maximum(T(x!), T(lo!)), T(hi!))];
    const less = x!.dtype === "uint32" ? "TfjaxUintLess" : "TfjaxIntLess";
    const [low, high] = [broadcastExact(T(lo!), x!.shape), broadcastExact(T(hi!), x!.shape)];
    const raised = selectWords(runIntKernel(less, T(x!), low), low, T(x!));
    return [selectWords(runIntKernel(less, high, raised), high, raised)];
  },
});

export const copyP = new Primitive<object>("copy");
registerRules(copyP, {
  abstractEval: ([x]) => [aval(x!.shape, x!.dtype, x!.weakType)],
  impl: ([x]) => [tf.clone(T(x!))],
});

// --- the lax functions ----------------------------------------------------------------------
export function convertElementType(x: JaxArray, newDtype: DType, weakType = false): JaxArray {
  if (x.dtype === newDtype && x.weakType === weakType) return x;
  // A JS scalar constant converts on the host, as JAX converts Python scalars with numpy.
  const value = constantValue(x);
  if (value !== undefined && newDtype !== "uint32")
    return cachedScalar(hostConvert(value, newDtype), newDtype, weakType, (x as EagerArray).device);
  return bind1(convertElementTypeP, [x], {
    new_dtype: newDtype,
    weak_type: weakType,
    sharding: null,
  });
}
export function broadcastInDim(
  x: JaxArray,
  shape: readonly number[],
  broadcastDimensions: readonly number[],
): JaxArray {
  if (x.ndim === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  return bind1(broadcastInDimP, [x], {
    shape: [...shape],
    broadcast_dimensions: [...broadcastDimensions],
    sharding: null,
  });
}
/** lax.broadcast: adds leading dimensions. */
export function broadcast(x: JaxArray, sizes: readonly number[]): JaxArray {
  return broadcastInDim(
    x,
    [...sizes, ...x.shape],
    x.shape.map((_, i) => i + sizes.length),
  );
}
export function reshape(x: JaxArray, newSizes: readonly number[]): JaxArray {
  if (x.ndim === newSizes.length && x.shape.every((d, i) => d === newSizes[i])) return x;
  return bind1(reshapeP, [x], { new_sizes: [...newSizes], dimensions: null, sharding: null });
}
export function transpose(x: JaxArray, permutation: readonly number[]): JaxArray {
  if (permutation.every((p, i) => p === i) && permutation.length === x.ndim) return x;
  return bind1(transposeP, [x], { permutation: [...permutation] });
}
export function squeeze(x: JaxArray, dimensions: readonly number[]): JaxArray {
  if (dimensions.length === 0) return x;
  return bind1(squeezeP, [x], { dimensions: [...dimensions].sort((a, b) => a - b) });
}
export function expandDims(x: JaxArray, dimensions: readonly number[]): JaxArray {
  const ndim = x.ndim + dimensions.length;
  const dims = dimensions.map((d) => (d < 0 ? d + ndim : d)).sort((a, b) => a - b);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < ndim; i++) shape.push(dims.includes(i) ? 1 : x.shape[k++]!);
  return broadcastInDim(
    x,
    shape,
    Array.from({ length: ndim }, (_, i) => i).filter((i) => !dims.includes(i)),
  );
}
export function rev(x: JaxArray, dimensions: readonly number[]): JaxArray {
  return bind1(revP, [x], { dimensions: [...dimensions] });
}
export function slice(
  x: JaxArray,
  startIndices: readonly number[],
  limitIndices: readonly number[],
  strides?: readonly number[] | null,
): JaxArray {
  const st = strides?.some((s) => s !== 1) ? [...strides] : null;
  return bind1(sliceP, [x], {
    start_indices: [...startIndices],
    limit_indices: [...limitIndices],
    strides: st,
  });
}
/** lax.slice_in_dim */
export function sliceInDim(
  x: JaxArray,
  start: number,
  limit: number,
  stride = 1,
  axis = 0,
): JaxArray {
  const starts = x.shape.map((_, i) => (i === axis ? start : 0));
  const limits = x.shape.map((d, i) => (i === axis ? limit : d));
  const strides = x.shape.map((_, i) => (i === axis ? stride : 1));
  return slice(x, starts, limits, strides);
}
export function dynamicSlice(
  x: JaxArray,
  startIndices: readonly Operand[],
  sliceSizes: readonly number[],
): JaxArray {
  const starts = liftScalars([...startIndices, 0])
    .slice(0, -1)
    .map((s) => (s.dtype === "int32" ? s : convertElementType(s, "int32")));
  return bind1(dynamicSliceP, [x, ...starts], { slice_sizes: [...sliceSizes] });
}
export function dynamicUpdateSlice(
  x: JaxArray,
  update: JaxArray,
  startIndices: readonly Operand[],
): JaxArray {
  const starts = liftScalars([...startIndices, 0])
    .slice(0, -1)
    .map((s) => (s.dtype === "int32" ? s : convertElementType(s, "int32")));
  return bind1(dynamicUpdateSliceP, [x, update, ...starts], {});
}
export function concatenate(operands: readonly JaxArray[], dimension: number): JaxArray {
  if (operands.length === 1) return operands[0]!;
  return bind1(concatenateP, [...operands], { dimension });
}
export function pad(
  x: JaxArray,
  paddingValue: Operand,
  paddingConfig: readonly (readonly [number, number, number])[],
): JaxArray {
  const [, value] = liftScalars([x, paddingValue]);
  return bind1(padP, [x, value!], { padding_config: paddingConfig.map((c) => [c[0], c[1], c[2]]) });
}
export function iota(dtype: DType, size: number): JaxArray {
  return bind1(iotaP, [], { dtype, shape: [size], dimension: 0, sharding: null });
}
export function broadcastedIota(
  dtype: DType,
  shape: readonly number[],
  dimension: number,
): JaxArray {
  return bind1(iotaP, [], { dtype, shape: [...shape], dimension, sharding: null });
}
export function selectN(which: JaxArray, ...cases: JaxArray[]): JaxArray {
  return bind1(selectNP, [which, ...cases], {});
}
/** lax.select(pred, onTrue, onFalse) */
export function select(pred: JaxArray, onTrue: JaxArray, onFalse: JaxArray): JaxArray {
  return selectN(pred, onFalse, onTrue);
}
export function clamp(lo: Operand, x: JaxArray, hi: Operand): JaxArray {
  const [l, , h] = liftScalars([lo, x, hi]);
  return bind1(clampP, [l!, x, h!], {});
}
export function copy(x: JaxArray): JaxArray {
  return bind1(copyP, [x], {});
}
export function checkNotEmpty(name: string, x: ShapedArray): void {
  if (x.size === 0)
    throw new ValueError(`${name}: zero-size array has no identity for this reduction`);
}

/** stop_gradient: the identity, with zero derivative (its jvp rule is in jvp_rules). */
export const stopGradientP = new Primitive<object>("stop_gradient");
registerRules(stopGradientP, {
  abstractEval: ([x]) => [aval(x!.shape, x!.dtype, x!.weakType)],
  impl: ([x]) => [T(x!)],
});
export function stopGradient(x: JaxArray): JaxArray {
  return bind1(stopGradientP, [x], {});
}
