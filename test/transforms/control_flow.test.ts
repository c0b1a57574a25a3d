import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { type Decoded, expectClose } from "../helpers/compare.js";

const jnp = jax.numpy;
const lax = jax.lax;
type A = jax.Array;

const list = (x: unknown) => (x as A).tolist() as Decoded;
const close = (a: unknown, e: Decoded, tol = 1e-5) => expectClose(list(a), e, tol, tol);

/** Central finite difference of a scalar function along v (float32-aware step). */
function finiteDiff(f: (x: A) => A, x: A, v: A, eps = 1e-2): number {
  const up = f(x.add(v.mul(eps))).item() as number;
  const down = f(x.sub(v.mul(eps))).item() as number;
  return (up - down) / (2 * eps);
}

/** grad . v against jvp and against finite differences. */
function expectDerivatives(f: (x: A) => A, x: A, tol = 2e-2): void {
  const v = jnp.linspace(0.4, 1.2, x.size).reshape(x.shape);
  const g = jax.grad(f)(x) as A;
  const [, t] = jax.jvp(f, [x], [v]) as A[];
  const viaGrad = jnp.sum(g.mul(v)).item() as number;
  expect(Math.abs(viaGrad - (t!.item() as number))).toBeLessThan(
    1e-4 * Math.max(1, Math.abs(viaGrad)),
  );
  const fd = finiteDiff(f, x, v);
  expect(Math.abs(viaGrad - fd)).toBeLessThan(tol * Math.max(1, Math.abs(fd)));
}

describe("lax.cond and lax.switch", () => {
  const branchy = (x: A) =>
    lax.cond(
      jnp.sum(x).gt(0),
      (y: A) => jnp.sin(y).mul(y),
      (y: A) => jnp.exp(y).sub(1),
      x,
    ) as A;

  it("runs the chosen branch, eagerly and under jit", () => {
    close(branchy(jnp.array([1, 2])), [Math.sin(1), 2 * Math.sin(2)]);
    close(branchy(jnp.array([-1, -2])), [Math.exp(-1) - 1, Math.exp(-2) - 1]);
    close(jax.jit(branchy)(jnp.array([-1, -2])), [Math.exp(-1) - 1, Math.exp(-2) - 1]);
    const relu = (x: A) =>
      lax.cond(
        x.gt(0),
        (y: A) => y,
        (_: A) => 0,
        x,
      ) as A;
    expect(relu(jnp.array(12.5)).item()).toBe(12.5);
    expect(relu(jnp.array(-3)).item()).toBe(0);
  });

  it("prints JAX's cond equation with both branch jaxprs", () => {
    const relu = (x: A) =>
      lax.cond(
        x.gt(0),
        (y: A) => y,
        (_: A) => 0.5,
        x,
      );
    expect(String(jax.makeJaxpr(relu)(jnp.array(12.3)))).toBe(
      [
        "{ lambda ; a:f32[]. let",
        "    b:bool[] = gt a 0.0",
        "    c:i32[] = convert_element_type[",
        "      new_dtype=int32",
        "      sharding=None",
        "      weak_type=False",
        "    ] b",
        "    d:f32[] = cond[",
        "      branches=(",
        "        { lambda ; e:f32[]. let  in (0.5,) }",
        "        { lambda ; f:f32[]. let  in (f,) }",
        "      )",
        "    ] c a",
        "  in (d,) }",
      ].join("\n"),
    );
  });

  it("differentiates through the taken branch (jvp, grad, finite differences)", () => {
    expectDerivatives((x) => jnp.sum(branchy(x)), jnp.array([0.5, 1.5]));
    expectDerivatives((x) => jnp.sum(branchy(x)), jnp.array([-0.5, -1.5]));
    // A branch that closes over the differentiated value.
    const f = (x: A) =>
      lax.cond(
        x.gt(1),
        (y: A) => y.mul(x),
        (y: A) => y.add(x),
        jnp.array(3),
      ) as A;
    expect(jax.grad(f)(2.0)).toBeDefined();
    expect((jax.grad(f)(2.0) as A).item()).toBeCloseTo(3, 5);
    expect((jax.grad(f)(0.5) as A).item()).toBeCloseTo(1, 5);
  });

  it("batches: a batched predicate selects per member, an unbatched one stays a cond", () => {
    const xs = jnp.array([
      [1, 2],
      [-1, -2],
      [0.5, -0.1],
    ]);
    const batched = jax.vmap(branchy)(xs);
    const loop = [0, 1, 2].map((i) => list(branchy(xs.get(i))));
    close(batched, loop);
    const shared = jax.vmap((x: A) =>
      lax.cond(
        jnp.array(true),
        (y: A) => y.mul(2),
        (y: A) => y,
        x,
      ),
    )(xs);
    close(shared, list(xs.mul(2)));
    // grad of vmap and vmap of grad agree with the loop.
    const g = jax.grad((x: A) => jnp.sum(jax.vmap(branchy)(x)))(xs) as A;
    const perRow = [0, 1, 2].map((i) => list(jax.grad((x: A) => jnp.sum(branchy(x)))(xs.get(i))));
    close(g, perRow);
  });

  it("switch clamps its index and takes pytrees", () => {
    const branches = [
      (p: { a: A; b: A }) => ({ s: p.a.add(p.b) }),
      (p: { a: A; b: A }) => ({ s: p.a.mul(p.b) }),
      (p: { a: A; b: A }) => ({ s: p.a.sub(p.b) }),
    ];
    const ops = { a: jnp.array(5), b: jnp.array(2) };
    const at = (i: number) => (lax.switch(i, branches, ops) as { s: A }).s.item() as number;
    expect([at(-4), at(0), at(1), at(2), at(9)]).toEqual([7, 7, 10, 3, 3]);
  });

  it("rejects branches whose outputs differ, naming the types", () => {
    expect(() =>
      lax.cond(
        true,
        () => jnp.zeros(3),
        () => jnp.zeros(2),
      ),
    ).toThrow(/branch outputs must have identical types.*float32\[2\].*float32\[3\]/);
    expect(() =>
      lax.cond(
        jnp.array([true, false]),
        () => 1,
        () => 2,
      ),
    ).toThrow(/Pred must be a scalar/);
  });
});

