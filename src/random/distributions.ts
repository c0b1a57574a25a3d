/**
 * jax.random's distributions. Each follows jax._src.random's algorithm (the same keys split the
 * same way, the same constants), so a fixed key gives JAX's numbers to float32 rounding.
 * Arguments follow JAX's order; a trailing options object takes any of them by name.
 */
import type { JaxArray } from "../core/array.js";
import type { DType } from "../core/dtype.js";
import { TypeError_, ValueError } from "../core/errors.js";
import { fmtShape, normalizeAxis, prod } from "../core/shape.js";
import * as lax from "../lax/index.js";
import * as jnp from "../numpy/index.js";
import { type JaxArgs, readArgs } from "../numpy/options.js";
import { type ArrayLike, asArray } from "../numpy/util.js";
import { gammaImpl } from "./gamma.js";
import { type KeyLike, keyDataOf, randomBits, splitList } from "./keys.js";
import {
  broadcastParam,
  checkShape,
  F32,
  floatDtype,
  intDtype,
  normalImpl,
  param,
  type Shape,
  shapeOr,
  uniformImpl,
} from "./uniform.js";
import { rejectionLoop } from "./while.js";

type Dt = DType | null;
type Param = ArrayLike;

// --- uniform and normal families --------------------------------------------------------------
export interface UniformOptions {
  shape?: Shape;
  dtype?: Dt;
  minval?: Param;
  maxval?: Param;
}
/** jax.random.uniform(key, shape=(), dtype=float32, minval=0, maxval=1) */
export function uniform(
  key: KeyLike,
  ...rest: JaxArgs<[Shape, Dt, Param, Param], UniformOptions>
): JaxArray {
  const o = readArgs<UniformOptions>("uniform", rest, ["shape", "dtype", "minval", "maxval"]);
  return uniformImpl(
    key,
    o.shape ?? [],
    floatDtype("uniform", o.dtype ?? undefined),
    o.minval,
    o.maxval,
  );
}

interface ShapeDtype {
  shape?: Shape;
  dtype?: Dt;
}
function shapeDtype(fn: string, rest: readonly unknown[]): { shape: Shape; dtype: DType } {
  const o = readArgs<ShapeDtype>(fn, rest, ["shape", "dtype"]);
  return { shape: o.shape ?? [], dtype: floatDtype(fn, o.dtype ?? undefined) };
}
type ShapeDtypeArgs = JaxArgs<[Shape, Dt], ShapeDtype>;

/** jax.random.normal(key, shape=(), dtype=float32) */
export function normal(key: KeyLike, ...rest: ShapeDtypeArgs): JaxArray {
  const { shape, dtype } = shapeDtype("normal", rest);
  return normalImpl(key, shape, dtype);
}

export interface TruncatedNormalOptions {
  lower?: Param;
  upper?: Param;
  shape?: Shape | null;
  dtype?: Dt;
}
/** jax.random.truncated_normal(key, lower, upper, shape=None, dtype=float32) */
export function truncatedNormal(
  key: KeyLike,
  ...rest: JaxArgs<[Param, Param, Shape | null, Dt], TruncatedNormalOptions>
): JaxArray {
  const fn = "truncatedNormal";
  const o = readArgs<TruncatedNormalOptions>(fn, rest, ["lower", "upper", "shape", "dtype"]);
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  const lower = param(fn, o.lower ?? -2, dtype);
  const upper = param(fn, o.upper ?? 2, dtype);
  const shape = shapeOr(fn, o.shape, lower, upper);
  const a = lax.erf(jnp.divide(lower, Math.SQRT2));
  const b = lax.erf(jnp.divide(upper, Math.SQRT2));
  const u = uniformImpl(key, shape, dtype, a, b);
  const out = lax.mul(lax.erfInv(u), Math.SQRT2);
  // Rounding (or u = a) must not push a sample onto or past a bound.
  return jnp.clip(
    out,
    jnp.nextafter(lax.stopGradient(lower), Number.POSITIVE_INFINITY),
    jnp.nextafter(lax.stopGradient(upper), Number.NEGATIVE_INFINITY),
  );
}

/** jax.random.exponential(key, shape=(), dtype=float32) */
export function exponential(key: KeyLike, ...rest: ShapeDtypeArgs): JaxArray {
  const { shape, dtype } = shapeDtype("exponential", rest);
  return exponentialImpl(key, shape, dtype);
}
function exponentialImpl(key: KeyLike, shape: Shape, dtype: DType): JaxArray {
  // 1 - u moves log's argument into (0, 1].
  return lax.neg(lax.log1p(lax.neg(uniformImpl(key, shape, dtype))));
}

/** jax.random.cauchy(key, shape=(), dtype=float32) */
export function cauchy(key: KeyLike, ...rest: ShapeDtypeArgs): JaxArray {
  const { shape, dtype } = shapeDtype("cauchy", rest);
  const u = uniformImpl(key, shape, dtype, F32.eps, 1);
  return lax.tan(lax.mul(lax.sub(u, 0.5), Math.PI));
}

/** jax.random.laplace(key, shape=(), dtype=float32) */
export function laplace(key: KeyLike, ...rest: ShapeDtypeArgs): JaxArray {
  const { shape, dtype } = shapeDtype("laplace", rest);
  const u = uniformImpl(key, shape, dtype, -1 + F32.epsneg, 1);
  return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))));
}

/** jax.random.logistic(key, shape=(), dtype=float32) */
export function logistic(key: KeyLike, ...rest: ShapeDtypeArgs): JaxArray {
  const { shape, dtype } = shapeDtype("logistic", rest);
  const x = uniformImpl(key, shape, dtype, F32.tiny, 1);
  return lax.log(lax.div(x, lax.sub(1, x)));
}

export interface GumbelOptions extends ShapeDtype {
  mode?: "low";
}
/** jax.random.gumbel(key, shape=(), dtype=float32) */
export function gumbel(key: KeyLike, ...rest: ShapeDtypeArgs): JaxArray {
  const o = readArgs<GumbelOptions>("gumbel", rest, ["shape", "dtype"], ["mode"]);
  if (o.mode !== undefined && o.mode !== "low")
    throw new ValueError(`gumbel: only mode="low" is supported, got ${o.mode}`);
  return gumbelImpl(key, o.shape ?? [], floatDtype("gumbel", o.dtype ?? undefined));
}
function gumbelImpl(key: KeyLike, shape: Shape, dtype: DType): JaxArray {
  return lax.neg(lax.log(lax.neg(lax.log(uniformImpl(key, shape, dtype, F32.tiny, 1)))));
}

