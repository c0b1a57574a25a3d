/**
 * jax.scipy.optimize.minimize: BFGS and a bounded limited-memory quasi-Newton (L-BFGS-B), as
 * a host-driven loop. The objective and its gradient run as one jitted value_and_grad on the
 * arrays' backend; the quasi-Newton state and line searches live on the host in float64, so
 * that float32 objective values do not corrupt the curvature updates. Because the loop reads
 * values synchronously, minimize itself is not traceable (no jit/vmap/grad of minimize) and
 * needs a backend with synchronous reads (cpu, wasm, tensorflow); its objective may be anything
 * jittable.
 */
import type { JaxArray } from "../../core/array.js";
import { TypeError_, ValueError } from "../../core/errors.js";
import { fmtShape } from "../../core/shape.js";
import { type ArrayLike, asArray } from "../../numpy/util.js";
import { jit } from "../../transforms/jit.js";
import { valueAndGrad } from "../../transforms/vjp.js";

export interface MinimizeOptions {
  /** "BFGS" or "L-BFGS-B" (case-insensitive, as scipy). */
  method: string;
  /** Extra arguments passed to fun after x. */
  args?: unknown[];
  /** Sets gtol when options.gtol is not given. */
  tol?: number | null;
  /** [lower, upper] per coordinate (null = unbounded), L-BFGS-B only. */
  bounds?: readonly (readonly [number | null, number | null])[] | null;
  options?: {
    maxiter?: number;
    gtol?: number;
    /** L-BFGS-B: relative reduction of f below which it stops (scipy's factr * eps). */
    ftol?: number;
    /** L-BFGS-B: number of correction pairs kept. */
    maxcor?: number;
    /** Maximum function evaluations per line search. */
    maxls?: number;
    /** BFGS: the norm of the gradient test (Infinity = max |g_i|, as scipy). */
    norm?: number;
  };
}

/** JAX's OptimizeResults: arrays for the point, value, gradient and inverse Hessian. */
export interface OptimizeResults {
  x: JaxArray;
  success: boolean;
  /** 0 converged, 1 maxiter reached, 2 (BFGS) precision loss / (L-BFGS-B) ABNORMAL line search, 3 NaN. */
  status: number;
  message: string;
  fun: JaxArray;
  jac: JaxArray;
  /** BFGS: the inverse Hessian estimate; L-BFGS-B: null (as scipy's LbfgsInvHessProduct is not kept). */
  hess_inv: JaxArray | null;
  nfev: number;
  njev: number;
  nit: number;
}

type Vec = Float64Array<ArrayBufferLike>;
type Objective = (x: Vec) => [number, Vec];

/** A host-side objective: one jitted value_and_grad per call, counted. */
function hostObjective(
  fun: (x: JaxArray, ...args: never[]) => JaxArray,
  x0: JaxArray,
  args: unknown[],
  counts: { nfev: number },
): Objective {
  const vg = jit(valueAndGrad((x: JaxArray, ...rest: never[]) => fun(x, ...rest)));
  return (x) => {
    counts.nfev++;
    const xa = asArray("minimize", Array.from(x), x0.dtype);
    const [v, g] = vg(xa, ...(args as never[])) as [JaxArray, JaxArray];
    if (v.ndim !== 0)
      throw new TypeError_(`minimize: fun must return a scalar, got shape ${fmtShape(v.shape)}`);
    return [Number(v.item()), Float64Array.from((g.tolist() as number[]).map(Number))];
  };
}

const dot = (a: Vec, b: Vec) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const axpy = (x: Vec, a: number, d: Vec) => x.map((v, i) => v + a * d[i]!);
const normInf = (g: Vec) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const vecNorm = (g: Vec, ord: number) =>
  ord === Number.POSITIVE_INFINITY
    ? normInf(g)
    : g.reduce((s, v) => s + Math.abs(v) ** ord, 0) ** (1 / ord);

/**
 * jax.scipy.optimize.minimize(fun, x0, {method, args, tol, bounds, options}): minimizes the
 * scalar fun over a 1-d x0. BFGS follows Nocedal & Wright (2006), algorithm 6.1, with the
 * strong-Wolfe line search of their algorithms 3.5/3.6 (c1 = 1e-4, c2 = 0.9) and the first
 * inverse-Hessian scaling of eq. 6.20, as scipy and JAX. "L-BFGS-B" is a projected L-BFGS
 * (two-loop recursion on the variables not held at a bound, projected Armijo backtracking),
 * a simpler bounded quasi-Newton than Byrd et al.'s generalized Cauchy point method.
 */
