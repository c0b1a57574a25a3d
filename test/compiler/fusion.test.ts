/**
 * Randomized graphs of elementwise and broadcast operations under jit against eager, on each
 * backend; the shape of generated code; and the plan cache.
 */
import { describe, expect, it } from "vitest";
import { compileCpu } from "../../src/compiler/cpu.js";
import { compiledPlanCount, optimize } from "../../src/compiler/index.js";
import * as jax from "../../src/index.js";
import { backendMatrix, tolerance } from "../helpers/backends.js";
import { type Decoded, expectClose } from "../helpers/compare.js";

const jnp = jax.numpy;
const lax = jax.lax;
type A = jax.Array;

/** A small deterministic generator (LCG), so every run builds the same graphs. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const UNARY: ((x: A) => A)[] = [
  (x) => jnp.sin(x),
  (x) => jnp.tanh(x),
  (x) => jnp.negative(x),
  (x) => jnp.abs(x),
  (x) => jnp.square(x),
  (x) => jax.nn.sigmoid(x),
  (x) => jnp.sqrt(jnp.abs(x)),
  (x) => jnp.exp(jnp.minimum(x, 3)),
  (x) => jnp.log1p(jnp.abs(x)),
];
const BINARY: ((x: A, y: A) => A)[] = [
  (x, y) => jnp.add(x, y),
  (x, y) => jnp.subtract(x, y),
  (x, y) => jnp.multiply(x, y),
  (x, y) => jnp.maximum(x, y),
  (x, y) => jnp.minimum(x, y),
  (x, y) => jnp.where(jnp.greater(x, y), x, jnp.multiply(y, 0.5)),
  (x, y) => jnp.divide(x, jnp.add(jnp.abs(y), 1)),
];
/** Operand shapes that broadcast against [rows, cols]. */
const shapesAround = (rows: number, cols: number) => [
  [rows, cols],
  [cols],
  [1, cols],
  [rows, 1],
  [],
];

/**
 * A random function of three arrays ([rows, cols] and two that broadcast against it): a chain
 * of ops, each reading earlier values.
 */
function randomGraph(
  seed: number,
  rows = 4,
  cols = 5,
): { f: (...xs: A[]) => A[]; shapes: number[][] } {
  const rand = lcg(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const around = shapesAround(rows, cols);
  const shapes = [[rows, cols], pick(around), pick(around)];
  const steps = Array.from({ length: 6 + Math.floor(rand() * 10) }, () => ({
    unary: rand() < 0.4,
    op: rand(),
    a: rand(),
    b: rand(),
    reduce: rand() < 0.15,
  }));
  const f = (...inputs: A[]) => {
    const values = [...inputs];
    for (const s of steps) {
      const a = values[Math.floor(s.a * values.length)]!;
      const b = values[Math.floor(s.b * values.length)]!;
      let v = s.unary
        ? UNARY[Math.floor(s.op * UNARY.length)]!(a)
        : BINARY[Math.floor(s.op * BINARY.length)]!(a, b);
      if (s.reduce && v.ndim === 2) v = jnp.sum(v, 0, { keepdims: true });
      values.push(v);
    }
    return [values.at(-1)!, values.at(-2)!];
  };
  return { f, shapes };
}

const inputsFor = (shapes: number[][]) =>
  shapes.map((shape, k) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return jnp.linspace(-2 + k, 1.5 + k / 2, n).reshape(shape);
  });

async function values(xs: A[]): Promise<Decoded[]> {
  return Promise.all(xs.map(async (x) => Array.from(await x.data()) as Decoded));
}

for (const { platform, available } of await backendMatrix())
  describe.skipIf(!available)(`random fusion graphs: jit equals eager (${platform})`, () => {
    const { rtol, atol } = tolerance(platform);
    it.each(Array.from({ length: 30 }, (_, i) => i))("graph %i", async (seed) => {
      const previous = jax.defaultBackend();
      await jax.setDefaultBackend(platform);
      try {
        const { f, shapes } = randomGraph(seed);
        const xs = inputsFor(shapes);
        const eager = await values(f(...xs));
        const jitted = await values(jax.jit(f)(...xs) as A[]);
        for (const [i, e] of eager.entries())
          expectClose(jitted[i]!, e, rtol * 8, atol * 8, `output ${i}`);
      } finally {
        await jax.setDefaultBackend(previous);
      }
    });
  });

// Loops of 2,560 elements run as WebAssembly SIMD kernels on cpu (src/compiler/wasm.ts).
describe("random fusion graphs over 64 x 40 elements: jit equals eager (cpu)", () => {
  const { rtol, atol } = tolerance("cpu");
  it.each(Array.from({ length: 30 }, (_, i) => i))("graph %i", async (seed) => {
    const { f, shapes } = randomGraph(seed, 64, 40);
    const xs = inputsFor(shapes);
    const eager = await values(f(...xs));
    const jitted = await values(jax.jit(f)(...xs) as A[]);
    for (const [i, e] of eager.entries())
      expectClose(jitted[i]!, e, rtol * 8, atol * 8, `output ${i}`);
  });
  it("run SIMD kernels", () => {
    const sources = Array.from({ length: 30 }, (_, seed) => {
      const { f, shapes } = randomGraph(seed, 64, 40);
      const closed = jax.jit(f).lower(...inputsFor(shapes));
      return compileCpu(optimize(closed), closed.outAvals, jax.devices("cpu")[0]!).source;
    });
    expect(sources.filter((s) => s.includes("rt.simd(")).length).toBeGreaterThan(15);
  });
});

