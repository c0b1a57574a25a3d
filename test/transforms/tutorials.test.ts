/**
 * The examples of JAX's own tutorials (the quickstart, "Just-in-time compilation", "Automatic
 * vectorization", "Automatic differentiation", the MNIST example), written with tfjax: they must
 * run, give the numbers JAX gives, and print what JAX prints.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";

const jnp = jax.numpy;
const lax = jax.lax;

type Nested = number | boolean | Nested[];

const list = (v: unknown): Nested => (v as jax.Array).tolist() as Nested;
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [Number(v)]);

/** Elementwise |actual - expected| <= atol + rtol * |expected|, naming the first mismatch. */
function expectAllClose(actual: Nested, expected: Nested, rtol = 1e-6, atol = 1e-6, label = "") {
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length, `${label}: number of elements`).toBe(e.length);
  e.forEach((y, i) => {
    const x = a[i]!;
    expect(Math.abs(x - y), `${label}: element ${i}: got ${x}, expected ${y}`).toBeLessThanOrEqual(
      atol + rtol * Math.abs(y),
    );
  });
}

describe("quickstart and jit tutorial: selu", () => {
  // def selu(x, alpha=1.67, lmbda=1.05):
  //   return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)
  const selu = (x: jax.Array, alpha = 1.67, lmbda = 1.05) =>
    jnp.multiply(lmbda, jnp.where(x.gt(0), x, jnp.multiply(alpha, jnp.exp(x)).sub(alpha)));
  const reference = (v: number) => Math.fround(1.05) * (v > 0 ? v : 1.67 * Math.exp(v) - 1.67);

  it("gives the same values with and without jit, and caches one trace per shape", () => {
    const x = jnp.arange(5, { dtype: "float32" }); // jnp.arange(5.0)
    const xneg = jnp.array([-2, -1, 0, 0.5, 2]);
    expect(x.dtype).toBe("float32");
    expectAllClose(list(selu(x)), [0, 1, 2, 3, 4].map(reference), 1e-6, 1e-6, "eager");
    expectAllClose(list(selu(xneg)), [-2, -1, 0, 0.5, 2].map(reference), 1e-6, 1e-6, "eager <0");
    const seluJit = jax.jit(selu);
    expectAllClose(list(seluJit(x)), list(selu(x)), 1e-6, 1e-7, "jit");
    expect(seluJit.cacheInfo()).toEqual({ hits: 0, misses: 1, size: 1 });
    expectAllClose(list(seluJit(xneg)), list(selu(xneg)), 1e-6, 1e-7, "jit <0");
    // Same shape and dtype: the cached trace is reused.
    expect(seluJit.cacheInfo()).toEqual({ hits: 1, misses: 1, size: 1 });
    // A new shape traces again.
    const long = jnp.linspace(-3, 3, 7);
    expectAllClose(list(seluJit(long)), list(selu(long)), 1e-6, 1e-7, "jit, new shape");
    expect(seluJit.cacheInfo()).toEqual({ hits: 1, misses: 2, size: 2 });
    seluJit(jnp.ones(7));
    expect(seluJit.cacheInfo()).toEqual({ hits: 2, misses: 2, size: 2 });
  });

  it("makeJaxpr prints the jaxpr of JAX's jit tutorial", () => {
    // JAX (0.4.x) prints the same equations, with jnp.where as a nested pjit[name=_where] around
    // select_n; newer JAX also annotates literals (0.0:f32[]). The float32 literals print as
    // the Python floats of their float32 values, as in JAX.
    expect(String(jax.makeJaxpr(selu)(jnp.array([0, 1, 2, 3, 4])))).toBe(
      [
        "{ lambda ; a:f32[5]. let",
        "    b:bool[5] = gt a 0.0",
        "    c:f32[5] = exp a",
        "    d:f32[5] = mul 1.6699999570846558 c",
        "    e:f32[5] = sub d 1.6699999570846558",
        "    f:f32[5] = select_n b e a",
        "    g:f32[5] = mul 1.0499999523162842 f",
        "  in (g,) }",
      ].join("\n"),
    );
  });
});