interface OneParam {
  shape?: Shape | null;
  dtype?: Dt;
}
/** A sampler of one float parameter: (key, p, shape=None, dtype) as JAX's lognormal, pareto, .... */
function oneParam(
  fn: string,
  name: string,
  rest: readonly unknown[],
  fallback?: number,
): { p: JaxArray; shape: Shape; dtype: DType } {
  const o = readArgs<Record<string, unknown>>(fn, rest, [name, "shape", "dtype"]);
  const dtype = floatDtype(fn, (o.dtype as DType | null) ?? undefined);
  const value = o[name] ?? fallback;
  if (value === undefined) throw new TypeError_(`${fn}() missing required argument '${name}'`);
  const p = param(fn, value as Param, dtype);
  return { p, shape: shapeOr(fn, o.shape as Shape | null | undefined, p), dtype };
}
type OneParamArgs<N extends string> = JaxArgs<
  [Param, Shape | null, Dt],
  OneParam & { [K in N]?: Param }
>;

/** jax.random.lognormal(key, sigma=1, shape=None, dtype=float32) */
export function lognormal(key: KeyLike, ...rest: OneParamArgs<"sigma">): JaxArray {
  const { p: sigma, shape, dtype } = oneParam("lognormal", "sigma", rest, 1);
  return jnp.exp(jnp.multiply(sigma, normalImpl(key, shape, dtype)));
}

/** jax.random.pareto(key, b, shape=None, dtype=float32): support x >= 1 */
export function pareto(key: KeyLike, ...rest: OneParamArgs<"b">): JaxArray {
  const { p: b, shape, dtype } = oneParam("pareto", "b", rest);
  return jnp.exp(jnp.divide(exponentialImpl(key, shape, dtype), b));
}

/** jax.random.rayleigh(key, scale=1, shape=None, dtype=float32) */
export function rayleigh(key: KeyLike, ...rest: OneParamArgs<"scale">): JaxArray {
  const { p: scale, shape, dtype } = oneParam("rayleigh", "scale", rest, 1);
  const u = uniformImpl(key, shape, dtype);
  return jnp.multiply(broadcastParam(scale, shape), lax.sqrt(lax.mul(lax.log(u), -2)));
}

/** jax.random.maxwell(key, shape=(), dtype=float32): the norm of a 3-d standard normal. */
export function maxwell(key: KeyLike, ...rest: ShapeDtypeArgs): JaxArray {
  const { shape, dtype } = shapeDtype("maxwell", rest);
  return maxwellImpl(key, shape, dtype);
}
function maxwellImpl(key: KeyLike, shape: Shape, dtype: DType): JaxArray {
  const z = normalImpl(key, [...shape, 3], dtype);
  return jnp.sqrt(jnp.sum(jnp.multiply(z, z), { axis: -1 }));
}

/** jax.random.rademacher(key, shape, dtype=int32): -1 or 1 with equal probability. */
export function rademacher(key: KeyLike, ...rest: JaxArgs<[Shape, Dt], ShapeDtype>): JaxArray {
  const o = readArgs<ShapeDtype>("rademacher", rest, ["shape", "dtype"]);
  return rademacherImpl(key, o.shape ?? [], o.dtype ?? "int32");
}
function rademacherImpl(key: KeyLike, shape: Shape, dtype: DType): JaxArray {
  const b = lax.convertElementType(
    bernoulliImpl(key, param("rademacher", 0.5, "float32"), shape),
    dtype,
  );
  return lax.sub(lax.mul(b, 2), 1);
}

export interface DoubleSidedMaxwellOptions {
  loc?: Param;
  scale?: Param;
  shape?: Shape;
  dtype?: Dt;
}
/** jax.random.double_sided_maxwell(key, loc, scale, shape=(), dtype=float32) */
export function doubleSidedMaxwell(
  key: KeyLike,
  ...rest: JaxArgs<[Param, Param, Shape, Dt], DoubleSidedMaxwellOptions>
): JaxArray {
  const fn = "doubleSidedMaxwell";
  const o = readArgs<DoubleSidedMaxwellOptions>(fn, rest, ["loc", "scale", "shape", "dtype"]);
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  const loc = param(fn, o.loc ?? 0, dtype);
  const scale = param(fn, o.scale ?? 1, dtype);
  const paramShape = jnp.broadcastShapes(loc.shape, scale.shape);
  const shape = [...(o.shape?.length ? o.shape : paramShape), ...paramShape];
  const [kMaxwell, kSign] = splitList(key);
  const sign = rademacherImpl(kSign!, shape, dtype);
  return jnp.add(
    jnp.multiply(jnp.multiply(sign, maxwellImpl(kMaxwell!, shape, dtype)), scale),
    loc,
  );
}

export interface WeibullOptions {
  scale?: Param;
  concentration?: Param;
  shape?: Shape;
  dtype?: Dt;
}
/** jax.random.weibull_min(key, scale, concentration, shape=(), dtype=float32) */
export function weibullMin(
  key: KeyLike,
  ...rest: JaxArgs<[Param, Param, Shape, Dt], WeibullOptions>
): JaxArray {
  const fn = "weibullMin";
  const o = readArgs<WeibullOptions>(fn, rest, ["scale", "concentration", "shape", "dtype"]);
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  const u = uniformImpl(key, o.shape ?? [], dtype);
  const power = jnp.divide(1, param(fn, o.concentration ?? 1, dtype));
  return jnp.multiply(
    jnp.power(lax.neg(lax.log1p(lax.neg(u))), power),
    param(fn, o.scale ?? 1, dtype),
  );
}

