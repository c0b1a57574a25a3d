/**
 * WebGPU kernels of the linear algebra primitives: one GPU thread factors one matrix of the
 * batch with the same algorithms as linalg_host.ts, in f32. Factorizations with several
 * outputs write one packed f32 buffer per matrix, which small copy programs then split into
 * the outputs (int32 where the primitive returns indices).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { prod } from "../core/shape.js";
import { flatProgram, type WebGPULike } from "./kernels.js";

type Attrs = Record<string, unknown>;
type WebGPUKernel = (backend: WebGPULike, inputs: tf.TensorInfo[], attrs: Attrs) => tf.TensorInfo[];

const batchOf = (shape: number[]) => prod(shape.slice(0, -2));
// A runtime NaN (a constant expression may not be NaN in WGSL).
const NAN = "bitcast<f32>(nanBits)";

/** A program running `body` once per matrix (index < batch), writing a buffer of outShape. */
function perMatrixProgram(
  key: string,
  names: string[],
  outShape: number[],
  batch: number,
  consts: Record<string, number | boolean>,
  body: string,
  helpers = "",
) {
  const groups = Math.ceil(batch / 64);
  const constDecls = Object.entries(consts)
    .map(([k, v]) => `const ${k} = ${typeof v === "boolean" ? v : `${v}`};`)
    .join("\n");
  return {
    variableNames: names,
    outputShape: outShape,
    shaderKey: `${key}_${JSON.stringify(consts)}_${batch}`,
    dispatchLayout: { x: outShape.map((_, i) => i) },
    dispatch: [groups, 1, 1] as [number, number, number],
    workgroupSize: [64, 1, 1] as [number, number, number],
    size: true,
    // uniforms.size is read so that the uniform binding stays in the pipeline's layout.
    getUserCode: () => `
      ${constDecls}
      ${helpers}
      fn main(index : i32) {
        if (index < ${batch} && uniforms.size > 0) {
          ${body}
        }
      }`,
  };
}

/**
 * Copies a block of each matrix of a packed buffer into an output [..., rows, cols] (or
 * [..., cols] when `vector`): element
 * (i, j) comes from packed[b * per + off + i * stride + j] (or + j * stride + i if transposed).
 */
function extract(
  backend: WebGPULike,
  packed: tf.TensorInfo,
  per: number,
  off: number,
  stride: number,
  outShape: number[],
  dtype: "float32" | "int32",
  { transposed = false, vector = false } = {},
): tf.TensorInfo {
  const rows = vector ? 1 : outShape.at(-2)!;
  const cols = outShape.at(-1)!;
  const [ri, ci] = transposed ? ["j", "i"] : ["i", "j"];
  const value = `P[b * ${per} + ${off} + ${ri} * ${stride} + ${ci}]`;
  const program = flatProgram(
    `TfjaxLinalgExtract_${per}_${off}_${stride}_${rows}_${cols}_${dtype}_${transposed}`,
    ["P"],
    outShape,
    `let b = index / ${rows * cols};
          let i = (index / ${cols}) % ${rows};
          let j = index % ${cols};
          result[index] = ${dtype === "int32" ? `i32(round(${value}))` : value};`,
  );
  return backend.runWebGPUProgram(program, [packed], dtype);
}

const VECTOR = { vector: true };

function dispose(backend: WebGPULike, t: tf.TensorInfo): void {
  (backend as unknown as { disposeData(id: object): void }).disposeData(t.dataId);
}

const cholesky: WebGPUKernel = (backend, [a]) => {
  const n = a!.shape.at(-1)!;
  const program = perMatrixProgram(
    "TfjaxCholesky",
    ["A"],
    a!.shape,
    batchOf(a!.shape),
    { LN: n },
    `let o = index * LN * LN;
          var ok = true;
          for (var i = 0; i < LN; i++) {
            for (var j = 0; j < LN; j++) {
              if (j > i) { result[o + i * LN + j] = 0.0; continue; }
              var s = A[o + i * LN + j];
              for (var k = 0; k < j; k++) { s -= result[o + i * LN + k] * result[o + j * LN + k]; }
              if (i == j) {
                if (!(s > 0.0)) { ok = false; }
                result[o + i * LN + i] = sqrt(max(s, 0.0));
              } else {
                result[o + i * LN + j] = s / result[o + j * LN + j];
              }
            }
          }
          var nanBits = 0x7fc00000u;
          if (!ok) { for (var t = 0; t < LN * LN; t++) { result[o + t] = ${NAN}; } }`,
  );
  return [backend.runWebGPUProgram(program, [a!], "float32")];
};