describe("automatic vectorization tutorial", () => {
  // def convolve(x, w):
  //   output = []
  //   for i in range(1, len(x)-1):
  //     output.append(jnp.dot(x[i-1:i+2], w))
  //   return jnp.array(output)
  const convolve = (x: jax.Array, w: jax.Array) => {
    const output: jax.Array[] = [];
    for (let i = 1; i < x.shape[0]! - 1; i++) output.push(jnp.dot(x.get(`${i - 1}:${i + 2}`), w));
    return jnp.stack(output);
  };
  const x = jnp.arange(5, { dtype: "float32" });
  const w = jnp.array([2.0, 3.0, 4.0]);

  it("convolve, batched by hand and by vmap, with inAxes and outAxes", () => {
    expect(list(convolve(x, w))).toEqual([11, 20, 29]);
    const xs = jnp.stack([x, x]);
    const ws = jnp.stack([w, w]);
    // manually_batched_convolve
    const manual = jnp.stack([0, 1].map((i) => convolve(xs.get(i), ws.get(i))));
    expect(list(manual)).toEqual([
      [11, 20, 29],
      [11, 20, 29],
    ]);
    // auto_batch_convolve = jax.vmap(convolve)
    expect(list(jax.vmap(convolve)(xs, ws))).toEqual(list(manual));
    // jax.vmap(convolve, in_axes=1, out_axes=1)(xst, wst)
    const xst = jnp.transpose(xs);
    const wst = jnp.transpose(ws);
    expect(list(jax.vmap(convolve, { inAxes: 1, outAxes: 1 })(xst, wst))).toEqual([
      [11, 11],
      [20, 20],
      [29, 29],
    ]);
    // jax.vmap(convolve, in_axes=[0, None])(xs, w)
    expect(list(jax.vmap(convolve, { inAxes: [0, null] })(xs, w))).toEqual(list(manual));
    // and jit of vmap, as the tutorial ends
    expect(list(jax.jit(jax.vmap(convolve, { inAxes: [0, null] }))(xs, w))).toEqual(list(manual));
  });

  it("convolve batched over different rows equals a loop", () => {
    const xs = jnp.array([
      [0, 1, 2, 3, 4],
      [1, -1, 0.5, 2, -3],
      [4, 4, 0, -2, 1],
    ]);
    const ws = jnp.array([
      [2, 3, 4],
      [1, 0, -1],
      [0.5, 0.25, 2],
    ]);
    const looped = jnp.stack([0, 1, 2].map((i) => convolve(xs.get(i), ws.get(i))));
    expectAllClose(list(jax.vmap(convolve)(xs, ws)), list(looped), 1e-6, 1e-6, "vmap");
    expect((list(looped) as Nested[])[0]).toEqual([11, 20, 29]);
  });

  it("inAxes [0, 0, null] and outAxes 1 on a three-argument function", () => {
    const f = (a: jax.Array, b: jax.Array, s: jax.Array) => a.mul(b).add(s);
    const xs = jnp.arange(12, { dtype: "float32" }).reshape(3, 4);
    const ys = jnp.linspace(-1, 1, 12).reshape(3, 4);
    const s = jnp.array([10, 20, 30, 40]);
    const batched = jax.vmap(f, { inAxes: [0, 0, null], outAxes: 1 })(xs, ys, s) as jax.Array;
    expect(batched.shape).toEqual([4, 3]);
    const looped = jnp.stack(
      [0, 1, 2].map((i) => f(xs.get(i), ys.get(i), s)),
      1,
    );
    expectAllClose(list(batched), list(looped), 1e-6, 1e-6, "outAxes 1");
    // The same with outAxes 0 is the transpose.
    const rows = jax.vmap(f, { inAxes: [0, 0, null] })(xs, ys, s) as jax.Array;
    expectAllClose(list(rows), list(looped.T), 1e-6, 1e-6, "outAxes 0");
  });
});

