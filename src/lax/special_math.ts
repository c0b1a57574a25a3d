/**
 * Float32 kernels of the special-function primitives, written with tf.js ops so that one
 * implementation runs on every backend. Iterative methods run a fixed number of steps (no
 * data-dependent loops, no reads back from the device): the counts below are enough for
 * float32 over the domains stated in the tests.
 */
import * as tf from "@tensorflow/tfjs-core";

type Tensor = tf.Tensor;
const fround = Math.fround;

/** Horner's rule: c[0] w^(n-1) + ... + c[n-1]. */
export function polynomial(coefficients: readonly number[], w: Tensor): Tensor {
  let p: Tensor = tf.scalar(coefficients[0]!);
  for (const c of coefficients.slice(1)) p = tf.add(tf.mul(p, w), c);
  return p;
}

/** Clenshaw's recurrence for the Chebyshev series sum_j c[j] T_j(t), t in [-1, 1]. */
function chebyshev(c: readonly number[], t: Tensor): Tensor {
  let b1: Tensor = tf.zerosLike(t);
  let b2: Tensor = tf.zerosLike(t);
  const twoT = tf.mul(t, 2);
  for (let j = c.length - 1; j >= 1; j--) {
    const b0 = tf.add(tf.sub(tf.mul(twoT, b1), b2), c[j]!);
    b2 = b1;
    b1 = b0;
  }
  return tf.add(tf.sub(tf.mul(t, b1), b2), c[0]!);
}

// --- error function ---------------------------------------------------------------------------
// Cephes erff.c (S. Moshier), as XLA's ErfImpl32Cephes / ErfcImpl32: erf(x) = x T(x^2) for
// |x| < 1, and erfc(x) = exp(-x^2) / x * P(1/x^2) (1 <= x < 2) or R(1/x^2) (x >= 2).
const ERF_T = [
  7.853861353153693e-5, -0.0008010193625184903, 0.005188327685732524, -0.02685381193529856,
  0.1128358514861418, -0.376126258242333, 1.12837916572671,
].map(fround);
const ERFC_P = [
  0.02326819970068386, -0.1387039388740657, 0.3687424674597105, -0.5824733027278666,
  0.6210004621745983, -0.4944515323274145, 0.3404879937665872, -0.2741127028184656,
  0.5638259427386472,
].map(fround);
const ERFC_R = [
  -10.47766399936249, 12.97719955372516, -7.495518717768503, 2.921019019210786, -1.0152652792027,
  0.4218463358204948, -0.2820767439740514, 0.5641895067754075,
].map(fround);

/**
 * exp(-x^2) for x >= 0 without the rounding error of x*x: x = hi + lo with hi on a 2^-8 grid,
 * so hi^2 is exact in float32 below 16 (the splitting of Cephes' expx2).
 */
export function expNegSquare(x: Tensor): Tensor {
  const hi = tf.div(tf.round(tf.mul(x, 256)), 256);
  const lo = tf.sub(x, hi);
  return tf.mul(tf.exp(tf.neg(tf.mul(hi, hi))), tf.exp(tf.neg(tf.mul(lo, tf.add(x, hi)))));
}

/** erfc(x) for x >= 1 (other values are clamped to 1 and must be masked by the caller). */
function erfcLarge(x: Tensor): Tensor {
  const z = tf.maximum(x, 1);
  const q = tf.div(1, z);
  const y = tf.mul(q, q);
  const p = tf.where(tf.less(z, 2), polynomial(ERFC_P, y), polynomial(ERFC_R, y));
  // exp(-x^2) underflows to 0 beyond x = 10.06 (kMaxlog in Cephes); so does the product.
  return tf.mul(tf.mul(expNegSquare(z), q), p);
}

export function erfTensor(x: Tensor): Tensor {
  const ax = tf.abs(x);
  const small = tf.mul(x, polynomial(ERF_T, tf.mul(x, x)));
  const large = tf.mul(tf.sign(x), tf.sub(1, erfcLarge(ax)));
  // nan stays nan (the sign of nan is 0 on some backends).
  return tf.where(tf.less(ax, 1), small, tf.where(tf.isNaN(x), x, large));
}

export function erfcTensor(x: Tensor): Tensor {
  const ax = tf.abs(x);
  const small = tf.sub(1, tf.mul(x, polynomial(ERF_T, tf.mul(x, x))));
  const tail = erfcLarge(ax);
  const large = tf.where(tf.less(x, 0), tf.sub(2, tail), tail);
  return tf.where(tf.less(ax, 1), small, tf.where(tf.isNaN(x), x, large));
}

