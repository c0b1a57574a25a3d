/**
 * Statistical tests of every jax.random distribution against scipy.stats, with fixed keys:
 * moments within 5 standard errors and a chi-square goodness-of-fit test at alpha = 1e-3 over
 * bins from scipy's quantiles or pmf (test/fixtures/random_stats.json, made by
 * scripts/fixtures/gen_random.py). Runs on every backend of the matrix.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix, onBackend } from "../helpers/backends.js";
import { loadFixture } from "../helpers/fixtures.js";

const { random, numpy: jnp } = jax;
const N = 10_000;

interface StatCase {
  name: string;
  dist: string;
  params: Record<string, unknown>;
  kind: "continuous" | "discrete" | "mvn";
  mean: number | null;
  var: number | null;
  mu4: number | null;
  edges?: number[];
  values?: number[];
  probs: number[];
  chi2_crit: number;
  component?: number;
  d?: number;
  cov?: number[][];
}
const fixtures = loadFixture<{
  cases: StatCase[];
  gamma_grad: { a: number; x: number; dxda: number }[];
}>("random_stats.json");

type Sampler = (key: jax.random.KeyLike, opts: Record<string, unknown>) => jax.Array;
const sampler = (name: string) =>
  (random as unknown as Record<string, Sampler>)[name]!.bind(random);

/** N draws for a case, reduced to one number per draw where the fixture describes a statistic. */
function draw(c: StatCase, key: jax.random.KeyLike): jax.Array {
  const p = c.params;
  switch (c.dist) {
    case "categorical":
      return random.categorical(key, jnp.array(p.logits as number[]), { shape: [N] });
    case "dirichlet": {
      const x = random.dirichlet(key, jnp.array(p.alpha as number[]), { shape: [N] });
      return jnp.take(x, c.component!, { axis: 1 });
    }
    case "ball": {
      const x = random.ball(key, c.d!, { p: p.p as number, shape: [N] });
      return jnp.sqrt(jnp.sum(jnp.multiply(x, x), { axis: -1 }));
    }
    default:
      return sampler(c.dist)(key, { ...p, shape: [N] });
  }
}

/** Counts per bin: continuous bins split at the edges; discrete bins are <= v0, v1, ..., >= vm. */
function binCounts(c: StatCase, xs: Float64Array): number[] {
  const counts = new Array<number>(c.probs.length).fill(0);
  for (const x of xs) {
    let bin: number;
    if (c.kind === "continuous") {
      bin = c.edges!.findIndex((e) => x < e);
      if (bin < 0) bin = c.edges!.length;
    } else {
      const v = c.values!;
      bin = x <= v[0]! ? 0 : x >= v[v.length - 1]! ? v.length - 1 : v.indexOf(x);
      if (bin < 0) throw new Error(`${c.name}: ${x} is not an integer in the support`);
    }
    counts[bin]!++;
  }
  return counts;
}

function chiSquare(counts: number[], probs: number[], n: number): number {
  return counts.reduce((s, k, i) => s + (k - n * probs[i]!) ** 2 / (n * probs[i]!), 0);
}

function momentChecks(c: StatCase, xs: Float64Array): void {
  if (c.mean === null) return;
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  if (c.var !== null)
    expect(Math.abs(mean - c.mean), `${c.name}: mean ${mean} vs ${c.mean}`).toBeLessThan(
      5 * Math.sqrt(c.var / n),
    );
  if (c.var !== null && c.mu4 !== null)
    expect(Math.abs(variance - c.var), `${c.name}: variance ${variance} vs ${c.var}`).toBeLessThan(
      5 * Math.sqrt((c.mu4 - c.var ** 2) / n),
    );
}

const backends = await backendMatrix();
const statCases = fixtures.cases.filter((c) => c.kind !== "mvn");

