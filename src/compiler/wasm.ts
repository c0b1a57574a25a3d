/**
 * Fused elementwise loops over float32 arrays as WebAssembly SIMD kernels (four lanes a step,
 * no branches: a select computes both cases and blends them). The cpu lowering hands a fused
 * group here when every equation has a lowering below; the kernel then produces exactly the
 * values the generated JavaScript loop would:
 * - float32 arithmetic (add, sub, mul, div, sqrt, min, max, floor, ceil, ...) is correctly
 *   rounded in f32x4, as Math.fround of the double result is;
 * - exp, expm1, log, log1p, tanh, sin, cos, pow, logistic and rsqrt are computed on f64x2
 *   lanes to about 1e-16 and then rounded to float32, as the JavaScript code rounds Math's
 *   double results (sin and cos call Math.sin and Math.cos for lanes beyond 2^19).
 * Booleans are i32x4 lane masks (all ones or zero).
 */
import type { DType } from "../core/dtype.js";
import type { Atom, JaxprEqn, Var } from "../core/jaxpr.js";
import { Literal } from "../core/jaxpr.js";
import { ERF_INV_CENTRAL, ERF_INV_TAIL } from "../lax/kernels.js";
import { THREEFRY_PARITY, THREEFRY_ROTATIONS } from "../lax/threefry.js";

// --- binary encoding --------------------------------------------------------------------------

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Opcodes after the 0xfd SIMD prefix (the final SIMD specification's numbering). */
const SIMD = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  i32x4Splat: 0x11,
  f32x4ExtractLane: 0x1f,
  i64x2ExtractLane: 0x1d,
  f64x2ExtractLane: 0x21,
  f64x2ReplaceLane: 0x22,
  i32x4Eq: 0x37,
  i32x4Ne: 0x38,
  i32x4LtS: 0x39,
  i32x4LtU: 0x3a,
  i32x4GtS: 0x3b,
  i32x4GtU: 0x3c,
  i32x4LeS: 0x3d,
  i32x4LeU: 0x3e,
  i32x4GeS: 0x3f,
  i32x4GeU: 0x40,
  f32x4Splat: 0x13,
  f32x4Eq: 0x41,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f32x4Le: 0x45,
  f32x4Ge: 0x46,
  f64x2Eq: 0x47,
  f64x2Ne: 0x48,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  f64x2Ge: 0x4c,
  not: 0x4d,
  and: 0x4e,
  or: 0x50,
  xor: 0x51,
  bitselect: 0x52,
  anyTrue: 0x53,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f32x4Ceil: 0x67,
  f32x4Floor: 0x68,
  f64x2Floor: 0x75,
  f64x2Nearest: 0x94,
  i32x4Neg: 0xa1,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  i32x4Mul: 0xb5,
  i32x4MinS: 0xb6,
  i32x4MinU: 0xb7,
  i32x4MaxS: 0xb8,
  i32x4MaxU: 0xb9,
  i64x2ExtendLowI32x4S: 0xc7,
  i64x2Shl: 0xcb,
  i64x2ShrU: 0xcd,
  i64x2Add: 0xce,
  i64x2LtS: 0xd8,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  f64x2Pmin: 0xf6,
  f64x2Pmax: 0xf7,
  i32x4TruncSatF64x2SZero: 0xfc,
  f32x4ConvertI32x4S: 0xfa,
  f32x4ConvertI32x4U: 0xfb,
  f64x2ConvertLowI32x4S: 0xfe,
} as const;

/** A growing byte buffer with WebAssembly's encodings. */
class Bytes {
  readonly data: number[] = [];
  u8(...bytes: number[]): this {
    this.data.push(...bytes);
    return this;
  }
  u32(n: number): this {
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n !== 0) byte |= 0x80;
      this.data.push(byte);
    } while (n !== 0);
    return this;
  }
  s32(n: number): this {
    for (;;) {
      const byte = n & 0x7f;
      n >>= 7;
      const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
      this.data.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }
  /** A length-prefixed vector of bytes (a section's or a function body's contents). */
  sized(inner: Bytes): this {
    return this.u32(inner.data.length).u8(...inner.data);
  }
}

/** A v128 constant with the same value in every lane. */
type Lane = "f32" | "i32" | "f64" | "i64";
function splatBytes(value: number, lane: Lane): number[] {
  const buffer = new ArrayBuffer(16);
  const view = new DataView(buffer);
  for (let k = 0; k < 16; k += lane === "f32" || lane === "i32" ? 4 : 8) {
    if (lane === "f32") view.setFloat32(k, value, true);
    else if (lane === "i32") view.setInt32(k, value, true);
    else if (lane === "f64") view.setFloat64(k, value, true);
    else view.setBigInt64(k, BigInt(value), true);
  }
  return [...new Uint8Array(buffer)];
}

/** JavaScript functions (f64) -> f64 a kernel may call, for lanes its own code does not cover. */
const MATH_IMPORTS = { sin: Math.sin, cos: Math.cos };
type MathImport = keyof typeof MATH_IMPORTS;

/** A length-prefixed UTF-8 name. */
const name = (text: string) => new Bytes().u32(text.length).u8(...new TextEncoder().encode(text));

/**
 * One exported function `run(bytes, ...pointers, ...scalars)` over an imported memory, calling
 * the imported `math` functions (function indices 0, 1, ... in this order).
 */
function assembleModule(
  params: number[],
  v128Locals: number,
  body: Bytes,
  math: MathImport[],
): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: Bytes) => new Bytes().u8(id).sized(content).data;
  const F64 = 0x7c;
  const type = new Bytes()
    .u32(2)
    .u8(0x60)
    .u32(params.length)
    .u8(...params)
    .u32(0);
  type.u8(0x60).u32(1).u8(F64).u32(1).u8(F64); // type 1: (f64) -> f64
  const imports = new Bytes().u32(1 + math.length);
  imports
    .u8(...name("env").data, ...name("mem").data)
    .u8(0x02, 0x00)
    .u32(1); // memory, 1 page
  for (const fn of math)
    imports
      .u8(...name("env").data, ...name(fn).data)
      .u8(0x00)
      .u32(1);
  const functions = new Bytes().u32(1).u32(0);
  const exports = new Bytes()
    .u32(1)
    .u8(...name("run").data)
    .u8(0x00)
    .u32(math.length);
  const fn = new Bytes().u32(2).u32(1).u8(I32).u32(v128Locals).u8(V128);
  fn.u8(...body.data).u8(0x0b);
  const code = new Bytes().u32(1).sized(fn);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, type),
    ...section(2, imports),
    ...section(3, functions),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

