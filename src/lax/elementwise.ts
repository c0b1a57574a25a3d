/** Elementwise lax primitives: unary math, binary arithmetic, comparisons and bitwise ops. */
import * as tf from "@tensorflow/tfjs-core";
import type { EagerArray, JaxArray } from "../core/array.js";
import type { ShapedArray } from "../core/aval.js";
import { type DType, isFloating, isInteger } from "../core/dtype.js";
import { TypeError_ } from "../core/errors.js";
import { bind1, Primitive, registerRules } from "../core/primitive.js";
import {
  activeBackend,
  allWeak,
  aval,
  checkSameDtypes,
  elementwiseShape,
  liftScalars,
  type Operand,
  T,
  where,
} from "./common.js";
import {
  bitcastFloatToInt,
  ERF_INV_CENTRAL,
  ERF_INV_TAIL,
  intsNeedOwnKernels,
  runIntKernel,
  selectWords,
} from "./kernels.js";
import { erfcTensor, erfTensor } from "./special_math.js";

// Operands here already share a dtype, so the registered kernels can run directly, without the
// conversion and scope bookkeeping that tf.js's public op wrappers add to every call.
const kernel1 =
  (name: string) =>
  (x: tf.Tensor): tf.Tensor =>
    tf.engine().runKernel(name, { x }) as tf.Tensor;
