/**
 * The MCMC driver: layouts of samples and extra fields, chain methods, initial positions with
 * and without a chain axis, chunked runs, progress output, summaries, errors; and the other
 * samplers (HMC, RMH through the driver; MALA, elliptical slice and the ensemble sampler through
 * their kernels) against a Gaussian with MCSE-based tolerances. cpu, fixed keys.
 */
import { describe, expect, it, vi } from "vitest";
import * as jax from "../../src/index.js";
import type { MCMCOptions } from "../../src/infer/mcmc.js";
import { Progress } from "../../src/infer/progress.js";
import type { AnyLogdensityFn, MCMCKernel } from "../../src/infer/samplers.js";
import type { KeyLike } from "../../src/random/keys.js";

const { infer, numpy: jnp, random } = jax;
type Arr = jax.Array;
const host = (x: Arr) => Array.from(x.dataSync() as Float32Array, Number);

const sds = jnp.array([1, 2]);
const gaussian = (p: { x: Arr }) => jnp.multiply(-0.5, jnp.sum(jnp.square(jnp.divide(p.x, sds))));
const ld = gaussian as AnyLogdensityFn;

async function run(sampler: MCMCKernel, options: Partial<MCMCOptions> = {}, init?: jax.PyTree) {
  const mcmc = new infer.MCMC(sampler, {
    numWarmup: 100,
    numSamples: 50,
    numChains: 3,
    progressBar: false,
    ...options,
  });
  await mcmc.run(random.key(0), { initParams: init ?? { x: jnp.zeros([2]) } });
  return mcmc;
}

