/**
 * Known answers for jax.random: the Random123 Threefry vectors JAX's test suite uses, the
 * values printed in JAX's documentation, and values computed by JAX 0.10.2 itself (defaults:
 * x64 off, partitionable threefry) in test/fixtures/random_jax.json, made by
 * scripts/fixtures/gen_jax_random.py.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix } from "../helpers/backends.js";

const { random, numpy: jnp, lax } = jax;
type Key = jax.random.KeyLike;

interface Recorded {
  dtype: string;
  shape: number[];
  data: number[] | boolean[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/random_jax.json", import.meta.url), "utf8"),
) as { jax_version: string; cases: Record<string, Recorded> };

const K0 = () => random.PRNGKey(0);
const P = () => jnp.array([0.1, 0.2, 0.3, 0.2, 0.2]);
const data = (k: Key) => random.keyData(k);
const at = (keys: Key, i: number) => (keys as jax.Array).get(i) as unknown as Key;

/** The same calls in tfjax, by the JAX call each fixture entry records. */
const CALLS: Record<string, () => jax.Array> = {
  "PRNGKey(42)": () => random.PRNGKey(42),
  "PRNGKey(2**32+3)": () => random.PRNGKey(2 ** 32 + 3),
  "PRNGKey(-1)": () => random.PRNGKey(-1),
  "key_data(key(1701))": () => random.keyData(random.key(1701)),
  "split(PRNGKey(0))": () => data(random.split(K0())),
  "split(PRNGKey(42),4)": () => data(random.split(random.PRNGKey(42), 4)),
  "split(PRNGKey(0),(2,3))": () => data(random.split(K0(), [2, 3])),
  "split(split(PRNGKey(0))[0])": () => data(random.split(at(random.split(K0()), 0))),
  "fold_in(PRNGKey(0),4)": () => data(random.foldIn(K0(), 4)),
  "fold_in(PRNGKey(0),4294967295)": () => data(random.foldIn(K0(), 4294967295)),
  "fold_in(PRNGKey(42),7)": () => data(random.foldIn(random.PRNGKey(42), 7)),
  "bits(PRNGKey(0),(7,))": () => random.bits(K0(), [7]),
  "bits(PRNGKey(1701),(2,3))": () => random.bits(random.PRNGKey(1701), [2, 3]),
  "uniform(PRNGKey(0),(3,3))": () => random.uniform(K0(), [3, 3]),
  "uniform(PRNGKey(0),(3,),minval=-2,maxval=5)": () =>
    random.uniform(K0(), [3], { minval: -2, maxval: 5 }),
  "uniform(split(key(0))[1])": () =>
    random.uniform([...(random.split(random.key(0)) as jax.random.PRNGKeyArray)][1]!),
  "normal(PRNGKey(0),(5,))": () => random.normal(K0(), [5]),
  "normal(PRNGKey(42),(3,))": () => random.normal(random.PRNGKey(42), [3]),
  "normal(PRNGKey(1),(2,2))": () => random.normal(random.PRNGKey(1), [2, 2]),
  "randint(PRNGKey(0),(3,3),0,8)": () => random.randint(K0(), [3, 3], 0, 8),
  "randint(PRNGKey(0),(5,),-100,100)": () => random.randint(K0(), [5], -100, 100),
  "truncated_normal(PRNGKey(0),-1,1,(5,))": () => random.truncatedNormal(K0(), -1, 1, [5]),
  "bernoulli(PRNGKey(0),0.3,(8,))": () => random.bernoulli(K0(), 0.3, [8]),
  "exponential(PRNGKey(0),(5,))": () => random.exponential(K0(), [5]),
  "gumbel(PRNGKey(0),(5,))": () => random.gumbel(K0(), [5]),
  "laplace(PRNGKey(0),(5,))": () => random.laplace(K0(), [5]),
  "logistic(PRNGKey(0),(5,))": () => random.logistic(K0(), [5]),
  "cauchy(PRNGKey(0),(5,))": () => random.cauchy(K0(), [5]),
  "permutation(PRNGKey(0),10)": () => random.permutation(K0(), 10),
  "permutation(PRNGKey(0),arange(6).reshape(3,2))": () =>
    random.permutation(K0(), jnp.reshape(jnp.arange(6), [3, 2])),
  "choice(PRNGKey(0),10,(3,))": () => random.choice(K0(), 10, [3]),
  "choice(PRNGKey(0),10,(3,),replace=False)": () => random.choice(K0(), 10, [3], false),
  "choice(PRNGKey(0),5,(4,),p=P)": () => random.choice(K0(), 5, [4], { p: P() }),
  "choice(PRNGKey(0),5,(3,),replace=False,p=P)": () =>
    random.choice(K0(), 5, [3], { replace: false, p: P() }),
  "categorical(PRNGKey(0),log([.1,.2,.3,.4]),shape=(6,))": () =>
    random.categorical(K0(), jnp.log(jnp.array([0.1, 0.2, 0.3, 0.4])), { shape: [6] }),
  "gamma(PRNGKey(0),0.5,(5,))": () => random.gamma(K0(), 0.5, [5]),
  "gamma(PRNGKey(0),2.5,(5,))": () => random.gamma(K0(), 2.5, [5]),
  "loggamma(PRNGKey(0),0.5,(5,))": () => random.loggamma(K0(), 0.5, [5]),
  "beta(PRNGKey(0),2.,3.,(5,))": () => random.beta(K0(), 2, 3, [5]),
  "dirichlet(PRNGKey(0),[1.,2.,3.],(2,))": () => random.dirichlet(K0(), jnp.array([1, 2, 3]), [2]),
  "poisson(PRNGKey(0),3.0,(5,))": () => random.poisson(K0(), 3, [5]),
  "poisson(PRNGKey(0),15.0,(5,))": () => random.poisson(K0(), 15, [5]),
  "binomial(PRNGKey(0),10,0.3,(5,))": () => random.binomial(K0(), 10, 0.3, [5]),
  "binomial(PRNGKey(0),100,0.4,(5,))": () => random.binomial(K0(), 100, 0.4, [5]),
  "binomial(PRNGKey(0),20,0.8,(5,))": () => random.binomial(K0(), 20, 0.8, [5]),
  "geometric(PRNGKey(0),0.3,(5,))": () => random.geometric(K0(), 0.3, [5]),
  "t(PRNGKey(0),3.0,(5,))": () => random.t(K0(), 3, [5]),
  "chisquare(PRNGKey(0),3.0,(5,))": () => random.chisquare(K0(), 3, [5]),
  "orthogonal(PRNGKey(0),3)": () => random.orthogonal(K0(), 3),
  "ball(PRNGKey(0),2,shape=(2,))": () => random.ball(K0(), 2, { shape: [2] }),
  "multivariate_normal(PRNGKey(0),[1,2],[[2,.5],[.5,1]],(3,))": () =>
    random.multivariateNormal(
      K0(),
      jnp.array([1, 2]),
      jnp.array([
        [2, 0.5],
        [0.5, 1],
      ]),
      [3],
    ),
  "pareto(PRNGKey(0),2.0,(5,))": () => random.pareto(K0(), 2, [5]),
  "rademacher(PRNGKey(0),(8,))": () => random.rademacher(K0(), [8]),
  "maxwell(PRNGKey(0),(3,))": () => random.maxwell(K0(), [3]),
  "weibull_min(PRNGKey(0),1.,1.5,(5,))": () => random.weibullMin(K0(), 1, 1.5, [5]),
  "rayleigh(PRNGKey(0),1.,(5,))": () => random.rayleigh(K0(), 1, [5]),
  "wald(PRNGKey(0),1.,(5,))": () => random.wald(K0(), 1, [5]),
  "lognormal(PRNGKey(0),1.,(5,))": () => random.lognormal(K0(), 1, [5]),
  "triangular(PRNGKey(0),0.,.3,1.,(5,))": () => random.triangular(K0(), 0, 0.3, 1, [5]),
  "generalized_normal(PRNGKey(0),1.5,(5,))": () => random.generalizedNormal(K0(), 1.5, [5]),
};

