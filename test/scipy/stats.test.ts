/**
 * jax.scipy.stats against mpmath and scipy.stats (test/fixtures/scipy_stats.json, made by
 * scripts/fixtures/gen_scipy_stats.py from float32 inputs): values and derivatives, jit and
 * vmap, on every backend of the matrix. The Poisson log-pmf is checked up to k = 1e6.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix } from "../helpers/backends.js";
import { type Decoded, decode, expectClose } from "../helpers/compare.js";

const { numpy: jnp } = jax;
const stats = jax.scipy.stats;
type A = jax.Array;

interface Case {
  fn: string;
  args: unknown[][];
  expected: unknown[];
  grads?: Record<string, unknown[]>;
}
const fixtures = JSON.parse(
  readFileSync(new URL("../fixtures/scipy_stats.json", import.meta.url), "utf8"),
) as { cases: Case[] };

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
const list = async (x: A): Promise<Decoded> => Array.from(await x.data()) as number[];

const backends = await backendMatrix();
for (const { platform, available } of backends) {
  describe.skipIf(!available)(`jax.scipy.stats vs mpmath (${platform})`, () => {
    const scale = platform === "webgpu" ? GPU_FACTOR : 1;
    it.each(fixtures.cases.map((c) => [c.fn, c] as const))(
      "%s: values, gradients, jit and vmap",
      async (_label, c) => {
        const previous = jax.defaultBackend();
        await jax.setDefaultBackend(platform);
        try {
          const f = FNS[c.fn]!;
          const t = TOL[c.fn]!;
          const args = c.args.map((a) => jnp.array(decode(a) as number[]));
          const bound = [t.rtol * scale, t.atol * scale] as const;
          const expected = decode(c.expected);
          expectClose(await list(f(...args)), expected, ...bound, c.fn);
          expectClose(await list(jax.jit(f)(...args) as A), expected, ...bound, `${c.fn} jit`);
          expectClose(await list(jax.vmap(f)(...args) as A), expected, ...bound, `${c.fn} vmap`);
          for (const [k, g] of Object.entries(c.grads ?? {})) {
            const i = Number(k);
            const grad = jax.grad((v: A) => jnp.sum(f(...args.map((a, j) => (j === i ? v : a)))))(
              args[i]!,
            ) as A;
            expectClose(
              await list(grad),
              decode(g),
              t.grtol * scale,
              t.gatol * scale,
              `${c.fn} d/darg${i}`,
            );
          }
        } finally {
          await jax.setDefaultBackend(previous);
        }
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
    const got = ((await list(stats.poisson.logpmf(k, mu))) as number[])[0]!;
    const naive = (
      (await list(
        jnp.subtract(
          jnp.subtract(jnp.multiply(k, jnp.log(mu)), mu),
          jax.scipy.special.gammaln(jnp.add(k, 1)),
        ),
      )) as number[]
    )[0]!;
    expect(Math.abs(got - exact)).toBeLessThan(2e-6 * Math.abs(exact));
    expect(Math.abs(naive - exact)).toBeGreaterThan(1e-2);
  });
});
