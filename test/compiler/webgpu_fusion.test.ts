/**
 * Reductions fused into generated WGSL kernels under jit on webgpu: partial and full
 * reductions over any axes with their elementwise producers, broadcast inputs, NaN, empty
 * arrays and epilogues, against eager on cpu; the number of kernels a plan runs; and WGSL
 * kernels that fail to build raising instead of leaving garbage.
 */
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { optimize } from "../../src/compiler/index.js";
import { describeWebgpu, runCheckedProgram } from "../../src/compiler/webgpu.js";
import * as jax from "../../src/index.js";
import { flatProgram } from "../../src/lax/kernels.js";
import { backendMatrix, withBackend } from "../helpers/backends.js";
import { type Decoded, expectClose } from "../helpers/compare.js";

const jnp = jax.numpy;
type A = jax.Array;
type Fn = (...xs: A[]) => A | A[];

const webgpu = (await backendMatrix()).find((b) => b.platform === "webgpu")?.available ?? false;

/** Deterministic values in [lo, hi) for an array of `shape`. */
function values(shape: number[], seed: number, lo = -2, hi = 2): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  return Array.from(
    { length: n },
    (_, i) => lo + (hi - lo) * (0.5 + 0.5 * Math.sin(i * 12.9898 + seed * 78.233)),
  );
}

interface Arg {
  data: number[];
  shape: number[];
}
const arg = (shape: number[], seed: number, lo?: number, hi?: number): Arg => ({
  data: values(shape, seed, lo, hi),
  shape,
});
const build = (a: Arg) => jnp.array(a.data).reshape(a.shape);

async function read(out: A | A[]): Promise<Decoded[]> {
  return Promise.all([out].flat().map(async (x) => Array.from(await x.data()) as Decoded));
}

/** f under jit on webgpu against f eagerly on cpu. */
async function expectJitMatchesEager(f: Fn, args: Arg[], rtol = 1e-5, atol = 1e-5) {
  const eager = await withBackend("cpu", () => read(f(...args.map(build))));
  const jitted = await withBackend("webgpu", () => read(jax.jit(f)(...args.map(build)) as A | A[]));
  expect(jitted.length).toBe(eager.length);
  eager.forEach((e, i) => {
    expectClose(jitted[i]!, e, rtol, atol, `output ${i}`);
  });
}

/** How the webgpu plan of f runs: "map"/"reduce" per generated kernel, else primitive names. */
const planOf = (f: Fn, ...args: A[]) => describeWebgpu(optimize(jax.jit(f).lower(...args))).steps;

const REDUCTIONS: [string, (x: A, axis: number | number[] | null) => A][] = [
  ["sum", (x, axis) => jnp.sum(x, axis)],
  ["max", (x, axis) => jnp.max(x, axis)],
  ["min", (x, axis) => jnp.min(x, axis)],
  ["prod", (x, axis) => jnp.prod(x, axis)],
];
const AXES: (number | number[] | null)[] = [0, 1, 2, [0, 2], [1, 2], [0, 1], null];

