/**
 * The sampler building blocks and kernels: ravelPytree, Stan's warmup schedule, dual averaging,
 * Welford + regularization, the integrators' orders, NUTS's U-turn checkpoints, and every kernel
 * under jit (same draws as eager) and vmap (same draws as a loop over chains), on each backend.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import type { IntegratorState } from "../../src/infer/integrators.js";
import { checkpointRange } from "../../src/infer/nuts.js";
import type { KeyLike, PRNGKeyArray } from "../../src/random/keys.js";
import { backendMatrix } from "../helpers/backends.js";

const { infer, numpy: jnp, random } = jax;
type Arr = jax.Array;
const matrix = await backendMatrix();

const values = (x: Arr) => Array.from(x.dataSync() as Float32Array);

describe("ravelPytree", () => {
  it("flattens leaves in tree order and unravels to the same shapes", () => {
    const tree = {
      a: jnp.array([
        [1, 2],
        [3, 4],
      ]),
      b: jnp.array(5),
      c: [jnp.array([6, 7])],
    };
    const [flat, unravel] = infer.ravelPytree(tree);
    expect(values(flat)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const back = unravel(jnp.multiply(flat, 2)) as typeof tree;
    expect(back.a.shape).toEqual([2, 2]);
    expect(back.b.shape).toEqual([]);
    expect(values(back.c[0]!)).toEqual([12, 14]);
  });
  it("rejects integer leaves and wrong flat lengths", () => {
    expect(() => infer.ravelPytree({ n: jnp.array([1, 2], { dtype: "int32" }) })).toThrow(
      /position leaf 0 must be float32.*int32\(2,\)/,
    );
    const [, unravel] = infer.ravelPytree([jnp.zeros([3])]);
    expect(() => unravel(jnp.zeros([4]))).toThrow(
      /expected a flat vector of shape \(3,\), got \(4,\)/,
    );
  });
});

describe("Stan's warmup schedule", () => {
  const ends = (n: number) => infer.buildSchedule(n).windowEnd.flatMap((e, i) => (e ? [i] : []));
  it("1000 steps: buffer 75, windows 25, 50, 100, 200, 500, buffer 50 (Stan's defaults)", () => {
    expect(ends(1000)).toEqual([99, 149, 249, 449, 949]);
    const { slow } = infer.buildSchedule(1000);
    expect(slow.indexOf(true)).toBe(75);
    expect(slow.lastIndexOf(true)).toBe(949);
  });
  it("short warmups use 15% / 75% / 10%, and none below 20 steps", () => {
    expect(ends(100)).toEqual([89]);
    expect(infer.buildSchedule(100).slow.indexOf(true)).toBe(15);
    expect(ends(19)).toEqual([]);
    expect(infer.buildSchedule(19).slow.some(Boolean)).toBe(false);
  });
  it("a window that would leave too little before the final buffer absorbs the rest", () => {
    // 75 + 25 + 50 + 100 leaves 250 before the 50-step buffer at 500: the 200 window grows to 250.
    expect(ends(500)).toEqual([99, 149, 249, 449]);
  });
});

describe("dual averaging", () => {
  it("follows Stan's learn_stepsize recursion (checked against a float64 loop)", () => {
    const da = infer.dualAveraging();
    let s = da.init(0.5);
    const accepts = [0.1, 0.95, 0.6, 1, 0.85, 0.3, 0.99, 0.7];
    let sBar = 0;
    let xBar = 0;
    let x = 0;
    const mu = Math.log(5);
    accepts.forEach((a, i) => {
      s = da.update(s, jnp.array(a));
      const t = i + 1;
      const eta = 1 / (t + 10);
      sBar = (1 - eta) * sBar + eta * (0.8 - a);
      x = mu - (sBar * Math.sqrt(t)) / 0.05;
      const w = t ** -0.75;
      xBar = (1 - w) * xBar + w * x;
    });
    expect(s.logStepSize.item()).toBeCloseTo(x, 4);
    expect(da.final(s).item()).toBeCloseTo(Math.exp(xBar), 4);
  });
});

describe("Welford and Stan's regularization", () => {
  it("matches the sample covariance shrunk toward 1e-3 I", () => {
    const xs = [
      [1, 2],
      [0.5, -1],
      [2, 0.3],
      [-1, 1.5],
      [0.2, 0.1],
    ];
    for (const diagonal of [true, false]) {
      let w = infer.welfordInit(2, diagonal);
      for (const x of xs) w = infer.welfordUpdate(w, jnp.array(x));
      const n = xs.length;
      const mean = [0, 1].map((j) => xs.reduce((s, x) => s + x[j]!, 0) / n);
      const cov = (i: number, j: number) =>
        xs.reduce((s, x) => s + (x[i]! - mean[i]!) * (x[j]! - mean[j]!), 0) / (n - 1);
      const reg = (i: number, j: number) =>
        (n / (n + 5)) * cov(i, j) + (i === j ? 1e-3 * (5 / (n + 5)) : 0);
      const got = infer.regularizedCovariance(w).tolist() as number[] | number[][];
      const want = diagonal
        ? [reg(0, 0), reg(1, 1)]
        : [
            [reg(0, 0), reg(0, 1)],
            [reg(1, 0), reg(1, 1)],
          ];
      expect(got.flat()).toEqual(want.flat().map((v) => expect.closeTo(v, 5)));
    }
  });
});

describe("integrators", () => {
  // A unit harmonic oscillator: H = (x^2 + p^2) / 2; the energy error after a fixed time shrinks
  // as h^2 for these second-order schemes, and the multi-stage ones have smaller error constants.
  const energyError = (coefficients: readonly number[], h: number) => {
    const step = infer.euclideanIntegrator(
      coefficients,
      (x) => [jnp.multiply(-0.5, jnp.sum(jnp.square(x))), jnp.negative(x)],
      (p) => p,
    );
    let s: IntegratorState = {
      position: jnp.array([1]),
      momentum: jnp.array([0]),
      logdensity: jnp.array(-0.5),
      logdensityGrad: jnp.array([-1]),
    };
    for (let i = 0; i < Math.round(1 / h); i++) s = step(s, h);
    const x = values(s.position)[0]!;
    const p = values(s.momentum)[0]!;
    return Math.abs((x * x + p * p) / 2 - 0.5);
  };
  it("are second order, the multi-stage schemes with smaller errors", () => {
    // (McLachlan's b1 is tuned for harmonic forces, where its h^2 term nearly cancels.)
    for (const c of [infer.velocityVerletCoefficients, infer.yoshidaCoefficients]) {
      const ratio = energyError(c, 1) / energyError(c, 0.5);
      expect(ratio).toBeGreaterThan(3.5);
      expect(ratio).toBeLessThan(4.5);
    }
    const vv = energyError(infer.velocityVerletCoefficients, 0.5);
    expect(energyError(infer.mclachlanCoefficients, 0.5)).toBeLessThan(vv / 20);
    expect(energyError(infer.yoshidaCoefficients, 0.5)).toBeLessThan(vv / 20);
  });
  it("one velocity Verlet step matches the closed form", () => {
    const step = infer.euclideanIntegrator(
      infer.velocityVerletCoefficients,
      (x) => [jnp.multiply(-0.5, jnp.sum(jnp.square(x))), jnp.negative(x)],
      (p) => jnp.multiply(p, 2), // inverse mass 2
    );
    const out = step(
      {
        position: jnp.array([1]),
        momentum: jnp.array([0.5]),
        logdensity: jnp.array(-0.5),
        logdensityGrad: jnp.array([-1]),
      },
      0.1,
    );
    const pHalf = 0.5 - 0.05 * 1;
    const x1 = 1 + 0.1 * 2 * pHalf;
    expect(values(out.position)[0]).toBeCloseTo(x1, 6);
    expect(values(out.momentum)[0]).toBeCloseTo(pHalf - 0.05 * x1, 6);
    expect(out.logdensity.item()).toBeCloseTo(-0.5 * x1 * x1, 6);
  });
});

describe("NUTS U-turn checkpoints", () => {
  it("match numpyro's leaf_idx_to_ckpt_idxs loops for leaves 0..127", () => {
    for (let n = 0; n < 128; n++) {
      let idxMax = 0;
      for (let m = n >> 1; m > 0; m >>= 1) idxMax += m & 1;
      let trailing = 0;
      for (let m = n; (m & 1) !== 0; m >>= 1) trailing++;
      const [lo, hi] = checkpointRange(jnp.array(n, { dtype: "int32" }));
      expect([lo.item(), hi.item()]).toEqual([idxMax - trailing + 1, idxMax]);
    }
  });
});

// A small correlated target over a pytree, for the transform tests.
const target = (p: { a: Arr; b: Arr }) =>
  jnp.add(
    jnp.multiply(-0.5, jnp.sum(jnp.square(jnp.divide(p.a, jnp.array([1, 2]))))),
    jnp.multiply(-0.5, jnp.square(jnp.subtract(p.b, jnp.multiply(0.5, jnp.sum(p.a))))),
  ) as Arr;
// Built per test, on that test's default backend.
const makePosition = () => ({ a: jnp.array([0.3, -0.2]), b: jnp.array(0.1) });
type Position = ReturnType<typeof makePosition>;

interface Case {
  name: string;
  /** Runs a whileLoop (NUTS's trajectory, the slice bracket): not on WebGPU in Node. */
  usesWhile?: boolean;
  init: (x: Position) => unknown;
  step: (key: KeyLike, state: never) => unknown;
}
const cases: Case[] = [
  {
    name: "nuts",
    usesWhile: true,
    init: (x) => infer.nuts.init(x, target),
    step: (k, s) =>
      infer.nuts.buildKernel()(k, s, target, { stepSize: 0.4, inverseMassMatrix: jnp.ones([3]) }),
  },
  {
    name: "nuts (dense metric, depth 3)",
    usesWhile: true,
    init: (x) => infer.nuts.init(x, target),
    step: (k, s) =>
      infer.nuts.buildKernel({ maxTreeDepth: 3 })(k, s, target, {
        stepSize: 0.4,
        inverseMassMatrix: jnp.array([
          [1, 0.2, 0],
          [0.2, 2, 0],
          [0, 0, 1],
        ]),
      }),
  },
  {
    name: "hmc (yoshida)",
    init: (x) => infer.hmc.init(x, target),
    step: (k, s) =>
      infer.hmc.buildKernel({ integrator: "yoshida" })(k, s, target, {
        stepSize: 0.3,
        inverseMassMatrix: jnp.ones([3]),
        numIntegrationSteps: 5,
      }),
  },
  {
    name: "rmh",
    init: (x) => infer.rmh.init(x, target),
    step: (k, s) => infer.rmh.buildKernel()(k, s, target, { scale: 0.8 }),
  },
  {
    name: "mala",
    init: (x) => infer.mala.init(x, target),
    step: (k, s) => infer.mala.buildKernel()(k, s, target, { stepSize: 0.2 }),
  },
  {
    name: "ellipticalSlice",
    usesWhile: true,
    init: (x) => infer.ellipticalSlice.init(x, target),
    step: (k, s) => infer.ellipticalSlice.buildKernel()(k, s, target, { mean: 0, cov: [1, 1, 1] }),
  },
];