export interface TriangularOptions {
  left?: Param;
  mode?: Param;
  right?: Param;
  shape?: Shape | null;
  dtype?: Dt;
}
/** jax.random.triangular(key, left, mode, right, shape=None, dtype=float32) */
export function triangular(
  key: KeyLike,
  ...rest: JaxArgs<[Param, Param, Param, Shape | null, Dt], TriangularOptions>
): JaxArray {
  const fn = "triangular";
  const o = readArgs<TriangularOptions>(fn, rest, ["left", "mode", "right", "shape", "dtype"]);
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  const [left, mode, right] = [o.left, o.mode, o.right].map((v, i) => {
    if (v === undefined)
      throw new TypeError_(`${fn}() missing required argument '${["left", "mode", "right"][i]}'`);
    return param(fn, v, dtype);
  }) as [JaxArray, JaxArray, JaxArray];
  const shape = shapeOr(fn, o.shape, left, mode, right);
  const width = jnp.subtract(right, left);
  const fc = jnp.divide(jnp.subtract(mode, left), width);
  const u = uniformImpl(key, shape, dtype);
  const low = jnp.add(
    left,
    jnp.sqrt(jnp.multiply(jnp.multiply(u, width), jnp.subtract(mode, left))),
  );
  const high = jnp.subtract(
    right,
    jnp.sqrt(jnp.multiply(jnp.multiply(lax.sub(1, u), width), jnp.subtract(right, mode))),
  );
  return jnp.where(jnp.less(u, fc), low, high);
}

/** jax.random.wald(key, mean, shape=None, dtype=float32): inverse Gaussian with unit shape. */
export function wald(key: KeyLike, ...rest: OneParamArgs<"mean">): JaxArray {
  const { p, shape, dtype } = oneParam("wald", "mean", rest);
  const mean = broadcastParam(p, shape);
  const [k1, k2] = splitList(key);
  const v = normalImpl(k1!, shape, dtype);
  const z = uniformImpl(k2!, shape, dtype);
  const y = lax.mul(v, v);
  const meanSq = lax.mul(mean, mean);
  const root = lax.sqrt(lax.add(lax.mul(lax.mul(mean, y), 4), lax.mul(meanSq, lax.mul(y, y))));
  const x = lax.sub(lax.add(mean, lax.div(lax.mul(meanSq, y), 2)), lax.div(lax.mul(mean, root), 2));
  return lax.select(lax.le(z, lax.div(mean, lax.add(mean, x))), x, lax.div(meanSq, x));
}

// --- discrete -------------------------------------------------------------------------------
export interface BernoulliOptions {
  p?: Param;
  shape?: Shape | null;
}
/** jax.random.bernoulli(key, p=0.5, shape=None): booleans, true with probability p. */
export function bernoulli(
  key: KeyLike,
  ...rest: JaxArgs<[Param, Shape | null], BernoulliOptions>
): JaxArray {
  const o = readArgs<BernoulliOptions>("bernoulli", rest, ["p", "shape"]);
  let p = asArray("bernoulli", o.p ?? 0.5);
  if (p.dtype !== "float32") p = lax.convertElementType(p, "float32");
  return bernoulliImpl(key, p, shapeOr("bernoulli", o.shape, p));
}
function bernoulliImpl(key: KeyLike, p: JaxArray, shape: Shape): JaxArray {
  return jnp.less(uniformImpl(key, shape, p.dtype), p);
}

export interface RandintOptions {
  shape?: Shape;
  minval?: Param;
  maxval?: Param;
  dtype?: Dt;
}
/**
 * jax.random.randint(key, shape, minval, maxval, dtype=int32): integers in [minval, maxval).
 * Two words per draw keep the modulo bias small, as JAX does.
 */
export function randint(
  key: KeyLike,
  ...rest: JaxArgs<[Shape, Param, Param, Dt], RandintOptions>
): JaxArray {
  const fn = "randint";
  const o = readArgs<RandintOptions>(fn, rest, ["shape", "minval", "maxval", "dtype"]);
  const dtype = intDtype(fn, o.dtype ?? undefined);
  if (o.shape === undefined || o.minval === undefined || o.maxval === undefined)
    throw new TypeError_(`${fn}() requires shape, minval and maxval`);
  return randintImpl(key, o.shape, o.minval, o.maxval, dtype);
}
function randintImpl(
  key: KeyLike,
  shape: Shape,
  minval: Param,
  maxval: Param,
  dtype: DType,
): JaxArray {
  const fn = "randint";
  let lo = asArray(fn, minval);
  let hi = asArray(fn, maxval);
  checkShape(fn, shape, lo.shape, hi.shape);
  const limits = dtype === "uint32" ? [0, 4294967295] : [-2147483648, 2147483647];
  // A bound past the dtype's range clips to it; maxval above the range makes the span 2**32.
  const clip = (x: JaxArray) =>
    x.dtype === dtype ? x : lax.convertElementType(jnp.clip(x, limits[0], limits[1]), dtype);
  const hiOutOfRange = jnp.greater(hi, limits[1]!);
  lo = broadcastParam(clip(lo), shape);
  hi = broadcastParam(clip(hi), shape);
  const [k1, k2] = splitList(key);
  const higher = randomBits(fn, k1!, shape);
  const lower = randomBits(fn, k2!, shape);
  let span = lax.convertElementType(lax.sub(hi, lo), "uint32");
  span = lax.select(lax.le(hi, lo), jnp.onesLike(span), span);
  span = jnp.where(jnp.logicalAnd(hiOutOfRange, jnp.greater(hi, lo)), lax.add(span, 1), span);
  // (a * 2**32 + b) mod span without 64-bit integers: 2**32 mod span is (2**16 mod span)**2 mod span.
  let multiplier = lax.rem(jnp.full([], 65536, "uint32"), span);
  multiplier = lax.rem(lax.mul(multiplier, multiplier), span);
  const offset = lax.rem(
    lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span)),
    span,
  );
  return lax.add(lo, lax.convertElementType(offset, dtype));
}

export interface PoissonOptions {
  lam?: Param;
  shape?: Shape | null;
  dtype?: Dt;
}
/**
 * jax.random.poisson(key, lam, shape=None, dtype=int32): Knuth's product of uniforms for
 * lam < 10, Hormann's transformed rejection (PTRS, 1993) above, as JAX, numpy and TF do.
 */