describe("automatic differentiation tutorial", () => {
  it("grad with argnums [0, 1] of x**2 + y**3 at (2, 3) is [4, 27]", () => {
    const f = (a: jax.Array, b: jax.Array) => jnp.power(a, 2).add(jnp.power(b, 3));
    const [gx, gy] = jax.grad(f, { argnums: [0, 1] })(2.0, 3.0) as jax.Array[];
    expect([gx!.dtype, gy!.dtype]).toEqual(["float32", "float32"]);
    expect([gx!.item(), gy!.item()]).toEqual([4, 27]);
    // argnums 1 alone is dy only; valueAndGrad also returns 2**2 + 3**3.
    expect((jax.grad(f, { argnums: 1 })(2.0, 3.0) as jax.Array).item()).toBe(27);
    const [value, grads] = jax.valueAndGrad(f, { argnums: [0, 1] })(2.0, 3.0) as [
      jax.Array,
      jax.Array[],
    ];
    expect([value.item(), grads.map((g) => g.item())]).toEqual([31, [4, 27]]);
  });

  it("grad of a loss over a params object {w, b} is an object {w, b}", () => {
    // A linear model with squared error, as the tutorial's logistic-regression example.
    const X = [
      [1, 2, 0],
      [0, 1, -1],
      [2, -1, 1],
      [1, 1, 1],
    ];
    const Y = [1, -1, 2, 0.5];
    const wv = [0.5, -0.25, 0.75];
    const bv = 0.125;
    const loss = (p: { w: jax.Array; b: jax.Array }, xb: jax.Array, yb: jax.Array) =>
      jnp.mean(jnp.square(jnp.dot(xb, p.w).add(p.b).sub(yb)));
    const params = { w: jnp.array(wv), b: jnp.array(bv) };
    const g = jax.grad(loss)(params, jnp.array(X), jnp.array(Y)) as { w: jax.Array; b: jax.Array };
    expect(Object.keys(g).sort()).toEqual(["b", "w"]);
    expect(g.w.shape).toEqual([3]);
    expect(g.b.shape).toEqual([]);
    // d/dw mean(r^2) = 2/n X^T r, d/db = 2/n sum(r), r = Xw + b - y
    const r = X.map((row, i) => row.reduce((acc, v, j) => acc + v * wv[j]!, bv) - Y[i]!);
    const dw = wv.map((_, j) => (2 / X.length) * r.reduce((acc, ri, i) => acc + ri * X[i]![j]!, 0));
    const db = (2 / X.length) * r.reduce((acc, ri) => acc + ri, 0);
    expectAllClose(list(g.w), dw, 1e-6, 1e-6, "dL/dw");
    expectAllClose(list(g.b), db, 1e-6, 1e-6, "dL/db");
    // The params object itself is untouched, and jit(grad) gives the same tree.
    expect(list(params.w)).toEqual(wv);
    const gj = jax.jit(jax.grad(loss))(params, jnp.array(X), jnp.array(Y)) as typeof g;
    expectAllClose(list(gj.w), list(g.w), 1e-6, 1e-7, "jit dL/dw");
    expectAllClose(list(gj.b), list(g.b), 1e-6, 1e-7, "jit dL/db");
  });
});