export function minimize(
  fun: (x: JaxArray, ...args: never[]) => JaxArray,
  x0: ArrayLike,
  opts: MinimizeOptions,
): OptimizeResults {
  const x0a = asArray("minimize", x0);
  if (x0a.ndim !== 1)
    throw new ValueError(`minimize: x0 must be 1-dimensional, got shape ${fmtShape(x0a.shape)}`);
  const method = String(opts?.method ?? "").toLowerCase();
  if (method !== "bfgs" && method !== "l-bfgs-b")
    throw new ValueError(
      `minimize: method must be "BFGS" or "L-BFGS-B", got ${String(opts?.method)}`,
    );
  const o = opts.options ?? {};
  const counts = { nfev: 0 };
  const f = hostObjective(fun, x0a, opts.args ?? [], counts);
  const x = Float64Array.from((x0a.tolist() as number[]).map(Number));
  const gtol = o.gtol ?? opts.tol ?? 1e-5;
  const run =
    method === "bfgs"
      ? bfgs(f, x, {
          gtol,
          maxiter: o.maxiter ?? 200 * x.length,
          norm: o.norm ?? Infinity,
          maxls: o.maxls ?? 30,
        })
      : lbfgsb(f, x, boundsOf(opts.bounds ?? null, x.length), {
          gtol,
          ftol: o.ftol ?? 2.220446049250313e-9,
          maxiter: o.maxiter ?? 15000,
          maxcor: o.maxcor ?? 10,
          maxls: o.maxls ?? 20,
        });
  const { dtype } = x0a;
  return {
    x: asArray("minimize", Array.from(run.x), dtype),
    success: run.status === 0,
    status: run.status,
    message: run.message,
    fun: asArray("minimize", run.f, dtype),
    jac: asArray("minimize", Array.from(run.g), dtype),
    hess_inv: run.hessInv ? asArray("minimize", run.hessInv, dtype) : null,
    nfev: counts.nfev,
    njev: counts.nfev,
    nit: run.nit,
  };
}

interface RunResult {
  x: Vec;
  f: number;
  g: Vec;
  nit: number;
  status: number;
  message: string;
  hessInv?: number[][];
}

// --- BFGS ---------------------------------------------------------------------------------------

function bfgs(
  f: Objective,
  x0: Vec,
  o: { gtol: number; maxiter: number; norm: number; maxls: number },
): RunResult {
  const n = x0.length;
  let x = x0;
  let [fx, g] = f(x);
  let H: Vec[] = identity(n);
  let first = true;
  let status = 1;
  let message = "Maximum number of iterations has been exceeded.";
  let k = 0;
  for (; k < o.maxiter; k++) {
    if (vecNorm(g, o.norm) <= o.gtol) {
      status = 0;
      message = "Optimization terminated successfully.";
      break;
    }
    const d = Float64Array.from(H, (row) => -dot(row, g));
    const step = strongWolfe(f, x, fx, g, d, o.maxls, first ? Math.min(1, 1 / normInf(g)) : 1);
    if (!step) {
      status = 2;
      message = "Desired error not necessarily achieved due to precision loss.";
      break;
    }
    const s = axpy(new Float64Array(n), step.alpha, d);
    const y = step.g.map((v, i) => v - g[i]!);
    x = step.x;
    fx = step.f;
    g = step.g;
    if (!Number.isFinite(fx)) {
      status = 3;
      message = "NaN result encountered.";
      k++;
      break;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      // Nocedal & Wright eq. 6.20: scale H0 by s^T y / y^T y before the first update.
      if (first) H = identity(n).map((row) => row.map((v) => (v * sy) / dot(y, y)));
      H = bfgsUpdate(H, s, y, sy);
      first = false;
    }
  }
  return { x, f: fx, g, nit: k, status, message, hessInv: H.map((r) => Array.from(r)) };
}

const identity = (n: number) =>
  Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => +(i === j)));