// --- Bessel functions -------------------------------------------------------------------------
// Cephes i0.c / i1.c's scheme: Chebyshev series of exp(-x) I(x) on [0, 8] in t = x/4 - 1 and
// of sqrt(x) exp(-x) I(x) on [8, inf) in t = 16/x - 1. The coefficients are recomputed with
// mpmath to float32 precision by scripts/fixtures/gen_scipy_special.py --chebyshev.
const I0E_SMALL = [
  0.33839763720473803, -0.3046826723431984, 0.17162090152220877, -0.09490109704804764,
  0.04930528423967071, -0.02373741480589947, 0.010546460394594998, -0.004324309995050576,
  0.0016394756169413357, -0.0005763755745385824, 0.00018850288509584165, -5.754195010082104e-5,
  1.6448448070728896e-5, -4.4167383584587505e-6, 1.1173875391201037e-6, -2.670793853940612e-7,
  6.046995022541919e-8, -1.300025009986248e-8, 2.6598237246823866e-9, -5.189795601635263e-10,
];
const I0E_LARGE = [
  0.4022452055070544, 0.0033691164782556943, 6.889758346916825e-5, 2.8913705208347567e-6,
  2.0489185894690638e-7, 2.266668990498178e-8, 3.3962320257083865e-9, 4.94060238822497e-10,
];
const I1E_SMALL = [
  0.12629359322181682, -0.17641651835783406, 0.1026436586898471, -0.05294598120809499,
  0.024726449030626516, -0.010564084894626197, 0.004156422944312888, -0.0015135724506312532,
  0.0005122859561685758, -0.00016176081582589674, 4.781565107550054e-5, -1.3273163656039436e-5,
  3.4702513081376785e-6, -8.568720264695455e-7, 2.0032947535521353e-7, -4.445059128796328e-8,
  9.381537386495773e-9, -1.8872497517228294e-9, 3.625590281552117e-10,
];
const I1E_LARGE = [
  0.38928811750914005, -0.009761097491361469, -0.00011058893876262371, -3.882564808877691e-6,
  -2.512236237870209e-7, -2.6314688468895196e-8, -3.835380385964237e-9, -5.589743462196584e-10,
];

/** exp(-|x|) I_0(x), or exp(-|x|) I_1(x) with `order` 1. */
export function besselIeTensor(x: Tensor, order: 0 | 1): Tensor {
  const ax = tf.abs(x);
  const small = chebyshev(
    order === 0 ? I0E_SMALL : I1E_SMALL,
    tf.sub(tf.div(tf.minimum(ax, 8), 4), 1),
  );
  const far = tf.maximum(ax, 8);
  const large = tf.div(
    chebyshev(order === 0 ? I0E_LARGE : I1E_LARGE, tf.sub(tf.div(16, far), 1)),
    tf.sqrt(far),
  );
  const value = tf.where(tf.lessEqual(ax, 8), order === 0 ? small : tf.mul(small, ax), large);
  return order === 0 ? value : tf.mul(tf.sign(x), value);
}

// --- Hurwitz zeta -------------------------------------------------------------------------------
// Cephes zeta.c, as XLA's Zeta: sum the first N terms of sum_k (q + k)^-x directly, then the
// Euler-Maclaurin tail at w = q + N, whose coefficients are A_i = (2i + 2)! / B_(2i+2).
const ZETA_TERMS = 9;
const BERNOULLI_EVEN = [
  1 / 6,
  -1 / 30,
  1 / 42,
  -1 / 30,
  5 / 66,
  -691 / 2730,
  7 / 6,
  -3617 / 510,
  43867 / 798,
  -174611 / 330,
  854513 / 138,
  -236364091 / 2730,
];
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
const ZETA_A = BERNOULLI_EVEN.map((b, i) => factorial(2 * i + 2) / b);