const triangularSolve: WebGPUKernel = (backend, [a, b], attrs) => {
  const m = a!.shape.at(-1)!;
  const [r, c] = b!.shape.slice(-2) as [number, number];
  const left = !!attrs.leftSide;
  const transposed = !!attrs.transposeA !== !left;
  const program = perMatrixProgram(
    "TfjaxTriangularSolve",
    ["A", "B"],
    b!.shape,
    batchOf(b!.shape),
    {
      LM: m,
      LK: left ? c : r,
      LSIZE: r * c,
      LEFT: left,
      TRANSPOSED: transposed,
      EFFLOWER: !!attrs.lower !== transposed,
      UNIT: !!attrs.unitDiagonal,
    },
    `let ao = index * LM * LM;
          let xo = index * LSIZE;
          for (var t = 0; t < LSIZE; t++) { result[xo + t] = B[xo + t]; }
          for (var step = 0; step < LM; step++) {
            var i = step;
            if (!EFFLOWER) { i = LM - 1 - step; }
            var d = 1.0;
            if (!UNIT) { d = at(ao, i, i); }
            for (var col = 0; col < LK; col++) {
              var s = result[xo + xi(i, col)];
              if (EFFLOWER) {
                for (var j = 0; j < i; j++) { s -= at(ao, i, j) * result[xo + xi(j, col)]; }
              } else {
                for (var j = i + 1; j < LM; j++) { s -= at(ao, i, j) * result[xo + xi(j, col)]; }
              }
              result[xo + xi(i, col)] = s / d;
            }
          }`,
    `fn at(ao : i32, i : i32, j : i32) -> f32 {
        if (TRANSPOSED) { return A[ao + j * LM + i]; }
        return A[ao + i * LM + j];
      }
      fn xi(i : i32, col : i32) -> i32 {
        if (LEFT) { return i * LK + col; }
        return col * LM + i;
      }`,
  );
  return [backend.runWebGPUProgram(program, [a!, b!], "float32")];
};

const lu: WebGPUKernel = (backend, [a]) => {
  const [m, n] = a!.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const batch = batchOf(a!.shape);
  const per = m * n + k + m;
  const program = perMatrixProgram(
    "TfjaxLu",
    ["A"],
    [batch * per],
    batch,
    { LM: m, LN: n, LK: k, PER: per },
    `let o = index * PER;
          let piv = o + LM * LN;
          let perm = piv + LK;
          for (var t = 0; t < LM * LN; t++) { result[o + t] = A[index * LM * LN + t]; }
          for (var i = 0; i < LM; i++) { result[perm + i] = f32(i); }
          for (var kk = 0; kk < LK; kk++) {
            var p = kk;
            for (var i = kk + 1; i < LM; i++) {
              if (abs(result[o + i * LN + kk]) > abs(result[o + p * LN + kk])) { p = i; }
            }
            result[piv + kk] = f32(p);
            if (p != kk) {
              for (var j = 0; j < LN; j++) {
                let t = result[o + kk * LN + j];
                result[o + kk * LN + j] = result[o + p * LN + j];
                result[o + p * LN + j] = t;
              }
              let t = result[perm + kk];
              result[perm + kk] = result[perm + p];
              result[perm + p] = t;
            }
            let d = result[o + kk * LN + kk];
            if (d == 0.0) { continue; }
            for (var i = kk + 1; i < LM; i++) {
              let f = result[o + i * LN + kk] / d;
              result[o + i * LN + kk] = f;
              for (var j = kk + 1; j < LN; j++) { result[o + i * LN + j] -= f * result[o + kk * LN + j]; }
            }
          }`,
  );
  const packed = backend.runWebGPUProgram(program, [a!], "float32");
  const lead = a!.shape.slice(0, -2);
  const outs = [
    extract(backend, packed, per, 0, n, a!.shape, "float32"),
    extract(backend, packed, per, m * n, 0, [...lead, k], "int32", VECTOR),
    extract(backend, packed, per, m * n + k, 0, [...lead, m], "int32", VECTOR),
  ];
  dispose(backend, packed);
  return outs;
};