/** H+ = (I - rho s y^T) H (I - rho y s^T) + rho s s^T, with rho = 1 / y^T s. */
function bfgsUpdate(H: Vec[], s: Vec, y: Vec, sy: number): Vec[] {
  const rho = 1 / sy;
  const Hy = Float64Array.from(H, (row) => dot(row, y));
  const yHy = dot(y, Hy);
  return H.map((row, i) =>
    row.map(
      (v, j) =>
        v - rho * (Hy[i]! * s[j]! + s[i]! * Hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!,
    ),
  );
}

interface Step {
  alpha: number;
  x: Vec;
  f: number;
  g: Vec;
}

/**
 * A step satisfying the strong Wolfe conditions (Nocedal & Wright algorithm 3.5, zoom 3.6,
 * cubic interpolation with bisection safeguards), or null after maxls evaluations. Float32
 * objectives plateau: a point whose value does not rise while the slope shrinks is accepted
 * once the bracket is narrower than float32 can resolve, instead of stalling.
 */
function strongWolfe(
  f: Objective,
  x: Vec,
  f0: number,
  g0: Vec,
  d: Vec,
  maxls: number,
  alpha1: number,
): Step | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  const slope0 = dot(g0, d);
  if (!(slope0 < 0)) return null;
  const at = (alpha: number) => {
    const xa = axpy(x, alpha, d);
    const [fa, ga] = f(xa);
    return { alpha, x: xa, f: fa, g: ga, slope: dot(ga, d) };
  };
  let prev = { alpha: 0, x, f: f0, g: g0, slope: slope0 };
  let alpha = alpha1;
  for (let i = 0; i < maxls; i++) {
    const cur = at(alpha);
    if (!Number.isFinite(cur.f) || cur.f > f0 + c1 * alpha * slope0 || (i > 0 && cur.f >= prev.f))
      return zoom(at, prev, cur, f0, slope0, c1, c2, maxls - i - 1);
    if (Math.abs(cur.slope) <= -c2 * slope0) return cur;
    if (cur.slope >= 0) return zoom(at, cur, prev, f0, slope0, c1, c2, maxls - i - 1);
    prev = cur;
    alpha *= 2;
  }
  return null;
}

