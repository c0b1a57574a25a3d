/**
 * Scalar JS versions of the special-function primitives for generated cpu code. They follow
 * the same algorithms as the tf.js-op kernels (src/lax/special_math.ts, src/lax/elementwise.ts),
 * evaluated in double precision and rounded once to float32, so they agree with eager results
 * to float32 rounding.
 */

// Cephes erff.c, as XLA's ErfImpl32Cephes / ErfcImpl32 (see src/lax/special_math.ts).
const ERF_T = [
  7.853861353153693e-5, -8.010193625184903e-4, 5.188327685732524e-3, -2.685381193529856e-2,
  1.128358514861418e-1, -3.76126258242333e-1, 1.12837916572671,
];
const ERFC_P = [
  2.326819970068386e-2, -1.387039388740657e-1, 3.687424674597105e-1, -5.824733027278666e-1,
  6.210004621745983e-1, -4.944515323274145e-1, 3.404879937665872e-1, -2.741127028184656e-1,
  5.638259427386472e-1,
];
const ERFC_R = [
  -1.047766399936249e1, 1.297719955372516e1, -7.495518717768503, 2.921019019210786,
  -1.0152652792027, 4.218463358204948e-1, -2.820767439740514e-1, 5.641895067754075e-1,
];

function horner(c: readonly number[], w: number): number {
  let p = c[0]!;
  for (let i = 1; i < c.length; i++) p = p * w + c[i]!;
  return p;
}

/** erfc(x) for x >= 1. */
function erfcLarge(x: number): number {
  const q = 1 / x;
  const y = q * q;
  return Math.exp(-x * x) * q * horner(x < 2 ? ERFC_P : ERFC_R, y);
}

export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 1) return Math.fround(x * horner(ERF_T, x * x));
  if (Number.isNaN(x)) return x;
  return Math.fround(Math.sign(x) * (1 - erfcLarge(ax)));
}

export function erfc(x: number): number {
  const ax = Math.abs(x);
  if (ax < 1) return Math.fround(1 - x * horner(ERF_T, x * x));
  if (Number.isNaN(x)) return x;
  const tail = erfcLarge(ax);
  return Math.fround(x < 0 ? 2 - tail : tail);
}

// Lanczos approximation with g = 7 and 8 terms, as src/lax/elementwise.ts (and XLA).
const LANCZOS_G = 7;
const LANCZOS_BASE = 0.9999999999998099;
const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

export function lgamma(x: number): number {
  if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) return Infinity;
  const reflect = x < 0.5;
  const z = reflect ? -x : x - 1;
  let series = LANCZOS_BASE;
  for (let i = 0; i < LANCZOS.length; i++) series += LANCZOS[i]! / (z + i + 1);
  const t = z + LANCZOS_G + 0.5;
  const logY = 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(series);
  if (!reflect) return Math.fround(logY);
  const ax = Math.abs(x);
  let frac = ax - Math.floor(ax);
  if (frac > 0.5) frac = 1 - frac;
  const logSin = Math.log(Math.sin(Math.PI * frac));
  return Math.fround(Number.isFinite(logSin) ? Math.log(Math.PI) - logSin - logY : -logSin);
}

export function digamma(x: number): number {
  if (x <= 0 && x === Math.floor(x)) return Number.NaN;
  const reflect = x < 0.5;
  const z = reflect ? -x : x - 1;
  let num = 0;
  let denom = LANCZOS_BASE;
  for (let i = 0; i < LANCZOS.length; i++) {
    const zi = z + i + 1;
    num -= LANCZOS[i]! / (zi * zi);
    denom += LANCZOS[i]! / zi;
  }
  const t = z + LANCZOS_G + 0.5;
  const y = Math.log(t) + num / denom - LANCZOS_G / t;
  if (!reflect) return Math.fround(y);
  const angle = Math.PI * (x + Math.abs(Math.floor(x + 0.5)));
  return Math.fround(y - (Math.PI * Math.cos(angle)) / Math.sin(angle));
}

/** round half to even (jnp.round, rounding_method=1). */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** C's pow: pow(1, y) and pow(x, 0) are 1 even for NaN (JS gives NaN for 1 ** NaN). */
export function pow(x: number, y: number): number {
  return x === 1 || y === 0 ? 1 : Math.fround(x ** y);
}

/*
 * exp for float32 results, inlined by V8 into generated loops (Math.exp is a call into C that
 * is not). Table-driven as musl's expf (https://git.musl-libc.org/cgit/musl/tree/src/math/expf.c
 * at v1.2.5): x = (k/32) ln 2 + r with |r| <= ln2/64, e^x = 2^(k/32) e^r, e^r by its degree-5
 * Taylor polynomial (relative error below 3e-15), all in double precision, so rounded to float32
 * it is Math.exp's float32 result (test/compiler/scalar_math.test.ts checks a sweep of inputs).
 * k is rounded by adding and subtracting 1.5 * 2^52, since V8's Math.round is slow. Outside
 * (-104, 89), where float32 under- or overflows, and for NaN, it is Math.exp.
 */
const EXP_TABLE_BITS = 5;
const EXP_N = 1 << EXP_TABLE_BITS;
const EXP_N_OVER_LN2 = EXP_N / Math.LN2;
const EXP_LN2_OVER_N = Math.LN2 / EXP_N;
const ROUND_SHIFT = 1.5 * 2 ** 52;
/** 2^(j/32) for j = 0..31. */
const EXP_FRACTION = Float64Array.from({ length: EXP_N }, (_, j) => 2 ** (j / EXP_N));
/** 2^e for e >= -EXP_MIN_POWER: covers x in (-104, 89). */
const EXP_MIN_POWER = 160;
const EXP_POWER = Float64Array.from(
  { length: 2 * EXP_MIN_POWER },
  (_, i) => 2 ** (i - EXP_MIN_POWER),
);

export function exp(x: number): number {
  if (!(x > -104 && x < 89)) return Math.exp(x);
  const kd = x * EXP_N_OVER_LN2 + ROUND_SHIFT - ROUND_SHIFT;
  const r = x - kd * EXP_LN2_OVER_N;
  const k = kd | 0;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return EXP_FRACTION[k & (EXP_N - 1)]! * EXP_POWER[(k >> EXP_TABLE_BITS) + EXP_MIN_POWER]! * p;
}