describe("jit tutorial: control flow", () => {
  it("lax.whileLoop and lax.foriLoop inside jit", () => {
    // Count to a traced limit: the value of `limit` is not needed while tracing.
    const countTo = jax.jit((limit: jax.Array) =>
      lax.whileLoop(
        (i: jax.Array) => i.lt(limit),
        (i: jax.Array) => i.add(1),
        jnp.array(0, "int32"),
      ),
    );
    expect((countTo(jnp.array(10, "int32")) as jax.Array).item()).toBe(10);
    expect((countTo(jnp.array(3, "int32")) as jax.Array).item()).toBe(3);
    expect(countTo.cacheInfo()).toEqual({ hits: 1, misses: 1, size: 1 });
    // Doubling until past a bound, with a tuple carry: 1 -> 2 -> ... -> 1024 in 10 steps.
    const doubleUntil = jax.jit((bound: jax.Array) =>
      lax.whileLoop(
        ([, v]: jax.Array[]) => v.lt(bound),
        ([n, v]: jax.Array[]) => [n!.add(1), v!.mul(2)],
        [jnp.array(0, "int32"), jnp.array(1.0)],
      ),
    );
    const [steps, value] = doubleUntil(jnp.array(1000.0)) as jax.Array[];
    expect([steps!.item(), value!.item()]).toEqual([10, 1024]);
    // lax.fori_loop(0, n, lambda i, x: x + i, 0.0) with a traced n: sum of 0..9.
    const sumTo = jax.jit((n: jax.Array) =>
      lax.foriLoop(0, n, (i: jax.Array, acc: jax.Array) => acc.add(i), jnp.array(0.0)),
    );
    expect((sumTo(jnp.array(10, "int32")) as jax.Array).item()).toBe(45);
    expect((sumTo(jnp.array(101, "int32")) as jax.Array).item()).toBe(5050);
  });

  it("staticArgnums on a loop count traces once per value", () => {
    // def g(x, n):
    //   i = 0
    //   while i < n: i += 1
    //   return x + i
    let traces = 0;
    const g = (x: jax.Array, n: number) => {
      traces++;
      let i = 0;
      while (i < n) i += 1;
      return jnp.add(x, i);
    };
    const gJit = jax.jit(g, { staticArgnums: [1] });
    expect((gJit(jnp.array(10.0), 20) as jax.Array).item()).toBe(30);
    expect((gJit(jnp.array(1.0), 20) as jax.Array).item()).toBe(21);
    expect(traces).toBe(1);
    expect(gJit.cacheInfo()).toEqual({ hits: 1, misses: 1, size: 1 });
    expect((gJit(jnp.array(10.0), 5) as jax.Array).item()).toBe(15);
    expect(traces).toBe(2);
    expect(gJit.cacheInfo()).toEqual({ hits: 1, misses: 2, size: 2 });
    // A JS loop over a static count unrolls: n multiplications in the jaxpr.
    const powerFn = (x: jax.Array, n: number) => {
      let y = jnp.onesLike(x);
      for (let k = 0; k < n; k++) y = y.mul(x);
      return y;
    };
    const power = jax.jit(powerFn, { staticArgnums: [1] });
    const unrolled = String(jax.makeJaxpr(powerFn, { staticArgnums: [1] })(jnp.array([2, 3]), 3));
    expect(unrolled.match(/ = mul /g)).toHaveLength(3);
    expect(unrolled).toContain("{ lambda ; a:f32[2]. let");
    expect(list(power(jnp.array([2, 3]), 3))).toEqual([8, 27]);
    expect(list(power(jnp.array([2, 3]), 4))).toEqual([16, 81]);
    expect(list(power(jnp.array([5, 1]), 3))).toEqual([125, 1]);
    expect(power.cacheInfo()).toEqual({ hits: 1, misses: 2, size: 2 });
    // Without staticArgnums the loop bound is traced and `i < n` cannot be decided.
    expect(() => jax.jit(g)(jnp.array(10.0), 20)).toThrow(jax.ConcretizationTypeError);
  });

  it("branching on a traced argument raises JAX's error, which names the fixes", () => {
    // @jax.jit
    // def f(x):
    //   if x > 0: return x
    //   else: return 2 * x
    const f = (x: jax.Array) => ((x as unknown as number) > 0 ? x : x.mul(2));
    expect(f(jnp.array(10.0)).item()).toBe(10);
    const fJit = jax.jit(f);
    let error: unknown;
    try {
      fJit(jnp.array(10.0));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(jax.TracerBoolConversionError);
    expect(error).toBeInstanceOf(jax.ConcretizationTypeError);
    expect((error as Error).message).toMatch(/staticArgnums|lax\.cond/);
    // The same through .item() or Number(): a ConcretizationTypeError.
    const viaItem = jax.jit((x: jax.Array) => (x.gt(0).item() ? x : x.mul(2)));
    expect(() => viaItem(jnp.array(10.0))).toThrow(jax.ConcretizationTypeError);
    expect(() => viaItem(jnp.array(10.0))).toThrow(/staticArgnums|lax\.cond/);
    const viaNumber = jax.jit((x: jax.Array) => (Number(x) > 0 ? x : x.mul(2)));
    expect(() => viaNumber(jnp.array(10.0))).toThrow(jax.ConcretizationTypeError);
    // The fixes of the tutorial: lax.cond, jnp.where, or a static argument.
    const withCond = jax.jit((x: jax.Array) =>
      lax.cond(
        x.gt(0),
        (v: jax.Array) => v,
        (v: jax.Array) => v.mul(2),
        x,
      ),
    );
    expect((withCond(jnp.array(10.0)) as jax.Array).item()).toBe(10);
    expect((withCond(jnp.array(-3.0)) as jax.Array).item()).toBe(-6);
    const withWhere = jax.jit((x: jax.Array) => jnp.where(x.gt(0), x, x.mul(2)));
    expect(list(withWhere(jnp.array([10, -3])))).toEqual([10, -6]);
    const withStatic = jax.jit((x: number) => (x > 0 ? jnp.array(x) : jnp.array(2 * x)), {
      staticArgnums: [0],
    });
    expect((withStatic(10) as jax.Array).item()).toBe(10);
    expect((withStatic(-3) as jax.Array).item()).toBe(-6);
  });
});

describe("MNIST-style example: hessian of a small MLP loss", () => {
  // theta packs a 1-3-1 tanh network: W1 (3), b1 (3), W2 (3), b2 (1). Dyadic values keep
  // theta +- eps exact in float32.
  const thetaValues = [0.5, -0.75, 0.25, 0.125, -0.25, 0.375, 1.0, -0.5, 0.75, 0.0625];
  const xsValues = [-1.5, -0.5, 0.25, 1.0, 2.0];
  const ysValues = [0.5, -0.25, 0.75, 1.0, -0.5];
  const xs = jnp.array(xsValues);
  const ys = jnp.array(ysValues);
  const unpack = (t: jax.Array) => ({
    W1: t.get("0:3"),
    b1: t.get("3:6"),
    W2: t.get("6:9"),
    b2: t.get(9),
  });
  const perExampleLoss = (t: jax.Array, x: jax.Array, y: jax.Array) => {
    const p = unpack(t);
    const h = jnp.tanh(p.W1.mul(x).add(p.b1));
    return jnp.square(jnp.dot(p.W2, h).add(p.b2).sub(y));
  };
  const loss = (t: jax.Array) => {
    const p = unpack(t);
    const h = jnp.tanh(xs.reshape(-1, 1).mul(p.W1).add(p.b1)); // [5, 3]
    const pred = jnp.dot(h, p.W2).add(p.b2);
    return jnp.mean(jnp.square(pred.sub(ys)));
  };
  const theta = jnp.array(thetaValues);
  const n = thetaValues.length;

  it("the loss matches a plain JS computation", () => {
    const [W1, b1, W2, b2] = [
      thetaValues.slice(0, 3),
      thetaValues.slice(3, 6),
      thetaValues.slice(6, 9),
      thetaValues[9]!,
    ];
    const expected =
      xsValues.reduce((acc, x, i) => {
        const pred = W2.reduce((s, w2, k) => s + w2 * Math.tanh(W1[k]! * x + b1[k]!), b2);
        return acc + (pred - ysValues[i]!) ** 2;
      }, 0) / xsValues.length;
    expect(loss(theta).item()).toBeCloseTo(expected, 5);
  });

  it("jax.hessian is symmetric and matches a finite difference of jax.grad", () => {
    const H = jax.hessian(loss)(theta);
    expect(H.shape).toEqual([n, n]);
    const h = list(H) as number[][];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++)
        expect(
          Math.abs(h[i]![j]! - h[j]![i]!),
          `H[${i}][${j}]=${h[i]![j]} vs H[${j}][${i}]=${h[j]![i]}`,
        ).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(h[i]![j]!));
    // Central differences of the gradient, column by column.
    const eps = 2 ** -7;
    const gradAt = (values: number[]) => flat(list(jax.grad(loss)(jnp.array(values))));
    const fd = thetaValues.map((_, j) => {
      const plus = gradAt(thetaValues.map((v, k) => (k === j ? v + eps : v)));
      const minus = gradAt(thetaValues.map((v, k) => (k === j ? v - eps : v)));
      return plus.map((p, i) => (p - minus[i]!) / (2 * eps)); // column j: d grad_i / d theta_j
    });
    const fdMatrix = thetaValues.map((_, i) => thetaValues.map((__, j) => fd[j]![i]!));
    expectAllClose(h, fdMatrix, 2e-2, 2e-3, "hessian vs finite differences");
    // jit(hessian) gives the same matrix.
    const Hj = jax.jit(jax.hessian(loss))(theta) as jax.Array;
    expectAllClose(list(Hj), h, 1e-4, 1e-5, "jit(hessian)");
  });

  it("grad of vmap of jit of a per-example loss equals grad of the batched loss", () => {
    const batched = (t: jax.Array) =>
      jnp.mean(jax.vmap(jax.jit(perExampleLoss), { inAxes: [null, 0, 0] })(t, xs, ys) as jax.Array);
    expect(batched(theta).item()).toBeCloseTo(loss(theta).item() as number, 6);
    const gComposed = jax.grad(batched)(theta) as jax.Array;
    const gDirect = jax.grad(loss)(theta) as jax.Array;
    expect(gComposed.shape).toEqual([n]);
    expectAllClose(list(gComposed), list(gDirect), 1e-5, 1e-6, "grad(vmap(jit))");
    // With jnp.sum, as in the brief form: n_examples times the mean's gradient.
    const summed = jax.grad((t: jax.Array) =>
      jnp.sum(jax.vmap(jax.jit(perExampleLoss), { inAxes: [null, 0, 0] })(t, xs, ys) as jax.Array),
    )(theta) as jax.Array;
    expectAllClose(list(summed), list(gDirect.mul(xsValues.length)), 1e-5, 1e-6, "sum");
    // Per-example gradients: vmap(grad) summed equals grad of the sum.
    const perExample = jax.vmap(jax.grad(perExampleLoss), { inAxes: [null, 0, 0] })(
      theta,
      xs,
      ys,
    ) as jax.Array;
    expect(perExample.shape).toEqual([xsValues.length, n]);
    expectAllClose(list(jnp.sum(perExample, 0)), list(summed), 1e-5, 1e-6, "vmap(grad)");
  });
});