export function poisson(
  key: KeyLike,
  ...rest: JaxArgs<[Param, Shape | null, Dt], PoissonOptions>
): JaxArray {
  const fn = "poisson";
  const o = readArgs<PoissonOptions>(fn, rest, ["lam", "shape", "dtype"]);
  const dtype = intDtype(fn, o.dtype ?? undefined);
  if (o.lam === undefined) throw new TypeError_(`${fn}() missing required argument 'lam'`);
  let lam = param(fn, o.lam, "float32");
  const shape = shapeOr(fn, o.shape, lam);
  lam = broadcastParam(lam, shape);
  const useKnuth = jnp.logicalOr(jnp.isnan(lam), jnp.less(lam, 10));
  const lamKnuth = jnp.where(useKnuth, lam, 0);
  // Rejection's acceptance rate tends to 89% as lam grows: any large value keeps it cheap.
  const lamRejection = jnp.where(useKnuth, 1e5, lam);
  const result = jnp.where(
    useKnuth,
    poissonKnuth(key, lamKnuth, shape, dtype),
    poissonRejection(key, lamRejection, shape, dtype),
  );
  return jnp.where(jnp.equal(lam, 0), jnp.zerosLike(result), result);
}

function poissonKnuth(key: KeyLike, lam: JaxArray, shape: Shape, dtype: DType): JaxArray {
  type C = [JaxArray, JaxArray, JaxArray];
  const negLam = lax.neg(lam);
  const [, k] = rejectionLoop<C>(
    ([, , logProd]) => jnp.any(jnp.greater(logProd, negLam)),
    ([rng, k, logProd]) => {
      const [next, sub] = splitList(rng);
      const kNext = jnp.where(jnp.greater(logProd, negLam), lax.add(k, 1), k);
      const u = uniformImpl(sub!, shape, "float32");
      return [keyDataOf("poisson", next!), kNext, lax.add(logProd, lax.log(u))];
    },
    [keyDataOf("poisson", key), jnp.zeros([...shape], { dtype }), jnp.zeros([...shape])],
    POISSON_KNUTH_ROUNDS,
  );
  return lax.sub(k, 1);
}
function poissonRejection(key: KeyLike, lam: JaxArray, shape: Shape, dtype: DType): JaxArray {
  const logLam = lax.log(lam);
  const b = lax.add(lax.mul(lax.sqrt(lam), 2.53), 0.931);
  const a = lax.add(lax.mul(b, 0.02483), -0.059);
  const invAlpha = lax.add(lax.div(1.1328, lax.sub(b, 3.4)), 1.1239);
  const vR = lax.sub(0.9277, lax.div(3.6224, lax.sub(b, 2)));
  type C = [JaxArray, JaxArray, JaxArray];
  const [, kOut] = rejectionLoop<C>(
    ([, , accepted]) => jnp.any(jnp.logicalNot(accepted)),
    ([rng, kOut, accepted]) => {
      const [next, k0, k1] = splitList(rng, 3);
      const u = lax.sub(uniformImpl(k0!, shape, lam.dtype), 0.5);
      const v = uniformImpl(k1!, shape, lam.dtype);
      const uShifted = lax.sub(0.5, lax.abs(u));
      const k = lax.floor(
        lax.add(lax.add(lax.mul(lax.add(lax.div(lax.mul(a, 2), uShifted), b), u), lam), 0.43),
      );
      const s = lax.log(
        lax.div(lax.mul(v, invAlpha), lax.add(lax.div(a, lax.mul(uShifted, uShifted)), b)),
      );
      const t = lax.sub(lax.add(lax.neg(lam), lax.mul(k, logLam)), lax.lgamma(lax.add(k, 1)));
      const accept1 = lax.bitwiseAnd(lax.ge(uShifted, 0.07), lax.le(v, vR));
      const reject = lax.bitwiseOr(
        lax.lt(k, 0),
        lax.bitwiseAnd(lax.lt(uShifted, 0.013), lax.gt(v, uShifted)),
      );
      const accept = lax.bitwiseOr(accept1, lax.bitwiseAnd(lax.bitwiseNot(reject), lax.le(s, t)));
      return [
        keyDataOf("poisson", next!),
        lax.select(accept, k, kOut),
        lax.bitwiseOr(accepted, accept),
      ];
    },
    [keyDataOf("poisson", key), jnp.full([...shape], -1), jnp.zeros([...shape], { dtype: "bool" })],
    POISSON_REJECTION_ROUNDS,
  );
  return lax.convertElementType(kOut, dtype);
}
// Bounds for backends that cannot test a loop condition on the host (see rejectionLoop): the
// chance that any of a million draws needs more rounds is below 1e-20.
const POISSON_KNUTH_ROUNDS = 80;
const POISSON_REJECTION_ROUNDS = 40;

export interface GeometricOptions {
  p?: Param;
  shape?: Shape | null;
  dtype?: Dt;
}
/** jax.random.geometric(key, p, shape=None, dtype=int32): trials to the first success (>= 1). */
export function geometric(
  key: KeyLike,
  ...rest: JaxArgs<[Param, Shape | null, Dt], GeometricOptions>
): JaxArray {
  const fn = "geometric";
  const o = readArgs<GeometricOptions>(fn, rest, ["p", "shape", "dtype"]);
  const dtype = intDtype(fn, o.dtype ?? undefined);
  if (o.p === undefined) throw new TypeError_(`${fn}() missing required argument 'p'`);
  const p = param(fn, o.p, "float32");
  const shape = shapeOr(fn, o.shape, p);
  const u = uniformImpl(key, shape, p.dtype);
  const logOneMinusP = broadcastParam(lax.log1p(lax.neg(p)), shape);
  return lax.convertElementType(lax.add(lax.floor(lax.div(lax.log(u), logOneMinusP)), 1), dtype);
}

export interface CategoricalOptions {
  axis?: number;
  shape?: Shape | null;
  replace?: boolean;
}
/**
 * jax.random.categorical(key, logits, axis=-1, shape=None, replace=True): indices drawn with
 * probabilities softmax(logits) along `axis`, by the Gumbel-max trick (top-k without replace).
 */
