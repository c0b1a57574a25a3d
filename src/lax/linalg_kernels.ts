/**
 * tf.js kernels of the linear algebra primitives, registered per backend. On cpu, wasm and
 * tensorflow they run linalg_host.ts in float64 on the host (the data is already there, or
 * one download away for tfjs-node). On webgpu, where a synchronous read of GPU memory is not
 * available in Node, each matrix of the batch is factored by one GPU thread running the same
 * algorithm in f32 (linalg_wgsl.ts): one dispatch, no host round trip, fine for the small and
 * medium matrices (n up to a few hundred) that samplers and fits use.
 */
import * as tf from "@tensorflow/tfjs-core";
import { onBackendInit, type Platform } from "../core/backend.js";
import { prod } from "../core/shape.js";
import type { BackendLike, CpuLike, WasmLike, WebGPULike } from "./kernels.js";
import {
  choleskyInto,
  completeColumns,
  householderQr,
  jacobiEigh,
  jacobiSvd,
  luInto,
  type TriangularOptions,
  triangularSolveInto,
} from "./linalg_host.js";
import { WEBGPU_KERNELS } from "./linalg_wgsl.js";

export const KERNELS = {
  cholesky: "TfjaxCholesky",
  triangularSolve: "TfjaxTriangularSolve",
  lu: "TfjaxLu",
  eigh: "TfjaxEigh",
  svd: "TfjaxSvd",
  qr: "TfjaxQr",
} as const;

export interface HostOutput {
  shape: number[];
  dtype: "float32" | "int32";
  values: Float64Array | Int32Array;
}
type Attrs = Record<string, unknown>;
type HostKernel = (ins: Float64Array[], shapes: number[][], attrs: Attrs) => HostOutput[];

const batchOf = (shape: number[]) => prod(shape.slice(0, -2));
const f32 = (shape: number[], values: Float64Array): HostOutput => ({
  shape,
  dtype: "float32",
  values,
});

const HOST: Record<keyof typeof KERNELS, HostKernel> = {
  cholesky: ([a], [shape]) => {
    const n = shape!.at(-1)!;
    const l = new Float64Array(a!.length);
    for (let b = 0; b < batchOf(shape!); b++) choleskyInto(a!, l, n, b * n * n);
    return [f32(shape!, l)];
  },
  triangularSolve: ([a, b], [aShape, bShape], attrs) => {
    const o = attrs as unknown as TriangularOptions;
    const m = aShape!.at(-1)!;
    const [r, c] = bShape!.slice(-2) as [number, number];
    const k = o.leftSide ? c : r;
    const x = Float64Array.from(b!);
    for (let i = 0; i < batchOf(aShape!); i++)
      triangularSolveInto(a!, x, m, k, i * m * m, i * r * c, o);
    return [f32(bShape!, x)];
  },
  lu: ([a], [shape]) => {
    const [m, n] = shape!.slice(-2) as [number, number];
    const batch = batchOf(shape!);
    const k = Math.min(m, n);
    const f = Float64Array.from(a!);
    const pivots = new Int32Array(batch * k);
    const perm = new Int32Array(batch * m);
    for (let b = 0; b < batch; b++) luInto(f, pivots, perm, m, n, b * m * n, b * k, b * m);
    const lead = shape!.slice(0, -2);
    return [
      f32(shape!, f),
      { shape: [...lead, k], dtype: "int32", values: pivots },
      { shape: [...lead, m], dtype: "int32", values: perm },
    ];
  },
  eigh: ([a], [shape], attrs) => {
    const n = shape!.at(-1)!;
    const batch = batchOf(shape!);
    const v = new Float64Array(batch * n * n);
    const w = new Float64Array(batch * n);
    const work = new Float64Array(n * n);
    const vb = new Float64Array(n * n);
    const wb = new Float64Array(n);
    for (let b = 0; b < batch; b++) {
      // Symmetric from the triangle that is read, as LAPACK's syevd.
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          const [r, c] = (attrs.lower ? i >= j : i <= j) ? [i, j] : [j, i];
          work[i * n + j] = a![b * n * n + r * n + c]!;
        }
      jacobiEigh(work, n, vb, wb);
      v.set(vb, b * n * n);
      w.set(wb, b * n);
    }
    return [f32(shape!, v), f32(shape!.slice(0, -1), w)];
  },
  svd: ([a], [shape], attrs) => svdHost(a!, shape!, !!attrs.fullMatrices, !!attrs.computeUv),
  qr: ([a], [shape], attrs) => {
    const [m, n] = shape!.slice(-2) as [number, number];
    const batch = batchOf(shape!);
    const k = attrs.fullMatrices ? m : Math.min(m, n);
    const lead = shape!.slice(0, -2);
    const q = new Float64Array(batch * m * k);
    const r = new Float64Array(batch * k * n);
    const qFull = new Float64Array(m * m);
    for (let b = 0; b < batch; b++) {
      const work = a!.slice(b * m * n, (b + 1) * m * n);
      householderQr(work, m, n, qFull);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < k; j++) q[b * m * k + i * k + j] = qFull[i * m + j]!;
      r.set(work.subarray(0, k * n), b * k * n);
    }
    return [f32([...lead, m, k], q), f32([...lead, k, n], r)];
  },
};

