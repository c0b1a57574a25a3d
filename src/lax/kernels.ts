/**
 * Integer kernels tf.js lacks (bitwise ops, shifts, wrapping and unsigned arithmetic),
 * registered per backend with tf.registerKernel. Inputs are int32 tensors of equal shape
 * (uint32 values travel as their int32 bit patterns); the output is int32 or bool.
 */
import * as tf from "@tensorflow/tfjs-core";
import { onBackendInit, type Platform } from "../core/backend.js";
import { prod, shapesEqual, stridesOf } from "../core/shape.js";

interface IntKernel {
  arity: 1 | 2;
  outDtype: "int32" | "bool" | "float32";
  /** Exact 32-bit semantics in JS; results are stored through an Int32Array (wrapping). */
  js: (a: number, b: number) => number;
  /** A bitcast: the output is the input's buffer read as outDtype (NaN payloads kept). */
  reinterpret?: true;
  /** WGSL expression over `a` and `b` (both i32) giving an i32 (or bool for bool kernels); without one, webgpu computes the op from tf.js ops instead. */
  wgsl?: string;
}

const u = (x: number) => x >>> 0;

// M. Giles, "Approximating the erfinv function", GPU Computing Gems (2011), single precision,
// as XLA's ErfInv32 (xla/hlo/builder/lib/math.cc).
export const ERF_INV_CENTRAL = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503,
  -0.00417768164, 0.246640727, 1.50140941,
].map(Math.fround);
export const ERF_INV_TAIL = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
  0.00943887047, 1.00167406, 2.83297682,
].map(Math.fround);
function erfInvF32(x: number): number {
  const f = Math.fround;
  if (Math.abs(x) === 1) return x * Number.POSITIVE_INFINITY;
  const w = -f(Math.log1p(-f(x * x)));
  const central = w < 5;
  const t = central ? f(w - 2.5) : f(f(Math.sqrt(w)) - 3);
  const c = central ? ERF_INV_CENTRAL : ERF_INV_TAIL;
  let p = c[0]!;
  for (let i = 1; i < c.length; i++) p = f(f(p * t) + c[i]!);
  return f(p * x);
}
const STEP_F32 = new Float32Array(1);
const STEP_I32 = new Int32Array(STEP_F32.buffer);