/** Every leaf's values, read asynchronously (WebGPU in Node has no synchronous reads). */
const readLeaves = (t: unknown) =>
  Promise.all(
    jax.tree.leaves(t as jax.PyTree).map(async (l) => Array.from(await (l as Arr).data(), Number)),
  );

for (const { platform, available } of matrix) {
  describe.skipIf(!available)(`kernels under jit and vmap (${platform})`, () => {
    const onBackend = async (f: () => Promise<void>) => {
      const previous = jax.defaultBackend();
      await jax.setDefaultBackend(platform);
      try {
        await f();
      } finally {
        await jax.setDefaultBackend(previous);
      }
    };
    const rtol = platform === "webgpu" ? 1e-3 : 1e-5;
    const close = (a: number[][], b: number[][]) => {
      expect(a.length).toBe(b.length);
      a.forEach((leaf, j) => {
        leaf.forEach((v, i) => {
          expect(Math.abs(v - b[j]![i]!)).toBeLessThanOrEqual(rtol * (1 + Math.abs(b[j]![i]!)));
        });
      });
    };

    // WebGPU in Node cannot read a loop predicate synchronously, so whileLoop kernels stay off it.
    const runnable = cases.filter((c) => !(platform === "webgpu" && c.usesWhile));
    it.each(runnable.map((c) => [c.name, c] as const))("%s: jit(step) = step", (_n, c) =>
      onBackend(async () => {
        const state = c.init(makePosition()) as never;
        const key = random.key(7);
        const eager = c.step(key, state);
        const jitted = jax.jit(c.step as (k: KeyLike, s: never) => jax.PyTree)(key, state);
        close(await readLeaves(jitted), await readLeaves(eager));
      }),
    );
    it.each(runnable.map((c) => [c.name, c] as const))("%s: vmap over chains = a loop", (_n, c) =>
      onBackend(async () => {
        const n = 3;
        const starts = jax.vmap((x: Arr) => ({ a: jnp.multiply(x, jnp.array([1, -1])), b: x }))(
          jnp.array([0.1, -0.4, 0.7]),
        ) as unknown as Position;
        const states = jax.vmap(c.init as never)(starts) as never;
        const keys = random.split(random.key(3), n);
        const batched = jax.jit(jax.vmap(c.step as never))(keys, states) as jax.PyTree;
        const pick = (t: unknown, i: number) =>
          jax.tree.map((l) => jnp.take(l as Arr, i, { axis: 0 }), t as jax.PyTree);
        for (let i = 0; i < n; i++) {
          const looped = c.step((keys as PRNGKeyArray).get(i), pick(states, i) as never);
          close(await readLeaves(pick(batched, i)), await readLeaves(looped));
        }
      }),
    );
  });
}

