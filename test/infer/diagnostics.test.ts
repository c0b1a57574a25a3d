/**
 * jax.infer diagnostics against test/fixtures/diagnostics.json, reference values that
 * scripts/fixtures/gen_diagnostics.py computes with numpy/scipy from the published formulas
 * (Vehtari et al. 2021 as ArviZ and posterior implement them; numpyro.diagnostics), on synthetic
 * chains: iid normal, AR(1) with strong positive and with negative autocorrelation, chains with
 * shifted means (R-hat > 1), heavy tails, one chain with an odd draw count, ties, a vector.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix } from "../helpers/backends.js";
import { type Decoded, decode, expectClose } from "../helpers/compare.js";

const { infer, numpy: jnp } = jax;
const matrix = await backendMatrix();

interface Stats {
  rhat: Record<string, number>;
  ess: Record<string, number>;
  "ess_quantile_0.3": number;
  "ess_local_0.2_0.7": number;
  ess_bulk_relative: number;
  "ess_tail_prob_0.1": number;
  mcse: Record<string, number>;
  "mcse_quantile_0.05": number;
  "hpdi_0.9": [number, number];
  "hpdi_0.5": [number, number];
  numpyro: {
    gelman_rubin: number | null;
    split_gelman_rubin: number;
    effective_sample_size: number;
    effective_sample_size_unbiased: number;
    autocorrelation_chain0: number[];
    autocorrelation_chain0_unbiased: number[];
    autocovariance_chain0: number[];
  };
}
interface Case {
  name: string;
  x: number[][] | number[][][];
  stats: Stats[];
}
const fixture = decode(
  JSON.parse(readFileSync(new URL("../fixtures/diagnostics.json", import.meta.url), "utf8")),
) as unknown as { cases: Case[] };
// decode() maps arrays only; objects come through JSON.parse unchanged, so decode the leaves we read.
const num = (v: unknown) => decode(v) as number;

const RTOL = 1e-9; // float64 on both sides; the FFT and summation orders differ in the last bits

/** The draws of component k of a case as [chains, draws]. */
function component(c: Case, k: number): number[][] {
  return c.stats.length === 1
    ? (c.x as number[][])
    : (c.x as number[][][]).map((chain) => chain.map((draw) => draw[k]!));
}

/** A statistic per component: a number for scalar cases, an array over components for vectors. */
function perComponent(c: Case, pick: (s: Stats) => Decoded): Decoded {
  return c.stats.length === 1 ? pick(c.stats[0]!) : c.stats.map(pick);
}