// Shift counts outside [0, 32) give 0 (or the sign fill) as XLA defines, not JS's `count & 31`.
const KERNELS: Record<string, IntKernel> = {
  TfjaxBitwiseAnd: { arity: 2, outDtype: "int32", js: (a, b) => a & b, wgsl: "a & b" },
  TfjaxBitwiseOr: { arity: 2, outDtype: "int32", js: (a, b) => a | b, wgsl: "a | b" },
  TfjaxBitwiseXor: { arity: 2, outDtype: "int32", js: (a, b) => a ^ b, wgsl: "a ^ b" },
  TfjaxBitwiseNot: { arity: 1, outDtype: "int32", js: (a) => ~a, wgsl: "~a" },
  TfjaxShiftLeft: {
    arity: 2,
    outDtype: "int32",
    js: (a, b) => (u(b) < 32 ? a << b : 0),
    wgsl: "select(0, a << bitcast<u32>(b), bitcast<u32>(b) < 32u)",
  },
  TfjaxShiftRightLogical: {
    arity: 2,
    outDtype: "int32",
    js: (a, b) => (u(b) < 32 ? a >>> b : 0),
    wgsl: "select(0, bitcast<i32>(bitcast<u32>(a) >> bitcast<u32>(b)), bitcast<u32>(b) < 32u)",
  },
  TfjaxShiftRightArithmetic: {
    arity: 2,
    outDtype: "int32",
    js: (a, b) => a >> Math.min(u(b), 31),
    wgsl: "a >> min(bitcast<u32>(b), 31u)",
  },
  TfjaxIMul: { arity: 2, outDtype: "int32", js: (a, b) => Math.imul(a, b), wgsl: "a * b" },
  // tf.js's webgpu kernels compute int32 through f32 (exact below 2^24); these stay exact.
  TfjaxIntAdd: { arity: 2, outDtype: "int32", js: (a, b) => (a + b) | 0, wgsl: "a + b" },
  TfjaxIntSub: { arity: 2, outDtype: "int32", js: (a, b) => (a - b) | 0, wgsl: "a - b" },
  TfjaxIntLess: { arity: 2, outDtype: "bool", js: (a, b) => Number(a < b), wgsl: "a < b" },
  TfjaxIntEqual: { arity: 2, outDtype: "bool", js: (a, b) => Number(a === b), wgsl: "a == b" },
  // C-style truncating division and remainder; x / 0 = -1 and x % 0 = x as XLA defines.
  TfjaxIntDiv: {
    arity: 2,
    outDtype: "int32",
    js: (a, b) => (b === 0 ? -1 : (a / b) | 0),
    wgsl: "select(select(a / b, a, b == -1 && a == -2147483647 - 1), -1, b == 0)",
  },
  TfjaxIntRem: {
    arity: 2,
    outDtype: "int32",
    js: (a, b) => (b === 0 ? a : (a % b) | 0),
    wgsl: "select(select(a % b, 0, b == -1), a, b == 0)",
  },
  TfjaxUintDiv: {
    arity: 2,
    outDtype: "int32",
    js: (a, b) => (b === 0 ? -1 : Math.floor(u(a) / u(b))),
    wgsl: "select(bitcast<i32>(bitcast<u32>(a) / bitcast<u32>(b)), -1, b == 0)",
  },
  TfjaxUintRem: {
    arity: 2,
    outDtype: "int32",
    js: (a, b) => (b === 0 ? a : u(a) % u(b)),
    wgsl: "select(bitcast<i32>(bitcast<u32>(a) % bitcast<u32>(b)), a, b == 0)",
  },
  TfjaxUintLess: {
    arity: 2,
    outDtype: "bool",
    js: (a, b) => Number(u(a) < u(b)),
    wgsl: "bitcast<u32>(a) < bitcast<u32>(b)",
  },
  // Bit reinterpretations (lax.bitcast_convert_type between 32-bit dtypes).
  TfjaxBitcastToFloat: {
    arity: 1,
    outDtype: "float32",
    js: (a) => a,
    reinterpret: true,
    wgsl: "bitcast<f32>(a)",
  },
  TfjaxBitcastToInt: {
    arity: 1,
    outDtype: "int32",
    js: (a) => a,
    reinterpret: true,
    wgsl: "bitcast<i32>(a)",
  },
  // nextafter on float32 by stepping the bit pattern (+-0 steps to the smallest subnormal).
  TfjaxNextafter: {
    arity: 2,
    outDtype: "float32",
    js: (a, b) => {
      if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
      if (a === b) return b;
      if (a === 0) STEP_I32[0] = b > 0 ? 1 : -2147483647;
      else {
        STEP_F32[0] = a;
        STEP_I32[0] += a < b === a > 0 ? 1 : -1;
      }
      return STEP_F32[0]!;
    },
  },
  // erf_inv in float32 arithmetic (Math.fround after each step), as the tf.js ops would.
  TfjaxErfInv: { arity: 1, outDtype: "float32", js: erfInvF32 },
  TfjaxPopulationCount: {
    arity: 1,
    outDtype: "int32",
    js: (a) => {
      let n = 0;
      for (let x = a >>> 0; x; x &= x - 1) n++;
      return n;
    },
    wgsl: "i32(countOneBits(a))",
  },
};
export type IntKernelName = keyof typeof KERNELS;
/** Each integer kernel's exact scalar JS function, for generated cpu code. */
export const intKernelJs = Object.fromEntries(
  Object.entries(KERNELS).map(([name, k]) => [name, k.js]),
) as Record<IntKernelName, (a: number, b: number) => number>;

export interface BackendLike {
  readSync(dataId: object): unknown;
}
export interface CpuLike extends BackendLike {
  makeTensorInfo(
    shape: number[],
    dtype: string,
    values: Int32Array | Uint8Array | Float32Array,
  ): tf.TensorInfo;
}
export interface WasmLike extends BackendLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Int32Array | Uint8Array | Float32Array;
}
export interface WebGPULike {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], outputDtype: string): tf.TensorInfo;
}

