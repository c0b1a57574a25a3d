/**
 * Float64 numerics on the host for the MCMC diagnostics: an FFT autocovariance, ranks, numpy's
 * quantiles and median, the normal quantile function and the beta quantile function. Diagnostics
 * post-process finished draws, so they run in plain JS doubles rather than on a tf.js backend
 * (which has no float64).
 */

/** Biased autocovariance (lag t divided by N, as Geyer 1992, Stan and ArviZ) of each row at every lag. */
export function autocovarianceRows(rows: readonly Float64Array[]): Float64Array[] {
  const out: Float64Array[] = [];
  // Two real rows share one complex FFT: row a as the real part, row b as the imaginary part.
  for (let i = 0; i < rows.length; i += 2) {
    const [a, b] = autocovariancePair(rows[i]!, rows[i + 1]);
    out.push(a);
    if (b) out.push(b);
  }
  return out;
}

function autocovariancePair(a: Float64Array, b?: Float64Array): [Float64Array, Float64Array?] {
  const n = a.length;
  let m = 1;
  while (m < 2 * n) m *= 2; // zero padding to >= 2n makes the circular correlation linear
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  re.set(centered(a));
  if (b) im.set(centered(b));
  fft(re, im, false);
  // Split Z = A + iB into the spectra of both real rows and keep their power |A|^2 + i |B|^2.
  const power = { re: new Float64Array(m), im: new Float64Array(m) };
  for (let k = 0; k < m; k++) {
    const j = (m - k) % m;
    const aRe = (re[k]! + re[j]!) / 2;
    const aIm = (im[k]! - im[j]!) / 2;
    const bRe = (im[k]! + im[j]!) / 2;
    const bIm = (re[j]! - re[k]!) / 2;
    power.re[k] = aRe * aRe + aIm * aIm;
    power.im[k] = bRe * bRe + bIm * bIm;
  }
  fft(power.re, power.im, true);
  const scale = 1 / (m * n);
  const covA = new Float64Array(n);
  const covB = b ? new Float64Array(n) : undefined;
  for (let t = 0; t < n; t++) {
    covA[t] = power.re[t]! * scale;
    if (covB) covB[t] = power.im[t]! * scale;
  }
  return [covA, covB];
}

function centered(x: Float64Array): Float64Array {
  const mu = mean(x);
  return x.map((v) => v - mu);
}

/** In-place iterative radix-2 complex FFT (length a power of two); `inverse` omits the 1/m. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const m = re.length;
  for (let i = 1, j = 0; i < m; i++) {
    let bit = m >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  const sign = inverse ? 1 : -1;
  const cos = new Float64Array(m / 2);
  const sin = new Float64Array(m / 2);
  for (let k = 0; k < m / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / m);
    sin[k] = sign * Math.sin((2 * Math.PI * k) / m);
  }
  for (let len = 2; len <= m; len *= 2) {
    const half = len / 2;
    const stride = m / len;
    for (let start = 0; start < m; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * stride]!;
        const wi = sin[k * stride]!;
        const p = start + k;
        const q = p + half;
        const tr = wr * re[q]! - wi * im[q]!;
        const ti = wr * im[q]! + wi * re[q]!;
        re[q] = re[p]! - tr;
        im[q] = im[p]! - ti;
        re[p] = re[p]! + tr;
        im[p] = im[p]! + ti;
      }
    }
  }
}

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** numpy's var(x, ddof): two passes around the mean. */
export function variance(x: ArrayLike<number>, ddof = 0): number {
  const mu = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - mu) ** 2;
  return s / (x.length - ddof);
}

export function sorted(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x).sort();
}

/** numpy's median: the mean of the two middle values for an even count. */
export function median(x: ArrayLike<number>): number {
  const s = sorted(x);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** numpy's default ("linear", R's type 7) quantile of sorted values, interpolated as numpy does. */
export function quantileSorted(s: Float64Array, p: number): number {
  const index = p * (s.length - 1);
  const lo = Math.min(Math.max(Math.floor(index), 0), s.length - 1);
  const hi = Math.min(lo + 1, s.length - 1);
  const t = index - lo;
  const diff = s[hi]! - s[lo]!;
  return t >= 0.5 ? s[hi]! - diff * (1 - t) : s[lo]! + diff * t;
}

/** Ranks 1..n with ties given their average rank (scipy's rankdata(method="average")). */
export function averageRanks(x: Float64Array): Float64Array {
  const order = Array.from(x.keys()).sort((i, j) => x[i]! - x[j]!);
  const ranks = new Float64Array(x.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && x[order[end]!] === x[order[start]!]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Inverse of the standard normal CDF, Wichura's algorithm AS 241 (PPND16, Applied Statistics
 * 37(3), 1988), accurate to about 1e-16 relative.
 */
export function ndtri(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(AS241_A, r)) / poly(AS241_B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let z: number;
  if (r <= 5) {
    r -= 1.6;
    z = poly(AS241_C, r) / poly(AS241_D, r);
  } else {
    r -= 5;
    z = poly(AS241_E, r) / poly(AS241_F, r);
  }
  return q < 0 ? -z : z;
}

/** c[0] + c[1] x + c[2] x^2 + ... by Horner's rule. */
function poly(c: readonly number[], x: number): number {
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * x + c[i]!;
  return s;
}

const AS241_A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const AS241_B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852854,
];
const AS241_C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const AS241_D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
  0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9,
];
const AS241_E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7,
];
const AS241_F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  0.000018463183175100548, 1.421511758316446e-7, 2.0442631033899397e-15,
];

/** log Gamma(x) for x > 0: Lanczos' approximation (g = 7, 9 terms), about 1e-15 relative. */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 0.000009984369578019572,
  1.5056327351493116e-7,
];

/**
 * Regularized incomplete beta I_x(a, b) by its continued fraction (DLMF 8.17.22) evaluated
 * with the modified Lentz method, on the side of the symmetry I_x(a, b) = 1 - I_{1-x}(b, a)
 * where it converges fast.
 */
export function betainc(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - betainc(b, a, 1 - x);
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - lbeta(a, b) - Math.log(a);
  return Math.exp(logFront) * betaContinuedFraction(a, b, x);
}

function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const guard = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / guard(1 - ((a + b) * x) / (a + 1));
  let f = d;
  for (let m = 1; m <= 100_000; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    const odd = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    for (const coef of [even, odd]) {
      d = 1 / guard(1 + coef * d);
      c = guard(1 + coef / c);
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-16) break;
  }
  return f;
}

/** Quantile function of Beta(a, b) by bisection of betainc (monotone, so always converges). */
export function betaPpf(p: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || Number.isNaN(p)) return Number.NaN;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-16; i++) {
    const mid = (lo + hi) / 2;
    if (betainc(a, b, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