export function categorical(
  key: KeyLike,
  logits: Param,
  ...rest: JaxArgs<[number, Shape | null, boolean], CategoricalOptions>
): JaxArray {
  const fn = "categorical";
  const o = readArgs<CategoricalOptions>(fn, rest, ["axis", "shape", "replace"]);
  let x = asArray(fn, logits);
  if (x.dtype !== "float32") x = lax.convertElementType(x, "float32");
  const axis = normalizeAxis(fn, o.axis ?? -1, x.ndim) - x.ndim;
  const batchShape = x.shape.filter((_, i) => i !== x.ndim + axis);
  const shape = o.shape ?? batchShape;
  if (o.shape) checkShape(fn, shape, batchShape);
  const prefix = shape.slice(0, shape.length - batchShape.length);
  const logitsShape = [...shape.slice(shape.length - batchShape.length)];
  logitsShape.splice(x.ndim + axis, 0, x.shape[x.ndim + axis]!);
  if (o.replace ?? true) {
    const g = gumbelImpl(key, [...prefix, ...logitsShape], x.dtype);
    const lifted = jnp.reshape(x, [...prefix.map(() => 1), ...x.shape]);
    return jnp.argmax(jnp.add(g, lifted), { axis });
  }
  const perturbed = jnp.add(x, gumbelImpl(key, logitsShape, x.dtype));
  const k = prod(prefix);
  if (k > x.shape[x.ndim + axis]!)
    throw new ValueError(
      `Number of samples without replacement (${k}) cannot exceed number of categories (${x.shape[x.ndim + axis]}).`,
    );
  const top = topKIndices(jnp.moveaxis(perturbed, axis, -1), k);
  return jnp.reshape(jnp.moveaxis(top, -1, 0), [...shape]);
}

/** Indices of the k largest entries along the last axis, largest first (lax.top_k's order). */
function topKIndices(x: JaxArray, k: number): JaxArray {
  const order = jnp.argsort(jnp.negative(x), { axis: -1, stable: true });
  return lax.sliceInDim(order, 0, k, 1, order.ndim - 1);
}

export interface ChoiceOptions {
  shape?: Shape;
  replace?: boolean;
  p?: Param | null;
  axis?: number;
}
/** jax.random.choice(key, a, shape=(), replace=True, p=None, axis=0) */
export function choice(
  key: KeyLike,
  a: Param,
  ...rest: JaxArgs<[Shape, boolean, Param | null, number], ChoiceOptions>
): JaxArray {
  const fn = "choice";
  const o = readArgs<ChoiceOptions>(fn, rest, ["shape", "replace", "p", "axis"], ["mode"]);
  const arr = asArray(fn, a);
  const shape = o.shape ?? [];
  if (arr.ndim === 0 && !Number.isInteger(Number(arr)))
    throw new TypeError_(`${fn}: a must be an integer or at least one-dimensional`);
  const axis = arr.ndim === 0 ? 0 : normalizeAxis(fn, o.axis ?? 0, arr.ndim);
  const nInputs = arr.ndim === 0 ? Number(arr) : arr.shape[axis]!;
  const nDraws = prod(shape);
  if (nDraws === 0) return jnp.zeros([...shape], { dtype: arr.dtype });
  if (nInputs <= 0)
    throw new ValueError(`${fn}: a must be greater than 0 unless no samples are taken`);
  const replace = o.replace ?? true;
  if (!replace && nDraws > nInputs)
    throw new ValueError(
      `${fn}: cannot take a larger sample (size ${nDraws}) than population (size ${nInputs}) when 'replace=False'`,
    );
  let ind: JaxArray;
  if (o.p === undefined || o.p === null) {
    if (replace) ind = randintImpl(key, shape, 0, nInputs, "int32");
    else {
      const perm = permutationImpl(key, arr.ndim === 0 ? jnp.arange(nInputs) : arr, axis);
      const taken = lax.sliceInDim(perm, 0, nDraws, 1, axis);
      return arr.ndim === 0
        ? jnp.reshape(taken, [...shape])
        : jnp.reshape(taken, [...arr.shape.slice(0, axis), ...shape, ...arr.shape.slice(axis + 1)]);
    }
  } else {
    let p = asArray(fn, o.p);
    if (p.dtype !== "float32") p = lax.convertElementType(p, "float32");
    if (p.ndim !== 1 || p.shape[0] !== nInputs)
      throw new ValueError(
        `${fn}: p must be None or a 1D vector with the same size as a.shape[axis]. p has shape ${fmtShape(p.shape)} and a.shape[axis] is ${nInputs}.`,
      );
    if (replace) {
      const cdf = jnp.cumsum(p);
      const total = lax.sliceInDim(cdf, nInputs - 1, nInputs, 1, 0);
      const r = jnp.multiply(total, lax.sub(1, uniformImpl(key, shape, p.dtype)));
      ind = lax.convertElementType(jnp.searchsorted(cdf, r), "int32");
    } else {
      const g = jnp.add(gumbelImpl(key, [nInputs], p.dtype), jnp.log(p));
      ind = topKIndices(g, nDraws);
    }
  }
  if (arr.ndim === 0) return jnp.reshape(ind, [...shape]);
  const taken = jnp.take(arr, jnp.reshape(ind, [-1]), { axis });
  return jnp.reshape(taken, [...arr.shape.slice(0, axis), ...shape, ...arr.shape.slice(axis + 1)]);
}

export interface PermutationOptions {
  axis?: number;
  independent?: boolean;
}
/** jax.random.permutation(key, x, axis=0, independent=False): a shuffle, or arange(x) shuffled. */
export function permutation(
  key: KeyLike,
  x: Param,
  ...rest: JaxArgs<[number, boolean], PermutationOptions>
): JaxArray {
  const fn = "permutation";
  const o = readArgs<PermutationOptions>(fn, rest, ["axis", "independent"]);
  const arr = asArray(fn, x);
  if (arr.ndim === 0) {
    if (arr.dtype !== "int32" && arr.dtype !== "uint32")
      throw new TypeError_("x must be an integer or at least 1-dimensional");
    return shuffle(key, jnp.arange(Number(arr)), 0);
  }
  const axis = normalizeAxis(fn, o.axis ?? 0, arr.ndim);
  return o.independent || arr.ndim === 1
    ? shuffle(key, arr, axis)
    : permutationImpl(key, arr, axis);
}
function permutationImpl(key: KeyLike, arr: JaxArray, axis: number): JaxArray {
  if (arr.ndim === 1) return shuffle(key, arr, 0);
  const ind = shuffle(key, jnp.arange(arr.shape[axis]!), 0);
  return jnp.take(arr, ind, { axis });
}