function computeJs(
  kernel: IntKernel,
  backend: BackendLike,
  inputs: tf.TensorInfo[],
): Int32Array | Uint8Array | Float32Array {
  const a = backend.readSync(inputs[0]!.dataId) as Int32Array;
  if (kernel.reinterpret)
    return kernel.outDtype === "float32"
      ? new Float32Array(a.slice().buffer)
      : new Int32Array(a.slice().buffer);
  const b = kernel.arity === 2 ? (backend.readSync(inputs[1]!.dataId) as Int32Array) : a;
  const out =
    kernel.outDtype === "bool"
      ? new Uint8Array(a.length)
      : kernel.outDtype === "float32"
        ? new Float32Array(a.length)
        : new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = kernel.js(a[i]!, b[i]!);
  return out;
}

/**
 * A tf.js WebGPU program computing `result[index]` from the flat inputs `variableNames`, one
 * thread per output element; `body` is WGSL run for each index below uniforms.size.
 */
export function flatProgram(
  shaderKey: string,
  variableNames: string[],
  shape: number[],
  body: string,
) {
  const code = `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }`;
  return gridProgram(shaderKey, variableNames, shape, Math.ceil(prod(shape) / 64), 64, code);
}

/**
 * A tf.js WebGPU program of `groups` workgroups of `width` threads over an output of `shape`;
 * `code` is WGSL defining `fn main(index : i32)`, index = workgroup * width + lane.
 */
export function gridProgram(
  shaderKey: string,
  variableNames: string[],
  shape: number[],
  groups: number,
  width: number,
  code: string,
) {
  // WebGPU allows at most 65535 workgroups per dimension; tf.js's getGlobalIndex() unfolds 2-d grids.
  const side = Math.ceil(Math.sqrt(groups));
  const dispatch: [number, number, number] = groups > 65535 ? [side, side, 1] : [groups, 1, 1];
  return {
    variableNames,
    outputShape: shape,
    shaderKey,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch,
    workgroupSize: [width, 1, 1] as [number, number, number],
    size: true,
    getUserCode: () => code,
  };
}

function webgpuProgram(name: string, kernel: IntKernel, shape: number[]) {
  const value = kernel.outDtype === "bool" ? `select(0, 1, ${kernel.wgsl!})` : kernel.wgsl!;
  return flatProgram(
    name,
    kernel.arity === 2 ? ["A", "B"] : ["A"],
    shape,
    `let a = A[index];
          let b = ${kernel.arity === 2 ? "B[index]" : "a"};
          result[index] = ${value};`,
  );
}

function registerFor(platform: Platform): void {
  const backendName = platform === "cuda" ? "tensorflow" : platform;
  for (const [kernelName, kernel] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, backendName)) continue;
    let kernelFunc: tf.KernelFunc;
    if (platform === "cpu") {
      kernelFunc = ({ inputs, backend }) => {
        const ins = Object.values(inputs) as tf.TensorInfo[];
        return (backend as CpuLike).makeTensorInfo(
          ins[0]!.shape,
          kernel.outDtype,
          computeJs(kernel, backend as CpuLike, ins),
        );
      };
    } else if (platform === "wasm") {
      kernelFunc = ({ inputs, backend }) => {
        const ins = Object.values(inputs) as tf.TensorInfo[];
        const values = computeJs(kernel, backend as WasmLike, ins);
        const out = (backend as WasmLike).makeOutput(ins[0]!.shape, kernel.outDtype);
        (backend as WasmLike).typedArrayFromHeap(out).set(values);
        return out;
      };
    } else if (platform === "webgpu") {
      if (!kernel.wgsl) continue;
      kernelFunc = ({ inputs, backend }) => {
        const ins = Object.values(inputs) as tf.TensorInfo[];
        const program = webgpuProgram(kernelName, kernel, ins[0]!.shape);
        return (backend as unknown as WebGPULike).runWebGPUProgram(program, ins, kernel.outDtype);
      };
    } else {
      // tfjs-node accepts no custom kernels: compute on the host and upload.
      kernelFunc = ({ inputs, backend }) => {
        const ins = Object.values(inputs) as tf.TensorInfo[];
        const values = computeJs(kernel, backend as unknown as BackendLike, ins);
        return tf.tensor(values, ins[0]!.shape, kernel.outDtype) as unknown as tf.TensorInfo;
      };
    }
    tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
}
onBackendInit(registerFor);