for (const { platform, available } of await backendMatrix())
  describe.skipIf(!available)(`wide fusion groups (${platform})`, () => {
    it("splits or skips kernels that would read more inputs than a shader stage may bind", async () => {
      const previous = jax.defaultBackend();
      await jax.setDefaultBackend(platform);
      try {
        const xs = Array.from({ length: 10 }, (_, k) => jnp.linspace(k, k + 1, 6));
        const f = (...ys: A[]) =>
          ys.reduce((acc, y) => jnp.add(jnp.multiply(acc, 0.5), jnp.sin(y)));
        const eager = await values([f(...xs)]);
        const jitted = await values([jax.jit(f)(...xs) as A]);
        expectClose(jitted[0]!, eager[0]!, 1e-4, 1e-5, "sum of ten inputs");
      } finally {
        await jax.setDefaultBackend(previous);
      }
    });
  });

describe("generated cpu code", () => {
  const source = (f: (...xs: A[]) => jax.PyTree, ...args: A[]) => {
    const closed = jax.jit(f).lower(...args);
    return compileCpu(optimize(closed), closed.outAvals, args[0]!.device).source;
  };
  it("is straight-line code with locals for a scalar log-density", () => {
    const logdensity = (x: A) =>
      jnp.sum(jnp.multiply(-0.5, jnp.square(jnp.divide(jnp.subtract(x, 1), 2)))).sub(jnp.log(2));
    const text = source(logdensity, jnp.array(0.3));
    expect(text).not.toMatch(/for \(|new |rt\.call/);
  });
  it("fuses an elementwise chain over arrays into one loop", () => {
    const selu = (x: A) =>
      jnp.multiply(
        1.05,
        jnp.where(jnp.greater(x, 0), x, jnp.subtract(jnp.multiply(1.67, jnp.exp(x)), 1.67)),
      );
    const text = source(selu, jnp.linspace(-1, 1, 100));
    expect(text.match(/for \(/g)).toHaveLength(1);
  });
  it("folds reductions into the loop that computes their input", () => {
    const loglik = (w: A, x: A, y: A) => {
      const z = jnp.multiply(x, w);
      return [jnp.sum(jnp.subtract(jnp.multiply(y, z), jnp.log1p(jnp.exp(z)))), jnp.max(z, 1)];
    };
    const text = source(loglik, jnp.array(0.5), jnp.ones([50, 4]), jnp.zeros([50, 4]));
    expect(text.match(/for \(/g)).toHaveLength(2); // the fused loop, and copying out the row maxima
  });
  it("turns fori, while and scan into native loops with no calls back into tf.js", () => {
    const text = source(
      (x: A) => lax.foriLoop(0, 100, (_i, c: A) => jnp.add(jnp.multiply(c, 0.5), 1), x) as A,
      jnp.array(0.0),
    );
    // A fori loop with static bounds is a scan, as in JAX.
    expect(text).toMatch(/for \(let it = 0; it < 100; it\+\+\)/);
    expect(text).not.toContain("rt.call");
    const whiled = source(
      (x: A) =>
        lax.whileLoop(
          (c: A) => jnp.less(c, 10),
          (c: A) => jnp.add(jnp.multiply(c, 1.5), 1),
          x,
        ) as A,
      jnp.array(0.5),
    );
    expect(whiled).toContain("while (true)");
    expect(whiled).not.toContain("rt.call");
    const scanned = source(
      (x: A) =>
        lax.scan((c: A, y: A) => [jnp.add(c, y), jnp.sin(c)], jnp.array(0), x) as jax.PyTree,
      jnp.arange(5, { dtype: "float32" }),
    );
    expect(scanned).toMatch(/for \(let it = 0; it < 5; it\+\+\)/);
  });
});

describe("the plan cache", () => {
  it("reuses the trace and the compiled plan on a second call with the same shapes", () => {
    const f = jax.jit((x: A) => jnp.sin(x).add(1));
    f(jnp.ones([3]));
    const plans = compiledPlanCount();
    for (let i = 0; i < 3; i++) f(jnp.full([3], i));
    expect(compiledPlanCount()).toBe(plans);
    expect(f.cacheInfo()).toEqual({ hits: 3, misses: 1, size: 1 });
    f(jnp.ones([4]));
    expect(compiledPlanCount()).toBe(plans + 1);
  });
});

describe("plans built inside jax.tidy", () => {
  it("keep their folded constants alive for later calls", async () => {
    for (const { platform, available } of await backendMatrix()) {
      if (!available) continue;
      const previous = jax.defaultBackend();
      await jax.setDefaultBackend(platform);
      try {
        const table = jnp.array([1, 2, 3]);
        const f = jax.jit((x: A) =>
          jnp.add(jnp.multiply(x, jnp.sum(table)), jnp.log(jnp.array(2))),
        );
        const x = jnp.array([0.5, 1, 2]);
        const first = await values([jax.tidy(() => f(x))]);
        const second = await values([f(x)]);
        expect(second).toEqual(first);
      } finally {
        await jax.setDefaultBackend(previous);
      }
    }
  });
});
