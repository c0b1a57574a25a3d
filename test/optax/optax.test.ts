/**
 * jax.optax against optax's update formulas reimplemented in numpy (test/fixtures/optax.json,
 * made by scripts/fixtures/gen_linalg.py): parameter trajectories over six fixed gradients,
 * schedule values, a jitted training step over a pytree, and a small least-squares fit.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";

const { numpy: jnp, optax } = jax;
type Arr = jax.Array;
const F = JSON.parse(
  readFileSync(new URL("../fixtures/optax.json", import.meta.url), "utf8"),
  // biome-ignore lint/suspicious/noExplicitAny: fixture JSON
) as any;

function trajectory(opt: jax.optax.GradientTransformation<jax.PyTree>): number[][] {
  let params: jax.PyTree<Arr> = jnp.array(F.p0);
  let state = opt.init(params);
  const out: number[][] = [];
  for (const g of F.grads as number[][]) {
    const [updates, next] = opt.update(jnp.array(g), state, params);
    params = optax.applyUpdates(params, updates);
    state = next;
    out.push((params as Arr).tolist() as number[]);
  }
  return out;
}

describe("optax", () => {
  const cases: [string, () => jax.optax.GradientTransformation<jax.PyTree>][] = [
    ["sgd", () => optax.sgd(0.1)],
    ["sgd_momentum", () => optax.sgd(0.1, { momentum: 0.9 })],
    ["sgd_nesterov", () => optax.sgd(0.1, { momentum: 0.9, nesterov: true })],
    ["adam", () => optax.adam(0.05)],
    ["adam_eps_root", () => optax.adam(0.05, { b1: 0.8, b2: 0.99, eps: 1e-3, epsRoot: 1e-4 })],
    ["adamw", () => optax.adamw(0.05, { weightDecay: 0.01 })],
    ["adam_warmup_cosine", () => optax.adam(optax.warmupCosineDecaySchedule(0, 0.1, 2, 6, 0.01))],
  ];
  it.each(cases)("%s follows optax's formulas", (name, make) => {
    expectClose(trajectory(make()), F[name], 1e-5, 1e-6, name);
  });

  it("schedules match optax's definitions", () => {
    const s = F.schedules;
    const at = (f: jax.optax.Schedule) => s.steps.map((c: number) => f(c).item() as number);
    expectClose(at(optax.linearSchedule(1, 0.1, 10, 2)), s.linear, 1e-6, 1e-7, "linear");
    expectClose(at(optax.cosineDecaySchedule(0.5, 10, 0.1, 2)), s.cosine, 1e-6, 1e-7, "cosine");
    expectClose(
      at(optax.exponentialDecay(1, 3, 0.5, { transitionBegin: 2, endValue: 0.2 })),
      s.exponential,
      1e-6,
      1e-7,
      "exponential",
    );
    expectClose(
      at(optax.exponentialDecay(1, 3, 0.5, { staircase: true })),
      s.exponential_staircase,
      1e-6,
      1e-7,
      "staircase",
    );
    expectClose(
      at(optax.warmupCosineDecaySchedule(0, 1, 4, 12, 0.05)),
      s.warmup_cosine,
      1e-6,
      1e-7,
      "warmup cosine",
    );
    expect(optax.constantSchedule(0.3)(7).item()).toBeCloseTo(0.3, 7);
  });

  it("a jitted step fits a pytree of parameters (linear regression)", () => {
    const x = jax.random.normal(jax.random.key(0), [64, 3]);
    const wTrue = jnp.array([1.5, -2, 0.5]);
    const y = jnp.add(jnp.matmul(x, wTrue), 0.3);
    type P = { w: Arr; b: Arr };
    const loss = (p: P) => jnp.mean(jnp.square(jnp.subtract(jnp.add(jnp.matmul(x, p.w), p.b), y)));
    const opt = optax.chain(optax.clipByGlobalNorm(10) as never, optax.adam(0.1) as never);
    const step = jax.jit((p: P, s: jax.PyTree) => {
      const g = jax.grad(loss)(p) as P;
      const [u, s2] = opt.update(g, s as jax.PyTree[], p);
      return [optax.applyUpdates(p, u), s2] as [P, jax.PyTree];
    });
    let params: P = { w: jnp.zeros([3]), b: jnp.zeros([]) };
    let state: jax.PyTree = opt.init(params);
    const before = loss(params).item() as number;
    for (let i = 0; i < 300; i++) [params, state] = step(params, state) as [P, jax.PyTree];
    expect(loss(params).item() as number).toBeLessThan(1e-4 * before);
    expectClose(params.w.tolist() as number[], [1.5, -2, 0.5], 1e-2, 1e-2, "w");
    expect(params.b.item() as number).toBeCloseTo(0.3, 2);
  });

  it("adamw needs params", () => {
    const opt = optax.adamw(0.1);
    const s = opt.init(jnp.zeros([2]));
    expect(() => opt.update(jnp.ones([2]), s)).toThrow(/add_decayed_weights/);
  });
});