type Trial = Step & { slope: number };
function zoom(
  at: (alpha: number) => Trial,
  lo0: Trial,
  hi0: Trial,
  f0: number,
  slope0: number,
  c1: number,
  c2: number,
  maxls: number,
): Step | null {
  let lo = lo0;
  let hi = hi0;
  for (let i = 0; i < maxls; i++) {
    const alpha = interpolate(lo, hi);
    const cur = at(alpha);
    if (!Number.isFinite(cur.f) || cur.f > f0 + c1 * alpha * slope0 || cur.f >= lo.f) hi = cur;
    else {
      if (Math.abs(cur.slope) <= -c2 * slope0) return cur;
      if (cur.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
      lo = cur;
    }
    // The bracket is below what float32 values resolve: take the best point found.
    if (Math.abs(hi.alpha - lo.alpha) <= 1e-7 * Math.abs(lo.alpha)) break;
  }
  return lo.alpha > 0 && lo.f < f0 ? lo : null;
}

/** The minimizer of the cubic through (lo, hi) values and slopes, kept inside the bracket. */
function interpolate(lo: Trial, hi: Trial): number {
  const [a, b] = [lo.alpha, hi.alpha];
  const d1 = lo.slope + hi.slope - (3 * (lo.f - hi.f)) / (a - b);
  const disc = d1 * d1 - lo.slope * hi.slope;
  if (disc >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const t = b - (b - a) * ((hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2));
    const [left, right] = [Math.min(a, b), Math.max(a, b)];
    const margin = 0.1 * (right - left);
    if (Number.isFinite(t) && t > left + margin && t < right - margin) return t;
  }
  return (a + b) / 2;
}

// --- L-BFGS-B -------------------------------------------------------------------------------------

function boundsOf(bounds: MinimizeOptions["bounds"], n: number): { lo: Vec; hi: Vec } {
  const lo = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const hi = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  if (!bounds) return { lo, hi };
  if (bounds.length !== n)
    throw new ValueError(
      `minimize: bounds must have one [lower, upper] pair per coordinate (${n}), got ${bounds.length}`,
    );
  bounds.forEach(([l, u], i) => {
    lo[i] = l ?? Number.NEGATIVE_INFINITY;
    hi[i] = u ?? Number.POSITIVE_INFINITY;
    if (lo[i]! > hi[i]!) throw new ValueError(`minimize: bounds[${i}] has lower ${l} > upper ${u}`);
  });
  return { lo, hi };
}

function lbfgsb(
  f: Objective,
  x0: Vec,
  { lo, hi }: { lo: Vec; hi: Vec },
  o: { gtol: number; ftol: number; maxiter: number; maxcor: number; maxls: number },
): RunResult {
  const clip = (x: Vec) => x.map((v, i) => Math.min(hi[i]!, Math.max(lo[i]!, v)));
  // The projected gradient: components that would leave the box are zero.
  const projGrad = (x: Vec, g: Vec) =>
    g.map((v, i) => (v > 0 ? Math.min(v, x[i]! - lo[i]!) : Math.max(v, x[i]! - hi[i]!)));
  let x: Vec = clip(x0);
  let [fx, g] = f(x);
  const S: Vec[] = [];
  const Y: Vec[] = [];
  let status = 1;
  let message = "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT";
  let k = 0;
  for (; k < o.maxiter; k++) {
    if (normInf(projGrad(x, g)) <= o.gtol) {
      status = 0;
      message = "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL";
      break;
    }
    // Variables held at a bound by the gradient are fixed for this step.
    const free = g.map((v, i) => +!((x[i]! <= lo[i]! && v > 0) || (x[i]! >= hi[i]! && v < 0)));
    let d = twoLoop(
      g.map((v, i) => v * free[i]!),
      S,
      Y,
      free,
    ).map((v) => -v);
    if (!(dot(d, g) < 0)) d = g.map((v, i) => -v * free[i]!);
    let alpha = S.length === 0 ? Math.min(1, 1 / normInf(g)) : 1;
    let accepted: [Vec, number, Vec] | null = null;
    for (let i = 0; i < o.maxls; i++) {
      const xa = clip(axpy(x, alpha, d));
      const [fa, ga] = f(xa);
      const decrease = dot(
        g,
        xa.map((v, j) => v - x[j]!),
      );
      if (Number.isFinite(fa) && fa <= fx + 1e-4 * decrease) {
        accepted = [xa, fa, ga];
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) {
      status = 2;
      message = "ABNORMAL_TERMINATION_IN_LNSRCH";
      break;
    }
    const [xn, fn, gn] = accepted;
    const s = xn.map((v, i) => v - x[i]!);
    const y = gn.map((v, i) => v - g[i]!);
    if (dot(s, y) > 2.2e-16 * dot(y, y)) {
      S.push(s);
      Y.push(y);
      if (S.length > o.maxcor) {
        S.shift();
        Y.shift();
      }
    }
    const reduction = (fx - fn) / Math.max(Math.abs(fx), Math.abs(fn), 1);
    x = xn;
    g = gn;
    const previous = fx;
    fx = fn;
    if (reduction <= o.ftol && previous >= fn) {
      status = 0;
      message = "CONVERGENCE: REL_REDUCTION_OF_F <= FACTR*EPSMCH";
      k++;
      break;
    }
  }
  return { x, f: fx, g, nit: k, status, message };
}

/** H g by the L-BFGS two-loop recursion (Nocedal & Wright algorithm 7.4), on the free variables. */
function twoLoop(g: Vec, S: Vec[], Y: Vec[], free: Vec): Vec {
  const q = g.slice();
  const m = S.length;
  const a = new Float64Array(m);
  const masked = (v: Vec) => v.map((x, i) => x * free[i]!);
  const Sm = S.map(masked);
  const Ym = Y.map(masked);
  for (let i = m - 1; i >= 0; i--) {
    const sy = dot(Sm[i]!, Ym[i]!);
    if (!(sy > 0)) continue;
    a[i] = dot(Sm[i]!, q) / sy;
    for (let j = 0; j < q.length; j++) q[j] -= a[i]! * Ym[i]![j]!;
  }
  if (m > 0) {
    const yy = dot(Ym[m - 1]!, Ym[m - 1]!);
    const gamma = yy > 0 ? dot(Sm[m - 1]!, Ym[m - 1]!) / yy : 1;
    if (gamma > 0) for (let j = 0; j < q.length; j++) q[j] *= gamma;
  }
  for (let i = 0; i < m; i++) {
    const sy = dot(Sm[i]!, Ym[i]!);
    if (!(sy > 0)) continue;
    const b = dot(Ym[i]!, q) / sy;
    for (let j = 0; j < q.length; j++) q[j] += (a[i]! - b) * Sm[i]![j]!;
  }
  return masked(q);
}