describe("lax.whileLoop and lax.foriLoop", () => {
  const grow = (x: A) =>
    lax.whileLoop(
      ([i]: [A, A]) => i.lt(10),
      ([i, v]: [A, A]) => [i.add(1), v.mul(1.5)],
      [0, x],
    ) as [A, A];

  it("loops until the predicate fails, eagerly and under jit", () => {
    expect(grow(jnp.array(1)).map((v) => v.item())).toEqual([10, 1.5 ** 10]);
    expect(jax.jit(grow)(jnp.array(2))[1].item() as number).toBeCloseTo(2 * 1.5 ** 10, 3);
  });

  it("prints the while equation as JAX does", () => {
    const f = (x: A) => grow(x)[1];
    expect(String(jax.makeJaxpr(f)(jnp.array(1)))).toBe(
      [
        "{ lambda ; a:f32[]. let",
        "    _:i32[] b:f32[] = while[",
        "      body_jaxpr={ lambda ; c:i32[] d:f32[]. let",
        "          e:i32[] = add c 1",
        "          f:f32[] = mul d 1.5",
        "        in (e, f) }",
        "      body_nconsts=0",
        "      cond_jaxpr={ lambda ; g:i32[] h:f32[]. let i:bool[] = lt g 10 in (i,) }",
        "      cond_nconsts=0",
        "    ] 0 a",
        "  in (b,) }",
      ].join("\n"),
    );
  });

  it("forward mode works; reverse mode raises JAX's error", () => {
    const [, t] = jax.jvp((x: A) => grow(x)[1], [jnp.array(2)], [jnp.array(1)]) as A[];
    expect(t!.item()).toBeCloseTo(1.5 ** 10, 3);
    expect(() => jax.grad((x: A) => grow(x)[1])(2.0)).toThrow(
      /Reverse-mode differentiation does not work for lax.while_loop/,
    );
  });

  it("vmap with a batched predicate runs until every member is done", () => {
    const doubling = (n: A) =>
      lax.whileLoop(
        ([i]: [A, A]) => i.lt(n),
        ([i, v]: [A, A]) => [i.add(1), v.mul(2)],
        [jnp.array(0, { dtype: "int32" }), jnp.array(1)],
      ) as [A, A];
    const [count, value] = jax.vmap(doubling)(jnp.array([0, 3, 5], { dtype: "int32" })) as A[];
    expect(count!.tolist()).toEqual([0, 3, 5]);
    expect(value!.tolist()).toEqual([1, 8, 32]);
    const [, jitted] = jax.jit(jax.vmap(doubling))(jnp.array([2, 1], { dtype: "int32" })) as A[];
    expect(jitted!.tolist()).toEqual([4, 2]);
  });

  it("foriLoop with static bounds is a scan (reverse-mode differentiable)", () => {
    const poly = (x: A) => lax.foriLoop(0, 5, (i: A, v: A) => v.mul(x).add(i), jnp.array(1)) as A;
    expect(poly(jnp.array(2)).item()).toBe(58);
    expect((jax.grad(poly)(2.0) as A).item()).toBeCloseTo(103, 3);
    expect(String(jax.makeJaxpr(poly)(jnp.array(2)))).toContain("scan[");
    // Traced bounds become a while loop.
    const dyn = jax.jit((n: A) => lax.foriLoop(0, n, (_i: A, v: A) => v.add(2), jnp.array(0)));
    expect((dyn(jnp.array(4, { dtype: "int32" })) as A).item()).toBe(8);
    expect(
      String(
        jax.makeJaxpr((n: A) => lax.foriLoop(0, n, (_i: A, v: A) => v, 0))(
          jnp.array(3, { dtype: "int32" }),
        ),
      ),
    ).toContain("while[");
  });

  it("type errors name the carry", () => {
    expect(() =>
      lax.whileLoop(
        () => true,
        (_x: A) => jnp.zeros(3),
        jnp.zeros(2),
      ),
    ).toThrow(/body_fun output must have identical types/);
    expect(() =>
      lax.whileLoop(
        () => jnp.array(1),
        (x: A) => x,
        jnp.zeros(2),
      ),
    ).toThrow(/cond_fun must return a boolean scalar/);
  });

  it("an eager loop of many iterations keeps the live tensor count bounded", () => {
    const step = (c: [A, A]) => [c[0].add(1), jnp.sin(c[1]).add(c[1].mul(0.5))] as [A, A];
    lax.whileLoop(([i]: [A, A]) => i.lt(5), step, [0, jnp.ones(8)]);
    const before = tf.memory().numTensors;
    lax.whileLoop(([i]: [A, A]) => i.lt(2000), step, [0, jnp.ones(8)]);
    expect(tf.memory().numTensors - before).toBeLessThan(50);
  });
});