describe.skipIf(!webgpu)("reductions fused with their producers (webgpu)", () => {
  for (const [name, reduce] of REDUCTIONS)
    it.each(AXES.map((a) => [JSON.stringify(a), a] as const))(
      `${name} over axes %s of a [3, 4, 5] chain`,
      async (_label, axis) => {
        // prod over near-1 values stays well scaled.
        const f = (x: A, y: A) =>
          reduce(jnp.add(jnp.multiply(jnp.sin(x), 0.2), name === "prod" ? 1 : y), axis);
        await expectJitMatchesEager(f, [arg([3, 4, 5], 1), arg([3, 4, 5], 2)]);
      },
    );

  for (const [name, reduce] of REDUCTIONS)
    it.each([
      ["last axis of [7, 300]", [7, 300], 1],
      ["first axis of [300, 7]", [300, 7], 0],
      ["middle axis of [3, 500, 2]", [3, 500, 2], 1],
      ["everything of [70, 90]", [70, 90], null],
    ] as const)(`${name} over the %s (a workgroup per output)`, async (_label, shape, axis) => {
      const f = (x: A) =>
        reduce(name === "prod" ? jnp.add(1, jnp.multiply(x, 1e-3)) : jnp.exp(x), axis);
      await expectJitMatchesEager(f, [arg([...shape], 3)], 2e-5, 1e-5);
    });

  it("sums exp over 1e6 elements to a scalar within float32 tolerance", async () => {
    const f = (x: A) => jnp.sum(jnp.exp(x));
    await expectJitMatchesEager(f, [arg([1_000_000], 4, -1, 1)], 1e-5, 0);
  });

  it("reduces rows of a matrix times a broadcast vector", async () => {
    const f = (x: A, w: A) => jnp.sum(jnp.multiply(x, w), 1);
    await expectJitMatchesEager(f, [arg([100, 20], 5), arg([20], 6)]);
    await expectJitMatchesEager(f, [arg([40, 700], 7), arg([700], 8)], 2e-5);
    const g = (x: A, v: A) => jnp.max(jnp.subtract(x, jnp.expandDims(v, 1)), 0);
    await expectJitMatchesEager(g, [arg([300, 6], 9), arg([300], 10)]);
  });

  it("handles more output elements than one dispatch dimension allows", async () => {
    const f = (x: A) => jnp.sum(jnp.square(x), 1);
    await expectJitMatchesEager(f, [arg([66_000, 65], 11)]);
  });

  it("propagates NaN through max and min, and infinities through sums", async () => {
    const data = values([4, 100], 12);
    data[7] = Number.NaN;
    data[250] = Number.NaN;
    data[120] = Number.POSITIVE_INFINITY;
    const x = { data, shape: [4, 100] };
    for (const [, reduce] of REDUCTIONS) {
      await expectJitMatchesEager((a: A) => reduce(jnp.multiply(a, 2), 1), [x]);
      await expectJitMatchesEager((a: A) => reduce(jnp.multiply(a, 2), 0), [x]);
    }
    const y = { data: [1, Number.NaN, 3, -Infinity, 2, 5], shape: [3, 2] };
    await expectJitMatchesEager((a: A) => [jnp.max(a, 1), jnp.min(a, 1), jnp.max(a)], [y]);
  });

  it("gives identities for empty reductions and empty results for empty outputs", async () => {
    const empty = { data: [], shape: [3, 0] };
    const lax = jax.lax;
    for (const reduce of [lax.reduceSum, lax.reduceProd, lax.reduceMax, lax.reduceMin]) {
      await expectJitMatchesEager((a: A) => reduce(jnp.exp(a), [1]), [empty]);
      await expectJitMatchesEager((a: A) => reduce(jnp.exp(a), [0]), [empty]);
    }
  });

  it("folds elementwise consumers of the result into the kernel", async () => {
    const x = arg([50, 40], 13);
    await expectJitMatchesEager((a: A) => jnp.log(jnp.sum(jnp.exp(a))), [x]);
    await expectJitMatchesEager((a: A) => jnp.log(jnp.sum(jnp.exp(a), 0)), [x]);
    await expectJitMatchesEager(
      (a: A) => jnp.sqrt(jnp.sum(jnp.square(a), 0, { keepdims: true })),
      [arg([200, 3], 18)],
    );
    await expectJitMatchesEager(
      (a: A, b: A) => jnp.mean(jnp.multiply(a, b), 1),
      [x, arg([40], 14)],
    );
    await expectJitMatchesEager((a: A) => jax.nn.softmax(a), [x]);
    await expectJitMatchesEager((a: A) => jax.scipy.special.logsumexp(a, { axis: 1 }), [x]);
    await expectJitMatchesEager((a: A) => jnp.greater(jnp.max(jnp.abs(a), 1), 1.5), [x]);
  });

  it("runs a chain, its reduction and an epilogue as one kernel", () => {
    const x = jnp.ones([64, 32]);
    expect(planOf((a: A) => jnp.sum(jnp.exp(a)), x)).toEqual(["reduce"]);
    expect(planOf((a: A) => jnp.log(jnp.sum(jnp.exp(a), 0)), x)).toEqual(["reduce"]);
    expect(planOf((a: A, w: A) => jnp.sum(jnp.multiply(a, w), 1), x, jnp.ones([32]))).toEqual([
      "reduce",
    ]);
    expect(planOf((a: A) => jnp.max(a, [0, 1]), x)).toEqual(["reduce"]);
    // keepdims reshapes the result: the kernel writes it in that shape.
    const keep = (a: A) => jnp.log(jnp.sum(jnp.exp(a), 1, { keepdims: true }));
    expect(planOf(keep, x)).toEqual(["reduce"]);
    // A chain read both by a reduction and afterwards: its kernel, and the reduction's.
    expect(planOf((a: A) => [jnp.sum(jnp.sin(a), 1), jnp.sin(a)] as A[], x)).toEqual([
      "map",
      "reduce",
    ]);
  });

  it("matches eager for the value and gradient of a logistic-regression log-likelihood", async () => {
    const loglik = (w: A, X: A, y: A) => {
      const z = jnp.matmul(X, w);
      return jnp.sum(jnp.subtract(jnp.multiply(y, z), jnp.log1p(jnp.exp(z))));
    };
    const f = (w: A, X: A, y: A) => jax.valueAndGrad(loglik)(w, X, y) as A[];
    const y = { data: values([500], 15).map((v) => (v > 0 ? 1 : 0)), shape: [500] };
    await expectJitMatchesEager(f, [arg([20], 16, -0.2, 0.2), arg([500, 20], 17, -1, 1), y], 5e-5);
    const X = jnp.ones([500, 20]);
    expect(
      planOf(f, jnp.ones([20]), X, jnp.ones([500])).filter((s) => s === "reduce"),
    ).toHaveLength(1);
  });

  it("splits reductions whose chains read more inputs than a shader stage binds", async () => {
    const args = Array.from({ length: 9 }, (_, k) => arg([6, 50], 20 + k));
    const f = (...xs: A[]) =>
      jnp.sum(
        xs.reduce((acc, x) => jnp.add(acc, jnp.sin(x))),
        1,
      );
    await expectJitMatchesEager(f, args);
  });

  it("reuses compiled pipelines across calls", async () => {
    await withBackend("webgpu", async () => {
      const f = jax.jit((a: A) => jnp.max(jnp.cos(a), 0));
      const x = jnp.ones([10, 70]);
      await f(x).data();
      const cache = (tf.findBackend("webgpu") as unknown as { pipelineCache: object })
        .pipelineCache;
      const compiled = Object.keys(cache).length;
      for (let i = 0; i < 3; i++) await f(x).data();
      expect(Object.keys(cache).length).toBe(compiled);
    });
  });
});