/** Registers a webgpu-only kernel; `build` gives the program, its inputs and the output dtype. */
function registerWebgpuKernel(
  kernelName: string,
  build: (
    inputs: tf.NamedTensorInfoMap,
    attrs: tf.NamedAttrMap,
  ) => [program: object, inputs: tf.TensorInfo[], dtype: string],
): void {
  onBackendInit((platform) => {
    if (platform !== "webgpu" || tf.getKernel(kernelName, "webgpu")) return;
    tf.registerKernel({
      kernelName,
      backendName: "webgpu",
      kernelFunc: ({ inputs, attrs, backend }) =>
        (backend as unknown as WebGPULike).runWebGPUProgram(...build(inputs, attrs ?? {})),
    });
  });
}

// The WGSL type a dtype's words are stored as. tf.js casts int32 to float32 by relabelling the
// i32 buffer, so every copy converts explicitly.
const wgslType = (dtype: string) => (dtype === "float32" ? "f32" : "i32");

// tf.js's webgpu gather misreads int32 data; this copy moves 32-bit words for any dtype. The
// dtype is part of each shader key: tf.js caches compiled pipelines by shaderKey.
const GATHER_FLAT = "TfjaxGatherFlat";
registerWebgpuKernel(GATHER_FLAT, (inputs) => {
  const { x, positions } = inputs as { x: tf.TensorInfo; positions: tf.TensorInfo };
  const program = flatProgram(
    `${GATHER_FLAT}_${x.dtype}`,
    ["A", "I"],
    positions.shape,
    `result[index] = ${wgslType(x.dtype)}(A[I[index]]);`,
  );
  return [program, [x, positions], x.dtype];
});

// tf.js's webgpu select miscompiles for int32 values; this one copies words for any dtype.
const SELECT = "TfjaxSelect";
registerWebgpuKernel(SELECT, (inputs) => {
  const { c, a, b } = inputs as { c: tf.TensorInfo; a: tf.TensorInfo; b: tf.TensorInfo };
  const program = flatProgram(
    `${SELECT}_${a.dtype}`,
    ["C", "A", "B"],
    a.shape,
    `result[index] = ${wgslType(a.dtype)}(select(B[index], A[index], C[index] != 0));`,
  );
  return [program, [c, a, b], a.dtype];
});

// A program generated by the compiler (src/compiler/webgpu.ts), run as a tf.js kernel.
const PROGRAM = "TfjaxProgram";
registerWebgpuKernel(PROGRAM, (inputs, attrs) => {
  const { program, dtype } = attrs as unknown as { program: object; dtype: string };
  return [program, Object.values(inputs) as tf.TensorInfo[], dtype];
});

/** Runs a generated webgpu program whose inputs are named X0, X1, ... in order. */
export function runWebgpuProgram(program: object, inputs: tf.Tensor[], dtype: string): tf.Tensor {
  const named = Object.fromEntries(inputs.map((t, k) => [`X${k}`, t]));
  const attrs = { program, dtype } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(PROGRAM, named, attrs) as tf.Tensor;
}

/** WGSL binding `index` to the coordinates c0, c1, ... of a row-major `shape`. */
function coordinatesWgsl(shape: readonly number[]): string {
  const strides = stridesOf([...shape]);
  return shape
    .map((_, d) => `let c${d} = (index / ${strides[d]}) % ${shape[d]};`)
    .join("\n          ");
}