describe("lax.scan and lax.map", () => {
  const cumulative = (xs: A) =>
    lax.scan((c: A, x: A) => [c.add(x), c.mul(x)], jnp.array(0), xs) as [A, A];

  it("carries and stacks, forwards and in reverse, with pytrees and length", () => {
    const [c, ys] = cumulative(jnp.array([1, 2, 3, 4]));
    expect(c.item()).toBe(10);
    expect(ys.tolist()).toEqual([0, 2, 9, 24]);
    const [rc, rys] = lax.scan((c: A, x: A) => [c.add(x), c], jnp.array(0), jnp.array([1, 2, 3]), {
      reverse: true,
    }) as [A, A];
    expect([rc.item(), rys.tolist()]).toEqual([6, [5, 3, 0]]);
    const [tree, none] = lax.scan(
      (c: { a: A; b: [A] }) => [{ a: c.a.add(1), b: [c.b[0].mul(2)] }, null],
      { a: jnp.array(0), b: [jnp.array(1)] },
      null,
      { length: 3 },
    ) as [{ a: A; b: [A] }, null];
    expect([tree.a.item(), tree.b[0].item(), none]).toEqual([3, 8, null]);
    expect(lax.map((x: A) => x.mul(x), jnp.array([1, 2, 3])).tolist()).toEqual([1, 4, 9]);
  });

  it("prints the scan equation with JAX's params", () => {
    expect(String(jax.makeJaxpr((xs: A) => cumulative(xs))(jnp.array([1, 2, 3, 4])))).toBe(
      [
        "{ lambda ; a:f32[4]. let",
        "    b:f32[] c:f32[4] = scan[",
        "      jaxpr={ lambda ; d:f32[] e:f32[]. let",
        "          f:f32[] = add d e",
        "          g:f32[] = mul d e",
        "        in (f, g) }",
        "      length=4",
        "      linear=(False, False)",
        "      num_carry=1",
        "      num_consts=0",
        "      reverse=False",
        "      unroll=1",
        "    ] 0.0 a",
        "  in (b, c) }",
      ].join("\n"),
    );
  });

  it("reverse mode through scan matches jvp and finite differences", () => {
    const loss = (xs: A) => {
      const [c, ys] = cumulative(xs);
      return c.mul(c).add(jnp.sum(jnp.sin(ys)));
    };
    const xs = jnp.array([0.1, 0.7, -0.3, 0.4]);
    expectDerivatives(loss, xs);
    close(jax.grad(loss)(xs), list(jax.jacfwd(loss)(xs)), 1e-4);
    // Constants closed over by the body get cotangents too.
    const withConst = (w: A) =>
      jnp.sum(lax.scan((c: A, x: A) => [c.mul(w).add(x), c], jnp.array(1), jnp.arange(4))[1] as A);
    expectDerivatives(withConst, jnp.array(0.9));
    const reversed = (xs: A) =>
      jnp.sum(
        lax.scan((c: A, x: A) => [jnp.sin(c.add(x)), c.mul(x)], jnp.array(0.2), xs, {
          reverse: true,
        })[1] as A,
      );
    expectDerivatives(reversed, xs);
  });

  it("vmap of scan matches a loop; grad of vmap of jit of scan composes", () => {
    const xs = jnp.array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const [cs, ys] = jax.vmap(cumulative)(xs) as A[];
    expect(cs!.tolist()).toEqual([6, 15]);
    expect(ys!.tolist()).toEqual([
      [0, 2, 9],
      [0, 20, 54],
    ]);
    const total = (x: A) => jnp.sum(jax.vmap(jax.jit((r: A) => cumulative(r)[1]))(x));
    const g = jax.grad(total)(xs.mul(0.1)) as A;
    const rows = [0, 1].map((i) =>
      list(jax.grad((r: A) => jnp.sum(cumulative(r)[1]))(xs.mul(0.1).get(i))),
    );
    close(g, rows, 1e-5);
  });

  it("rejects scanned inputs of different lengths", () => {
    expect(() => lax.scan((c: A) => [c, null], 0, [jnp.zeros(3), jnp.zeros(4)])).toThrow(
      /different leading axis sizes: 3, 4/,
    );
    expect(() => lax.scan((c: A) => [c, null], 0, null)).toThrow(/no values to scan over/);
  });
});