const kernel2 =
  (name: string) =>
  (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
    tf.engine().runKernel(name, { a, b }) as tf.Tensor;
const K = {
  exp: kernel1("Exp"),
  log: kernel1("Log"),
  tanh: kernel1("Tanh"),
  neg: kernel1("Neg"),
  abs: kernel1("Abs"),
  sqrt: kernel1("Sqrt"),
  sin: kernel1("Sin"),
  cos: kernel1("Cos"),
  sigmoid: kernel1("Sigmoid"),
  add: kernel2("Add"),
  sub: kernel2("Sub"),
  mul: kernel2("Multiply"),
  div: kernel2("RealDiv"),
};

type Kind = "float" | "int" | "bool";
const kindOf = (d: DType): Kind => (isFloating(d) ? "float" : isInteger(d) ? "int" : "bool");

function checkKinds(name: string, allowed: readonly Kind[], avals: ShapedArray[]): void {
  for (const a of avals)
    if (!allowed.includes(kindOf(a.dtype)))
      throw new TypeError_(
        `${name} does not accept dtype ${a.dtype}. Accepted dtypes are subtypes of ${allowed.map((k) => ({ float: "floating", int: "integer", bool: "bool" })[k]).join(", ")}.`,
      );
}

type UnaryImpl = (x: tf.Tensor, dtype: DType) => tf.Tensor;

/** Which input dtypes an impl serves with a single tf.js kernel (no temporaries to free). */
type SingleFor = (d: DType) => boolean;
const floatsOnly: SingleFor = (d) => isFloating(d);

function unary(
  name: string,
  allowed: readonly Kind[],
  impl: UnaryImpl,
  single?: SingleFor,
): Primitive<object> {
  const prim = new Primitive<object>(name);
  registerRules(prim, {
    singleKernel: single && (([x]) => single(x!.dtype)),
    abstractEval: ([x]) => {
      checkKinds(name, allowed, [x!]);
      return [aval(x!.shape, x!.dtype, x!.weakType)];
    },
    impl: ([x]) => [impl(T(x!), x!.dtype)],
  });
  return prim;
}

type BinaryImpl = (x: tf.Tensor, y: tf.Tensor, dtype: DType) => tf.Tensor;

function binary(
  name: string,
  allowed: readonly Kind[],
  impl: BinaryImpl,
  outDtype?: DType,
  single?: SingleFor,
): Primitive<object> {
  const prim = new Primitive<object>(name);
  registerRules(prim, {
    singleKernel: single && (([x]) => single(x!.dtype)),
    abstractEval: (avals) => {
      checkSameDtypes(name, avals);
      checkKinds(name, allowed, avals);
      const shape = elementwiseShape(name, avals);
      return [aval(shape, outDtype ?? avals[0]!.dtype, outDtype ? false : allWeak(avals))];
    },
    impl: ([x, y]) => [impl(T(x!), T(y!), x!.dtype)],
  });
  return prim;
}

const FLOAT = ["float"] as const;
const NUM = ["float", "int"] as const;
const INT_BOOL = ["int", "bool"] as const;
const ANY = ["float", "int", "bool"] as const;
const isUint = (d: DType) => d === "uint32";
const onCpu = () => activeBackend() === "cpu";

// --- unary --------------------------------------------------------------------------------
export const negP = unary(
  "neg",
  NUM,
  (x, d) => (isInteger(d) ? tf.sub(tf.scalar(0, "int32"), x) : tf.neg(x)),
  floatsOnly,
);
// sign(nan) = nan, as numpy; tf.sign maps nan to 0.
export const signP = unary("sign", NUM, (x, d) =>
  isUint(d)
    ? tf.cast(tf.notEqual(x, 0), "int32")
    : isFloating(d)
      ? // (x > 0) - (x < 0): wasm's sign kernel loses tiny values; nan stays nan.
        tf.where(
          tf.isNaN(x),
          x,
          tf.sub(tf.cast(tf.greater(x, 0), "float32"), tf.cast(tf.less(x, 0), "float32")),
        )
      : tf.sign(x),
);
export const floorP = unary("floor", FLOAT, (x) => tf.floor(x), floatsOnly);
export const ceilP = unary("ceil", FLOAT, (x) => tf.ceil(x), floatsOnly);
export const isFiniteP = new Primitive<object>("is_finite");
registerRules(isFiniteP, {
  abstractEval: ([x]) => {
    checkKinds("is_finite", FLOAT, [x!]);
    return [aval(x!.shape, "bool")];
  },
  impl: ([x]) => [tf.isFinite(T(x!))],
});
export const expP = unary("exp", FLOAT, K.exp, floatsOnly);
export const exp2P = unary("exp2", FLOAT, (x) => tf.exp(tf.mul(x, Math.LN2)));
export const logP = unary("log", FLOAT, K.log, floatsOnly);
// Off the cpu backend tf.js computes exp(x)-1 and log(1+x) directly, losing all digits near 0;
// these forms recover them (Goldberg, "What every computer scientist should know...", thm 4).
export const expm1P = unary("expm1", FLOAT, (x) => {
  if (onCpu()) return tf.expm1(x);
  const u = tf.exp(x);
  const um1 = tf.sub(u, 1);
  const ratio = tf.div(tf.mul(um1, x), tf.log(u));
  return tf.where(
    tf.equal(u, 1),
    x,
    tf.where(tf.equal(um1, -1), tf.fill(x.shape, -1), tf.where(tf.isFinite(ratio), ratio, um1)),
  );
});
export const log1pP = unary("log1p", FLOAT, (x) => {
  if (onCpu()) return tf.log1p(x);
  const u = tf.add(x, 1);
  const corrected = tf.div(tf.mul(tf.log(u), x), tf.sub(u, 1));
  return tf.where(tf.equal(u, 1), x, tf.where(tf.isFinite(corrected), corrected, tf.log(u)));
});
export const tanhP = unary("tanh", FLOAT, K.tanh, floatsOnly);
export const logisticP = unary("logistic", FLOAT, K.sigmoid, floatsOnly);
export const sinP = unary("sin", FLOAT, K.sin, floatsOnly);
export const cosP = unary("cos", FLOAT, K.cos, floatsOnly);
export const tanP = unary("tan", FLOAT, (x) => tf.tan(x), floatsOnly);
export const asinP = unary("asin", FLOAT, (x) => tf.asin(x), floatsOnly);
export const acosP = unary("acos", FLOAT, (x) => tf.acos(x), floatsOnly);
export const atanP = unary("atan", FLOAT, (x) => tf.atan(x), floatsOnly);
export const sinhP = unary("sinh", FLOAT, (x) => tf.sinh(x), floatsOnly);
export const coshP = unary("cosh", FLOAT, (x) => tf.cosh(x), floatsOnly);
export const asinhP = unary("asinh", FLOAT, (x) => tf.asinh(x), floatsOnly);
export const acoshP = unary("acosh", FLOAT, (x) => tf.acosh(x), floatsOnly);
export const atanhP = unary("atanh", FLOAT, (x) => tf.atanh(x), floatsOnly);
export const sqrtP = unary("sqrt", FLOAT, K.sqrt, floatsOnly);
export const rsqrtP = unary("rsqrt", FLOAT, (x) => tf.rsqrt(x), floatsOnly);
export const cbrtP = unary("cbrt", FLOAT, (x) => tf.mul(tf.sign(x), tf.pow(tf.abs(x), 1 / 3)));
export const absP = unary(
  "abs",
  NUM,
  (x, d) =>
    isUint(d)
      ? x
      : isInteger(d)
        ? selectWords(tf.less(x, 0), runIntKernel("TfjaxIntSub", tf.zerosLike(x), x), x)
        : K.abs(x),
  (d) => isFloating(d),
);
// tf.erf has 1e-7 absolute error (relative error grows near 0) and 1 - erf loses erfc's tail.
export const erfP = unary("erf", FLOAT, erfTensor);
export const erfcP = unary("erfc", FLOAT, erfcTensor);
// erf_inv, lgamma and digamma follow XLA's float32 algorithms (xla/hlo/builder/lib/math.cc),
// so results match JAX's to float32 rounding.
export const erfInvP = unary("erf_inv", FLOAT, erfInvTensor);
export const lgammaP = unary("lgamma", FLOAT, lgammaTensor);
export const digammaP = unary("digamma", FLOAT, digammaTensor);
export const squareP = unary("square", NUM, (x, d) =>
  isInteger(d) ? (onCpu() ? runIntKernel("TfjaxIMul", x, x) : tf.mul(x, x)) : tf.square(x),
);
export const notP = unary("not", INT_BOOL, (x, d) =>
  d === "bool" ? tf.logicalNot(x) : runIntKernel("TfjaxBitwiseNot", x),
);
export const populationCountP = unary("population_count", ["int"], (x) =>
  runIntKernel("TfjaxPopulationCount", x),
);

/** round[rounding_method]: 0 rounds half away from zero, 1 half to even (jnp.round). */
export const roundP = new Primitive<{ rounding_method: 0 | 1 }>("round");
registerRules(roundP, {
  abstractEval: ([x]) => {
    checkKinds("round", FLOAT, [x!]);
    return [aval(x!.shape, x!.dtype, x!.weakType)];
  },
  impl: ([x], { rounding_method }) => [
    rounding_method === 1
      ? tf.round(T(x!))
      : tf.mul(tf.sign(T(x!)), tf.floor(tf.add(tf.abs(T(x!)), 0.5))),
  ],
});

/** integer_pow[y]: x**y for a static integer y, by repeated squaring (exact for integers). */
export const integerPowP = new Primitive<{ y: number }>("integer_pow");
registerRules(integerPowP, {
  abstractEval: ([x], { y }) => {
    checkKinds("integer_pow", NUM, [x!]);
    if (!Number.isInteger(y))
      throw new TypeError_(`integer_pow: exponent must be an integer, got ${y}`);
    if (y < 0 && !isFloating(x!.dtype))
      throw new TypeError_("integer_pow: negative exponents need a floating dtype");
    return [aval(x!.shape, x!.dtype, x!.weakType)];
  },
  impl: ([x], { y }) => [integerPower(T(x!), y, x!.dtype)],
});

function integerPower(x: tf.Tensor, y: number, dtype: DType): tf.Tensor {
  const mul = (a: tf.Tensor, b: tf.Tensor) =>
    isInteger(dtype) && onCpu() ? runIntKernel("TfjaxIMul", a, b) : tf.mul(a, b);
  let result: tf.Tensor = tf.onesLike(x);
  let base = x;
  for (let n = Math.abs(y); n > 0; n >>= 1) {
    if (n & 1) result = mul(result, base);
    if (n > 1) base = mul(base, base);
  }
  return y < 0 ? tf.div(1, result) : result;
}

// --- binary -------------------------------------------------------------------------------
const exactInts = (d: DType) => isInteger(d) && intsNeedOwnKernels();
export const addP = binary(
  "add",
  NUM,
  (x, y, d) => (exactInts(d) ? runIntKernel("TfjaxIntAdd", x, y) : K.add(x, y)),
  undefined,
  floatsOnly,
);
export const subP = binary(
  "sub",
  NUM,
  (x, y, d) => (exactInts(d) ? runIntKernel("TfjaxIntSub", x, y) : K.sub(x, y)),
  undefined,
  floatsOnly,
);
export const mulP = binary(
  "mul",
  NUM,
  (x, y, d) =>
    isInteger(d) && (onCpu() || exactInts(d)) ? runIntKernel("TfjaxIMul", x, y) : K.mul(x, y),
  undefined,
  floatsOnly,
);
// Integer division truncates toward zero (C and XLA), unlike tf.js's floor division.
export const divP = binary(
  "div",
  NUM,
  (x, y, d) =>
    isFloating(d) ? K.div(x, y) : runIntKernel(isUint(d) ? "TfjaxUintDiv" : "TfjaxIntDiv", x, y),
  undefined,
  floatsOnly,
);
// rem has the sign of the dividend (C fmod), unlike tf.js's floor modulo.
export const remP = binary("rem", NUM, (x, y, d) => {
  if (isInteger(d)) return runIntKernel(isUint(d) ? "TfjaxUintRem" : "TfjaxIntRem", x, y);
  const r = tf.mod(x, y);
  const wrongSign = tf.logicalAnd(tf.notEqual(r, 0), tf.notEqual(tf.less(r, 0), tf.less(x, 0)));
  const fixed = tf.where(wrongSign, tf.sub(r, y), r);
  return tf.where(
    tf.logicalAnd(tf.isFinite(x), tf.isInf(y)),
    tf.broadcastTo(x, fixed.shape),
    fixed,
  );
});
// C's pow (as XLA's): pow(1, y) and pow(x, 0) are 1 even for NaN and infinite y, where
// Math.pow (tf.pow on cpu) gives NaN.
export const powP = binary("pow", FLOAT, (x, y) => {
  const p = tf.pow(x, y);
  return tf.where(tf.logicalOr(tf.equal(x, 1), tf.equal(y, 0)), tf.onesLike(p), p);
});
export const maxP = binary("max", ANY, (x, y, d) => minMax(x, y, d, "max"));
export const minP = binary("min", ANY, (x, y, d) => minMax(x, y, d, "min"));
export const atan2P = binary("atan2", FLOAT, (y, x) => {
  if (onCpu()) return tf.atan2(y, x);
  // C's atan2 at the origin (GPU atan2(0, 0) is undefined): 0 or pi, with y's sign.
  const origin = tf.logicalAnd(tf.equal(y, 0), tf.equal(x, 0));
  const xNegative = tf.less(tf.div(1, x), 0);
  const pi = tf.where(
    tf.less(tf.div(1, y), 0),
    tf.fill(y.shape, -Math.PI),
    tf.fill(y.shape, Math.PI),
  );
  return tf.where(
    origin,
    tf.where(
      tf.broadcastTo(xNegative, origin.shape),
      tf.broadcastTo(pi, origin.shape),
      tf.broadcastTo(y, origin.shape),
    ),
    tf.atan2(y, x),
  );
});
export const nextafterP = binary("nextafter", FLOAT, (x, y) =>
  intsNeedOwnKernels() ? nextafterOps(x, y) : runIntKernel("TfjaxNextafter", x, y),
);
/** nextafter from tf.js ops and bit casts, for webgpu: step the bit pattern by +-1. */
function nextafterOps(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(x.shape, y.shape);
  const [a, b] = [tf.broadcastTo(x, shape), tf.broadcastTo(y, shape)];
  const bits = bitcastFloatToInt(a);
  const up = tf.equal(tf.less(a, b), tf.greater(a, 0));
  const step = where(up, tf.onesLike(bits), tf.fill(shape, -1, "int32"));
  const stepped = runIntKernel("TfjaxBitcastToFloat", runIntKernel("TfjaxIntAdd", bits, step));
  const smallest = 1.401298464324817e-45; // the least subnormal float32
  const fromZero = tf.where(tf.greater(b, 0), tf.fill(shape, smallest), tf.fill(shape, -smallest));
  const moved = tf.where(tf.equal(a, 0), fromZero, stepped);
  const result = tf.where(tf.equal(a, b), b, moved);
  // a + b carries the NaN (a NaN fill would be a WGSL literal, which WGSL rejects).
  return tf.where(tf.logicalOr(tf.isNaN(a), tf.isNaN(b)), tf.add(a, b), result);
}
export const andP = binary("and", INT_BOOL, (x, y, d) =>
  d === "bool" ? tf.logicalAnd(x, y) : runIntKernel("TfjaxBitwiseAnd", x, y),
);
export const orP = binary("or", INT_BOOL, (x, y, d) =>
  d === "bool" ? tf.logicalOr(x, y) : runIntKernel("TfjaxBitwiseOr", x, y),
);
export const xorP = binary("xor", INT_BOOL, (x, y, d) =>
  d === "bool" ? tf.logicalXor(x, y) : runIntKernel("TfjaxBitwiseXor", x, y),
);
export const shiftLeftP = binary("shift_left", ["int"], (x, y) =>
  runIntKernel("TfjaxShiftLeft", x, y),
);
export const shiftRightLogicalP = binary("shift_right_logical", ["int"], (x, y) =>
  runIntKernel("TfjaxShiftRightLogical", x, y),
);
export const shiftRightArithmeticP = binary("shift_right_arithmetic", ["int"], (x, y) =>
  runIntKernel("TfjaxShiftRightArithmetic", x, y),
);

function minMax(x: tf.Tensor, y: tf.Tensor, d: DType, which: "max" | "min"): tf.Tensor {
  if (d === "bool") return which === "max" ? tf.logicalOr(x, y) : tf.logicalAnd(x, y);
  if (isUint(d) || exactInts(d)) {
    const xLess = intLess(x, y, d);
    return which === "max" ? where(xLess, y, x) : where(xLess, x, y);
  }
  const result = which === "max" ? tf.maximum(x, y) : tf.minimum(x, y);
  if (!isFloating(d)) return result;
  // XLA's max/min propagate NaN; not every tf.js backend does.
  return tf.where(tf.isNaN(x), x, tf.where(tf.isNaN(y), y, result));
}

// --- comparisons --------------------------------------------------------------------------
/** lt(x, y) on integers with exact 32-bit semantics (unsigned order for uint32). */
function intLess(x: tf.Tensor, y: tf.Tensor, d: DType): tf.Tensor {
  return runIntKernel(isUint(d) ? "TfjaxUintLess" : "TfjaxIntLess", x, y);
}
type Cmp = (x: tf.Tensor, y: tf.Tensor) => tf.Tensor;
function comparison(
  name: string,
  float: Cmp,
  exactInt: (x: tf.Tensor, y: tf.Tensor, d: DType) => tf.Tensor,
) {
  // Integers use tfjax's exact kernels where tf.js would compare unsigned values as signed, or
  // compare through f32 (webgpu).
  return binary(
    name,
    ANY,
    (x, y, d) => (isUint(d) || exactInts(d) ? exactInt(x, y, d) : float(x, y)),
    "bool",
    (d) => !isUint(d) && !exactInts(d),
  );
}
const intEqual = (x: tf.Tensor, y: tf.Tensor) => runIntKernel("TfjaxIntEqual", x, y);
export const eqP = comparison("eq", tf.equal, intEqual);
export const neP = comparison("ne", tf.notEqual, (x, y) => tf.logicalNot(intEqual(x, y)));
export const ltP = comparison("lt", tf.less, (x, y, d) => intLess(x, y, d));
export const leP = comparison("le", tf.lessEqual, (x, y, d) => tf.logicalNot(intLess(y, x, d)));
export const gtP = comparison("gt", tf.greater, (x, y, d) => intLess(y, x, d));
export const geP = comparison("ge", tf.greaterEqual, (x, y, d) => tf.logicalNot(intLess(x, y, d)));

// --- the lax functions ----------------------------------------------------------------------
const un =
  (p: Primitive<object>) =>
  (x: JaxArray): JaxArray =>
    bind1(p, [x], {});
const bin =
  (p: Primitive<object>) =>
  (x: Operand, y: Operand): JaxArray =>
    bind1(p, liftScalars([x, y]), {});

export const neg = un(negP),
  sign = un(signP),
  floor = un(floorP),
  ceil = un(ceilP);
export const isFinite = un(isFiniteP),
  exp = un(expP),
  exp2 = un(exp2P),
  log = un(logP);
export const expm1 = un(expm1P),
  log1p = un(log1pP),
  tanh = un(tanhP),
  logistic = un(logisticP);
export const sin = un(sinP),
  cos = un(cosP),
  tan = un(tanP),
  asin = un(asinP),
  acos = un(acosP);
export const atan = un(atanP),
  sinh = un(sinhP),
  cosh = un(coshP),
  asinh = un(asinhP);
export const acosh = un(acoshP),
  atanh = un(atanhP),
  sqrt = un(sqrtP),
  rsqrt = un(rsqrtP);
export const cbrt = un(cbrtP),
  abs = un(absP),
  erf = un(erfP),
  erfc = un(erfcP),
  square = un(squareP);
export const erfInv = un(erfInvP),
  lgamma = un(lgammaP),
  digamma = un(digammaP);
export const bitwiseNot = un(notP),
  populationCount = un(populationCountP);
export const add = bin(addP),
  sub = bin(subP),
  mul = bin(mulP),
  div = bin(divP),
  rem = bin(remP);
export const pow = bin(powP),
  max = bin(maxP),
  min = bin(minP),
  atan2 = bin(atan2P);
export const nextafter = bin(nextafterP);
export const bitwiseAnd = bin(andP),
  bitwiseOr = bin(orP),
  bitwiseXor = bin(xorP);
export const shiftLeft = bin(shiftLeftP),
  shiftRightLogical = bin(shiftRightLogicalP);
export const shiftRightArithmetic = bin(shiftRightArithmeticP);
export const eq = bin(eqP),
  ne = bin(neP),
  lt = bin(ltP),
  le = bin(leP),
  gt = bin(gtP),
  ge = bin(geP);

export function round(x: JaxArray, roundingMethod: 0 | 1 = 0): JaxArray {
  return bind1(roundP, [x], { rounding_method: roundingMethod });
}
export function integerPow(x: JaxArray, y: number): JaxArray {
  return bind1(integerPowP, [x], { y });
}
export type { EagerArray };

/** Horner's rule over tensors: c[0] * w^(n-1) + ... + c[n-1]. */
function horner(coefficients: readonly number[], w: tf.Tensor): tf.Tensor {
  let p: tf.Tensor = tf.scalar(coefficients[0]!);
  for (const c of coefficients.slice(1)) p = tf.add(tf.mul(p, w), c);
  return p;
}

function erfInvTensor(x: tf.Tensor): tf.Tensor {
  if (!intsNeedOwnKernels()) return runIntKernel("TfjaxErfInv", x);
  const w = tf.neg(tf.log1p(tf.neg(tf.mul(x, x))));
  const central = tf.less(w, 5);
  const p = tf.where(
    central,
    horner(ERF_INV_CENTRAL, tf.sub(w, 2.5)),
    horner(ERF_INV_TAIL, tf.sub(tf.sqrt(w), 3)),
  );
  // erf_inv(+-1) = +-inf, where the polynomial is indeterminate.
  return tf.where(tf.equal(tf.abs(x), 1), tf.mul(x, Infinity), tf.mul(p, x));
}

// Lanczos approximation with g = 7 and 8 terms (Numerical Recipes' and Boost's choice, as XLA).
const LANCZOS_G = 7;
const LANCZOS_BASE = 0.9999999999998099;
const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** z for the Lanczos series (x - 1, or -x where the reflection formula is used) and log(t). */
function lanczosArgs(x: tf.Tensor): { reflect: tf.Tensor; z: tf.Tensor; logT: tf.Tensor } {
  const reflect = tf.less(x, 0.5);
  const z = tf.where(reflect, tf.neg(x), tf.sub(x, 1));
  const half = LANCZOS_G + 0.5;
  const logT = tf.add(Math.log(half), tf.log1p(tf.div(z, half)));
  return { reflect, z, logT };
}

export function lgammaTensor(x: tf.Tensor): tf.Tensor {
  const { reflect, z, logT } = lanczosArgs(x);
  let series: tf.Tensor = tf.scalar(LANCZOS_BASE);
  LANCZOS.forEach((c, i) => {
    series = tf.add(series, tf.div(c, tf.add(z, i + 1)));
  });
  const t = tf.add(z, LANCZOS_G + 0.5);
  // (z + 1/2) log t - t, written so that it does not overflow for large z.
  const logY = tf.add(
    tf.add(0.5 * Math.log(2 * Math.PI), tf.mul(tf.sub(tf.add(z, 0.5), tf.div(t, logT)), logT)),
    tf.log(series),
  );
  const absX = tf.abs(x);
  const frac = tf.sub(absX, tf.floor(absX));
  const reduced = tf.where(tf.greater(frac, 0.5), tf.sub(1, frac), frac);
  const logSin = tf.log(tf.sin(tf.mul(Math.PI, reduced)));
  const reflection = tf.where(
    tf.isFinite(logSin),
    tf.sub(tf.sub(Math.log(Math.PI), logSin), logY),
    tf.neg(logSin),
  );
  const result = tf.where(reflect, reflection, logY);
  return tf.where(tf.isInf(x), tf.scalar(Infinity), result);
}

export function digammaTensor(x: tf.Tensor): tf.Tensor {
  const { reflect, z, logT } = lanczosArgs(x);
  let num: tf.Tensor = tf.scalar(0);
  let denom: tf.Tensor = tf.scalar(LANCZOS_BASE);
  LANCZOS.forEach((c, i) => {
    const zi = tf.add(z, i + 1);
    num = tf.sub(num, tf.div(c, tf.mul(zi, zi)));
    denom = tf.add(denom, tf.div(c, zi));
  });
  const t = tf.add(z, LANCZOS_G + 0.5);
  const y = tf.sub(tf.add(logT, tf.div(num, denom)), tf.div(LANCZOS_G, t));
  const reduced = tf.add(x, tf.abs(tf.floor(tf.add(x, 0.5))));
  const angle = tf.mul(Math.PI, reduced);
  const reflection = tf.sub(y, tf.div(tf.mul(Math.PI, tf.cos(angle)), tf.sin(angle)));
  const result = tf.where(reflect, reflection, y);
  // Poles at zero and the negative integers.
  const pole = tf.logicalAnd(tf.lessEqual(x, 0), tf.equal(x, tf.floor(x)));
  return tf.where(pole, tf.scalar(Number.NaN), result);
}