for (const { platform, available } of backends) {
  // wasm shares cpu's host-side kernels for every random primitive; cpu and webgpu are the
  // two implementations of threefry and the samplers' loops.
  if (platform === "wasm") continue;
  describe.skipIf(!available)(`random distributions vs scipy.stats (${platform})`, () => {
    it.each(statCases.map((c, i) => [c.name, c, i] as const))(
      "%s",
      (_name, c, i) =>
        onBackend(platform, async () => {
          const xs = Float64Array.from(await draw(c, random.key(1000 + i)).data());
          expect(
            xs.every((x) => !Number.isNaN(x)),
            `${c.name}: NaN draws`,
          ).toBe(true);
          momentChecks(c, xs);
          const stat = chiSquare(binCounts(c, xs), c.probs, xs.length);
          expect(
            stat,
            `${c.name}: chi-square ${stat.toFixed(1)} > ${c.chi2_crit.toFixed(1)}`,
          ).toBeLessThan(c.chi2_crit);
        })(),
      120_000,
    );

    it(
      "multivariateNormal: sample mean and covariance",
      onBackend(platform, async () => {
        const c = fixtures.cases.find((x) => x.kind === "mvn")!;
        const mean = c.params.mean as number[];
        const cov = c.params.cov as number[][];
        const x = random.multivariateNormal(random.key(7), jnp.array(mean), jnp.array(cov), [N]);
        const data = Float64Array.from(await x.data());
        for (let i = 0; i < 3; i++) {
          let m = 0;
          for (let s = 0; s < N; s++) m += data[s * 3 + i]!;
          m /= N;
          expect(Math.abs(m - mean[i]!)).toBeLessThan(5 * Math.sqrt(cov[i]![i]! / N));
          for (let j = 0; j < 3; j++) {
            let cij = 0;
            for (let s = 0; s < N; s++)
              cij += (data[s * 3 + i]! - mean[i]!) * (data[s * 3 + j]! - mean[j]!);
            cij /= N;
            // Var(x_i x_j) = cov_ii cov_jj + cov_ij^2 for a Gaussian.
            const se = Math.sqrt((cov[i]![i]! * cov[j]![j]! + cov[i]![j]! ** 2) / N);
            expect(Math.abs(cij - cov[i]![j]!)).toBeLessThan(5 * se);
          }
        }
      }),
      60_000,
    );
  });
}