describe("jit as a nested pjit equation", () => {
  it("prints pjit with its jaxpr and differentiates and batches through it", () => {
    const inner = jax.jit(function inner(x: A) {
      return jnp.sin(x).mul(2);
    });
    expect(String(jax.makeJaxpr((x: A) => inner(x).add(1))(jnp.array(1)))).toBe(
      [
        "{ lambda ; a:f32[]. let",
        "    b:f32[] = pjit[",
        "      jaxpr={ lambda ; c:f32[]. let",
        "          d:f32[] = sin c",
        "          e:f32[] = mul d 2.0",
        "        in (e,) }",
        "      name=inner",
        "    ] a",
        "    f:f32[] = add b 1.0",
        "  in (f,) }",
      ].join("\n"),
    );
    expect((jax.grad(inner)(1.0) as A).item()).toBeCloseTo(2 * Math.cos(1), 5);
    close(jax.vmap(inner)(jnp.array([1, 2])), [2 * Math.sin(1), 2 * Math.sin(2)]);
  });

  it("does not reuse a trace that closed over another transformation's values", () => {
    const outer = (a: A) => {
      const inner = jax.jit((x: A) => x.mul(a));
      return inner(jnp.array(3));
    };
    expect((jax.grad(outer)(2.0) as A).item()).toBe(3);
    expect((jax.grad(outer)(5.0) as A).item()).toBe(3);
  });
});

describe("linearize", () => {
  it("returns the output and a reusable tangent map", () => {
    const [y, fJvp] = jax.linearize((x: A) => jnp.sin(x).mul(x), jnp.array([0.5, 1]));
    close(y, [0.5 * Math.sin(0.5), Math.sin(1)]);
    const d = (x: number) => Math.sin(x) + x * Math.cos(x);
    close(fJvp(jnp.array([1, 0])), [d(0.5), 0]);
    close(fJvp(jnp.array([0, 2])), [0, 2 * d(1)]);
  });
});