// --- the kernel's instructions --------------------------------------------------------------------

/**
 * Emits instructions and hands out v128 locals (after the parameters and the i32 counter).
 * Constants are loaded from memory into locals once, before the loop: V8 rematerializes a
 * v128.const at every use inside the loop, which costs several instructions each time.
 */
class KernelCode {
  readonly prologue = new Bytes();
  readonly body = new Bytes();
  readonly #constants = new Map<string, number>();
  /** The imported JavaScript functions the code calls, in function-index order. */
  readonly math: MathImport[] = [];
  /** The local holding the current vector's element indices (i32x4), where needed. */
  elementIndex: number | null = null;
  #v128 = 0;
  constructor(private readonly firstV128: number) {}
  get v128Count(): number {
    return this.#v128;
  }
  local(): number {
    return this.firstV128 + this.#v128++;
  }
  simd(op: number): this {
    this.body.u8(0xfd).u32(op);
    return this;
  }
  get(local: number): this {
    this.body.u8(0x20).u32(local);
    return this;
  }
  set(local: number): this {
    this.body.u8(0x21).u32(local);
    return this;
  }
  /** Pops a value into a fresh local. */
  save(): number {
    const local = this.local();
    this.set(local);
    return local;
  }
  /** The constants' bytes, which the kernel loads from the start of memory. */
  readonly pool: number[] = [];
  /** The local holding a vector with `value` in every lane. */
  constant(value: number, lane: Lane): number {
    const key = `${lane}:${Object.is(value, -0) ? "-0" : value}`;
    let local = this.#constants.get(key);
    if (local === undefined) {
      local = this.local();
      this.prologue.u8(0x41).s32(0).u8(0xfd).u32(SIMD.load).u32(4).u32(this.pool.length);
      this.prologue.u8(0x21).u32(local);
      this.pool.push(...splatBytes(value, lane));
      this.#constants.set(key, local);
    }
    return local;
  }
  /** Pushes a vector with `value` in every lane. */
  splat(value: number, lane: Lane): this {
    return this.get(this.constant(value, lane));
  }
  shuffle(lanes: number[]): this {
    this.simd(SIMD.shuffle);
    this.body.u8(...lanes);
    return this;
  }
  /** Calls an imported JavaScript function on the f64 on the stack. */
  call(fn: MathImport): this {
    if (!this.math.includes(fn)) this.math.push(fn);
    this.body.u8(0x10).u32(this.math.indexOf(fn));
    return this;
  }
  /** op(a, b) for locals a and b. */
  binary(op: number, a: number, b: number): this {
    return this.get(a).get(b).simd(op);
  }
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);
/** Bytes 8..15 of a vector moved to 0..7, for promoting the upper two float32 lanes. */
const HIGH_HALF = [...range(8, 8), ...range(8, 8)];
/** The low halves of two vectors side by side: two demoted f64x2 results as one f32x4. */
const LOW_HALVES = [...range(0, 8), ...range(16, 8)];

/**
 * Applies `fn` (f64x2 operands in locals -> f64x2 on the stack) to each float32 lane of the
 * locals `operands`, rounding its results to float32.
 */
function viaF64(c: KernelCode, operands: number[], fn: (...xs: number[]) => void): void {
  const halves = [false, true].map((high) => {
    const promoted = operands.map((a) => {
      if (high) c.get(a).get(a).shuffle(HIGH_HALF);
      else c.get(a);
      return c.simd(SIMD.f64x2PromoteLowF32x4).save();
    });
    fn(...promoted);
    return c.simd(SIMD.f32x4DemoteF64x2Zero).save();
  });
  c.get(halves[0]!).get(halves[1]!).shuffle(LOW_HALVES);
}

// fdlibm's split of ln 2: LN2_HI has trailing zero bits, so k * LN2_HI is exact for |k| < 2^20.
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;

/** 1/i! for i = 0..12: e^r's Taylor coefficients, enough for |r| <= ln2/2 to 2e-16. */
const EXP_TAYLOR = range(0, 13).map((i) => 1 / range(1, i).reduce((f, j) => f * j, 1));

/**
 * e^x = 2^k e^r on f64x2 with x = k ln2 + r, |r| <= ln2/2; x is first clamped to [-708, 709],
 * where 2^k stays a normal double (float32 results are 0 or infinite beyond). Returns the
 * locals of k, r and 2^k; NaN stays NaN in r.
 */
function expParts(c: KernelCode, x: number): { k: number; r: number; scale: number } {
  // pmax/pmin (one instruction each) return x itself when it is NaN.
  c.get(x).splat(-708, "f64").simd(SIMD.f64x2Pmax).splat(709, "f64").simd(SIMD.f64x2Pmin);
  const xc = c.save();
  c.get(xc).splat(Math.LOG2E, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Nearest);
  const k = c.save();
  c.get(xc).get(k).splat(LN2_HI, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub);
  c.get(k).splat(LN2_LO, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub);
  const r = c.save();
  c.get(k).simd(SIMD.i32x4TruncSatF64x2SZero).simd(SIMD.i64x2ExtendLowI32x4S);
  c.splat(1023, "i64").simd(SIMD.i64x2Add);
  c.body.u8(0x41).s32(52); // i32.const 52
  c.simd(SIMD.i64x2Shl);
  return { k, r, scale: c.save() };
}

/** e^x on f64x2, to about 2e-16 (see expParts). */
function expF64(c: KernelCode, x: number): void {
  const { r, scale } = expParts(c, x);
  horner(c, r, EXP_TAYLOR);
  c.get(scale).simd(SIMD.f64x2Mul);
}

/**
 * e^x - 1 on f64x2 without cancellation near 0: 2^k (e^r - 1) + (2^k - 1), with e^r - 1 as
 * r times its Taylor series (for k = 0 it is that series alone).
 */
function expm1F64(c: KernelCode, x: number): void {
  const { r, scale } = expParts(c, x);
  c.get(x); // expm1(-0) is -0, which the reduction (r = +0) loses
  horner(c, r, EXP_TAYLOR.slice(1));
  c.get(r).simd(SIMD.f64x2Mul).get(scale).simd(SIMD.f64x2Mul);
  c.get(scale).splat(1, "f64").simd(SIMD.f64x2Sub).simd(SIMD.f64x2Add);
  c.get(x).splat(0, "f64").simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
}

/**
 * log(1 + x) on f64x2: with u = 1 + x rounded, log(u) x / (u - 1) (Goldberg, "What every
 * computer scientist should know about floating-point arithmetic", theorem 4), x where u = 1,
 * and infinity for x = infinity.
 */