// Every tf.js webgpu program reads its inputs as f32, so int32 words above 2**24 come out
// rounded. This one copies words along affine strides: output element (c0, c1, ...) reads
// source word offset + sum(c_d * strides[d]), which covers broadcasts (stride 0), reversals
// (negative strides), strided slices and transposes.
const STRIDED = "TfjaxStridedWords";
registerWebgpuKernel(STRIDED, (inputs, attrs) => {
  const { x } = inputs as { x: tf.TensorInfo };
  const { shape, strides, offset } = attrs as {
    shape: number[];
    strides: number[];
    offset: number;
  };
  const source = [`${offset}`, ...strides.map((s, d) => `c${d} * ${s}`)].join(" + ");
  const program = flatProgram(
    `${STRIDED}_${x.dtype}_${shape}_${strides}_${offset}`,
    ["A"],
    shape,
    `${coordinatesWgsl(shape)}
          result[index] = ${wgslType(x.dtype)}(A[${source}]);`,
  );
  return [program, [x], x.dtype];
});

// Concatenation along an axis, moving words exactly (tf.js's concat reads through f32).
const CONCAT = "TfjaxConcatWords";
const CONCAT_MAX_INPUTS = 8;
registerWebgpuKernel(CONCAT, (inputs, attrs) => {
  const parts = Object.values(inputs) as tf.TensorInfo[];
  const { axis } = attrs as { axis: number };
  const sizes = parts.map((p) => p.shape[axis]!);
  const total = sizes.reduce((a, b) => a + b, 0);
  const shape = parts[0]!.shape.map((d, i) => (i === axis ? total : d));
  const inner = prod(shape.slice(axis + 1));
  let end = 0;
  const branches = parts.map((_, k) => {
    const begin = end;
    end += sizes[k]!;
    const read = `A${k}[(outer * ${sizes[k]} + c - ${begin}) * ${inner} + i]`;
    return `if (c < ${end}) { result[index] = ${wgslType(parts[0]!.dtype)}(${read}); return; }`;
  });
  const program = flatProgram(
    `${CONCAT}_${parts[0]!.dtype}_${parts.map((p) => p.shape)}_${axis}`,
    parts.map((_, k) => `A${k}`),
    shape,
    `let outer = index / ${total * inner};
          let c = (index / ${inner}) % ${total};
          let i = index % ${inner};
          ${branches.join("\n          ")}`,
  );
  return [program, parts, parts[0]!.dtype];
});

/** where(c, a, b) for same-shaped tensors, exact for int32 on webgpu too. */
export function selectWords(c: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (tf.getBackend() !== "webgpu" || a.dtype === "float32") return tf.where(c, a, b);
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(
    tf.broadcast_util.assertAndGetBroadcastShape(c.shape, a.shape),
    b.shape,
  );
  const full = (t: tf.Tensor) => (shapesEqual(t.shape, shape) ? t : broadcastExact(t, shape));
  return tf.engine().runKernel(SELECT, { c: full(c), a: full(a), b: full(b) }) as tf.Tensor;
}

/**
 * The float32 bits of t, for bit casts: tf.js's webgpu cast from int32 only relabels the int32
 * buffer, which a real float op (x * 1 keeps -0 and NaN) turns into float32 bits.
 */
export function bitcastFloatToInt(t: tf.Tensor): tf.Tensor {
  const floats = tf.getBackend() === "webgpu" ? tf.mul(t, 1) : t;
  return runIntKernel("TfjaxBitcastToInt", floats);
}

/** Whether int32 math must avoid tf.js kernels here (webgpu computes them through f32). */
export const intsNeedOwnKernels = (): boolean => tf.getBackend() === "webgpu";

/** source[positions] for a flat source and int32 positions, exact for every dtype on every backend. */
export function gatherFlat(source: tf.Tensor, positions: tf.Tensor): tf.Tensor {
  if (tf.getBackend() === "webgpu")
    return tf.engine().runKernel(GATHER_FLAT, { x: source, positions }) as tf.Tensor;
  return tf.gather(source, positions);
}

/** Runs one of tfjax's integer kernels; binary inputs are broadcast to a common shape first. */
export function runIntKernel(name: IntKernelName, a: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const kernel = KERNELS[name]!;
  if (kernel.arity === 1) return tf.engine().runKernel(name, { a }) as tf.Tensor;
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b!.shape);
  const x = shapesEqual(a.shape, shape) ? a : broadcastExact(a, shape);
  const y = shapesEqual(b!.shape, shape) ? b! : broadcastExact(b!, shape);
  return tf.engine().runKernel(name, { a: x, b: y }) as tf.Tensor;
}

