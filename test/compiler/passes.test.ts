/**
 * The compiler's passes, each on its own: the rewritten Jaxpr (printed as JAX prints it) and
 * its values, which must equal the original's.
 */
import { describe, expect, it } from "vitest";
import {
  commonSubexpressionElimination,
  constantFolding,
  deadCodeElimination,
  inlineCalls,
  optimize,
  simplify,
} from "../../src/compiler/passes.js";
import * as jax from "../../src/index.js";
import { callJaxpr } from "../../src/transforms/jaxpr_transforms.js";

const jnp = jax.numpy;
const lax = jax.lax;
type A = jax.Array;

const lower = (f: (...xs: A[]) => jax.PyTree, ...args: A[]) => jax.jit(f).lower(...args);

function expectSameValues(a: jax.ClosedJaxpr, b: jax.ClosedJaxpr, args: A[]): void {
  const want = callJaxpr(a, args).map((x) => x.tolist());
  const got = callJaxpr(b, args).map((x) => x.tolist());
  expect(got).toEqual(want);
}

describe("compiler passes", () => {
  const x = jnp.array([0.5, 1.5, -2]);

  it("inlineCalls replaces nested jit and custom-derivative calls by their bodies", () => {
    const inner = jax.jit((y: A) => jnp.sin(y).mul(2));
    const closed = lower((y: A) => jax.nn.relu(inner(y)).add(1), x);
    expect(closed.toString()).toContain("pjit");
    const inlined = inlineCalls(closed);
    const text = inlined.toString();
    expect(text).not.toContain("pjit");
    expect(text).not.toContain("custom_jvp_call");
    expect(text).toContain("sin");
    expectSameValues(closed, inlined, [x]);
  });

  it("inlineCalls gives each inlining of a shared body its own variables", () => {
    const inner = jax.jit((y: A) => jnp.exp(y));
    const closed = lower((y: A) => inner(inner(y)), x);
    const inlined = inlineCalls(closed);
    expect(inlined.jaxpr.eqns.map((e) => e.primitive.name)).toEqual(["exp", "exp"]);
    expectSameValues(closed, inlined, [x]);
  });

  it("deadCodeElimination drops unread equations, also inside loop bodies", () => {
    const closed = lower((y: A) => {
      jnp.cos(y); // unused
      return lax.foriLoop(
        0,
        3,
        (_i, c: A) => {
          jnp.tanh(c); // unused
          return c.mul(2);
        },
        y,
      ) as A;
    }, x);
    const text = deadCodeElimination(closed).toString();
    expect(text).not.toContain("cos");
    expect(text).not.toContain("tanh");
    expect(text).toContain("mul");
    expectSameValues(closed, deadCodeElimination(closed), [x]);
  });

  it("commonSubexpressionElimination merges repeated computations", () => {
    const closed = lower((y: A) => jnp.sin(y).add(jnp.sin(y)), x);
    expect(closed.jaxpr.eqns.filter((e) => e.primitive.name === "sin")).toHaveLength(2);
    const merged = commonSubexpressionElimination(closed);
    expect(merged.jaxpr.eqns.filter((e) => e.primitive.name === "sin")).toHaveLength(1);
    expect(merged.toString()).toBe(
      `{ lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[3] = add b b in (c,) }`,
    );
    expectSameValues(closed, merged, [x]);
  });

  it("constantFolding evaluates equations of literals and constants at compile time", () => {
    const table = jnp.array([1, 2, 3]);
    // make_jaxpr keeps closed-over arrays as constvars (jit passes them as arguments).
    const closed = jax.makeJaxpr((y: A) => y.mul(jnp.log(jnp.array(2))).add(jnp.sum(table)))(x);
    expect(closed.jaxpr.constvars).toHaveLength(1);
    const folded = constantFolding(closed);
    const names = folded.jaxpr.eqns.map((e) => e.primitive.name);
    expect(names).not.toContain("log");
    expect(names).not.toContain("reduce_sum");
    expect(folded.toString()).toContain("0.6931471824645996");
    expectSameValues(closed, folded, [x]);
  });

  it("simplify removes multiplications by one, additions of zero and double negations", () => {
    const closed = lower(
      (y: A) =>
        lax
          .neg(lax.neg(y.mul(1).add(0)))
          .sub(0)
          .div(1),
      x,
    );
    const simple = deadCodeElimination(simplify(closed));
    expect(simple.toString()).toBe("{ lambda ; a:f32[3]. let  in (a,) }");
    expectSameValues(closed, simple, [x]);
  });

  it("optimize composes them and keeps values and output types", () => {
    const inner = jax.jit((y: A) => jnp.exp(y.mul(1)));
    const closed = lower(
      (y: A) =>
        inner(y)
          .add(inner(y))
          .mul(jnp.log(jnp.array(3))),
      x,
    );
    const optimized = optimize(closed);
    expect(optimized.jaxpr.eqns.map((e) => e.primitive.name)).toEqual(["exp", "add", "mul"]);
    expect(optimized.outAvals.map(String)).toEqual(closed.outAvals.map(String));
    expectSameValues(closed, optimized, [x]);
  });
});