function log1pF64(c: KernelCode, x: number): void {
  const u = c.get(x).splat(1, "f64").simd(SIMD.f64x2Add).save();
  logF64(c, u);
  c.get(x).simd(SIMD.f64x2Mul).get(u).splat(1, "f64").simd(SIMD.f64x2Sub).simd(SIMD.f64x2Div);
  const general = c.save();
  c.get(x).get(general).get(u).splat(1, "f64").simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
  const nearZero = c.save();
  c.get(x).get(nearZero);
  c.get(x).splat(Number.POSITIVE_INFINITY, "f64").simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
}

/**
 * tanh on f64x2 through expm1, as fdlibm's s_tanh.c: with t = expm1(-2|x|), tanh|x| =
 * -t / (t + 2) for |x| < 1, and with t = expm1(2|x|), 1 - 2 / (t + 2) from there (1 beyond 22,
 * where the second form already rounds to 1); the sign is x's. NaN stays NaN.
 */
function tanhF64(c: KernelCode, x: number): void {
  const ax = c.get(x).simd(SIMD.f64x2Abs).save();
  const twice = c.binary(SIMD.f64x2Add, ax, ax).save();
  const negated = c.splat(0, "f64").get(twice).simd(SIMD.f64x2Sub).save();
  expm1F64(c, negated);
  const t = c.save();
  c.splat(0, "f64").get(t).simd(SIMD.f64x2Sub).get(t).splat(2, "f64").simd(SIMD.f64x2Add);
  const small = c.simd(SIMD.f64x2Div).save();
  expm1F64(c, twice);
  const u = c.save();
  c.splat(1, "f64").splat(2, "f64").get(u).splat(2, "f64").simd(SIMD.f64x2Add);
  c.simd(SIMD.f64x2Div).simd(SIMD.f64x2Sub);
  const large = c.save();
  c.get(small).get(large).get(ax).splat(1, "f64").simd(SIMD.f64x2Lt).simd(SIMD.bitselect);
  const magnitude = c.save();
  // copysign(magnitude, x): the sign bit from x, the rest from the magnitude.
  c.get(x).get(magnitude).splat(-0, "f64").simd(SIMD.bitselect);
}

/**
 * x^y on f64x2 with JavaScript's `**` values and C's pow(1, y) = pow(x, 0) = 1 (rt.math.pow):
 * e^(y log|x|), negated for a negative x (or -0, or -inf) and an odd integer y, NaN for a
 * finite negative x and a non-integer y; x^2 is x x. Infinities, zeros and NaN follow from log
 * and exp. The relative error (about 1e-14 for results near float32's range) makes about one
 * result in a million round to the other float32 neighbour of Math.pow's.
 */
function powF64(c: KernelCode, x: number, y: number): void {
  c.get(x).simd(SIMD.f64x2Abs);
  logF64(c, c.save());
  c.get(y).simd(SIMD.f64x2Mul);
  expF64(c, c.save());
  const magnitude = c.save();
  const isInteger = c.get(y).simd(SIMD.f64x2Nearest).get(y).simd(SIMD.f64x2Eq).save();
  const half = c.get(y).splat(0.5, "f64").simd(SIMD.f64x2Mul).save();
  c.get(half).simd(SIMD.f64x2Nearest).get(half).simd(SIMD.f64x2Ne).get(isInteger).simd(SIMD.and);
  const odd = c.save();
  // The sign bit of x (set for -0 and -inf too), as a lane mask.
  c.get(x).splat(0, "i64").simd(SIMD.i64x2LtS).get(odd).simd(SIMD.and);
  const negative = c.save();
  c.get(magnitude).simd(SIMD.f64x2Neg).get(magnitude).get(negative).simd(SIMD.bitselect);
  const signed = c.save();
  c.splat(Number.NaN, "f64").get(signed);
  c.get(x).splat(0, "f64").simd(SIMD.f64x2Lt);
  c.get(x).splat(Number.NEGATIVE_INFINITY, "f64").simd(SIMD.f64x2Gt).simd(SIMD.and);
  c.get(isInteger).simd(SIMD.not).simd(SIMD.and).simd(SIMD.bitselect);
  const general = c.save();
  // x^2 exactly (a float32 squared fits a double), as Math.pow gives it.
  c.binary(SIMD.f64x2Mul, x, x).get(general).get(y).splat(2, "f64").simd(SIMD.f64x2Eq);
  c.simd(SIMD.bitselect);
  const squared = c.save();
  c.splat(1, "f64").get(squared);
  c.get(y).splat(0, "f64").simd(SIMD.f64x2Eq);
  c.get(x).splat(1, "f64").simd(SIMD.f64x2Eq).simd(SIMD.or).simd(SIMD.bitselect);
}

// fdlibm's s_sin.c / k_sin.c / k_cos.c / e_rem_pio2.c (https://www.netlib.org/fdlibm/):
// pi/2 in three 33-bit pieces and the kernels' minimax coefficients on [-pi/4, pi/4].
const PIO2_1 = 1.5707963267341256;
const PIO2_2 = 6.077100506303966e-11;
const PIO2_2T = 2.0222662487959506e-21;
const SIN_COEFFICIENTS = [
  -1.6666666666666632e-1, 8.33333333332249e-3, -1.984126982985795e-4, 2.7557313707070068e-6,
  -2.5050760253406863e-8, 1.58969099521155e-10,
];
const COS_COEFFICIENTS = [
  4.16666666666666e-2, -1.388888888887411e-3, 2.480158728947673e-5, -2.7557314351390663e-7,
  2.087572321298175e-9, -1.1359647557788195e-11,
];
/** Beyond this |x| (and for infinities and NaN) lanes call Math.sin / Math.cos. */
const TRIG_REDUCED_UP_TO = 2 ** 19;

/**
 * sin or cos on f64x2 as fdlibm computes them: x = n pi/2 + (hi + lo) with pi/2 to 119 bits (so
 * the reduction keeps every bit of float32 arguments), then the kernel polynomials on
 * [-pi/4, pi/4], chosen and signed by n mod 4. Lanes with |x| >= 2^19, infinite or NaN call
 * JavaScript's Math function itself.
 */
