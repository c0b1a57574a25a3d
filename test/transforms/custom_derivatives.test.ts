import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { type Decoded, expectClose } from "../helpers/compare.js";

const jnp = jax.numpy;
type A = jax.Array;
const list = (x: unknown) => (x as A).tolist() as Decoded;

describe("customJvp", () => {
  // log(1 + e^x) written naively, with the stable derivative given as the rule.
  const naive = jax.customJvp(function naiveSoftplus(x: A) {
    return jnp.log1p(jnp.exp(x));
  });
  naive.defjvp(([x], [t]) => [naive(x as A), (t as A).mul(jax.nn.sigmoid(x as A))]);

  it("uses the rule in forward and reverse mode, and the body for values", () => {
    expect((naive(jnp.array(1)) as A).item()).toBeCloseTo(Math.log1p(Math.E), 5);
    const [, t] = jax.jvp(naive as (x: A) => A, [jnp.array(100)], [jnp.array(1)]) as A[];
    expect(t!.item()).toBe(1); // the naive chain rule gives inf/inf = nan here
    expect((jax.grad(naive as (x: A) => A)(100.0) as A).item()).toBe(1);
  });

  it("the rule decides the derivative, even where it differs from the body's", () => {
    const f = jax.customJvp((x: A) => x.mul(x));
    f.defjvp(([x], [t]) => [(x as A).mul(x as A), (t as A).mul(10)]);
    expect((jax.grad(f as (x: A) => A)(3.0) as A).item()).toBe(10);
    expect((jax.grad(jax.jit(f as (x: A) => A))(3.0) as A).item()).toBe(10);
    const g = jax.grad((x: A) => jnp.sum(jax.vmap(f as (x: A) => A)(x)))(jnp.array([1, 2])) as A;
    expect(g.tolist()).toEqual([10, 10]);
    expect((jax.vmap(jax.grad(f as (x: A) => A))(jnp.array([1, 2])) as A).tolist()).toEqual([
      10, 10,
    ]);
  });

  it("passes nondiffArgnums to the rule first, as JAX does", () => {
    const scaled = jax.customJvp((k: number, x: A) => x.mul(k), { nondiffArgnums: [0] });
    scaled.defjvp(((k: number, [x]: A[], [t]: A[]) => [x!.mul(k), t!.mul(k + 1)]) as never);
    expect((jax.grad((x: A) => scaled(3, x) as A)(1.0) as A).item()).toBe(4);
  });

  it("prints as custom_jvp_call with the body's jaxpr", () => {
    const text = String(jax.makeJaxpr(naive as (x: A) => A)(jnp.array(1)));
    expect(text).toContain("custom_jvp_call[");
    expect(text).toContain(
      [
        "      call_jaxpr={ lambda ; c:f32[]. let",
        "          d:f32[] = exp c",
        "          e:f32[] = log1p d",
        "        in (e,) }",
      ].join("\n"),
    );
  });

  it("checks the rule's output structure", () => {
    const bad = jax.customJvp((x: A) => x);
    bad.defjvp(([x], [t]) => [[x], t] as never);
    expect(() => jax.jvp(bad as (x: A) => A, [jnp.array(1)], [jnp.array(1)])).toThrow(
      /equal container \(pytree\) structures/,
    );
    expect(() => jax.customJvp((x: A) => x)(jnp.array(1))).toThrow(/No JVP defined/);
  });
});