describe("ensemble (stretch move)", () => {
  it("keeps walker shapes, accepts some moves, and rejects odd walker counts", () => {
    const walkers = {
      a: random.normal(random.key(1), [6, 2]),
      b: random.normal(random.key(2), [6]),
    };
    const state = infer.ensemble.init(walkers, target);
    expect(state.logdensity.shape).toEqual([6]);
    const [next, info] = jax.jit(
      (k: KeyLike, s: typeof state) =>
        infer.ensemble.buildKernel()(k, s, target) as unknown as jax.PyTree,
    )(random.key(0), state) as [typeof state, { isAccepted: Arr }];
    expect((next.position as typeof walkers).a.shape).toEqual([6, 2]);
    expect(info.isAccepted.shape).toEqual([6]);
    expect(() => infer.ensemble.init({ a: jnp.zeros([5, 2]), b: jnp.zeros([5]) }, target)).toThrow(
      /number of walkers .* must be even and at least 2, got 5/,
    );
  });
});

describe("errors", () => {
  it("name the sampler, the argument and the shapes", () => {
    const position = makePosition();
    const state = infer.nuts.init(position, target);
    expect(() =>
      infer.nuts.buildKernel()(random.key(0), state, target, {
        stepSize: 0.1,
        inverseMassMatrix: jnp.ones([2]),
      }),
    ).toThrow(/nuts: inverseMassMatrix must have shape \(3,\) or \(3, 3\).*got \(2,\)/);
    expect(() => infer.nuts.init(position, (p: Position) => p.a)).toThrow(
      /hmc.init: logdensityFn must return a scalar, got shape \(2,\)/,
    );
    expect(() =>
      infer.rmh.buildKernel()(random.key(0), infer.rmh.init(position, target), target, {
        scale: [1, 2],
      }),
    ).toThrow(
      /rmh: scale must be a scalar, a vector of 3 standard deviations or a \(3, 3\) covariance, got shape \(2,\)/,
    );
    expect(() => infer.nuts.buildKernel({ maxTreeDepth: 0 })).toThrow(
      /maxTreeDepth must be an integer in \[1, 30\]/,
    );
  });
});