function trigF64(c: KernelCode, x: number, fn: "sin" | "cos"): void {
  c.get(x)
    .splat(2 / Math.PI, "f64")
    .simd(SIMD.f64x2Mul)
    .simd(SIMD.f64x2Nearest);
  const n = c.save();
  const t = c.get(x).get(n).splat(PIO2_1, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub).save();
  const w = c.get(n).splat(PIO2_2, "f64").simd(SIMD.f64x2Mul).save();
  const r = c.binary(SIMD.f64x2Sub, t, w).save();
  // w2 = n pio2_2t - ((t - r) - w): the next piece of n pi/2 minus the rounding of t - w.
  c.get(n).splat(PIO2_2T, "f64").simd(SIMD.f64x2Mul);
  c.binary(SIMD.f64x2Sub, t, r).get(w).simd(SIMD.f64x2Sub).simd(SIMD.f64x2Sub);
  const w2 = c.save();
  const hi = c.binary(SIMD.f64x2Sub, r, w2).save();
  const lo = c.binary(SIMD.f64x2Sub, r, hi).get(w2).simd(SIMD.f64x2Sub).save();
  const z = c.binary(SIMD.f64x2Mul, hi, hi).save();
  // k_sin: hi - ((z (lo/2 - v s) - lo) - v S1), v = z hi, s = S2 + z (S3 + ...)
  horner(c, z, SIN_COEFFICIENTS.slice(1));
  const s = c.save();
  const v = c.binary(SIMD.f64x2Mul, z, hi).save();
  c.get(hi).get(z).get(lo).splat(0.5, "f64").simd(SIMD.f64x2Mul);
  c.binary(SIMD.f64x2Mul, v, s).simd(SIMD.f64x2Sub).simd(SIMD.f64x2Mul).get(lo).simd(SIMD.f64x2Sub);
  c.get(v).splat(SIN_COEFFICIENTS[0]!, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub);
  const sine = c.simd(SIMD.f64x2Sub).save();
  // k_cos: h + (((1 - h) - z/2) + (z q - hi lo)), h = 1 - z/2, q = z (C1 + z (C2 + ...))
  horner(c, z, COS_COEFFICIENTS);
  const q = c.get(z).simd(SIMD.f64x2Mul).save();
  const half = c.get(z).splat(0.5, "f64").simd(SIMD.f64x2Mul).save();
  const head = c.splat(1, "f64").get(half).simd(SIMD.f64x2Sub).save();
  c.get(head).splat(1, "f64").get(head).simd(SIMD.f64x2Sub).get(half).simd(SIMD.f64x2Sub);
  c.binary(SIMD.f64x2Mul, z, q).binary(SIMD.f64x2Mul, hi, lo).simd(SIMD.f64x2Sub);
  const cosine = c.simd(SIMD.f64x2Add).simd(SIMD.f64x2Add).save();
  // n mod 4 (exact in doubles): odd quadrants swap the kernels, and two of four negate.
  const quarter = c.get(n).splat(0.25, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Floor).save();
  c.get(n).get(quarter).splat(4, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Sub);
  const m = c.save();
  const isOdd = (v: number) => {
    c.get(v).splat(0.5, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Floor);
    c.get(v).splat(0.5, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Ne);
  };
  isOdd(m);
  const odd = c.save();
  const [even, other] = fn === "sin" ? [sine, cosine] : [cosine, sine];
  c.get(other).get(even).get(odd).simd(SIMD.bitselect);
  const value = c.save();
  // sin negates for m = 2, 3; cos for m = 1, 2.
  c.get(m)
    .splat(fn === "sin" ? 2 : 1, "f64")
    .simd(SIMD.f64x2Ge);
  c.get(m)
    .splat(fn === "sin" ? 4 : 3, "f64")
    .simd(SIMD.f64x2Lt)
    .simd(SIMD.and);
  const negate = c.save();
  c.get(value).simd(SIMD.f64x2Neg).get(value).get(negate).simd(SIMD.bitselect);
  const result = c.save();
  // Lanes the reduction does not cover (or NaN): Math.sin / Math.cos itself.
  c.get(x).simd(SIMD.f64x2Abs).splat(TRIG_REDUCED_UP_TO, "f64").simd(SIMD.f64x2Lt);
  const covered = c.save();
  c.get(covered).simd(SIMD.not).simd(SIMD.anyTrue).body.u8(0x04, 0x40); // if
  for (let lane = 0; lane < 2; lane++) {
    c.get(covered).simd(SIMD.i64x2ExtractLane).body.u8(lane).u8(0x50).u8(0x04, 0x40); // if eqz
    c.get(result).get(x).simd(SIMD.f64x2ExtractLane).body.u8(lane);
    c.call(fn).simd(SIMD.f64x2ReplaceLane).body.u8(lane);
    c.set(result).body.u8(0x0b);
  }
  c.body.u8(0x0b);
  // sin(-0) is -0, which the reduction (n = -0, hi = +0) loses.
  if (fn === "sin")
    c.get(x).get(result).get(x).splat(0, "f64").simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
  else c.get(result);
}

/** sum c[i] r^i on f64x2 (coefficients from degree 0 up), left on the stack. */
function horner(c: KernelCode, r: number, coefficients: number[]): void {
  c.splat(coefficients.at(-1)!, "f64");
  for (let i = coefficients.length - 2; i >= 0; i--)
    c.get(r).simd(SIMD.f64x2Mul).splat(coefficients[i]!, "f64").simd(SIMD.f64x2Add);
}

/**
 * log(x) on f64x2: x = 2^e m with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s) with
 * s = (m - 1)/(m + 1), |s| < 0.172, by its series to s^21 (relative error below 1e-17).
 * Zero, negative, infinite and NaN inputs take IEEE's values (-inf, NaN, inf, NaN).
 */
