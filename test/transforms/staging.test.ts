import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";

const jnp = jax.numpy;

describe("makeJaxpr prints JAX's text format", () => {
  it("log2 from JAX's jaxpr documentation", () => {
    const log2 = (x: jax.Array) => jnp.log(x).div(jnp.log(2.0));
    expect(String(jax.makeJaxpr(log2)(jnp.array(3.0)))).toBe(
      [
        "{ lambda ; a:f32[]. let",
        "    b:f32[] = log a",
        "    c:f32[] = log 2.0",
        "    d:f32[] = div b c",
        "  in (d,) }",
      ].join("\n"),
    );
  });
  it("literals, params, constants and variable names", () => {
    expect(String(jax.makeJaxpr((x: jax.Array) => x.mul(2).add(1))(jnp.ones(3)))).toBe(
      // Short jaxprs fit on one line; JAX then separates equations with "; ".
      "{ lambda ; a:f32[3]. let b:f32[3] = mul a 2.0; c:f32[3] = add b 1.0 in (c,) }",
    );
    expect(
      String(
        jax.makeJaxpr((x: jax.Array, y: jax.Array) => jnp.dot(x, y))(
          jnp.ones([2, 3]),
          jnp.ones([3]),
        ),
      ),
    ).toBe(
      [
        "{ lambda ; a:f32[2,3] b:f32[3]. let",
        "    c:f32[2] = dot_general[",
        "      dimension_numbers=(([1], [0]), ([], []))",
        "      out_sharding=None",
        "      precision=None",
        "      preferred_element_type=float32",
        "    ] a b",
        "  in (c,) }",
      ].join("\n"),
    );
    expect(String(jax.makeJaxpr((x: jax.Array) => jnp.sum(x, 0))(jnp.ones([2, 3])))).toContain(
      "reduce_sum[axes=(0,) out_sharding=None] a",
    );
    const c = jnp.array([1, 2, 3]);
    expect(String(jax.makeJaxpr((x: jax.Array) => x.add(c))(jnp.ones(3)))).toBe(
      "{ lambda a:f32[3]; b:f32[3]. let c:f32[3] = add b a in (c,) }",
    );
    const many = jax.makeJaxpr((x: jax.Array) => {
      let y = x;
      for (let i = 0; i < 27; i++) y = jnp.sin(y);
      return y;
    })(jnp.ones([]));
    expect(String(many)).toContain("bb:f32[] = sin ba");
    expect(String(jax.makeJaxpr((x: jax.Array) => x)(jnp.ones(2)))).toBe(
      "{ lambda ; a:f32[2]. let  in (a,) }",
    );
  });
  it("takes ShapeDtypeStruct and pytrees; evalShape computes nothing", () => {
    const closed = jax.makeJaxpr((p: { w: jax.Array; b: jax.Array }) => jnp.matmul(p.w, p.b))({
      w: new jax.ShapeDtypeStruct([4, 3], "float32"),
      b: new jax.ShapeDtypeStruct([3], "float32"),
    });
    expect(closed.outAvals.map((a) => a.strShort())).toEqual(["f32[4]"]);
    const out = jax.evalShape(
      (x: jax.Array) => ({ y: jnp.matmul(x, x.T) }),
      new jax.ShapeDtypeStruct([4, 3], "float32"),
    ) as { y: jax.ShapeDtypeStruct };
    expect([out.y.shape, out.y.dtype]).toEqual([[4, 4], "float32"]);
  });
});

describe("jit", () => {
  const selu = (x: jax.Array) => jnp.where(x.gt(0), x, jnp.exp(x).mul(1.67).sub(1.67)).mul(1.05);
  it("matches eager and caches per signature", () => {
    const f = jax.jit(selu);
    const x = jnp.array([-1, 0, 1]);
    expect(f(x).tolist()).toEqual(selu(x).tolist());
    f(jnp.array([2, 3, 4]));
    expect(f.cacheInfo()).toEqual({ hits: 1, misses: 1, size: 1 });
    f(jnp.arange(3));
    expect(f.cacheInfo()).toEqual({ hits: 1, misses: 2, size: 2 });
  });
  it("traces once per static value, as JAX (prints inside run once)", () => {
    let traces = 0;
    const g = jax.jit(
      (x: jax.Array, n: number) => {
        traces++;
        let y = x;
        for (let i = 0; i < n; i++) y = y.add(1);
        return y;
      },
      { staticArgnums: [1] },
    );
    expect(g(jnp.zeros(2), 3).tolist()).toEqual([3, 3]);
    expect(g(jnp.ones(2), 3).tolist()).toEqual([4, 4]);
    expect(traces).toBe(1);
    expect(g(jnp.ones(2), 2).tolist()).toEqual([3, 3]);
    expect(traces).toBe(2);
  });
  it("raises JAX's error for a JS branch on a traced value, with the fix", () => {
    const h = jax.jit((x: jax.Array) => ((x as unknown as number) > 0 ? x : x.neg()));
    expect(() => h(jnp.array(1))).toThrow(jax.TracerBoolConversionError);
    expect(() => h(jnp.array(1))).toThrow(/staticArgnums|lax.cond|jnp.where/);
  });
  it("composes with jvp", () => {
    const [, t] = jax.jvp(
      jax.jit((x: jax.Array) => jnp.sin(x).mul(x)),
      [jnp.array(2)],
      [jnp.array(1)],
    ) as jax.Array[];
    expect(t!.item()).toBeCloseTo(Math.cos(2) * 2 + Math.sin(2), 5);
  });
});

describe("jit options", () => {
  it("staticArgnames marks keys of a trailing options object static; backend moves arguments", () => {
    let traces = 0;
    const f = jax.jit(
      (x: jax.Array, opts: { power: number; shift: jax.Array }) => {
        traces++;
        let y = x;
        for (let i = 1; i < opts.power; i++) y = y.mul(x);
        return y.add(opts.shift);
      },
      { staticArgnames: ["power"] },
    );
    expect(f(jnp.array(2), { power: 3, shift: jnp.array(1) }).item()).toBe(9);
    expect(f(jnp.array(3), { power: 3, shift: jnp.array(0) }).item()).toBe(27);
    expect(f(jnp.array(2), { power: 2, shift: jnp.array(0) }).item()).toBe(4);
    expect([traces, f.cacheInfo().hits, f.cacheInfo().misses]).toEqual([2, 1, 2]);
    const onCpu = jax.jit((x: jax.Array) => x.mul(2), { backend: "cpu", donateArgnums: 0 });
    const out = onCpu(jnp.array([1, 2])) as jax.Array;
    expect([out.tolist(), out.device.platform]).toEqual([[2, 4], "cpu"]);
  });
});