/** Cyclic Jacobi in f32: a rotation is skipped once |a_pq| is below f32 rounding of the diagonal. */
const eigh: WebGPUKernel = (backend, [a], attrs) => {
  const n = a!.shape.at(-1)!;
  const batch = batchOf(a!.shape);
  const per = 2 * n * n + n;
  const program = perMatrixProgram(
    "TfjaxEigh",
    ["A"],
    [batch * per],
    batch,
    { LN: n, PER: per, LOWER: !!attrs.lower },
    `let o = index * PER;
          let vo = o + LN * LN;
          let wo = vo + LN * LN;
          let ao = index * LN * LN;
          for (var i = 0; i < LN; i++) {
            for (var j = 0; j < LN; j++) {
              var r = i; var c = j;
              if ((LOWER && i < j) || (!LOWER && i > j)) { r = j; c = i; }
              result[o + i * LN + j] = A[ao + r * LN + c];
              result[vo + i * LN + j] = select(0.0, 1.0, i == j);
            }
          }
          for (var sweep = 0; sweep < 60; sweep++) {
            var rotated = false;
            for (var p = 0; p < LN - 1; p++) {
              for (var q = p + 1; q < LN; q++) {
                let apq = result[o + p * LN + q];
                let app = result[o + p * LN + p];
                let aqq = result[o + q * LN + q];
                if (abs(apq) <= 1e-7 * sqrt(abs(app * aqq)) || apq == 0.0) { continue; }
                rotated = true;
                let theta = (aqq - app) / (2.0 * apq);
                var sgn = 1.0;
                if (theta < 0.0) { sgn = -1.0; }
                let t = sgn / (abs(theta) + sqrt(theta * theta + 1.0));
                let c = 1.0 / sqrt(t * t + 1.0);
                let s = t * c;
                for (var k = 0; k < LN; k++) {
                  let x = result[o + k * LN + p]; let y = result[o + k * LN + q];
                  result[o + k * LN + p] = c * x - s * y; result[o + k * LN + q] = s * x + c * y;
                }
                for (var k = 0; k < LN; k++) {
                  let x = result[o + p * LN + k]; let y = result[o + q * LN + k];
                  result[o + p * LN + k] = c * x - s * y; result[o + q * LN + k] = s * x + c * y;
                }
                for (var k = 0; k < LN; k++) {
                  let x = result[vo + k * LN + p]; let y = result[vo + k * LN + q];
                  result[vo + k * LN + p] = c * x - s * y; result[vo + k * LN + q] = s * x + c * y;
                }
              }
            }
            if (!rotated) { break; }
          }
          for (var i = 0; i < LN; i++) { result[wo + i] = result[o + i * LN + i]; }
          for (var i = 0; i < LN; i++) {
            var best = i;
            for (var j = i + 1; j < LN; j++) { if (result[wo + j] < result[wo + best]) { best = j; } }
            if (best != i) {
              let t = result[wo + i]; result[wo + i] = result[wo + best]; result[wo + best] = t;
              for (var k = 0; k < LN; k++) {
                let x = result[vo + k * LN + i];
                result[vo + k * LN + i] = result[vo + k * LN + best];
                result[vo + k * LN + best] = x;
              }
            }
          }`,
  );
  const packed = backend.runWebGPUProgram(program, [a!], "float32");
  const outs = [
    extract(backend, packed, per, n * n, n, a!.shape, "float32"),
    extract(backend, packed, per, 2 * n * n, 0, a!.shape.slice(0, -1), "float32", VECTOR),
  ];
  dispose(backend, packed);
  return outs;
};

/** WGSL that fills columns start..cols-1 of the rows x cols block at `base` by Gram-Schmidt. */
const COMPLETE_COLUMNS = `
      fn completeColumns(base : i32, rows : i32, cols : i32, start : i32, tmp : i32) {
        var e = 0;
        for (var j = start; j < cols; j++) {
          loop {
            if (e >= rows) { break; }
            for (var i = 0; i < rows; i++) { result[tmp + i] = select(0.0, 1.0, i == e); }
            for (var sweep = 0; sweep < 2; sweep++) {
              for (var c = 0; c < j; c++) {
                var d = 0.0;
                for (var i = 0; i < rows; i++) { d += result[base + i * cols + c] * result[tmp + i]; }
                for (var i = 0; i < rows; i++) { result[tmp + i] -= d * result[base + i * cols + c]; }
              }
            }
            var norm = 0.0;
            for (var i = 0; i < rows; i++) { norm += result[tmp + i] * result[tmp + i]; }
            norm = sqrt(norm);
            e++;
            if (norm > 1e-3) {
              for (var i = 0; i < rows; i++) { result[base + i * cols + j] = result[tmp + i] / norm; }
              break;
            }
          }
        }
      }`;