function logF64(c: KernelCode, x: number): void {
  const MANTISSA = 2 ** 52 - 1;
  // The exponent field as an integer in the low 32 bits of each 64-bit lane.
  c.get(x);
  c.body.u8(0x41).s32(52);
  c.simd(SIMD.i64x2ShrU);
  const field = c.save();
  // m in [1, 2): x's mantissa bits under the exponent of 1.
  c.get(x).splat(MANTISSA, "i64").simd(SIMD.and).splat(1, "f64").simd(SIMD.or);
  const m1 = c.save();
  c.get(m1).splat(Math.SQRT2, "f64").simd(SIMD.f64x2Gt);
  const big = c.save();
  c.get(m1).splat(0.5, "f64").simd(SIMD.f64x2Mul).get(m1).get(big).simd(SIMD.bitselect);
  const m = c.save();
  // e = field - 1023, plus one where m was halved.
  c.get(field)
    .get(field)
    .shuffle([...range(0, 4), ...range(8, 4), ...range(0, 8)]);
  c.simd(SIMD.f64x2ConvertLowI32x4S).splat(-1023, "f64").simd(SIMD.f64x2Add);
  c.get(big).splat(1, "f64").simd(SIMD.and).simd(SIMD.f64x2Add);
  const e = c.save();
  c.get(m).splat(1, "f64").simd(SIMD.f64x2Sub).get(m).splat(1, "f64").simd(SIMD.f64x2Add);
  c.simd(SIMD.f64x2Div);
  const s = c.save();
  c.binary(SIMD.f64x2Mul, s, s);
  const z = c.save();
  horner(
    c,
    z,
    range(0, 11).map((i) => 2 / (2 * i + 1)),
  );
  c.get(s).simd(SIMD.f64x2Mul);
  c.get(e).splat(LN2_LO, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Add);
  c.get(e).splat(LN2_HI, "f64").simd(SIMD.f64x2Mul).simd(SIMD.f64x2Add);
  const general = c.save();
  // Special inputs: 0 -> -inf, +inf -> inf, negative or NaN -> NaN.
  c.splat(Number.NEGATIVE_INFINITY, "f64").splat(Number.NaN, "f64");
  c.get(x).splat(0, "f64").simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
  const zeroOrNaN = c.save();
  c.get(x).get(zeroOrNaN);
  c.get(x).splat(Number.POSITIVE_INFINITY, "f64").simd(SIMD.f64x2Eq).simd(SIMD.bitselect);
  const special = c.save();
  c.get(general).get(special);
  c.get(x).splat(0, "f64").simd(SIMD.f64x2Gt);
  c.get(x).splat(Number.POSITIVE_INFINITY, "f64").simd(SIMD.f64x2Lt).simd(SIMD.and);
  c.simd(SIMD.bitselect);
}

// --- equations ------------------------------------------------------------------------------------

/** Leaves its result on the stack, or returns an array of the locals of several (threefry2x32). */
type Lowering = (c: KernelCode, ins: number[], eqn: JaxprEqn) => unknown;

const f32Binary =
  (op: number): Lowering =>
  (c, [a, b]) =>
    c.binary(op, a!, b!);
const f32Unary =
  (op: number): Lowering =>
  (c, [a]) =>
    c.get(a!).simd(op);
const f64Unary =
  (fn: (c: KernelCode, x: number) => void): Lowering =>
  (c, [a]) =>
    viaF64(c, [a!], (x) => fn(c, x!));

/**
 * The lowerings of equations whose operands are float32 (f32x4 lanes) or bool (lane masks), by
 * primitive; each leaves its result on the stack.
 */
const LOWERINGS: Record<string, Lowering> = {
  add: f32Binary(SIMD.f32x4Add),
  sub: f32Binary(SIMD.f32x4Sub),
  mul: f32Binary(SIMD.f32x4Mul),
  div: f32Binary(SIMD.f32x4Div),
  max: f32Binary(SIMD.f32x4Max),
  min: f32Binary(SIMD.f32x4Min),
  neg: f32Unary(SIMD.f32x4Neg),
  abs: f32Unary(SIMD.f32x4Abs),
  sqrt: f32Unary(SIMD.f32x4Sqrt),
  floor: f32Unary(SIMD.f32x4Floor),
  ceil: f32Unary(SIMD.f32x4Ceil),
  square: (c, [a]) => c.binary(SIMD.f32x4Mul, a!, a!),
  integer_pow: (c, [a]) => c.binary(SIMD.f32x4Mul, a!, a!), // y = 2 only (see loweringOf)
  exp: f64Unary(expF64),
  expm1: f64Unary(expm1F64),
  log: f64Unary(logF64),
  log1p: f64Unary(log1pF64),
  tanh: f64Unary(tanhF64),
  // 1 / (1 + e^-x) and 1 / sqrt(x), in double precision as the JavaScript code computes them.
  logistic: f64Unary((c, x) => {
    const negated = c.splat(0, "f64").get(x).simd(SIMD.f64x2Sub).save();
    c.splat(1, "f64").splat(1, "f64");
    expF64(c, negated);
    c.simd(SIMD.f64x2Add).simd(SIMD.f64x2Div);
  }),
  erf_inv: (c, [a]) => erfInvF32(c, a!),
  sin: f64Unary((c, x) => trigF64(c, x, "sin")),
  cos: f64Unary((c, x) => trigF64(c, x, "cos")),
  pow: (c, [a, b]) => viaF64(c, [a!, b!], (x, y) => powF64(c, x!, y!)),
  rsqrt: f64Unary((c, x) => {
    c.splat(1, "f64").get(x).simd(SIMD.f64x2Sqrt).simd(SIMD.f64x2Div);
  }),
  clamp: (c, [lo, x, hi]) => {
    c.binary(SIMD.f32x4Max, x!, lo!).get(hi!).simd(SIMD.f32x4Min);
  },
  eq: f32Binary(SIMD.f32x4Eq),
  ne: f32Binary(SIMD.f32x4Ne),
  lt: f32Binary(SIMD.f32x4Lt),
  le: f32Binary(SIMD.f32x4Le),
  gt: f32Binary(SIMD.f32x4Gt),
  ge: f32Binary(SIMD.f32x4Ge),
  is_finite: (c, [a]) => {
    c.binary(SIMD.f32x4Sub, a!, a!).splat(0, "f32").simd(SIMD.f32x4Eq);
  },
  and: (c, [a, b]) => c.binary(SIMD.and, a!, b!),
  or: (c, [a, b]) => c.binary(SIMD.or, a!, b!),
  not: (c, [a]) => c.get(a!).simd(SIMD.not),
  // select_n(p, a, b) is b where p holds, else a.
  select_n: (c, [p, a, b]) => c.get(b!).get(a!).get(p!).simd(SIMD.bitselect),
  convert_element_type: (c, [a], e) => {
    const from = e.inputs[0]!.aval.dtype;
    const to = e.outBinders[0]!.aval.dtype;
    if (from === to) c.get(a!);
    else if (to === "bool") c.get(a!).splat(0, "f32").simd(SIMD.f32x4Ne);
    else c.get(a!).splat(1, "f32").simd(SIMD.and);
  },
  copy: (c, [a]) => c.get(a!),
  stop_gradient: (c, [a]) => c.get(a!),
  broadcast_in_dim: (c, [a]) => c.get(a!), // from a size-1 operand only (see loweringOf)
};

/**
 * erf^-1 in float32 steps, as src/lax/kernels.ts (Giles's single-precision polynomials, the
 * central one for w = -log1p(-x^2) < 5): each product and sum rounded to float32, log1p in
 * double precision, +-inf at +-1.
 */