/**
 * Integers and bits must match exactly; floats to float32 precision (XLA:CPU fuses multiply-adds
 * and has its own log/erf, so a few ulps differ; a sample is a long chain of such ops).
 */
async function expectMatches(name: string, got: jax.Array, want: Recorded): Promise<void> {
  expect(got.shape, name).toEqual(want.shape);
  expect(got.dtype === "bool" ? "bool" : got.dtype, name).toBe(want.dtype);
  const values = Array.from(await got.data(), (v) => (want.dtype === "bool" ? Boolean(v) : v));
  if (want.dtype !== "float32") {
    const exact = want.dtype === "uint32" ? values.map((v) => (v as number) >>> 0) : values;
    expect(exact, name).toEqual(want.data);
    return;
  }
  (want.data as number[]).forEach((w, i) => {
    const v = values[i] as number;
    expect(Math.abs(v - w), `${name}[${i}]: ${v} vs ${w}`).toBeLessThanOrEqual(
      2e-5 * Math.max(1, Math.abs(w)),
    );
  });
}

// Every backend: the same key gives the same numbers everywhere (webgpu moves int32 words with
// tfjax's own copy kernels, since tf.js's programs read them through f32).
const backends = await backendMatrix();
for (const { platform, available } of backends)
  describe.skipIf(!available)(`random: JAX ${fixture.jax_version}'s values (${platform})`, () => {
    it.each(Object.keys(fixture.cases))(
      "%s",
      async (name) => {
        const previous = jax.defaultBackend();
        await jax.setDefaultBackend(platform);
        try {
          const call = CALLS[name];
          expect(call, `no tfjax call for fixture ${name}`).toBeDefined();
          await expectMatches(name, call!(), fixture.cases[name]!);
        } finally {
          await jax.setDefaultBackend(previous);
        }
      },
      60_000,
    );
  });