const qr: WebGPUKernel = (backend, [a], attrs) => {
  const [m, n] = a!.shape.slice(-2) as [number, number];
  const batch = batchOf(a!.shape);
  const k = attrs.fullMatrices ? m : Math.min(m, n);
  const per = m * m + m * n + m;
  const program = perMatrixProgram(
    "TfjaxQr",
    ["A"],
    [batch * per],
    batch,
    { LM: m, LN: n, PER: per, STEPS: Math.min(m - 1, n) },
    `let qo = index * PER;
          let ro = qo + LM * LM;
          let vo = ro + LM * LN;
          for (var t = 0; t < LM * LN; t++) { result[ro + t] = A[index * LM * LN + t]; }
          for (var i = 0; i < LM; i++) {
            for (var j = 0; j < LM; j++) { result[qo + i * LM + j] = select(0.0, 1.0, i == j); }
          }
          for (var k = 0; k < STEPS; k++) {
            var norm = 0.0;
            for (var i = k; i < LM; i++) { norm += result[ro + i * LN + k] * result[ro + i * LN + k]; }
            norm = sqrt(norm);
            if (norm == 0.0) { continue; }
            let alpha = result[ro + k * LN + k];
            var beta = norm;
            if (alpha >= 0.0) { beta = -norm; }
            for (var i = k; i < LM; i++) { result[vo + i] = result[ro + i * LN + k]; }
            result[vo + k] = alpha - beta;
            var vv = 0.0;
            for (var i = k; i < LM; i++) { vv += result[vo + i] * result[vo + i]; }
            if (vv == 0.0) { continue; }
            for (var j = k; j < LN; j++) {
              var s = 0.0;
              for (var i = k; i < LM; i++) { s += result[vo + i] * result[ro + i * LN + j]; }
              s = 2.0 * s / vv;
              for (var i = k; i < LM; i++) { result[ro + i * LN + j] -= s * result[vo + i]; }
            }
            for (var r = 0; r < LM; r++) {
              var s = 0.0;
              for (var i = k; i < LM; i++) { s += result[qo + r * LM + i] * result[vo + i]; }
              s = 2.0 * s / vv;
              for (var i = k; i < LM; i++) { result[qo + r * LM + i] -= s * result[vo + i]; }
            }
            for (var i = k + 1; i < LM; i++) { result[ro + i * LN + k] = 0.0; }
          }`,
  );
  const packed = backend.runWebGPUProgram(program, [a!], "float32");
  const lead = a!.shape.slice(0, -2);
  const outs = [
    extract(backend, packed, per, 0, m, [...lead, m, k], "float32"),
    extract(backend, packed, per, m * m, n, [...lead, k, n], "float32"),
  ];
  dispose(backend, packed);
  return outs;
};

/**
 * One-sided Jacobi SVD in f32 of the tall problem (a, or a^T when a is wide), as
 * linalg_host.ts's jacobiSvd; U is completed to UCOLS orthonormal columns where asked or where
 * singular values vanish.
 */