function erfInvF32(c: KernelCode, x: number): void {
  const negated = c.binary(SIMD.f32x4Mul, x, x).simd(SIMD.f32x4Neg).save();
  viaF64(c, [negated], (v) => log1pF64(c, v!));
  const w = c.simd(SIMD.f32x4Neg).save();
  const polynomial = (t: number, coefficients: readonly number[]) => {
    c.splat(coefficients[0]!, "f32");
    for (const k of coefficients.slice(1))
      c.get(t).simd(SIMD.f32x4Mul).splat(k, "f32").simd(SIMD.f32x4Add);
    return c.save();
  };
  const central = polynomial(
    c.get(w).splat(2.5, "f32").simd(SIMD.f32x4Sub).save(),
    ERF_INV_CENTRAL,
  );
  c.get(w).simd(SIMD.f32x4Sqrt).splat(3, "f32").simd(SIMD.f32x4Sub);
  const tail = polynomial(c.save(), ERF_INV_TAIL);
  c.get(central).get(tail).get(w).splat(5, "f32").simd(SIMD.f32x4Lt).simd(SIMD.bitselect);
  c.get(x).simd(SIMD.f32x4Mul);
  const general = c.save();
  c.get(x).splat(Number.POSITIVE_INFINITY, "f32").simd(SIMD.f32x4Mul).get(general);
  c.get(x).simd(SIMD.f32x4Abs).splat(1, "f32").simd(SIMD.f32x4Eq).simd(SIMD.bitselect);
}

/** Threefry-2x32, 20 rounds, on i32x4 lanes (src/lax/threefry.ts): the locals of both words. */
function threefry(c: KernelCode, [k0, k1, x0, x1]: number[]): number[] {
  const ks = c.binary(SIMD.xor, k0!, k1!).splat(THREEFRY_PARITY, "i32").simd(SIMD.xor).save();
  const keys = [k0!, k1!, ks];
  const a = c.binary(SIMD.i32x4Add, x0!, k0!).save();
  const b = c.binary(SIMD.i32x4Add, x1!, k1!).save();
  for (let group = 0; group < 5; group++) {
    for (const r of THREEFRY_ROTATIONS[group % 2]!) {
      c.binary(SIMD.i32x4Add, a, b).set(a);
      c.get(b).body.u8(0x41).s32(r);
      c.simd(SIMD.i32x4Shl)
        .get(b)
        .body.u8(0x41)
        .s32(32 - r);
      c.simd(SIMD.i32x4ShrU).simd(SIMD.or).get(a).simd(SIMD.xor).set(b);
    }
    c.binary(SIMD.i32x4Add, a, keys[(group + 1) % 3]!).set(a);
    c.binary(SIMD.i32x4Add, b, keys[(group + 2) % 3]!).splat(group + 1, "i32");
    c.simd(SIMD.i32x4Add).set(b);
  }
  return [a, b];
}

const isUnsigned = (e: JaxprEqn) => e.inputs[0]!.aval.dtype === "uint32";
const intBinary =
  (signed: number, unsigned = signed): Lowering =>
  (c, [a, b], e) =>
    c.binary(isUnsigned(e) ? unsigned : signed, a!, b!);
/** A shift by a literal count in [0, 32) (see loweringOf). */
const shift =
  (op: number): Lowering =>
  (c, [a], e) => {
    c.get(a!)
      .body.u8(0x41)
      .s32(Number((e.inputs[1] as Literal).value));
    c.simd(op);
  };

/** Lowerings of equations whose operands are int32 or uint32 (as int32 words). */
const INT_LOWERINGS: Record<string, Lowering> = {
  add: intBinary(SIMD.i32x4Add),
  sub: intBinary(SIMD.i32x4Sub),
  mul: intBinary(SIMD.i32x4Mul),
  square: (c, [a]) => c.binary(SIMD.i32x4Mul, a!, a!),
  integer_pow: (c, [a]) => c.binary(SIMD.i32x4Mul, a!, a!), // y = 2 only (see loweringOf)
  neg: (c, [a]) => c.get(a!).simd(SIMD.i32x4Neg),
  max: intBinary(SIMD.i32x4MaxS, SIMD.i32x4MaxU),
  min: intBinary(SIMD.i32x4MinS, SIMD.i32x4MinU),
  and: intBinary(SIMD.and),
  or: intBinary(SIMD.or),
  xor: intBinary(SIMD.xor),
  not: (c, [a]) => c.get(a!).simd(SIMD.not),
  shift_left: shift(SIMD.i32x4Shl),
  shift_right_logical: shift(SIMD.i32x4ShrU),
  shift_right_arithmetic: shift(SIMD.i32x4ShrS),
  eq: intBinary(SIMD.i32x4Eq),
  ne: intBinary(SIMD.i32x4Ne),
  lt: intBinary(SIMD.i32x4LtS, SIMD.i32x4LtU),
  le: intBinary(SIMD.i32x4LeS, SIMD.i32x4LeU),
  gt: intBinary(SIMD.i32x4GtS, SIMD.i32x4GtU),
  ge: intBinary(SIMD.i32x4GeS, SIMD.i32x4GeU),
  convert_element_type: (c, [a], e) => {
    const to = e.outBinders[0]!.aval.dtype;
    if (to === "float32")
      c.get(a!).simd(isUnsigned(e) ? SIMD.f32x4ConvertI32x4U : SIMD.f32x4ConvertI32x4S);
    else if (to === "bool") c.get(a!).splat(0, "i32").simd(SIMD.i32x4Ne);
    else c.get(a!); // int32 <-> uint32 keep their words
  },
  bitcast_convert_type: (c, [a]) => c.get(a!),
  threefry2x32: threefry,
};

const INTEGER: readonly DType[] = ["int32", "uint32"];
/** The dtype an elementwise equation computes in (select_n: its cases; clamp: its operand). */
export function operandDtype(e: JaxprEqn): DType {
  const name = e.primitive.name;
  return (name === "select_n" || name === "clamp" ? e.inputs[1]! : e.inputs[0]!).aval.dtype;
}
const literalShift = (a: Atom | undefined) =>
  a instanceof Literal && Number(a.value) >= 0 && Number(a.value) < 32;

/**
 * iota along the one axis longer than 1 (so its values are the flat element indices), as
 * int32/uint32 words or float32.
 */
function iota(e: JaxprEqn): Lowering | null {
  const { dimension, dtype } = e.params as { dimension: number; dtype: DType };
  const shape = e.outBinders[0]!.aval.shape;
  if (shape.some((n, d) => n > 1 && d !== dimension) || dtype === "bool") return null;
  return (c) => {
    c.get(c.elementIndex!);
    if (dtype === "float32") c.simd(SIMD.f32x4ConvertI32x4S);
  };
}