/**
 * Sorts by fresh random words, in enough rounds (3 log(n) / log(2**32)) that colliding words
 * leave no detectable bias (jax.random._shuffle).
 */
function shuffle(key: KeyLike, x: JaxArray, axis: number): JaxArray {
  const rounds = Math.ceil((3 * Math.log(Math.max(1, x.size))) / Math.log(4294967295));
  let k = key;
  let out = x;
  for (let i = 0; i < rounds; i++) {
    const [next, sub] = splitList(k);
    k = next!;
    const sortKeys = randomBits("permutation", sub!, out.shape);
    out = lax.sort([sortKeys, out], axis, true, 1)[1]!;
  }
  return out;
}

export interface BinomialOptions {
  n?: Param;
  p?: Param;
  shape?: Shape | null;
  dtype?: Dt;
}
/**
 * jax.random.binomial(key, n, p, shape=None, dtype=float32): inversion for n min(p, 1-p) <= 10,
 * else Hormann's BTRS ("The generation of binomial random variates", 1993), as JAX and TF.
 */
export function binomial(
  key: KeyLike,
  ...rest: JaxArgs<[Param, Param, Shape | null, Dt], BinomialOptions>
): JaxArray {
  const fn = "binomial";
  const o = readArgs<BinomialOptions>(fn, rest, ["n", "p", "shape", "dtype"]);
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  if (o.n === undefined || o.p === undefined) throw new TypeError_(`${fn}() requires n and p`);
  let prob = param(fn, o.p, "float32");
  let count = param(fn, o.n, "float32");
  const shape = shapeOr(fn, o.shape, count, prob);
  count = broadcastParam(count, shape);
  prob = broadcastParam(prob, shape);
  const pLtHalf = jnp.less(prob, 0.5);
  let q = jnp.where(pLtHalf, prob, lax.sub(1, prob));
  const countNanOrNeg = jnp.logicalOr(jnp.isnan(count), jnp.less(count, 0));
  const countInf = jnp.isinf(count);
  const qNan = jnp.isnan(q);
  const qNeg = jnp.less(q, 0);
  q = jnp.where(jnp.logicalOr(qNan, qNeg), 0.01, q);
  const useInversion = jnp.logicalOr(countNanOrNeg, jnp.lessEqual(lax.mul(count, q), 10));
  count = lax.floor(count);
  const countInv = jnp.where(useInversion, count, 0);
  const countBtrs = jnp.where(useInversion, 1e4, count);
  const qBtrs = jnp.where(useInversion, 0.5, q);
  let samples = jnp.where(
    useInversion,
    binomialInversion(key, countInv, q, shape),
    btrs(key, countBtrs, qBtrs, shape),
  );
  const invalid = jnp.logicalOr(jnp.logicalOr(qNeg, qNan), countNanOrNeg);
  samples = jnp.where(invalid, Number.NaN, samples);
  samples = jnp.where(
    jnp.logicalAnd(countInf, jnp.logicalNot(invalid)),
    Number.POSITIVE_INFINITY,
    samples,
  );
  const keep = jnp.logicalOr(jnp.logicalOr(pLtHalf, countNanOrNeg), jnp.logicalOr(qNan, countInf));
  samples = jnp.where(keep, samples, lax.sub(count, samples));
  return lax.convertElementType(samples, dtype);
}

/** The number of geometric waiting times that fit in count trials, minus one. */
function binomialInversion(key: KeyLike, count: JaxArray, prob: JaxArray, shape: Shape): JaxArray {
  const log1mp = lax.log1p(lax.neg(prob));
  type C = [JaxArray, JaxArray, JaxArray];
  const [, numGeom] = rejectionLoop<C>(
    ([, , geomSum]) => jnp.any(jnp.lessEqual(geomSum, count)),
    ([rng, numGeom, geomSum]) => {
      const [sub, next] = splitList(rng);
      const nextNum = jnp.where(jnp.lessEqual(geomSum, count), lax.add(numGeom, 1), numGeom);
      const u = uniformImpl(sub!, shape, prob.dtype);
      const geom = lax.ceil(lax.div(lax.log(u), log1mp));
      return [keyDataOf("binomial", next!), nextNum, lax.add(geomSum, geom)];
    },
    [keyDataOf("binomial", key), jnp.zeros([...shape]), jnp.zeros([...shape])],
    BINOMIAL_INVERSION_ROUNDS,
  );
  return lax.sub(numGeom, 1);
}

function btrs(key: KeyLike, count: JaxArray, prob: JaxArray, shape: Shape): JaxArray {
  const stddev = lax.sqrt(lax.mul(lax.mul(count, prob), lax.sub(1, prob)));
  const b = lax.add(lax.mul(stddev, 2.53), 1.15);
  const a = lax.add(lax.add(lax.mul(b, 0.0248), -0.0873), lax.mul(prob, 0.01));
  const c = lax.add(lax.mul(count, prob), 0.5);
  const vR = lax.sub(0.92, lax.div(4.2, b));
  const r = lax.div(prob, lax.sub(1, prob));
  const alpha = lax.mul(lax.add(lax.div(5.1, b), 2.83), stddev);
  const m = lax.floor(lax.mul(lax.add(count, 1), prob));
  type C = [JaxArray, JaxArray, JaxArray];
  const [, kOut] = rejectionLoop<C>(
    ([, , accepted]) => jnp.any(jnp.logicalNot(accepted)),
    ([rng, kOut, accepted]) => {
      const [next, k0, k1] = splitList(rng, 3);
      const u = lax.sub(uniformImpl(k0!, shape, prob.dtype), 0.5);
      const v0 = uniformImpl(k1!, shape, prob.dtype);
      const us = lax.sub(0.5, lax.abs(u));
      const accept1 = lax.bitwiseAnd(lax.ge(us, 0.07), lax.le(v0, vR));
      const k = lax.floor(lax.add(lax.mul(lax.add(lax.div(lax.mul(a, 2), us), b), u), c));
      const reject = lax.bitwiseOr(lax.lt(k, 0), lax.gt(k, count));
      const v = lax.log(lax.div(lax.mul(v0, alpha), lax.add(lax.div(a, lax.mul(us, us)), b)));
      const cmk1 = lax.add(lax.sub(count, k), 1);
      const ub = [
        lax.mul(
          lax.add(m, 0.5),
          lax.log(lax.div(lax.add(m, 1), lax.mul(r, lax.add(lax.sub(count, m), 1)))),
        ),
        lax.mul(lax.add(count, 1), lax.log(lax.div(lax.add(lax.sub(count, m), 1), cmk1))),
        lax.mul(lax.add(k, 0.5), lax.log(lax.div(lax.mul(r, cmk1), lax.add(k, 1)))),
        stirlingTail(m),
        stirlingTail(lax.sub(count, m)),
        lax.neg(stirlingTail(k)),
        lax.neg(stirlingTail(lax.sub(count, k))),
      ].reduce((x, y) => lax.add(x, y));
      const accept = lax.bitwiseOr(accept1, lax.bitwiseAnd(lax.bitwiseNot(reject), lax.le(v, ub)));
      return [
        keyDataOf("binomial", next!),
        lax.select(accept, k, kOut),
        lax.bitwiseOr(accepted, accept),
      ];
    },
    [
      keyDataOf("binomial", key),
      jnp.full([...shape], -1),
      jnp.zeros([...shape], { dtype: "bool" }),
    ],
    BINOMIAL_BTRS_ROUNDS,
  );
  return kOut;
}
const BINOMIAL_INVERSION_ROUNDS = 60;
const BINOMIAL_BTRS_ROUNDS = 40;