/** Thin or full SVD of each matrix; a wide matrix is factored through its transpose. */
function svdHost(a: Float64Array, shape: number[], full: boolean, uv: boolean): HostOutput[] {
  const [m, n] = shape.slice(-2) as [number, number];
  const batch = batchOf(shape);
  const lead = shape.slice(0, -2);
  const wide = m < n;
  const [rows, cols] = wide ? [n, m] : [m, n]; // the tall problem factored
  const k = cols;
  const [ur, vc] = full ? [m, n] : [k, k];
  const s = new Float64Array(batch * k);
  const u = new Float64Array(batch * m * ur);
  const vt = new Float64Array(batch * vc * n);
  const work = new Float64Array(rows * cols);
  const tallU = new Float64Array(rows * cols);
  const tallV = new Float64Array(cols * cols);
  const sb = new Float64Array(k);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++)
        work[wide ? j * cols + i : i * cols + j] = a[b * m * n + i * n + j]!;
    jacobiSvd(work, rows, cols, tallU, sb, tallV);
    s.set(sb, b * k);
    // tall = U' S V'^T; for a wide matrix a = V' S U'^T, so u = V' and vt = U'^T.
    const [uSrc, uCols, vSrc, vRows] = wide
      ? [tallV, cols, tallU, rows]
      : [tallU, cols, tallV, cols];
    const uMat = padColumns(uSrc, m, uCols, ur);
    const vMat = padColumns(vSrc, vRows, k, vc); // V with vc columns; vt = V^T
    u.set(uMat, b * m * ur);
    for (let i = 0; i < vc; i++)
      for (let j = 0; j < n; j++) vt[b * vc * n + i * n + j] = vMat[j * vc + i]!;
  }
  const sOut = f32([...lead, k], s);
  return uv ? [sOut, f32([...lead, m, ur], u), f32([...lead, vc, n], vt)] : [sOut];
}

/** Copies an orthonormal rows x cols matrix into rows x wanted, completing the basis if wider. */
function padColumns(q: Float64Array, rows: number, cols: number, wanted: number): Float64Array {
  if (wanted === cols) return q.slice(0, rows * cols);
  const out = new Float64Array(rows * wanted);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * wanted + j] = q[i * cols + j]!;
  completeColumns(out, rows, wanted, cols);
  return out;
}

function hostKernel(platform: Platform, host: HostKernel, names: string[]): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const ins = names.map((k) => inputs[k]!);
    const b = backend as unknown as BackendLike;
    const data = ins.map((t) => Float64Array.from(b.readSync(t.dataId) as Float32Array));
    const outs = host(
      data,
      ins.map((t) => t.shape),
      attrs as Attrs,
    );
    return outs.map(({ shape, dtype, values }) => {
      const typed = dtype === "float32" ? Float32Array.from(values) : (values as Int32Array);
      if (platform === "cpu")
        return (backend as unknown as CpuLike).makeTensorInfo(shape, dtype, typed);
      if (platform === "wasm") {
        const out = (backend as unknown as WasmLike).makeOutput(shape, dtype);
        (backend as unknown as WasmLike).typedArrayFromHeap(out).set(typed);
        return out;
      }
      // tfjs-node accepts no custom kernels: compute on the host and upload.
      return tf.tensor(typed, shape, dtype) as unknown as tf.TensorInfo;
    });
  };
}

const INPUT_NAMES: Record<keyof typeof KERNELS, string[]> = {
  cholesky: ["a"],
  triangularSolve: ["a", "b"],
  lu: ["a"],
  eigh: ["a"],
  svd: ["a"],
  qr: ["a"],
};

function registerFor(platform: Platform): void {
  const backendName = platform === "cuda" ? "tensorflow" : platform;
  for (const op of Object.keys(KERNELS) as (keyof typeof KERNELS)[]) {
    const kernelName = KERNELS[op];
    if (tf.getKernel(kernelName, backendName)) continue;
    const names = INPUT_NAMES[op];
    const kernelFunc: tf.KernelFunc =
      platform === "webgpu"
        ? ({ inputs, backend, attrs }) =>
            WEBGPU_KERNELS[op](
              backend as unknown as WebGPULike,
              names.map((k) => inputs[k]!),
              attrs as Attrs,
            )
        : hostKernel(platform, HOST[op], names);
    tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
}
onBackendInit(registerFor);