/** The SIMD lowering of an equation of a fused loop, or null where it has none. */
function loweringOf(e: JaxprEqn): Lowering | null {
  const name = e.primitive.name;
  if (name === "iota") return iota(e);
  const operands = operandDtype(e);
  const out = e.outBinders[0]!.aval.dtype;
  if (name === "broadcast_in_dim") return e.inputs[0]!.aval.size === 1 ? LOWERINGS[name]! : null;
  if (name === "select_n")
    return e.inputs.length === 3 && e.inputs[0]!.aval.dtype === "bool" ? LOWERINGS[name]! : null;
  if (name === "copy" || name === "stop_gradient") return LOWERINGS[name]!;
  if (name === "integer_pow" && (e.params as { y: number }).y !== 2) return null;
  if (INTEGER.includes(operands)) {
    if (name.startsWith("shift") && !literalShift(e.inputs[1])) return null;
    return INT_LOWERINGS[name] ?? null;
  }
  if (operands === "float32" && INTEGER.includes(out))
    return name === "bitcast_convert_type" ? INT_LOWERINGS[name]! : null;
  if (operands === "bool" && INTEGER.includes(out) && name === "convert_element_type")
    return (c, [a]) => c.get(a!).splat(1, "i32").simd(SIMD.and);
  const lowering = LOWERINGS[name];
  if (!lowering || e.outBinders.length !== 1) return null;
  const bools = ["and", "or", "not"].includes(name);
  if (bools) return operands === "bool" ? lowering : null;
  if (["eq", "ne", "lt", "le", "gt", "ge", "is_finite"].includes(name))
    return operands === "float32" ? lowering : null;
  if (name === "convert_element_type") return lowering;
  return out === "float32" ? lowering : null;
}

/** Whether an equation of a fused loop has a SIMD lowering (given its operands' kinds). */
export const lowerable = (e: JaxprEqn): boolean => loweringOf(e) !== null;

// --- kernels ----------------------------------------------------------------------------------

/** A reduction of a whole loop value to one number, accumulated in the kernel. */
export interface KernelReduction {
  input: Var;
  op: "sum" | "prod" | "max" | "min";
}

/** What a fused loop reads from outside, and what it hands back. */
export interface KernelSignature {
  /** Arrays of the loop's shape (float32, int32 or uint32), one element per lane. */
  arrays: Var[];
  /** Size-1 values, the same in every lane. */
  scalars: Var[];
  /** Values the loop computes that are read after it (float32, int32 or uint32). */
  outputs: Var[];
  /** Values the loop computes that are reduced over all their elements. */
  reductions?: KernelReduction[];
}

export interface SimdKernel {
  /** run(byteLength, length, resultsPointer, ...arrayPointers, ...outputPointers, ...scalars) */
  run: (...args: number[]) => void;
  /** The constants, written at address 0 before each run. */
  pool: Uint8Array;
  signature: KernelSignature;
}

const UNROLL = 2;
const LANES_PER_PASS = 4 * UNROLL;
const memory = new WebAssembly.Memory({ initial: 1 });
let memoryF32 = new Float32Array(memory.buffer);
let memoryI32 = new Int32Array(memory.buffer);
let memoryF64 = new Float64Array(memory.buffer);
let memoryU8 = new Uint8Array(memory.buffer);
const imports = { env: { mem: memory, ...MATH_IMPORTS } };

/**
 * Sums and products accumulate in double precision on f64x2 lanes (as the JavaScript loop
 * accumulates in a double); max and min in float32 lanes. Lanes past the end of the data take
 * the reduction's identity.
 */
class Accumulators {
  readonly #accumulators: number[][];
  readonly #length: number;
  constructor(
    private readonly c: KernelCode,
    private readonly reductions: KernelReduction[],
    lengthParam: number,
    private readonly index: number,
  ) {
    this.#accumulators = reductions.map(({ op }) =>
      op === "sum" || op === "prod"
        ? [0, 1].map(() => c.get(c.constant(op === "sum" ? 0 : 1, "f64")).save())
        : [c.get(c.constant(op === "max" ? -Infinity : Infinity, "f32")).save()],
    );
    this.#length = c.get(lengthParam).simd(SIMD.i32x4Splat).save();
  }
  /** Folds one vector of each reduced value in (`local` gives a variable's local). */
  add(local: (v: Var) => number): void {
    const { c } = this;
    const inside = c.binary(SIMD.i32x4LtS, this.index, this.#length).save();
    this.reductions.forEach(({ input, op }, j) => {
      const identity = op === "sum" ? 0 : op === "prod" ? 1 : op === "max" ? -Infinity : Infinity;
      c.get(local(input)).splat(identity, "f32").get(inside).simd(SIMD.bitselect);
      const value = c.save();
      const acc = this.#accumulators[j]!;
      if (op === "max" || op === "min") {
        c.get(acc[0]!)
          .get(value)
          .simd(op === "max" ? SIMD.f32x4Max : SIMD.f32x4Min)
          .set(acc[0]!);
        return;
      }
      const combine = op === "sum" ? SIMD.f64x2Add : SIMD.f64x2Mul;
      c.get(acc[0]!).get(value).simd(SIMD.f64x2PromoteLowF32x4).simd(combine).set(acc[0]!);
      c.get(acc[1]!).get(value).get(value).shuffle(HIGH_HALF).simd(SIMD.f64x2PromoteLowF32x4);
      c.simd(combine).set(acc[1]!);
    });
  }
  /** Combines the lanes and stores each result as a double at resultsParam + 8 j. */
  store(resultsParam: number): void {
    const { c } = this;
    this.reductions.forEach(({ op }, j) => {
      const acc = this.#accumulators[j]!;
      c.get(resultsParam);
      if (op === "max" || op === "min") {
        const scalar = op === "max" ? 0x97 : 0x96; // f32.max / f32.min
        for (let lane = 0; lane < 4; lane++) {
          c.get(acc[0]!).simd(SIMD.f32x4ExtractLane).body.u8(lane);
          if (lane > 0) c.body.u8(scalar);
        }
        c.body.u8(0xbb); // f64.promote_f32
      } else {
        const scalar = op === "sum" ? 0xa0 : 0xa2; // f64.add / f64.mul
        c.binary(op === "sum" ? SIMD.f64x2Add : SIMD.f64x2Mul, acc[0]!, acc[1]!);
        const both = c.save();
        c.get(both).simd(SIMD.f64x2ExtractLane).body.u8(0);
        c.get(both).simd(SIMD.f64x2ExtractLane).body.u8(1).u8(scalar);
      }
      c.body
        .u8(0x39)
        .u32(3)
        .u32(8 * j); // f64.store
    });
  }
}