describe("diagnostics match the numpy reference (Vehtari et al. 2021; ArviZ, posterior, numpyro)", () => {
  for (const c of fixture.cases) {
    describe(c.name, () => {
      it("rank-normalized, split, folded, z-scale and unsplit R-hat", () => {
        for (const method of ["rank", "split", "folded", "z_scale", "identity"] as const)
          expectClose(
            infer.rhat(c.x, { method }),
            perComponent(c, (s) => num(s.rhat[method])),
            RTOL,
            0,
            `rhat ${method}`,
          );
      });

      it("bulk, tail, quantile, local and the other ESS methods", () => {
        const methods = [
          "bulk",
          "tail",
          "mean",
          "sd",
          "median",
          "mad",
          "z_scale",
          "folded",
          "identity",
        ];
        for (const method of methods as jax.infer.EssMethod[])
          expectClose(
            infer.ess(c.x, { method }),
            perComponent(c, (s) => num(s.ess[method])),
            RTOL,
            0,
            `ess ${method}`,
          );
        expectClose(
          infer.ess(c.x, { method: "quantile", prob: 0.3 }),
          perComponent(c, (s) => s["ess_quantile_0.3"]),
          RTOL,
          0,
          "quantile",
        );
        expectClose(
          infer.ess(c.x, { method: "local", prob: [0.2, 0.7] }),
          perComponent(c, (s) => s["ess_local_0.2_0.7"]),
          RTOL,
          0,
          "local",
        );
        expectClose(
          infer.ess(c.x, { relative: true }),
          perComponent(c, (s) => s.ess_bulk_relative),
          RTOL,
          0,
          "relative",
        );
        expectClose(
          infer.ess(c.x, { method: "tail", prob: 0.1 }),
          perComponent(c, (s) => s["ess_tail_prob_0.1"]),
          RTOL,
          0,
          "tail 0.1",
        );
      });

      it("MCSE of the mean, sd, median and a quantile", () => {
        for (const method of ["mean", "sd", "median"] as const)
          expectClose(
            infer.mcse(c.x, { method }),
            perComponent(c, (s) => num(s.mcse[method])),
            RTOL,
            0,
            `mcse ${method}`,
          );
        expectClose(
          infer.mcse(c.x, { method: "quantile", prob: 0.05 }),
          perComponent(c, (s) => s["mcse_quantile_0.05"]),
          RTOL,
          0,
          "mcse quantile",
        );
      });

      it("numpyro's gelman_rubin, split_gelman_rubin and effective_sample_size", () => {
        expectClose(
          infer.splitGelmanRubin(c.x),
          perComponent(c, (s) => s.numpyro.split_gelman_rubin),
          RTOL,
          0,
          "split",
        );
        expectClose(
          infer.effectiveSampleSize(c.x),
          perComponent(c, (s) => s.numpyro.effective_sample_size),
          RTOL,
          0,
          "n_eff",
        );
        expectClose(
          infer.effectiveSampleSize(c.x, { bias: false }),
          perComponent(c, (s) => s.numpyro.effective_sample_size_unbiased),
          RTOL,
          0,
          "n_eff unbiased",
        );
        if (c.x.length > 1)
          expectClose(
            infer.gelmanRubin(c.x),
            perComponent(c, (s) => num(s.numpyro.gelman_rubin)),
            RTOL,
            0,
            "gelman_rubin",
          );
        else
          expect(() => infer.gelmanRubin(c.x)).toThrow(
            "gelmanRubin: x needs at least 2 chains, got shape (1, 201)",
          );
      });

      it("autocorrelation and autocovariance of a chain (numpyro, both biases) and hpdi", () => {
        for (const [k, s] of c.stats.entries()) {
          const chain0 = component(c, k)[0]!;
          const lags = (v: jax.infer.NestedNumbers) => (v as number[]).slice(0, 20);
          expectClose(
            lags(infer.autocorrelation(chain0)),
            s.numpyro.autocorrelation_chain0,
            RTOL,
            1e-12,
            "acf",
          );
          expectClose(
            lags(infer.autocorrelation(chain0, 0, false)),
            s.numpyro.autocorrelation_chain0_unbiased,
            RTOL,
            1e-12,
            "acf unbiased",
          );
          expectClose(
            lags(infer.autocovariance(chain0, { bias: true })),
            s.numpyro.autocovariance_chain0,
            RTOL,
            1e-12,
            "acov",
          );
          const flat = component(c, k).flat();
          expectClose(infer.hpdi(flat), s["hpdi_0.9"], 0, 0, "hpdi 0.9");
          expectClose(infer.hpdi(flat, { prob: 0.5 }), s["hpdi_0.5"], 0, 0, "hpdi 0.5");
        }
      });
    });
  }
});

