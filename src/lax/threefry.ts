/**
 * The threefry2x32 primitive: Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011; the Random123 reference and JAX's
 * jax._src.prng.threefry2x32_p), as a kernel per backend. tf.js has no uint32 arithmetic, so
 * the words travel as int32 bit patterns and the kernels do the modular math themselves.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { JaxArray } from "../core/array.js";
import { onBackendInit, type Platform } from "../core/backend.js";
import { TypeError_ } from "../core/errors.js";
import { bind, Primitive, registerRules } from "../core/primitive.js";
import { prod } from "../core/shape.js";
import { aval, elementwiseShape, liftScalars, type Operand, T } from "./common.js";
import {
  type BackendLike,
  type CpuLike,
  flatProgram,
  type WasmLike,
  type WebGPULike,
} from "./kernels.js";

export const THREEFRY_ROTATIONS: readonly (readonly number[])[] = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
];
export const THREEFRY_PARITY = 0x1bd11bda;

/**
 * Threefry-2x32 of the counters (x0, x1) under the key (k0, k1) in exact 32-bit JS math, written
 * to out0[i] and out1[i] without allocating (the host kernels' inner loop).
 */
function threefryInto(
  k0: number,
  k1: number,
  x0: number,
  x1: number,
  out0: Int32Array,
  out1: Int32Array,
  i: number,
): void {
  const ks2 = (k0 ^ k1 ^ THREEFRY_PARITY) | 0;
  let a = (x0 + k0) | 0;
  let b = (x1 + k1) | 0;
  for (let group = 0; group < 5; group++) {
    const rot = THREEFRY_ROTATIONS[group % 2]!;
    for (let j = 0; j < 4; j++) {
      const r = rot[j]!;
      a = (a + b) | 0;
      b = (b << r) | (b >>> (32 - r));
      b ^= a;
    }
    const inject = (group + 1) % 3;
    a = (a + (inject === 0 ? k0 : inject === 1 ? k1 : ks2)) | 0;
    const second = (group + 2) % 3;
    b = (b + (second === 0 ? k0 : second === 1 ? k1 : ks2) + group + 1) | 0;
  }
  out0[i] = a;
  out1[i] = b;
}

const WGSL_ROUNDS = `
          var ks = array<u32, 3>(k0, k1, k0 ^ k1 ^ ${THREEFRY_PARITY}u);
          var rot = array<u32, 8>(${THREEFRY_ROTATIONS.flat().join("u, ")}u);
          var a = x0 + ks[0];
          var b = x1 + ks[1];
          for (var g = 0u; g < 5u; g++) {
            for (var j = 0u; j < 4u; j++) {
              let r = rot[(g % 2u) * 4u + j];
              a = a + b;
              b = (b << r) | (b >> (32u - r));
              b = b ^ a;
            }
            a = a + ks[(g + 1u) % 3u];
            b = b + ks[(g + 2u) % 3u] + g + 1u;
          }`;

/** Inputs are full-size or a single word that broadcasts. */
const sizeOf = (t: tf.TensorInfo) => prod(t.shape);

function webgpuWord(
  backend: WebGPULike,
  inputs: tf.TensorInfo[],
  shape: number[],
  word: 0 | 1,
): tf.TensorInfo {
  const names = ["K0", "K1", "X0", "X1"];
  const read = inputs.map((t, i) => `${names[i]}[${sizeOf(t) === 1 ? "0" : "index"}]`);
  const pattern = inputs.map((t) => (sizeOf(t) === 1 ? "s" : "v")).join("");
  const program = flatProgram(
    `TfjaxThreefry2x32_${word}_${pattern}`,
    names,
    shape,
    `let k0 = bitcast<u32>(${read[0]});
          let k1 = bitcast<u32>(${read[1]});
          let x0 = bitcast<u32>(${read[2]});
          let x1 = bitcast<u32>(${read[3]});${WGSL_ROUNDS}
          result[index] = bitcast<i32>(${word === 0 ? "a" : "b"});`,
  );
  return backend.runWebGPUProgram(program, inputs, "int32");
}

function hostWords(
  backend: BackendLike,
  inputs: tf.TensorInfo[],
  n: number,
): [Int32Array, Int32Array] {
  const [k0, k1, x0, x1] = inputs.map((t) => backend.readSync(t.dataId) as Int32Array);
  // A single-word input is broadcast: its stride is 0.
  const [s0, s1, s2, s3] = [k0!, k1!, x0!, x1!].map((v) => (v.length === 1 ? 0 : 1));
  const out0 = new Int32Array(n);
  const out1 = new Int32Array(n);
  for (let i = 0; i < n; i++)
    threefryInto(k0![i * s0!]!, k1![i * s1!]!, x0![i * s2!]!, x1![i * s3!]!, out0, out1, i);
  return [out0, out1];
}

const KERNEL = "TfjaxThreefry2x32";
function registerFor(platform: Platform): void {
  const backendName = platform === "cuda" ? "tensorflow" : platform;
  if (tf.getKernel(KERNEL, backendName)) return;
  const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
    const ins = [inputs.k0!, inputs.k1!, inputs.x0!, inputs.x1!];
    const shape = ins.reduce((s, t) => (t.shape.length > s.length ? t.shape : s), ins[0]!.shape);
    if (platform === "webgpu")
      return [0, 1].map((w) =>
        webgpuWord(backend as unknown as WebGPULike, ins, shape, w as 0 | 1),
      );
    const words = hostWords(backend as BackendLike, ins, prod(shape));
    if (platform === "cpu")
      return words.map((w) => (backend as CpuLike).makeTensorInfo(shape, "int32", w));
    if (platform === "wasm")
      return words.map((w) => {
        const out = (backend as WasmLike).makeOutput(shape, "int32");
        (backend as WasmLike).typedArrayFromHeap(out).set(w);
        return out;
      });
    // tfjs-node accepts no custom kernels: compute on the host and upload.
    return words.map((w) => tf.tensor(w, shape, "int32") as unknown as tf.TensorInfo);
  };
  tf.registerKernel({ kernelName: KERNEL, backendName, kernelFunc });
}
onBackendInit(registerFor);

export const threefry2x32P = new Primitive<object>("threefry2x32", true);
registerRules(threefry2x32P, {
  abstractEval: (avals) => {
    const dtypes = avals.map((a) => a.dtype);
    if (dtypes.some((d) => d !== "uint32"))
      throw new TypeError_(
        `threefry2x32 requires uint32 arguments, got ${dtypes.join(", ")} (keys and counts)`,
      );
    const shape = elementwiseShape("threefry2x32", avals);
    return [aval(shape, "uint32"), aval(shape, "uint32")];
  },
  // Rank-0 arguments go to the kernels as they are; the kernels broadcast single words.
  impl: ([k0, k1, x0, x1]) =>
    tf
      .engine()
      .runKernel(KERNEL, { k0: T(k0!), k1: T(k1!), x0: T(x0!), x1: T(x1!) }) as tf.Tensor[],
});

/**
 * lax's threefry2x32(k0, k1, x0, x1): the two output words of Threefry-2x32 for each counter
 * pair (x0[i], x1[i]) under the key (k0, k1). All uint32; rank-0 arguments broadcast.
 */
export function threefry2x32(
  k0: Operand,
  k1: Operand,
  x0: Operand,
  x1: Operand,
): [JaxArray, JaxArray] {
  const [a, b] = bind(threefry2x32P, liftScalars([k0, k1, x0, x1]), {});
  return [a!, b!];
}