describe.skipIf(!webgpu)("generated WGSL that fails to build (webgpu)", () => {
  it("reports the build error, then throws on later runs", async () => {
    await withBackend("webgpu", async () => {
      const x = jnp.sin(jnp.ones([8]));
      await x.data();
      const bad = flatProgram("TfjaxBroken", ["X0"], [8], "result[index] = X0[index] + nope;");
      const t = (x as jax.EagerArray).tensor as tf.Tensor;
      const { out, check } = runCheckedProgram(bad, "TfjaxBroken", [t], "float32");
      expect(await check).toMatch(/nope/);
      out.dispose();
      expect(() => runCheckedProgram(bad, "TfjaxBroken", [t], "float32")).toThrow(
        /failed to build.*nope/s,
      );
      // The command batch holding the broken dispatch fails as a whole: submit it now.
      await jnp.cos(jnp.ones([2])).data();
    });
  });

  it("makes reads of a jitted call whose kernel failed to build reject", async () => {
    await withBackend("webgpu", async () => {
      const f = jax.jit((a: A) => jnp.sum(jnp.exp(a), 1));
      const x = jnp.sin(jnp.ones([4, 8]));
      await x.data();
      const [key] = describeWebgpu(optimize(f.lower(x))).keys;
      // A broken shader under the plan's key stands in for a miscompiled kernel: the plan's
      // first run finds it in tf.js's pipeline cache.
      const bad = flatProgram(key!, ["X0"], [4], "result[index] = X0[index] + nope;");
      const t = (x as jax.EagerArray).tensor as tf.Tensor;
      runCheckedProgram(bad, key!, [t], "float32").out.dispose();
      const y = f(x);
      await expect(y.data()).rejects.toThrow(/failed to build.*nope/s);
      expect(() => f(x)).toThrow(/failed to build/);
      await jnp.cos(jnp.ones([2])).data();
    });
  });
});