export function zetaTensor(x: Tensor, q: Tensor): Tensor {
  let s: Tensor = tf.zerosLike(tf.add(x, q));
  for (let k = 0; k < ZETA_TERMS; k++) s = tf.add(s, tf.pow(tf.add(q, k), tf.neg(x)));
  const w = tf.add(q, ZETA_TERMS);
  const b = tf.pow(w, tf.neg(x));
  // integral of the tail from w, plus half of its first term (Euler-Maclaurin)
  s = tf.add(s, tf.add(tf.div(tf.mul(b, w), tf.sub(x, 1)), tf.mul(b, 0.5)));
  // a_i b_i of Cephes carried as one product, which stays in float32 range.
  let ab = b;
  for (let i = 0; i < ZETA_A.length; i++) {
    ab = tf.div(tf.mul(ab, tf.add(x, 2 * i)), w);
    s = tf.add(s, tf.div(ab, ZETA_A[i]!));
    ab = tf.div(tf.mul(ab, tf.add(x, 2 * i + 1)), w);
  }
  const nan = tf.fill(s.shape, Number.NaN);
  const qInteger = tf.equal(q, tf.floor(q));
  const out = tf.where(
    tf.equal(x, 1),
    tf.fill(s.shape, Number.POSITIVE_INFINITY),
    tf.where(tf.less(x, 1), nan, s),
  );
  // Poles at the non-positive integers; elsewhere below 0 the direct sum is not used (nan).
  return tf.where(
    tf.lessEqual(q, 0),
    tf.where(tf.logicalAnd(qInteger, tf.greater(x, 1)), tf.fill(s.shape, Infinity), nan),
    out,
  );
}

// --- incomplete gamma -------------------------------------------------------------------------
/** log1p(t) - t, by the series -t v + 2 (v^3/3 + v^5/5 + ...) in v = t / (2 + t) for |v| < 1/2. */
export function log1pmxTensor(t: Tensor): Tensor {
  const v = tf.div(t, tf.add(t, 2));
  const small = tf.less(tf.abs(v), 0.5);
  const vs = tf.where(small, v, tf.zerosLike(v));
  const v2 = tf.mul(vs, vs);
  let series: Tensor = tf.scalar(0);
  for (let j = 13; j >= 1; j--) series = tf.add(tf.mul(series, v2), 2 / (2 * j + 1));
  const viaSeries = tf.sub(tf.mul(tf.mul(series, v2), vs), tf.mul(t, vs));
  return tf.where(small, viaSeries, tf.sub(tf.log1p(t), t));
}

/** lgamma(a) - ((a - 1/2) log a - a + log(2 pi)/2): Stirling's series, for a >= 10. */
export function stirlingCorrectionTensor(a: Tensor): Tensor {
  const w = tf.div(1, tf.mul(a, a));
  const series = polynomial([-1 / 1680, 1 / 1260, -1 / 360, 1 / 12], w);
  return tf.div(series, a);
}

/** Where to stop an iteration whose count is fixed: enough for float32 with a below ~1000. */
export const GAMMA_ITERATIONS = 256;

/**
 * Cephes igam: the lower series P(a, x) / prefix = (1/a) sum_n x^n / ((a+1)...(a+n)), and with
 * `withDerivative` also its derivative in a (forward mode through the recurrence, as XLA's
 * IgammaSeries in DERIVATIVE mode).
 */
export function igammaSeries(a: Tensor, x: Tensor, withDerivative: boolean): [Tensor, Tensor] {
  let r = a;
  let c: Tensor = tf.onesLike(tf.add(a, x));
  let dc: Tensor = tf.zerosLike(c);
  let sum = c;
  let dsum = dc;
  for (let n = 0; n < GAMMA_ITERATIONS; n++) {
    r = tf.add(r, 1);
    const ratio = tf.div(x, r);
    if (withDerivative) {
      // d(c x / r) = dc x / r - c x / r^2 (dr/da = 1)
      dc = tf.sub(tf.mul(dc, ratio), tf.div(tf.mul(c, ratio), r));
      dsum = tf.add(dsum, dc);
    }
    c = tf.mul(c, ratio);
    sum = tf.add(sum, c);
  }
  // S / a and its derivative dS/a - S/a^2
  const value = tf.div(sum, a);
  const derivative = withDerivative ? tf.sub(tf.div(dsum, a), tf.div(value, a)) : value;
  return [value, derivative];
}

/**
 * Cephes igamc: the continued fraction of Q(a, x) / prefix (Abramowitz and Stegun 6.5.31)
 * by its three-term recurrence, rescaled against overflow, with the derivative in a carried
 * along when asked (XLA's IgammacContinuedFraction).
 */