/** Compiles the equations of a fused loop whose operands and results `signature` lists. */
export function compileKernel(eqns: JaxprEqn[], signature: KernelSignature): SimdKernel {
  const { arrays, scalars, outputs, reductions = [] } = signature;
  // Parameters: byte length, element count, results pointer, pointers, scalars.
  const [BYTES, LENGTH, RESULTS, FIRST_ARRAY] = [0, 1, 2, 3];
  const firstOutput = FIRST_ARRAY + arrays.length;
  const firstScalar = firstOutput + outputs.length;
  const params = [I32, I32, I32, ...arrays.map(() => I32), ...outputs.map(() => I32)];
  params.push(...scalars.map((v) => (v.aval.dtype === "float32" ? F32 : I32)));
  const counter = params.length;
  const c = new KernelCode(counter + 1);
  const local = new Map<Var, number>();
  // Size-1 operands become vectors once, before the loop.
  scalars.forEach((v, k) => {
    if (v.aval.dtype === "bool") {
      c.body.u8(0x41).s32(0); // 0 - p: all ones for true
      c.get(firstScalar + k).body.u8(0x6b);
      c.simd(SIMD.i32x4Splat);
    } else if (v.aval.dtype === "float32") c.get(firstScalar + k).simd(SIMD.f32x4Splat);
    else c.get(firstScalar + k).simd(SIMD.i32x4Splat);
    local.set(v, c.save());
  });
  // The element indices of the current vector, for reductions (to mask the tail) and iota.
  const needsIndex = reductions.length > 0 || eqns.some((e) => e.primitive.name === "iota");
  if (needsIndex) {
    c.body
      .u8(0xfd)
      .u32(SIMD.const)
      .u8(...new Uint8Array(Int32Array.of(0, 1, 2, 3).buffer));
    c.elementIndex = c.save();
  }
  const accumulators = reductions.length
    ? new Accumulators(c, reductions, LENGTH, c.elementIndex!)
    : null;
  const literal = (a: Literal) =>
    a.aval.dtype === "bool"
      ? c.constant(a.value ? -1 : 0, "i64")
      : a.aval.dtype === "float32"
        ? c.constant(Number(a.value), "f32")
        : c.constant(Number(a.value) | 0, "i32");
  const operand = (a: Atom) => (a instanceof Literal ? literal(a) : local.get(a)!);
  const address = (pointer: number) => c.get(pointer).get(counter).body.u8(0x6a); // i32.add
  // block { loop { if (i >= bytes) break; body; i += 16 UNROLL; continue } }
  c.body.u8(0x41).s32(0).u8(0x21).u32(counter);
  c.body.u8(0x02, 0x40, 0x03, 0x40);
  c.get(counter).get(BYTES).body.u8(0x4f).u8(0x0d).u32(1); // i32.ge_u; br_if 1
  // UNROLL independent vectors a pass, so their long dependency chains (exp's polynomial) overlap.
  for (let u = 0; u < UNROLL; u++) {
    arrays.forEach((v, k) => {
      address(FIRST_ARRAY + k);
      c.simd(SIMD.load)
        .body.u32(4)
        .u32(16 * u);
      local.set(v, c.save());
    });
    for (const e of eqns) {
      const results = loweringOf(e)!(c, e.inputs.map(operand), e);
      if (!Array.isArray(results)) local.set(e.outBinders[0]!, c.save());
      else
        e.outBinders.forEach((v, k) => {
          local.set(v, results[k] as number);
        });
    }
    outputs.forEach((v, k) => {
      address(firstOutput + k);
      c.get(local.get(v)!)
        .simd(SIMD.store)
        .body.u32(4)
        .u32(16 * u);
    });
    accumulators?.add((v) => local.get(v)!);
    if (needsIndex) c.get(c.elementIndex!).splat(4, "i32").simd(SIMD.i32x4Add).set(c.elementIndex!);
  }
  c.get(counter)
    .body.u8(0x41)
    .s32(16 * UNROLL)
    .u8(0x6a)
    .u8(0x21)
    .u32(counter);
  c.body.u8(0x0c).u32(0).u8(0x0b, 0x0b); // br 0; end loop; end block
  accumulators?.store(RESULTS);
  const code = new Bytes().u8(...c.prologue.data, ...c.body.data);
  const bytes = assembleModule(params, c.v128Count, code, c.math);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
  const run = instance.exports.run as (...args: number[]) => void;
  return { run, pool: Uint8Array.from(c.pool), signature };
}

/**
 * Runs a kernel over `length` elements: copies the arrays into the kernel memory, runs it, and
 * copies the outputs out (the copies cost far less than the loop they replace). Returns the
 * reductions' results (double precision).
 */
export function runKernel(
  kernel: SimdKernel,
  length: number,
  arrays: (Float32Array | Int32Array)[],
  outputs: (Float32Array | Int32Array)[],
  scalars: number[],
): number[] {
  const lanes = Math.ceil(length / LANES_PER_PASS) * LANES_PER_PASS;
  const reduced = kernel.signature.reductions?.length ?? 0;
  const results = kernel.pool.length;
  const start = results + Math.ceil(reduced / 2) * 16;
  const regions = arrays.length + outputs.length;
  const bytes = start + regions * lanes * 4;
  if (bytes > memory.buffer.byteLength) {
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    memoryF32 = new Float32Array(memory.buffer);
    memoryI32 = new Int32Array(memory.buffer);
    memoryF64 = new Float64Array(memory.buffer);
    memoryU8 = new Uint8Array(memory.buffer);
  }
  const view = (a: Float32Array | Int32Array) =>
    a instanceof Float32Array ? memoryF32 : memoryI32;
  memoryU8.set(kernel.pool);
  const args = [lanes * 4, length, results];
  for (let k = 0; k < regions; k++) args.push(start + k * lanes * 4);
  for (let k = 0; k < arrays.length; k++) view(arrays[k]!).set(arrays[k]!, start / 4 + k * lanes);
  kernel.run(...args, ...scalars);
  for (let k = 0; k < outputs.length; k++) {
    const first = start / 4 + (arrays.length + k) * lanes;
    const output = outputs[k]!;
    output.set(view(output).subarray(first, first + length));
  }
  return Array.from(memoryF64.subarray(results / 8, results / 8 + reduced));
}

/** Whether this JavaScript engine runs WebAssembly SIMD (every current browser and Node do). */
export const simdAvailable: boolean = (() => {
  try {
    compileKernel([], { arrays: [], scalars: [], outputs: [] });
    return true;
  } catch {
    return false;
  }
})();
