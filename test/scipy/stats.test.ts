/**
 * jax.scipy.stats against mpmath and scipy.stats (test/fixtures/scipy_stats.json, made by
 * scripts/fixtures/gen_scipy_stats.py from float32 inputs): values and derivatives, jit and
 * vmap, on every backend of the matrix. The Poisson log-pmf is checked up to k = 1e6.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix, withBackend } from "../helpers/backends.js";
import {
  type ElementwiseCase,
  expectElementwiseCase,
  loadFixture,
  readValues,
} from "../helpers/fixtures.js";

const { numpy: jnp } = jax;
const stats = jax.scipy.stats;
type A = jax.Array;

const fixtures = loadFixture<{ cases: ElementwiseCase[] }>("scipy_stats.json");

type Fn = (...xs: A[]) => A;
const FNS: Record<string, Fn> = {
  "poisson.logpmf": (k, mu) => stats.poisson.logpmf(k!, mu!),
  "poisson.cdf": (k, mu) => stats.poisson.cdf(k!, mu!),
  "norm.logpdf": (x, l, s) => stats.norm.logpdf(x!, l!, s!),
  "norm.cdf": (x, l, s) => stats.norm.cdf(x!, l!, s!),
  "norm.logcdf": (x, l, s) => stats.norm.logcdf(x!, l!, s!),
  "norm.ppf": (q, l, s) => stats.norm.ppf(q!, l!, s!),
};
/**
 * Bounds on cpu and wasm. poisson.logpmf: 2e-6 relative plus 1e-6 absolute (lgamma(1) itself is
 * 5e-7 off in XLA's float32 algorithm), at every k up to 1e6.
 */
const TOL: Record<string, { rtol: number; atol: number; grtol: number; gatol: number }> = {
  "poisson.logpmf": { rtol: 2e-6, atol: 1e-6, grtol: 1e-5, gatol: 1e-6 },
  "poisson.cdf": { rtol: 1e-5, atol: 1e-7, grtol: 0, gatol: 0 },
  "norm.logpdf": { rtol: 2e-6, atol: 1e-6, grtol: 2e-6, gatol: 1e-6 },
  "norm.cdf": { rtol: 2e-6, atol: 1e-37, grtol: 1e-5, gatol: 1e-37 },
  "norm.logcdf": { rtol: 2e-6, atol: 1e-6, grtol: 1e-5, gatol: 1e-6 },
  "norm.ppf": { rtol: 2e-6, atol: 1e-6, grtol: 0, gatol: 0 },
};
const GPU_FACTOR = 50;

const backends = await backendMatrix();
for (const { platform, available } of backends) {
  describe.skipIf(!available)(`jax.scipy.stats vs mpmath (${platform})`, () => {
    const scale = platform === "webgpu" ? GPU_FACTOR : 1;
    it.each(fixtures.cases.map((c) => [c.fn, c] as const))(
      "%s: values, gradients, jit and vmap",
      (_label, c) => {
        const t = TOL[c.fn]!;
        const bounds = {
          rtol: t.rtol * scale,
          atol: t.atol * scale,
          grtol: t.grtol * scale,
          gatol: t.gatol * scale,
        };
        return withBackend(platform, () => expectElementwiseCase(FNS[c.fn]!, c, bounds));
      },
      120_000,
    );
  });
}

describe("jax.scipy.stats.poisson: the C-statistic at large counts", () => {
  it("k log mu - mu - lgamma(k + 1) keeps its digits at k = 1e6 where the naive float32 sum does not", async () => {
    const k = jnp.array([1e6]);
    const mu = jnp.array([1e6 + 1000]);
    const exact = -8.32636081198698; // mpmath: k log(mu) - mu - loggamma(k + 1) at 30 digits
    const got = (await readValues(stats.poisson.logpmf(k, mu)))[0]!;
    const naive = (
      await readValues(
        jnp.subtract(
          jnp.subtract(jnp.multiply(k, jnp.log(mu)), mu),
          jax.scipy.special.gammaln(jnp.add(k, 1)),
        ),
      )
    )[0]!;
    expect(Math.abs(got - exact)).toBeLessThan(2e-6 * Math.abs(exact));
    expect(Math.abs(naive - exact)).toBeGreaterThan(1e-2);
  });
});