describe("random: threefry2x32 and documented values", () => {
  // tests/random_test.py testThreefry2x32 (jax-ml/jax), from Random123's known-answer tests.
  it("matches the Random123 vectors", () => {
    const u = (xs: number[]) => jnp.array(xs, { dtype: "uint32" });
    const [a, b] = lax.threefry2x32(
      u([0, 0xffffffff, 0x13198a2e]),
      u([0, 0xffffffff, 0x03707344]),
      u([0, 0xffffffff, 0x243f6a88]),
      u([0, 0xffffffff, 0x85a308d3]),
    );
    expect((a!.tolist() as number[]).map((v) => v >>> 0)).toEqual([
      0x6b200159, 0x1cb996fc, 0xc4923a9c,
    ]);
    expect((b!.tolist() as number[]).map((v) => v >>> 0)).toEqual([
      0x99ba4efe, 0xbb002be7, 0x483df7a0,
    ]);
  });
  // The jax.random module docstring (docs.jax.dev/en/latest/jax.random.html).
  it("gives the jax.random docstring's values", () => {
    const key = random.key(0);
    expect(random.uniform(key).item()).toBeCloseTo(0.947667, 6);
    const [, subkey] = random.split(key) as jax.random.PRNGKeyArray;
    expect(random.uniform(subkey!).item()).toBeCloseTo(0.00729382, 8);
  });
  it("is partitionable: foldIn(k, i) equals split(k, n)[i], and bits do not depend on shape", () => {
    const key = random.key(5);
    const keys = random.keyData(random.split(key, 6));
    expect(random.keyData(random.foldIn(key, 4)).tolist()).toEqual(keys.get(4).tolist());
    const flat = random.bits(key, [6]).tolist();
    expect(jnp.reshape(random.bits(key, [2, 3]), [6]).tolist()).toEqual(flat);
  });
  it("prints the jaxpr of split with a threefry2x32 equation", () => {
    const text = jax
      .makeJaxpr((k: jax.Array) => random.split(k))(random.PRNGKey(0))
      .toString();
    expect(text).toContain("threefry2x32");
  });
});