// log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi)/2], tabulated for k <= 9.
const STIRLING_TAIL = [
  0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
  0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.010411265261972,
  0.00925546218271273, 0.00833056343336287,
];
function stirlingTail(k: JaxArray): JaxArray {
  const useTable = lax.le(k, 9);
  // As jax.random._stirling_approx_tail, the series is evaluated at k clamped to [0, 9].
  const kc = lax.clamp(0, k, 9);
  const kp1 = lax.add(kc, 1);
  const kp1sq = lax.mul(kp1, kp1);
  const approx = lax.div(
    lax.sub(1 / 12, lax.div(lax.sub(1 / 360, lax.div(1 / 1260, kp1sq)), kp1sq)),
    kp1,
  );
  const table = jnp.take(jnp.array(STIRLING_TAIL), lax.convertElementType(lax.floor(kc), "int32"));
  return lax.select(useTable, table, approx);
}

// --- gamma and its relatives ---------------------------------------------------------------
/** jax.random.gamma(key, a, shape=None, dtype=float32): differentiable in a. */
export function gamma(key: KeyLike, ...rest: OneParamArgs<"a">): JaxArray {
  const { p: a, shape } = oneParam("gamma", "a", rest);
  return gammaImpl(key, broadcastParam(a, shape), false);
}

/** jax.random.loggamma(key, a, shape=None, dtype=float32): log of a gamma variate, accurate for small a. */
export function loggamma(key: KeyLike, ...rest: OneParamArgs<"a">): JaxArray {
  const { p: a, shape } = oneParam("loggamma", "a", rest);
  return gammaImpl(key, broadcastParam(a, shape), true);
}

export interface BetaOptions {
  a?: Param;
  b?: Param;
  shape?: Shape | null;
  dtype?: Dt;
}
/** jax.random.beta(key, a, b, shape=None, dtype=float32) */
export function beta(
  key: KeyLike,
  ...rest: JaxArgs<[Param, Param, Shape | null, Dt], BetaOptions>
): JaxArray {
  const fn = "beta";
  const o = readArgs<BetaOptions>(fn, rest, ["a", "b", "shape", "dtype"]);
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  if (o.a === undefined || o.b === undefined) throw new TypeError_(`${fn}() requires a and b`);
  const a = param(fn, o.a, dtype);
  const b = param(fn, o.b, dtype);
  const shape = shapeOr(fn, o.shape, a, b);
  const [keyA, keyB] = splitList(key);
  const logA = gammaImpl(keyA!, broadcastParam(a, shape), true);
  const logB = gammaImpl(keyB!, broadcastParam(b, shape), true);
  // gamma_a / (gamma_a + gamma_b) scaled by the larger, so neither underflows.
  const logMax = lax.max(logA, logB);
  const ga = lax.exp(lax.sub(logA, logMax));
  const gb = lax.exp(lax.sub(logB, logMax));
  return lax.div(ga, lax.add(ga, gb));
}

export interface DirichletOptions {
  shape?: Shape | null;
  dtype?: Dt;
}
/** jax.random.dirichlet(key, alpha, shape=None, dtype=float32): a softmax of log-gamma variates. */
export function dirichlet(
  key: KeyLike,
  alpha: Param,
  ...rest: JaxArgs<[Shape | null, Dt], DirichletOptions>
): JaxArray {
  const fn = "dirichlet";
  const o = readArgs<DirichletOptions>(fn, rest, ["shape", "dtype"]);
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  const a = param(fn, alpha, dtype);
  if (a.ndim < 1)
    throw new ValueError(
      `The concentration parameter alpha must be a vector, got shape ${fmtShape(a.shape)}`,
    );
  const batch = a.shape.slice(0, -1);
  const shape = o.shape ?? batch;
  if (o.shape) checkShape(fn, shape, batch);
  const logG = gammaImpl(key, broadcastParam(a, [...shape, a.shape[a.ndim - 1]!]), true);
  const shifted = jnp.exp(
    jnp.subtract(logG, lax.stopGradient(jnp.max(logG, { axis: -1, keepdims: true }))),
  );
  return jnp.divide(shifted, jnp.sum(shifted, { axis: -1, keepdims: true }));
}

/** jax.random.chisquare(key, df, shape=None, dtype=float32) */
export function chisquare(key: KeyLike, ...rest: OneParamArgs<"df">): JaxArray {
  const { p: df, shape } = oneParam("chisquare", "df", rest);
  const logG = gammaImpl(key, broadcastParam(lax.div(df, 2), shape), true);
  return lax.mul(lax.exp(logG), 2);
}

/** jax.random.t(key, df, shape=None, dtype=float32): Student's t. */
export function t(key: KeyLike, ...rest: OneParamArgs<"df">): JaxArray {
  const { p: df, shape, dtype } = oneParam("t", "df", rest);
  const [keyN, keyG] = splitList(key);
  const n = normalImpl(keyN!, shape, dtype);
  const halfDf = broadcastParam(lax.div(df, 2), shape);
  const g = gammaImpl(keyG!, halfDf, false);
  return lax.mul(n, lax.sqrt(lax.div(halfDf, g)));
}