describe("customVjp", () => {
  const clipGradient = jax.customVjp(function clip(x: A, _lo: A) {
    return x.mul(1);
  });
  clipGradient.defvjp((x: A, lo: A) => [x.mul(1), lo], ((lo: A, g: A) => [
    jnp.maximum(g, lo),
    null,
  ]) as never);

  it("reverse mode uses bwd; forward mode raises as in JAX", () => {
    const f = (x: A) => jnp.sum((clipGradient(x, jnp.array(-0.5)) as A).mul(jnp.array([1, -2, 3])));
    expect((jax.grad(f)(jnp.array([1, 1, 1])) as A).tolist()).toEqual([1, -0.5, 3]);
    expect(() => jax.jvp(f, [jnp.array([1, 1, 1])], [jnp.array([1, 0, 0])])).toThrow(
      /can't apply forward-mode autodiff \(jvp\) to a custom_vjp function/,
    );
  });

  it("residuals, pytrees and vmap (cotangents of unbatched arguments are summed)", () => {
    const f = jax.customVjp(function f(x: A, y: A) {
      return jnp.sin(x).mul(y);
    });
    f.defvjp((x: A, y: A) => [jnp.sin(x).mul(y), [jnp.cos(x), jnp.sin(x), y]], ((
      res: A[],
      g: A,
    ) => [res[0]!.mul(g).mul(res[2]!), res[1]!.mul(g)]) as never);
    const [gx, gy] = jax.grad(f as (x: A, y: A) => A, { argnums: [0, 1] })(1.0, 2.0) as A[];
    expect(gx!.item()).toBeCloseTo(2 * Math.cos(1), 5);
    expect(gy!.item()).toBeCloseTo(Math.sin(1), 5);
    const xs = jnp.array([1, 2]);
    const y = jnp.array(2);
    const total = (x: A, yy: A) =>
      jnp.sum(jax.vmap(f as (x: A, y: A) => A, { inAxes: [0, null] })(x, yy) as A);
    const [bx, by] = jax.grad(total, { argnums: [0, 1] })(xs, y) as A[];
    expectClose(list(bx), [2 * Math.cos(1), 2 * Math.cos(2)], 1e-5, 1e-5);
    expect(by!.item()).toBeCloseTo(Math.sin(1) + Math.sin(2), 5);
  });
});

describe("jax.nn on custom rules", () => {
  it("softplus and logsumexp stay finite where the naive forms overflow", () => {
    expectClose(
      list(jax.nn.softplus(jnp.array([-100, 0, 100]))),
      [3.783506e-44, Math.LN2, 100],
      1e-6,
      1e-6,
    );
    expect((jax.grad((x: A) => jax.nn.softplus(x) as A)(100.0) as A).item()).toBe(1);
    expect(jax.nn.logsumexp(jnp.array([1000, 1000])).item()).toBeCloseTo(1000 + Math.LN2, 3);
    const g = jax.grad((x: A) => jax.nn.logsumexp(x))(jnp.array([1000, 1000, -Infinity])) as A;
    expect(g.tolist()).toEqual([0.5, 0.5, 0]);
    expect(jax.nn.logsumexp(jnp.array([-Infinity, -Infinity])).item()).toBe(-Infinity);
    const m = jnp.array([
      [1, 2],
      [3, 5],
    ]);
    expectClose(
      list(jax.nn.logsumexp(m, { axis: 1, keepdims: true })),
      [[Math.log(Math.E + Math.E ** 2)], [Math.log(Math.E ** 3 + Math.E ** 5)]],
      1e-5,
      1e-5,
    );
    expect((jax.grad((x: A) => jax.nn.relu(x) as A)(0.0) as A).item()).toBe(0);
    expectClose(
      list(jax.nn.softmax(jnp.array([1, 2, 3]))),
      [0.09003057, 0.24472847, 0.66524096],
      1e-6,
      1e-6,
    );
  });
});

describe("jvp rules for products and cumulative reductions", () => {
  it("are exact at zeros and match finite differences elsewhere", () => {
    const x = jnp.array([
      [1.5, 0, 2],
      [3, -1, 0.5],
    ]);
    const t = jnp.array([
      [0.3, -0.7, 1.1],
      [0.2, 0.5, -0.4],
    ]);
    const tangent = (f: (x: A) => A) => (jax.jvp(f, [x], [t]) as A[])[1]!;
    expectClose(list(tangent((v) => jnp.prod(v, 1))), [-2.1, 1.85], 1e-5, 1e-5);
    expectClose(
      list(tangent((v) => jnp.cumprod(v, 1))),
      [
        [0.3, -1.05, -2.1],
        [0.2, 1.3, 1.85],
      ],
      1e-5,
      1e-5,
    );
    expectClose(
      list(tangent((v) => jax.lax.cummax(v, 1))),
      [
        [0.3, 0.3, 1.1],
        [0.2, 0.2, 0.2],
      ],
      1e-6,
      1e-6,
    );
    expectClose(
      list(tangent((v) => jax.lax.cumlogsumexp(v, 1))),
      [
        [0.3, 0.1175702, 0.6815791],
        [0.2000094, 0.2053976, 0.1602411],
      ],
      1e-4,
      1e-4,
    );
  });
});