describe("random: key arrays", () => {
  it("are typed (shape, dtype, printing) and iterate over their first axis", () => {
    const keys = random.split(random.key(0), 3) as jax.random.PRNGKeyArray;
    expect(keys.shape).toEqual([3]);
    expect(keys.dtype).toBe("key<fry>");
    expect(String(random.key(0))).toBe(
      "Array((), dtype=key<fry>) overlaying:\nArray([0, 0], dtype=uint32)",
    );
    const [k1, , k3] = keys;
    expect(random.keyData(k3!).tolist()).toEqual(random.keyData(keys.get(2)).tolist());
    expect(k1!.shape).toEqual([]);
    expect(random.wrapKeyData(random.keyData(keys)).shape).toEqual([3]);
    expect(keys.reshape([3, 1]).shape).toEqual([3, 1]);
  });
  it("are pytree nodes over their data, through jit, vmap and scan", () => {
    const key = random.key(1);
    expect(jax.tree.structure(key).toString()).toBe(
      "PyTreeDef(CustomNode(PRNGKeyArray[threefry2x32], [*]))",
    );
    const jitted = jax.jit((k: jax.random.PRNGKeyArray) => random.split(k, 2))(
      key,
    ) as jax.random.PRNGKeyArray;
    expect(jitted.dtype).toBe("key<fry>");
    expect(random.keyData(jitted).tolist()).toEqual(random.keyData(random.split(key, 2)).tolist());
    const keys = random.split(key, 4) as jax.random.PRNGKeyArray;
    const batched = jax.vmap((k: jax.random.PRNGKeyArray) => random.uniform(k))(keys);
    expect(batched.tolist()).toEqual([...keys].map((k) => random.uniform(k).item()));
    const [last, draws] = lax.scan(
      (k: jax.random.PRNGKeyArray) => {
        const [next, sub] = random.split(k) as jax.random.PRNGKeyArray;
        return [next!, random.normal(sub!)];
      },
      key,
      null,
      { length: 3 },
    ) as [jax.random.PRNGKeyArray, jax.Array];
    let k = key;
    const expected: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [next, sub] = random.split(k) as jax.random.PRNGKeyArray;
      expected.push(random.normal(sub!).item() as number);
      k = next!;
    }
    expect(draws.tolist()).toEqual(expected);
    expect(random.keyData(last).tolist()).toEqual(random.keyData(k).tolist());
  });
  it("raise clear errors for bad keys and batched keys", () => {
    expect(() => random.uniform(jnp.array([1, 2]))).toThrow(
      /invalid PRNG key data.*float32\[2\]|invalid PRNG key data/,
    );
    expect(() => random.normal(random.split(random.key(0), 3))).toThrow(
      /normal accepts a single key, but was given a key array of shape \(3,\)|accepts a single key/,
    );
    expect(() => random.key(1.5)).toThrow(/key: the seed must be an integer/);
    expect(() => random.uniform(random.key(0), [2], "int32")).toThrow(
      /dtype argument must be a float dtype/,
    );
    expect(() => random.normal(random.key(0), [2], { bogus: 1 } as never)).toThrow(
      /unexpected keyword argument 'bogus'/,
    );
    expect(() => random.gamma(random.key(0), jnp.ones([3]), [2, 1])).toThrow(
      /gamma parameter shapes must be broadcast-compatible with shape argument.*\(2, 3\) for shape argument \(2, 1\)/,
    );
  });
});
