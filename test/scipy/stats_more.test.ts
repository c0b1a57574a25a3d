/**
 * jax.scipy.stats beyond norm and poisson, against mpmath (test/fixtures/scipy_stats_more.json,
 * made by scripts/fixtures/gen_scipy_stats_more.py from float32 inputs): every distribution's
 * functions on grids through their tails and support edges, gradients against mpmath derivatives,
 * jit and vmap, on every backend of the matrix; the multivariate densities against scipy.stats.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix, withBackend } from "../helpers/backends.js";
import { decode, expectClose } from "../helpers/compare.js";
import {
  type ElementwiseCase,
  expectElementwiseCase,
  loadFixture,
  readValues,
} from "../helpers/fixtures.js";

const { numpy: jnp } = jax;
const stats = jax.scipy.stats as unknown as Record<string, Record<string, Fn>>;
type A = jax.Array;
type Fn = (...xs: A[]) => A;

const fixtures = loadFixture<{ cases: ElementwiseCase[] }>("scipy_stats_more.json");
const MULTIVARIATE = ["multivariateNormal.logpdf", "dirichlet.logpdf", "multinomial.logpmf"];
const elementwise = fixtures.cases.filter((c) => !MULTIVARIATE.includes(c.fn));
const multivariate = fixtures.cases.filter((c) => MULTIVARIATE.includes(c.fn));

const lookup = (fn: string): Fn => {
  const [dist, method] = fn.split(".") as [string, string];
  const f = stats[dist]?.[method];
  if (!f) throw new Error(`no jax.scipy.stats.${fn}`);
  return f;
};

interface Tol {
  rtol: number;
  atol: number;
  grtol: number;
  gatol: number;
}
/**
 * Bounds on cpu and wasm; log-densities and quantiles default to 2e-6 relative plus 1e-6
 * absolute, probabilities to 2e-6 relative down to 1e-37, derivatives to 1e-5 plus 1e-5.
 * Looser where the algorithm (shared with JAX and scipy) loses digits in float32:
 * - the incomplete gamma and beta functions are good to about 1e-5 (gamma, chi2, invgamma, beta
 *   cdf/sf and their logs);
 * - beta.logpdf at a = 500, b = 700 is a difference of terms of size 700;
 * - lognorm's cdf and sf far in the tails, where log(y)/s = -69;
 * - truncnorm's cdf and sf far in a tail (a = 9, b = 12) are differences of log_ndtr values
 *   that agree to a few percent, so the relative error of the difference is 1e-4.
 */
const tolerance = (fn: string): Tol => {
  const [dist, method] = fn.split(".") as [string, string];
  const probability = method === "cdf" || method === "sf";
  const base: Tol = { rtol: 2e-6, atol: probability ? 1e-37 : 1e-6, grtol: 1e-5, gatol: 1e-5 };
  const cdfFamily = ["cdf", "sf", "logcdf", "logsf"].includes(method);
  if (cdfFamily && ["gamma", "chi2", "invgamma"].includes(dist)) return { ...base, rtol: 1e-5 };
  if (dist === "beta") return { ...base, rtol: cdfFamily ? 5e-5 : 3e-5 };
  if (dist === "truncnorm" && cdfFamily) return { ...base, rtol: 5e-4 };
  // lognorm's sf at y = 1e3, s = 0.1 is ndtr(-69): a rounding of log y is multiplied by z^2
  if (dist === "lognorm" && cdfFamily) return { ...base, rtol: 1e-5 };
  return base;
};
const GPU_FACTOR = 50;
/**
 * Known WebGPU backend limits (not of these formulas, which meet the cpu/wasm bounds): expm1 and
 * log1p there are built on the GPU's exp and log, which lose digits next to 1, so expm1(-1e-6)
 * (expon.cdf), exp/log at y = 1 + 1e-6 (pareto.cdf) and n log1p(-1e-4) under jit (binom.logpmf
 * at k = 0, n = 1e6) keep only 1 to 4 digits. Relative bounds on webgpu for those functions.
 */
const WEBGPU_RTOL: Record<string, number> = {
  "expon.cdf": 3e-2,
  "expon.logcdf": 3e-3,
  "pareto.cdf": 2e-1,
  "binom.logpmf": 1e-3,
};