describe("diagnostics: layouts, axes and edge cases", () => {
  const ar1 = fixture.cases.find((c) => c.name === "ar1_strong")!;

  it("autocorrelation and hpdi work along any axis and keep the other axes", () => {
    const x = ar1.x as number[][]; // [chains, draws]
    const byRow = infer.autocorrelation(x, 1) as number[][];
    const transposed = x[0]!.map((_, d) => x.map((chain) => chain[d]!));
    const byColumn = infer.autocorrelation(transposed, { axis: 0 }) as number[][];
    expect(byRow.length).toBe(4);
    expectClose(
      byColumn.map((row) => row[2]!),
      byRow[2]!,
      1e-12,
      1e-15,
      "axis 0 vs axis 1",
    );
    expectClose(infer.autocorrelation(x, -1), byRow, 0, 0, "negative axis");
    const h = infer.hpdi(x, 0.9, 1) as number[][];
    expect(h.map((row) => row.length)).toEqual([2, 2, 2, 2]);
    expectClose(h[1]!, infer.hpdi(x[1]!) as number[], 0, 0, "hpdi per chain");
    expect(infer.hpdi(transposed) as number[][]).toHaveLength(2);
  });

  it("an AR(1) chain's autocorrelation at lag 1 is close to its coefficient (0.95)", () => {
    const acf = infer.autocorrelation((ar1.x as number[][])[0]!) as number[];
    expect(acf[0]).toBe(1);
    expect(acf[1]).toBeGreaterThan(0.9);
    expect(acf[1]).toBeLessThan(0.97);
  });

  it("the FFT autocovariance of 100,000 draws matches the direct sum at a few lags", () => {
    const n = 100_000;
    let state = 0.1;
    const x = Float64Array.from({ length: n }, (_, i) => {
      state = 0.7 * state + Math.sin(i * 12.9898) * 0.5;
      return state;
    });
    const acov = infer.autocovariance(Array.from(x)) as number[];
    expect(acov).toHaveLength(n);
    const mu = x.reduce((a, b) => a + b, 0) / n;
    for (const t of [0, 1, 7, 1000, n - 1]) {
      let s = 0;
      for (let i = 0; i + t < n; i++) s += (x[i]! - mu) * (x[i + t]! - mu);
      expect(acov[t]).toBeCloseTo(s / n, 12);
    }
  });

  it("constant draws: ESS is the number of draws and R-hat is NaN; NaN draws give NaN", () => {
    const constant = [
      [1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1],
    ];
    expect(infer.ess(constant)).toBe(12);
    expect(infer.rhat(constant)).toBeNaN();
    const withNaN = [
      [1, 2, Number.NaN, 4],
      [2, 3, 4, 5],
    ];
    expect(infer.ess(withNaN)).toBeNaN();
    expect(infer.rhat(withNaN)).toBeNaN();
    expect(infer.mcse(withNaN, { method: "median" })).toBeNaN();
  });

  it("booleans count as 0 and 1", () => {
    const flags = [
      [true, false, false, true, false, true],
      [false, false, true, true, false, false],
    ];
    expect(infer.ess(flags, { method: "mean" })).toBe(
      infer.ess(
        [
          [1, 0, 0, 1, 0, 1],
          [0, 0, 1, 1, 0, 0],
        ],
        { method: "mean" },
      ),
    );
  });

  it("bad input raises errors naming the function, the argument and the shape", () => {
    expect(() => infer.rhat([1, 2, 3, 4, 5])).toThrow(
      "rhat: x must have shape [chains, draws, ...] (ArviZ's layout), got shape (5,)",
    );
    expect(() => infer.ess([[1, 2, 3]])).toThrow(
      "ess: x needs at least 1 chain and 4 draws, got shape (1, 3)",
    );
    expect(() =>
      infer.ess([
        [1, 2, 3, 4],
        [1, 2],
      ]),
    ).toThrow("ess: x is a ragged nested array: expected length 4 at depth 1, got 2");
    expect(() => infer.ess([[1, 2, 3, "a"]] as unknown as number[][])).toThrow(
      "ess: x must hold numbers, found string",
    );
    expect(() => infer.ess(ar1.x, { method: "quantile" })).toThrow(
      'ess: method "quantile" needs prob',
    );
    expect(() => infer.ess(ar1.x, { method: "local", prob: 0.3 })).toThrow(
      'ess: method "local" needs prob = [lower, upper], got 0.3',
    );
    expect(() => infer.ess(ar1.x, { method: "bogus" as jax.infer.EssMethod })).toThrow(
      'ess: method must be one of "bulk", "tail"',
    );
    expect(() => infer.rhat(ar1.x, { method: "bogus" as jax.infer.RhatMethod })).toThrow(
      'rhat: method must be one of "rank", "split", "folded", "z_scale", "identity", got bogus',
    );
    expect(() => infer.mcse(ar1.x, { method: "quantile", prob: 1.5 })).toThrow(
      "mcse: prob must be in [0, 1], got 1.5",
    );
    expect(() => infer.autocorrelation([1, 2, 3], 1)).toThrow(
      "autocorrelation: axis 1 is out of bounds for array of dimension 1",
    );
    expect(() => infer.hpdi([1, 2, 3], { mass: 0.5 } as never)).toThrow(
      "hpdi() got an unexpected keyword argument 'mass'",
    );
    expect(() => infer.ess({} as never)).toThrow(
      "ess: x must be a jax Array or a nested array of numbers, got object",
    );
  });
});

describe("diagnostics read jax Arrays from every backend", () => {
  const c = fixture.cases.find((k) => k.name === "vector_param")!;
  const x32 = (c.x as number[][][]).map((chain) => chain.map((draw) => draw.map(Math.fround)));
  const expected = {
    rhat: infer.rhat(x32),
    ess: infer.ess(x32, { method: "tail" }),
    mcse: infer.mcse(x32, { method: "sd" }),
  };

  for (const { platform, available } of matrix) {
    it.skipIf(!available)(
      `${platform}: float32 arrays give the values of their nested copies`,
      async () => {
        const device = jax.devices(platform)[0]!;
        // computed on the device, so that the values live in its memory
        let arr = jax.devicePut(jnp.array(c.x), device).mul(1);
        try {
          infer.rhat(arr);
        } catch (e) {
          // WebGPU in Node may only read asynchronously: the error names the call and the fix.
          expect(platform).toBe("webgpu");
          expect(String(e)).toContain("rhat: x: cannot read an array on webgpu:0 synchronously");
          await arr.blockUntilReady();
          arr = jax.devicePut(arr, "cpu");
        }
        expect(infer.rhat(arr)).toEqual(expected.rhat);
        expect(infer.ess(arr, { method: "tail" })).toEqual(expected.ess);
        expect(infer.mcse(arr, { method: "sd" })).toEqual(expected.mcse);
      },
    );
  }
});