export interface GeneralizedNormalOptions {
  shape?: Shape;
  dtype?: Dt;
}
/** jax.random.generalized_normal(key, p, shape=(), dtype=float32): density ~ exp(-|x|^p). */
export function generalizedNormal(
  key: KeyLike,
  p: number,
  ...rest: JaxArgs<[Shape, Dt], GeneralizedNormalOptions>
): JaxArray {
  const o = readArgs<GeneralizedNormalOptions>("generalizedNormal", rest, ["shape", "dtype"]);
  return generalizedNormalImpl(
    key,
    p,
    o.shape ?? [],
    floatDtype("generalizedNormal", o.dtype ?? undefined),
  );
}
function generalizedNormalImpl(key: KeyLike, p: number, shape: Shape, dtype: DType): JaxArray {
  const [kg, kr] = splitList(key);
  const g = gammaImpl(kg!, jnp.full([...shape], 1 / p, { dtype }), false);
  const r = rademacherImpl(kr!, shape, dtype);
  return lax.mul(r, lax.pow(g, 1 / p));
}

export interface BallOptions {
  p?: number;
  shape?: Shape;
  dtype?: Dt;
}
/** jax.random.ball(key, d, p=2, shape=(), dtype=float32): uniform in the unit p-norm ball of R^d. */
export function ball(
  key: KeyLike,
  d: number,
  ...rest: JaxArgs<[number, Shape, Dt], BallOptions>
): JaxArray {
  const fn = "ball";
  const o = readArgs<BallOptions>(fn, rest, ["p", "shape", "dtype"]);
  if (!Number.isInteger(d) || d < 1)
    throw new ValueError(`${fn}: d must be a positive integer, got ${d}`);
  const p = o.p ?? 2;
  const shape = o.shape ?? [];
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  const [k1, k2] = splitList(key);
  const g = generalizedNormalImpl(k1!, p, [...shape, d], dtype);
  const e = exponentialImpl(k2!, shape, dtype);
  const norm = jnp.power(jnp.add(jnp.sum(jnp.power(jnp.abs(g), p), { axis: -1 }), e), 1 / p);
  return jnp.divide(g, jnp.expandDims(norm, -1));
}

// --- multivariate ---------------------------------------------------------------------------
export interface MultivariateNormalOptions {
  shape?: Shape | null;
  dtype?: Dt;
  method?: "cholesky";
}
/** jax.random.multivariate_normal(key, mean, cov, shape=None, dtype=float32, method="cholesky") */
export function multivariateNormal(
  key: KeyLike,
  mean: Param,
  cov: Param,
  ...rest: JaxArgs<[Shape | null, Dt, "cholesky"], MultivariateNormalOptions>
): JaxArray {
  const fn = "multivariateNormal";
  const o = readArgs<MultivariateNormalOptions>(fn, rest, ["shape", "dtype", "method"]);
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  if ((o.method ?? "cholesky") !== "cholesky")
    throw new ValueError(
      `${fn}: method must be "cholesky" (svd and eigh need jnp.linalg), got ${o.method}`,
    );
  const mu = param(fn, mean, dtype);
  const sigma = param(fn, cov, dtype);
  if (mu.ndim < 1)
    throw new ValueError(
      `${fn}: mean must be at least one-dimensional, got shape ${fmtShape(mu.shape)}`,
    );
  const n = mu.shape[mu.ndim - 1]!;
  if (sigma.ndim < 2 || sigma.shape[sigma.ndim - 1] !== n || sigma.shape[sigma.ndim - 2] !== n)
    throw new ValueError(
      `${fn}: cov must have rank at least 2 and shape[-2:] == (${n}, ${n}) to match mean, got cov shape ${fmtShape(sigma.shape)}`,
    );
  const batch = [mu.shape.slice(0, -1), sigma.shape.slice(0, -2)];
  const shape = o.shape ?? jnp.broadcastShapes(...batch);
  if (o.shape) checkShape(fn, shape, ...batch);
  const factor = jnp.linalg.cholesky(sigma);
  const z = normalImpl(key, [...shape, n], dtype);
  return jnp.add(mu, jnp.einsum("...ij,...j->...i", factor, z));
}

export interface OrthogonalOptions {
  shape?: Shape;
  dtype?: Dt;
}
/** jax.random.orthogonal(key, n, shape=(), dtype=float32): Haar-distributed orthogonal matrices. */
export function orthogonal(
  key: KeyLike,
  n: number,
  ...rest: JaxArgs<[Shape, Dt], OrthogonalOptions>
): JaxArray {
  const fn = "orthogonal";
  const o = readArgs<OrthogonalOptions>(fn, rest, ["shape", "dtype"]);
  const dtype = floatDtype(fn, o.dtype ?? undefined);
  if (!Number.isInteger(n) || n < 1)
    throw new ValueError(`${fn}: n must be a positive integer, got ${n}`);
  const z = normalImpl(key, [...(o.shape ?? []), n, n], dtype);
  // Q of z = QR with R's diagonal made positive: unique, so the same Q JAX gets from
  // Householder QR after its sign correction (Mezzadri, "How to generate random matrices from
  // the classical compact groups", 2007).
  return orthonormalColumns(z);
}

/** Gram-Schmidt, each column orthogonalised twice ("twice is enough") for float32 accuracy. */
function orthonormalColumns(z: JaxArray): JaxArray {
  const n = z.shape[z.ndim - 1]!;
  const columns: JaxArray[] = [];
  for (let j = 0; j < n; j++) {
    let v = lax.sliceInDim(z, j, j + 1, 1, z.ndim - 1);
    for (let pass = 0; pass < 2; pass++)
      for (const q of columns)
        v = jnp.subtract(
          v,
          jnp.multiply(q, jnp.sum(jnp.multiply(q, v), { axis: -2, keepdims: true })),
        );
    columns.push(
      jnp.divide(v, jnp.sqrt(jnp.sum(jnp.multiply(v, v), { axis: -2, keepdims: true }))),
    );
  }
  return jnp.concatenate(columns, -1);
}