describe("MCMC driver", () => {
  it("lays out samples and extra fields numpyro's way", async () => {
    const mcmc = await run(new infer.NUTS({ logdensityFn: ld }));
    const grouped = mcmc.getSamples({ groupByChain: true }) as { x: Arr };
    expect(grouped.x.shape).toEqual([3, 50, 2]);
    expect((mcmc.getSamples() as { x: Arr }).x.shape).toEqual([150, 2]);
    const extra = mcmc.getExtraFields({ groupByChain: true });
    expect(Object.keys(extra).sort()).toEqual(
      ["acceptProb", "diverging", "energy", "numSteps", "potentialEnergy", "treeDepth"].sort(),
    );
    expect(extra.diverging!.dtype).toBe("bool");
    expect(extra.treeDepth!.shape).toEqual([3, 50]);
    // numSteps is between 1 and 2^depth - 1 for every draw.
    const depth = host(extra.treeDepth!);
    host(extra.numSteps!).forEach((n, i) => {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(2 ** depth[i]! - 1);
    });
    // The driver chooses: NUTS runs its chains one after another unless told otherwise.
    expect(mcmc.chainMethod).toBe("sequential");
    const params = mcmc.adaptedParameters as { stepSize: Arr; inverseMassMatrix: Arr };
    expect(params.stepSize.shape).toEqual([3]);
    expect(params.inverseMassMatrix.shape).toEqual([3, 2]);
  });

  it("sequential chains give the same draws as vectorized ones", async () => {
    const v = await run(new infer.NUTS({ logdensityFn: ld }), {
      numWarmup: 30,
      numSamples: 10,
      chainMethod: "vectorized",
    });
    const s = await run(new infer.NUTS({ logdensityFn: ld }), {
      numWarmup: 30,
      numSamples: 10,
      chainMethod: "sequential",
    });
    expect(v.chainMethod).toBe("vectorized");
    expect(s.chainMethod).toBe("sequential");
    const a = host((v.getSamples({ groupByChain: true }) as { x: Arr }).x);
    const b = host((s.getSamples({ groupByChain: true }) as { x: Arr }).x);
    a.forEach((x, i) => {
      expect(Math.abs(x - b[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(x)));
    });
  });

  it("chunked runs (progress between chunks) give the same draws as one chunk", async () => {
    const whole = await run(new infer.HMC({ logdensityFn: ld, numSteps: 5 }));
    const chunked = await run(new infer.HMC({ logdensityFn: ld, numSteps: 5 }), { chunkSize: 17 });
    expect(host((chunked.getSamples() as { x: Arr }).x)).toEqual(
      host((whole.getSamples() as { x: Arr }).x),
    );
  });

  it("takes initParams with a chain axis, or copies one position to every chain", async () => {
    const perChain = await run(
      new infer.RMH({ logdensityFn: ld }),
      { numWarmup: 0, numSamples: 1 },
      {
        x: jnp.array([
          [10, 10],
          [20, 20],
          [30, 30],
        ]),
      },
    );
    // One RMH step moves each chain by at most a few scale units from its own start.
    const first = host(
      jnp.take((perChain.getSamples({ groupByChain: true }) as { x: Arr }).x, 0, { axis: 2 }),
    );
    first.forEach((x, c) => {
      expect(Math.abs(x - 10 * (c + 1))).toBeLessThan(6);
    });
    const shared = await run(
      new infer.RMH({ logdensityFn: ld }),
      { numWarmup: 0, numSamples: 1 },
      {
        x: jnp.array([10, 10]),
      },
    );
    expect((shared.getSamples({ groupByChain: true }) as { x: Arr }).x.shape).toEqual([3, 1, 2]);
  });

  it("without warmup samples with the initial (or Stan's init_stepsize) step size", async () => {
    const fixed = await run(
      new infer.NUTS({ logdensityFn: ld, stepSize: 0.125, adaptStepSize: false }),
      { numWarmup: 0, numSamples: 2 },
    );
    expect(host((fixed.adaptedParameters as { stepSize: Arr }).stepSize)).toEqual([
      0.125, 0.125, 0.125,
    ]);
    // init_stepsize doubles or halves from 1, so the step size is a power of two.
    const found = await run(new infer.NUTS({ logdensityFn: ld }), { numWarmup: 0, numSamples: 2 });
    for (const eps of host((found.adaptedParameters as { stepSize: Arr }).stepSize))
      expect(Number.isInteger(Math.log2(eps))).toBe(true);
  });

  it("thins draws", async () => {
    const mcmc = await run(new infer.RMH({ logdensityFn: ld }), { numSamples: 10, thinning: 3 });
    expect((mcmc.getSamples({ groupByChain: true }) as { x: Arr }).x.shape).toEqual([3, 4, 2]);
  });

  it("prints the summary with the number of divergences", async () => {
    const mcmc = await run(new infer.NUTS({ logdensityFn: ld }));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const table = mcmc.printSummary();
      expect(table.rows.map((r) => r.name)).toEqual(["x[0]", "x[1]"]);
      const text = log.mock.calls.map((c) => String(c[0])).join("\n");
      expect(text).toMatch(/ess_bulk/);
      expect(text).toMatch(/Number of divergences: \d+/);
    } finally {
      log.mockRestore();
    }
    expect(mcmc.summary(0.5).intervalLabels).toEqual(["hdi_25%", "hdi_75%"]);
  });

  it("reports progress as lines off a terminal and as a bar on one", () => {
    const lines: string[] = [];
    const p = new Progress("sample", 100, { isTTY: false, write: (t) => lines.push(t) }, 0);
    p.update(50, 2);
    p.update(50, 1);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^sample\s+\[#{30}\] 100\/100 \| [\d.]+ draws\/s \| 3 divergences\n$/);
    const tty: string[] = [];
    const bar = new Progress("warmup", 10, { isTTY: true, write: (t) => tty.push(t) });
    bar.update(5);
    bar.finish();
    expect(tty[0]).toMatch(/^\rwarmup\s+\[#{15}\.{15}\] 5\/10/);
    expect(tty.at(-1)).toMatch(/\n$/);
  });

  it("raises clear errors", async () => {
    expect(
      () => new infer.MCMC(new infer.NUTS({ logdensityFn: ld }), { numWarmup: -1, numSamples: 1 }),
    ).toThrow(/MCMC: numWarmup must be an integer >= 0, got -1/);
    expect(
      () =>
        new infer.MCMC(new infer.NUTS({ logdensityFn: ld }), {
          numWarmup: 1,
          numSamples: 1,
          chainMethod: "pmap" as never,
        }),
    ).toThrow(/chainMethod must be "vectorized", "sequential" or "parallel"/);
    const mcmc = new infer.MCMC(new infer.NUTS({ logdensityFn: ld }), {
      numWarmup: 1,
      numSamples: 1,
    });
    expect(() => mcmc.getSamples()).toThrow(/MCMC.getSamples: call run\(\) first/);
    await expect(mcmc.run(random.key(0), { initParams: { x: jnp.zeros([3, 4]) } })).rejects.toThrow(
      /MCMC.run: logdensityFn does not return a scalar at initParams/,
    );
    expect(() => new infer.NUTS({} as never)).toThrow(
      /NUTS: options.logdensityFn must be a function/,
    );
  });
});

describe("other samplers on a Gaussian (sd 1 and 2), within 4 MCSE", () => {
  const check = (draws: Arr) => {
    // draws: [chains, draws, 2]
    const rows = infer.summary({ x: draws }).rows;
    [1, 2].forEach((sd, i) => {
      const r = rows[i]!;
      expect(Math.abs(r.mean) / r.mcseMean, `mean ${r.mean} mcse ${r.mcseMean}`).toBeLessThan(4);
      expect(Math.abs(r.sd - sd) / r.mcseSd, `sd ${r.sd} mcse ${r.mcseSd}`).toBeLessThan(4);
    });
  };
  it("HMC with adaptation", async () => {
    const mcmc = await run(new infer.HMC({ logdensityFn: ld, numSteps: 8 }), {
      numWarmup: 200,
      numSamples: 500,
      numChains: 4,
    });
    check((mcmc.getSamples({ groupByChain: true }) as { x: Arr }).x);
  });
  it("RMH over 64 vectorized chains", async () => {
    const mcmc = await run(new infer.RMH({ logdensityFn: ld, scale: 2 }), {
      numWarmup: 200,
      numSamples: 300,
      numChains: 64,
    });
    check((mcmc.getSamples({ groupByChain: true }) as { x: Arr }).x);
  });

  // Kernels run for n steps over 4 vmapped chains in one jitted scan: draws [chains, n, 2].
  const scanKernel = (
    init: (x: { x: Arr }) => unknown,
    step: (k: KeyLike, s: never) => [unknown, unknown],
    n: number,
  ) => {
    const one = (key: KeyLike, start: Arr) => {
      const [, xs] = jax.lax.scan(
        (s: never, k: KeyLike) => {
          const [next] = step(k, s);
          return [next, (next as { position: { x: Arr } }).position.x];
        },
        init({ x: start }),
        random.split(key, n),
      );
      return xs as Arr;
    };
    return jax.jit(jax.vmap(one))(
      random.split(random.key(5), 4),
      random.normal(random.key(6), [4, 2]),
    ) as Arr;
  };
  it("MALA", () => {
    const kernel = infer.mala.buildKernel();
    check(
      scanKernel(
        (x) => infer.mala.init(x, gaussian),
        (k, s) => kernel(k, s, gaussian, { stepSize: 0.6 }),
        1500,
      ),
    );
  });
  it("elliptical slice (the Gaussian as the prior, a flat likelihood)", () => {
    const flat = (p: { x: Arr }) => jnp.multiply(0, jnp.sum(p.x));
    const kernel = infer.ellipticalSlice.buildKernel();
    check(
      scanKernel(
        (x) => infer.ellipticalSlice.init(x, flat),
        (k, s) => kernel(k, s, flat, { mean: [0, 0], cov: [1, 4] }),
        500,
      ),
    );
  });
  it("ensemble (8 walkers)", () => {
    const kernel = infer.ensemble.buildKernel();
    const n = 1500;
    const [, xs] = jax.jit(
      (key: KeyLike, start: Arr) =>
        jax.lax.scan(
          (s: never, k: KeyLike) => {
            const [next] = kernel(k, s, gaussian);
            return [next, (next as { position: { x: Arr } }).position.x];
          },
          infer.ensemble.init({ x: start }, gaussian),
          random.split(key, n),
        ) as jax.PyTree,
    )(random.key(9), random.normal(random.key(10), [8, 2])) as [unknown, Arr];
    // [draws, walkers, 2] -> walkers as chains.
    check(jnp.transpose(xs, [1, 0, 2]));
  });
});