/** Whether t's words must avoid tf.js's webgpu programs, which read every input through f32. */
export const needsExactWords = (t: tf.Tensor): boolean =>
  t.dtype !== "float32" && intsNeedOwnKernels();

/**
 * Copies t's words into `shape`: output element (c0, c1, ...) reads flat source word
 * offset + sum(c_d * strides[d]). Only for needsExactWords tensors (the kernel is webgpu's).
 */
export function stridedWords(
  t: tf.Tensor,
  shape: number[],
  strides: number[],
  offset = 0,
): tf.Tensor {
  if (prod(shape) === 0) return tf.zeros(shape, t.dtype);
  return tf.engine().runKernel(STRIDED, { x: t }, { shape, strides, offset }) as tf.Tensor;
}

/** tf.concat, moving int32/bool words exactly on webgpu. */
export function concatExact(parts: tf.Tensor[], axis: number): tf.Tensor {
  const nonEmpty = parts.filter((p) => p.size > 0);
  if (!nonEmpty.length || !needsExactWords(parts[0]!)) return tf.concat(parts, axis);
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  if (nonEmpty.length > CONCAT_MAX_INPUTS) {
    const chunks = [];
    for (let i = 0; i < nonEmpty.length; i += CONCAT_MAX_INPUTS)
      chunks.push(concatExact(nonEmpty.slice(i, i + CONCAT_MAX_INPUTS), axis));
    return concatExact(chunks, axis);
  }
  const inputs = Object.fromEntries(nonEmpty.map((p, k) => [`A${k}`, p]));
  return tf.engine().runKernel(CONCAT, inputs, { axis }) as tf.Tensor;
}

/** tf.transpose, with int32/bool words moved exactly on webgpu. */
export function transposeExact(t: tf.Tensor, permutation: number[]): tf.Tensor {
  if (permutation.every((p, i) => p === i)) return t;
  if (!needsExactWords(t)) return tf.transpose(t, permutation);
  const strides = stridesOf(t.shape);
  return stridedWords(
    t,
    permutation.map((p) => t.shape[p]!),
    permutation.map((p) => strides[p]!),
  );
}

/**
 * Reduces the last axis of a [rows, n] int32 tensor exactly on webgpu: halving steps that
 * gather the two halves (host-built positions) and combine them with tfjax's int kernels.
 */
export function reduceWordsLastAxis(
  t: tf.Tensor,
  combine: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  idempotent: boolean,
): tf.Tensor {
  const [rows, n0] = t.shape as [number, number];
  let flat = tf.reshape(t, [-1]);
  let n = n0;
  while (n > 1) {
    const half = Math.ceil(n / 2);
    const left = new Int32Array(rows * half);
    const right = new Int32Array(rows * half);
    for (let r = 0; r < rows; r++)
      for (let i = 0; i < half; i++) {
        left[r * half + i] = r * n + i;
        // An odd row's middle element pairs with itself (min/max) or with a zero (sum).
        right[r * half + i] = i + half < n ? r * n + i + half : idempotent ? r * n + i : -1;
      }
    const padded = tf.concat([flat, tf.zeros([1], flat.dtype)]);
    const a = gatherFlat(flat, tf.tensor1d(left, "int32"));
    const b = gatherFlat(
      padded,
      tf.tensor1d(
        right.map((v) => (v < 0 ? flat.size : v)),
        "int32",
      ),
    );
    flat = combine(a, b);
    n = half;
  }
  return tf.reshape(flat, [rows]);
}

/** tf.broadcastTo, moving int32/bool words exactly on webgpu. */
export function broadcastExact(t: tf.Tensor, shape: number[]): tf.Tensor {
  if (!needsExactWords(t)) return tf.broadcastTo(t, shape);
  const lead = shape.length - t.shape.length;
  const strides = stridesOf(t.shape);
  return stridedWords(
    t,
    shape,
    shape.map((_, i) => (i < lead || t.shape[i - lead] === 1 ? 0 : strides[i - lead]!)),
  );
}