const svd: WebGPUKernel = (backend, [a], attrs) => {
  const [m, n] = a!.shape.slice(-2) as [number, number];
  const batch = batchOf(a!.shape);
  const full = !!attrs.fullMatrices;
  const wide = m < n;
  const [rows, cols] = wide ? [n, m] : [m, n];
  const ucols = full ? rows : cols;
  // packed: W (rows x cols), V (cols x cols), S (cols), U (rows x ucols), tmp (rows)
  const per = rows * cols + cols * cols + cols + rows * ucols + rows;
  const program = perMatrixProgram(
    "TfjaxSvd",
    ["A"],
    [batch * per],
    batch,
    { ROWS: rows, COLS: cols, UCOLS: ucols, PER: per, WIDE: wide },
    `let wo = index * PER;
          let vo = wo + ROWS * COLS;
          let so = vo + COLS * COLS;
          let uo = so + COLS;
          let tmp = uo + ROWS * UCOLS;
          let ao = index * ROWS * COLS;
          for (var i = 0; i < ROWS; i++) {
            for (var j = 0; j < COLS; j++) {
              if (WIDE) { result[wo + i * COLS + j] = A[ao + j * ROWS + i]; }
              else { result[wo + i * COLS + j] = A[ao + i * COLS + j]; }
            }
          }
          for (var i = 0; i < COLS; i++) {
            for (var j = 0; j < COLS; j++) { result[vo + i * COLS + j] = select(0.0, 1.0, i == j); }
          }
          for (var sweep = 0; sweep < 60; sweep++) {
            var rotated = false;
            for (var p = 0; p < COLS - 1; p++) {
              for (var q = p + 1; q < COLS; q++) {
                var al = 0.0; var be = 0.0; var ga = 0.0;
                for (var i = 0; i < ROWS; i++) {
                  let x = result[wo + i * COLS + p]; let y = result[wo + i * COLS + q];
                  al += x * x; be += y * y; ga += x * y;
                }
                if (ga == 0.0 || abs(ga) <= 1e-7 * sqrt(al * be)) { continue; }
                rotated = true;
                let zeta = (be - al) / (2.0 * ga);
                var sgn = 1.0;
                if (zeta < 0.0) { sgn = -1.0; }
                let t = sgn / (abs(zeta) + sqrt(1.0 + zeta * zeta));
                let c = 1.0 / sqrt(1.0 + t * t);
                let s = c * t;
                for (var i = 0; i < ROWS; i++) {
                  let x = result[wo + i * COLS + p]; let y = result[wo + i * COLS + q];
                  result[wo + i * COLS + p] = c * x - s * y; result[wo + i * COLS + q] = s * x + c * y;
                }
                for (var i = 0; i < COLS; i++) {
                  let x = result[vo + i * COLS + p]; let y = result[vo + i * COLS + q];
                  result[vo + i * COLS + p] = c * x - s * y; result[vo + i * COLS + q] = s * x + c * y;
                }
              }
            }
            if (!rotated) { break; }
          }
          for (var j = 0; j < COLS; j++) {
            var t = 0.0;
            for (var i = 0; i < ROWS; i++) { t += result[wo + i * COLS + j] * result[wo + i * COLS + j]; }
            result[so + j] = sqrt(t);
          }
          for (var i = 0; i < COLS; i++) {
            var best = i;
            for (var j = i + 1; j < COLS; j++) { if (result[so + j] > result[so + best]) { best = j; } }
            if (best != i) {
              let t = result[so + i]; result[so + i] = result[so + best]; result[so + best] = t;
              for (var r = 0; r < ROWS; r++) {
                let x = result[wo + r * COLS + i];
                result[wo + r * COLS + i] = result[wo + r * COLS + best];
                result[wo + r * COLS + best] = x;
              }
              for (var r = 0; r < COLS; r++) {
                let x = result[vo + r * COLS + i];
                result[vo + r * COLS + i] = result[vo + r * COLS + best];
                result[vo + r * COLS + best] = x;
              }
            }
          }
          let tiny = 1e-6 * result[so];
          var rank = 0;
          for (var j = 0; j < COLS; j++) {
            let s = result[so + j];
            if (s > tiny) { rank++; }
            for (var i = 0; i < ROWS; i++) {
              result[uo + i * UCOLS + j] = select(0.0, result[wo + i * COLS + j] / s, s > tiny);
            }
          }
          completeColumns(uo, ROWS, UCOLS, rank, tmp);`,
    COMPLETE_COLUMNS,
  );
  const packed = backend.runWebGPUProgram(program, [a!], "float32");
  const lead = a!.shape.slice(0, -2);
  const uoff = rows * cols + cols * cols + cols;
  const voff = rows * cols;
  const sOut = extract(
    backend,
    packed,
    per,
    rows * cols + cols * cols,
    0,
    [...lead, cols],
    "float32",
    VECTOR,
  );
  const outs = [sOut];
  if (attrs.computeUv) {
    // tall: u = U', vt = V'^T; wide: u = V', vt = U'^T.
    const [uOff, uStride, vOff, vStride, vRows] = wide
      ? [voff, cols, uoff, ucols, ucols]
      : [uoff, ucols, voff, cols, cols];
    outs.push(
      extract(backend, packed, per, uOff, uStride, [...lead, m, wide ? cols : ucols], "float32"),
      extract(backend, packed, per, vOff, vStride, [...lead, vRows, n], "float32", {
        transposed: true,
      }),
    );
  }
  dispose(backend, packed);
  return outs;
};

export const WEBGPU_KERNELS: Record<
  "cholesky" | "triangularSolve" | "lu" | "eigh" | "svd" | "qr",
  WebGPUKernel
> = { cholesky, triangularSolve, lu, eigh, svd, qr };