const backends = await backendMatrix();
for (const { platform, available } of backends) {
  const scale = platform === "webgpu" ? GPU_FACTOR : 1;

  describe.skipIf(!available)(`jax.scipy.stats distributions vs mpmath (${platform})`, () => {
    it.each(elementwise.map((c, i) => [`${c.fn} #${i}`, c] as const))(
      "%s: values, gradients, jit and vmap",
      (_label, c) => {
        const t = tolerance(c.fn);
        const bounds = {
          rtol: (platform === "webgpu" && WEBGPU_RTOL[c.fn]) || t.rtol * scale,
          atol: t.atol * scale,
          grtol: t.grtol * scale,
          gatol: t.gatol * scale,
        };
        return withBackend(platform, () => expectElementwiseCase(lookup(c.fn), c, bounds));
      },
      120_000,
    );

    const densities = elementwise.filter((c) => /\.logp[dm]f$/.test(c.fn));
    it.each(densities.map((c, i) => [`${c.fn} #${i}`, c] as const))(
      "%s: pdf and pmf are exp of the log-density",
      (_label, c) =>
        withBackend(platform, async () => {
          const args = c.args.map((a) => jnp.array(decode(a) as number[]));
          const density = lookup(c.fn.replace(".log", "."));
          const logDensity = await readValues(lookup(c.fn)(...args));
          const tol = 1e-6 * scale; // float32 exp against float64 exp of the same log-density
          const want = logDensity.map(Math.exp);
          expectClose(await readValues(density(...args)), want, tol, 1e-37, c.fn);
        }),
    );

    it.each(multivariate.map((c, i) => [`${c.fn} #${i}`, c] as const))(
      "%s: values, gradients, jit, and vmap against a loop",
      (_label, c) =>
        withBackend(platform, async () => {
          const f = lookup(c.fn);
          const args = c.args.map((a) => jnp.array(decode(a) as number[]));
          const [rtol, atol] = [1e-5 * scale, 1e-5 * scale];
          const expected = (decode(c.expected) as number[]).flat() as number[];
          expectClose(await readValues(f(...args)), expected, rtol, atol, c.fn);
          expectClose(
            await readValues(jax.jit(f)(...args) as A),
            expected,
            rtol,
            atol,
            `${c.fn} jit`,
          );
          // one point at a time, batched: dirichlet's points are columns, the others' rows
          const axis = c.fn === "dirichlet.logpdf" ? 1 : 0;
          const inAxes = args.map((a, i) => (i === 0 || a.ndim > (i === 2 ? 2 : 1) ? axis : null));
          const batched = jax.vmap(f, { inAxes })(...args) as A;
          expectClose(await readValues(batched), expected, rtol, atol, `${c.fn} vmap`);
          const n = args[0]!.shape[axis]!;
          const looped: number[] = [];
          for (let j = 0; j < n; j++) {
            const point = args.map((a, i) =>
              inAxes[i] === null ? a : jnp.take(a, j, { axis: inAxes[i] as number }),
            );
            looped.push(...(await readValues(f(...point))));
          }
          expectClose(looped, expected, rtol, atol, `${c.fn} loop`);
          for (const [k, g] of Object.entries(c.grads ?? {})) {
            const i = Number(k);
            const grad = jax.grad((v: A) => jnp.sum(f(...args.map((a, j) => (j === i ? v : a)))))(
              args[i]!,
            ) as A;
            const want = (decode(g) as number[] | number[][]).flat() as number[];
            expectClose(
              await readValues(grad),
              want,
              1e-4 * scale,
              1e-4 * scale,
              `${c.fn} d/darg${i}`,
            );
          }
        }),
      120_000,
    );
  });
}

describe("jax.scipy.stats: exactness at large counts and edges", () => {
  it("binom.logpmf keeps float32 digits at n = 1e6 where the lgamma sum does not", async () => {
    const [k, n, p] = [jnp.array([500300]), jnp.array([1e6]), jnp.array([0.5])];
    const exact = -7.31354671242695; // mpmath: log C(n, k) + n log(1/2) at 30 digits
    const got = (await readValues(stats.binom!.logpmf!(k, n, p)))[0]!;
    const gl = jax.scipy.special.gammaln;
    const naive = jnp.add(
      jnp.subtract(
        gl(jnp.add(n, 1)),
        jnp.add(gl(jnp.add(k, 1)), gl(jnp.add(jnp.subtract(n, k), 1))),
      ),
      jnp.multiply(n, jnp.log(p)),
    );
    const naiveValue = (await readValues(naive))[0]!;
    expect(Math.abs(got - exact)).toBeLessThan(2e-6 * Math.abs(exact));
    expect(Math.abs(naiveValue - exact)).toBeGreaterThan(1e-3);
  });

  it("binom and bernoulli give scipy's exact 0 and -inf at p = 0 and p = 1", async () => {
    const logpmf = stats.binom!.logpmf!;
    const got = await readValues(
      logpmf(jnp.array([0, 10, 3, 9]), jnp.array(10), jnp.array([0, 1, 0, 1])),
    );
    expect(got).toEqual([0, 0, -Infinity, -Infinity]);
    const b = await readValues(
      stats.bernoulli!.logpmf!(jnp.array([0, 1, 1, 0]), jnp.array([0, 1, 0, 1])),
    );
    expect(b).toEqual([0, 0, -Infinity, -Infinity]);
  });

  it("rejects mismatched shapes naming the function and the shapes", () => {
    const mvn = jax.scipy.stats.multivariateNormal.logpdf;
    expect(() => mvn(jnp.zeros([3]), jnp.zeros([3]), jnp.eye(2))).toThrow(
      /multivariate_normal\.logpdf: cov must be \[\.\.\., 3, 3\].*cov\.shape=\[2,2\]/,
    );
    expect(() => mvn(jnp.zeros([2]), jnp.zeros([3]), jnp.eye(3))).toThrow(/x\.shape=\[2\]/);
    expect(() => jax.scipy.stats.dirichlet.logpdf(jnp.ones([3]), jnp.ones([3, 1]))).toThrow(
      /dirichlet\.logpdf: alpha must be one-dimensional/,
    );
    expect(() => jax.scipy.stats.dirichlet.logpdf(jnp.ones([5]), jnp.ones([3]))).toThrow(
      /x\.shape=\[5\]/,
    );
    expect(() => jax.scipy.stats.multinomial.logpmf(jnp.ones([3]), 3, jnp.ones([2]))).toThrow(
      /multinomial\.logpmf: .*x\.shape=\[3\].*p\.shape=\[2\]/,
    );
  });
});