describe("random: discrete choices are uniform (cpu)", () => {
  const crit4 = 18.47; // scipy.stats.chi2.ppf(1 - 1e-3, 4)
  it("permutation puts each element in each position equally often", async () => {
    const keys = random.split(random.key(3), 2000);
    const perms = jax.vmap((k: jax.random.PRNGKeyArray) => random.permutation(k, 5))(keys);
    const firsts = await jnp.take(perms, 0, { axis: 1 }).data();
    const counts = [0, 0, 0, 0, 0];
    for (const v of firsts) counts[v]!++;
    expect(chiSquare(counts, [0.2, 0.2, 0.2, 0.2, 0.2], 2000)).toBeLessThan(crit4);
    const sorted = await jnp.sort(perms, { axis: 1 }).data();
    expect(Array.from(sorted.slice(0, 10))).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  });
  it("choice with p follows p, and without replacement never repeats", async () => {
    const p = [0.1, 0.2, 0.3, 0.15, 0.25];
    const draws = await random.choice(random.key(4), 5, [N], true, jnp.array(p)).data();
    const counts = [0, 0, 0, 0, 0];
    for (const v of draws) counts[v]!++;
    expect(chiSquare(counts, p, N)).toBeLessThan(crit4);
    const noRepeat = await random.choice(random.key(5), 10, [10], false).data();
    expect(new Set(noRepeat).size).toBe(10);
    const weighted = await random.choice(random.key(6), 5, [5], false, jnp.array(p)).data();
    expect(new Set(weighted).size).toBe(5);
  });
  it("categorical without replacement draws distinct categories", async () => {
    const x = await random
      .categorical(random.key(8), jnp.zeros([6]), { shape: [6], replace: false })
      .data();
    expect(Array.from(x).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it("orthogonal matrices are orthogonal with Haar moments", async () => {
    const q = random.orthogonal(random.key(9), 3, [2000]);
    const qtq = jnp.matmul(jnp.swapaxes(q, -1, -2), q);
    const err = await jnp.max(jnp.abs(jnp.subtract(qtq, jnp.eye(3)))).data();
    expect(err[0]).toBeLessThan(1e-5);
    // Each entry of a Haar orthogonal 3x3 matrix has mean 0 and variance 1/3.
    const q00 = Float64Array.from(await jnp.take(jnp.reshape(q, [2000, 9]), 0, { axis: 1 }).data());
    const mean = q00.reduce((s, x) => s + x, 0) / 2000;
    const variance = q00.reduce((s, x) => s + x * x, 0) / 2000;
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(1 / 3 / 2000));
    expect(Math.abs(variance - 1 / 3)).toBeLessThan(0.03);
  });
});

describe("random: differentiable samplers", () => {
  it("normal, uniform and exponential are reparameterised in their location and scale", () => {
    const key = random.key(11);
    const f = (s: jax.Array) => jnp.sum(jnp.multiply(s, random.normal(key, [4])));
    const g = jax.grad(f)(jnp.array(2)) as jax.Array;
    expect(g.item()).toBeCloseTo(jnp.sum(random.normal(key, [4])).item() as number, 5);
    const h = jax.grad((hi: jax.Array) => jnp.sum(random.uniform(key, [3], "float32", 0, hi)))(
      jnp.array(2),
    ) as jax.Array;
    expect(h.item()).toBeCloseTo(jnp.sum(random.uniform(key, [3])).item() as number, 5);
  });
  it("gamma's gradient in a is the implicit one, -(dP/da)/pdf (mpmath)", () => {
    const cases = fixtures.gamma_grad;
    const a = jnp.array(cases.map((c) => c.a));
    const x = jnp.array(cases.map((c) => c.x));
    const got = random.randomGammaGrad(a, x).tolist() as number[];
    cases.forEach((c, i) => {
      expect(Math.abs(got[i]! - c.dxda), `a=${c.a} x=${c.x}`).toBeLessThan(
        2e-3 * Math.abs(c.dxda) + 1e-6,
      );
    });
  });
  // The implicit gradient keeps the CDF fixed, not Marsaglia-Tsang's normal draw, so it is not
  // a finite difference at a fixed key; it is unbiased: E[dx/da] = dE[x]/da.
  it("gamma's per-sample gradients average to d E[x] / da = 1, loggamma's to trigamma(a)", async () => {
    const n = 4000;
    const check = async (f: (a: jax.Array) => jax.Array, a: number, expected: number) => {
      const g = Float64Array.from(await (jax.jacfwd(f)(jnp.array(a)) as jax.Array).data());
      const mean = g.reduce((s, x) => s + x, 0) / n;
      const sd = Math.sqrt(g.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
      expect(Math.abs(mean - expected), `mean ${mean} vs ${expected}`).toBeLessThan(
        5 * (sd / Math.sqrt(n)),
      );
    };
    await check((a) => random.gamma(random.key(12), a, [n]), 2.5, 1);
    await check((a) => random.gamma(random.key(14), a, [n]), 0.3, 1);
    // trigamma(0.5) = pi^2 / 2
    await check((a) => random.loggamma(random.key(15), a, [n]), 0.5, Math.PI ** 2 / 2);
  });
  it("beta, dirichlet, chisquare and t differentiate through gamma", () => {
    const key = random.key(13);
    for (const f of [
      (a: jax.Array) => random.beta(key, a, 3, [4]),
      (a: jax.Array) => random.dirichlet(key, jnp.stack([a, jnp.array(2)]), [3]),
      (a: jax.Array) => random.chisquare(key, a, [4]),
      (a: jax.Array) => random.t(key, a, [4]),
    ]) {
      const g = jax.grad((a: jax.Array) => jnp.sum(jnp.square(f(a))))(jnp.array(3)) as jax.Array;
      expect(Number.isFinite(g.item() as number)).toBe(true);
    }
  });
});

describe("random: transforms", () => {
  it("vmap over keys equals a loop over keys", () => {
    const keys = random.split(random.key(20), 4) as jax.random.PRNGKeyArray;
    const batched = jax.vmap((k: jax.random.PRNGKeyArray) => random.gamma(k, 1.5, [2]))(keys);
    const looped = jnp.stack([...keys].map((k) => random.gamma(k, 1.5, [2])));
    expect(batched.tolist()).toEqual(looped.tolist());
  });
  it("vmap over parameters equals a loop (vmap(random.t, inAxes [null, 0]))", () => {
    const key = random.key(21);
    const dfs = [1, 2.5, 10];
    const batched = jax.vmap(random.t, { inAxes: [null, 0] })(key, jnp.array(dfs)) as jax.Array;
    const looped = dfs.map((df) => random.t(key, df).item());
    (batched.tolist() as number[]).forEach((v, i) => {
      expect(v).toBeCloseTo(looped[i] as number, 5);
    });
    const lam = jax.vmap((l: jax.Array) => random.poisson(key, l, [3]))(jnp.array([2, 40]));
    expect(lam.tolist()).toEqual([
      random.poisson(key, 2, [3]).tolist(),
      random.poisson(key, 40, [3]).tolist(),
    ]);
  });
  it("jit gives the same numbers as eager", () => {
    const key = random.key(22);
    const fns = [
      (k: jax.random.KeyLike) => random.normal(k, [3]),
      (k: jax.random.KeyLike) => random.gamma(k, 0.7, [3]),
      (k: jax.random.KeyLike) => random.binomial(k, 30, 0.4, [3]),
      (k: jax.random.KeyLike) => random.permutation(k, 6),
    ];
    for (const f of fns) expect(jax.jit(f)(key).tolist()).toEqual(f(key).tolist());
  });
});