export function igammacFraction(a: Tensor, x: Tensor, withDerivative: boolean): [Tensor, Tensor] {
  const big = 2 ** 24;
  let y = tf.sub(1, a);
  let z = tf.add(tf.add(x, y), 1);
  let pkm2: Tensor = tf.onesLike(z);
  let qkm2: Tensor = tf.add(x, tf.zerosLike(z));
  let pkm1: Tensor = tf.add(x, tf.onesLike(z));
  let qkm1: Tensor = tf.mul(z, x);
  let ans = tf.div(pkm1, qkm1);
  // derivatives in a: dy = dz = -1
  let dpkm2: Tensor = tf.zerosLike(z);
  let dqkm2: Tensor = tf.zerosLike(z);
  let dpkm1: Tensor = tf.zerosLike(z);
  let dqkm1: Tensor = tf.neg(tf.add(x, tf.zerosLike(z)));
  let dans = tf.div(tf.sub(dpkm1, tf.mul(ans, dqkm1)), qkm1);
  for (let c = 1; c <= GAMMA_ITERATIONS; c++) {
    y = tf.add(y, 1);
    z = tf.add(z, 2);
    const yc = tf.mul(y, c);
    const pk = tf.sub(tf.mul(pkm1, z), tf.mul(pkm2, yc));
    const qk = tf.sub(tf.mul(qkm1, z), tf.mul(qkm2, yc));
    const ok = tf.notEqual(qk, 0);
    const safeQ = tf.where(ok, qk, tf.onesLike(qk));
    const r = tf.div(pk, safeQ);
    let dpk: Tensor = pk;
    let dqk: Tensor = qk;
    if (withDerivative) {
      // d(p z - p2 y c) = dp z - p - dp2 y c + p2 c
      dpk = tf.add(tf.sub(tf.sub(tf.mul(dpkm1, z), pkm1), tf.mul(dpkm2, yc)), tf.mul(pkm2, c));
      dqk = tf.add(tf.sub(tf.sub(tf.mul(dqkm1, z), qkm1), tf.mul(dqkm2, yc)), tf.mul(qkm2, c));
      dans = tf.where(ok, tf.div(tf.sub(dpk, tf.mul(r, dqk)), safeQ), dans);
    }
    ans = tf.where(ok, r, ans);
    const rescale = tf.greater(tf.abs(pk), big);
    const scale = (v: Tensor) => tf.where(rescale, tf.div(v, big), v);
    [pkm2, pkm1, qkm2, qkm1] = [scale(pkm1), scale(pk), scale(qkm1), scale(qk)];
    if (withDerivative)
      [dpkm2, dpkm1, dqkm2, dqkm1] = [scale(dpkm1), scale(dpk), scale(dqkm1), scale(dqk)];
  }
  return [ans, dans];
}

// --- incomplete beta ------------------------------------------------------------------------------
/**
 * The continued fraction of I_x(a, b) / prefix (Numerical Recipes' betacf, modified Lentz), for
 * x < (a + 1) / (a + b + 2), where it converges fast; as XLA's RegularizedIncompleteBeta.
 */
export function betaFraction(a: Tensor, b: Tensor, x: Tensor, iterations = 200): Tensor {
  const tiny = 1e-30;
  const guard = (v: Tensor) => tf.where(tf.less(tf.abs(v), tiny), tf.fill(v.shape, tiny), v);
  const qab = tf.add(a, b);
  const qap = tf.add(a, 1);
  const qam = tf.sub(a, 1);
  let c: Tensor = tf.onesLike(tf.add(qab, x));
  let d = tf.div(1, guard(tf.sub(1, tf.div(tf.mul(qab, x), qap))));
  d = tf.add(d, tf.zerosLike(c));
  let h = d;
  // Numerical Recipes stops at |d c - 1| < 3e-7; later factors are 1 up to rounding, and
  // multiplying them in would let h drift by an ulp per step, so each element stops there.
  let done: Tensor = tf.cast(tf.zerosLike(h), "bool");
  const step = (aa: Tensor) => {
    d = tf.div(1, guard(tf.add(1, tf.mul(aa, d))));
    c = guard(tf.add(1, tf.div(aa, c)));
    const delta = tf.mul(d, c);
    h = tf.where(done, h, tf.mul(h, delta));
    done = tf.logicalOr(done, tf.less(tf.abs(tf.sub(delta, 1)), 3e-7));
  };
  for (let m = 1; m <= iterations; m++) {
    const m2 = 2 * m;
    step(tf.div(tf.mul(tf.mul(tf.sub(b, m), x), m), tf.mul(tf.add(qam, m2), tf.add(a, m2))));
    step(
      tf.neg(
        tf.div(
          tf.mul(tf.mul(tf.add(a, m), tf.add(qab, m)), x),
          tf.mul(tf.add(a, m2), tf.add(qap, m2)),
        ),
      ),
    );
  }
  return h;
}
